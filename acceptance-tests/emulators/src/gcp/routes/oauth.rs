//! `POST /token`: the OAuth 2.0 token endpoint of the key file's `token_uri`.

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
