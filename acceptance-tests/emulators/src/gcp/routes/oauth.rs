//! `POST /token`: the OAuth 2.0 token endpoint of the key file's `token_uri`;
//! `GET|POST /tokeninfo` (`access_token` in the query or the form): whose token it is,
//! as `https://oauth2.googleapis.com/tokeninfo` answers.

use bytes::Bytes;
use http::{Method, Response, StatusCode};

use crate::gcp::GcpPart;
use crate::gcp::errors::ApiResult;
use crate::gcp::request::{GcpRequest, form_pairs, json_ok, json_status};

pub fn token(part: &GcpPart, request: &GcpRequest) -> ApiResult<Response<Bytes>> {
    if request.method != Method::POST {
        return Ok(json_status(
            StatusCode::METHOD_NOT_ALLOWED,
            &serde_json::json!({"error": "invalid_request", "error_description": "POST only"}),
        ));
    }
    let form = form_pairs(&String::from_utf8_lossy(&request.body));
    Ok(match part.auth.exchange(&form) {
        Ok(token) => json_ok(&token),
        Err(error) => json_status(StatusCode::BAD_REQUEST, &error.body()),
    })
}

pub fn tokeninfo(part: &GcpPart, request: &GcpRequest) -> ApiResult<Response<Bytes>> {
    let form = form_pairs(&String::from_utf8_lossy(&request.body));
    let token = request
        .param("access_token")
        .map(str::to_string)
        .or_else(|| {
            form.into_iter()
                .find(|(key, _)| key == "access_token")
                .map(|(_, value)| value)
        });
    let Some(token) = token else {
        return Ok(json_status(
            StatusCode::BAD_REQUEST,
            &serde_json::json!({"error": "invalid_request", "error_description": "Missing access_token parameter"}),
        ));
    };
    Ok(match part.auth.token_info(&token) {
        Ok(info) => json_ok(&info),
        Err(error) => json_status(StatusCode::BAD_REQUEST, &error.body()),
    })
}
