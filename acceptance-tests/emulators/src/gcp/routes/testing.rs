//! The part's own test switch, on its port but outside Google's paths (no
//! authentication): `POST /_emulator/failNextOperation` with
//! `{"operationType": "CREATE_NODE_POOL", "code": "RESOURCE_EXHAUSTED", "message": "..."}`
//! (every field optional) makes the next container operation of that type (of any
//! type when absent) end DONE with that `error`, its cluster or node pool in status
//! ERROR. `POST /_emulator/accessToken` issues an access token for the key file's
//! account, as `gcloud auth print-access-token` gives one (for `access_token`
//! provider blocks in tests).

use bytes::Bytes;
use http::{Method, Response};
use serde_json::json;

use crate::gcp::GcpPart;
use crate::gcp::errors::{ApiError, ApiResult};
use crate::gcp::model::container::PlannedFailure;
use crate::gcp::request::GcpRequest;

pub fn handle(part: &GcpPart, request: &GcpRequest, rest: &str) -> ApiResult<Response<Bytes>> {
    match (rest, &request.method) {
        ("failNextOperation", &Method::POST) => {
            let body = request.json(&[])?;
            let failure = PlannedFailure {
                operation_type: body["operationType"].as_str().map(str::to_string),
                status: body["code"].as_str().unwrap_or("INTERNAL").to_string(),
                message: body["message"]
                    .as_str()
                    .unwrap_or("Operation failed (scripted by the emulator's failNextOperation).")
                    .to_string(),
            };
            let answer = json!({
                "operationType": failure.operation_type,
                "code": failure.status,
                "message": failure.message,
            });
            part.model
                .lock()
                .expect("gcp model")
                .container
                .fail_next(failure);
            Ok(request.render(answer, &[]))
        }
        ("accessToken", &Method::POST) => Ok(request.render(part.auth.issue(), &[])),
        _ => Err(ApiError::no_route(&request.method, &request.path)),
    }
}
