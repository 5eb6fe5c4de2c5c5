//! compute v1, the one route a reader of a GKE pool's size needs:
//! `GET /compute/v1/projects/{p}/zones/{z}/instanceGroupManagers/{name}`, the managed
//! instance groups a node pool lists in `instanceGroupUrls`. Compute Engine answers
//! errors in its own shape (`{"error": {code, message, errors: [{message, domain,
//! reason}]}}`, no `status` string): `notFound` (404), `forbidden` (403).

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::json;

use crate::gcp::errors::{ApiError, ApiResult};
use crate::gcp::model::Model;
use crate::gcp::request::{GcpRequest, json_ok, json_status};

pub fn handle(model: &mut Model, request: &GcpRequest, rest: &str) -> Response<Bytes> {
    route(model, request, rest).unwrap_or_else(|error| compute_error(&error))
}

fn route(model: &mut Model, request: &GcpRequest, rest: &str) -> ApiResult<Response<Bytes>> {
    let parts: Vec<&str> = rest.split('/').filter(|part| !part.is_empty()).collect();
    match (parts.as_slice(), &request.method) {
        (
            [
                "projects",
                project,
                "zones",
                zone,
                "instanceGroupManagers",
                name,
            ],
            &Method::GET,
        ) => {
            if !model.project.is(project) {
                return Err(ApiError::permission_denied(format!(
                    "Required 'compute.instanceGroupManagers.get' permission for 'projects/{project}/zones/{zone}/instanceGroupManagers/{name}'"
                )));
            }
            model.container.settle();
            let project_id = model.project.id.clone();
            Ok(json_ok(&model.container.instance_group_manager(
                &project_id,
                zone,
                name,
            )?))
        }
        _ => Err(ApiError::no_route(&request.method, &request.path)),
    }
}

/// Compute Engine's error body for `error`.
fn compute_error(error: &ApiError) -> Response<Bytes> {
    let (status, reason) = match error.status {
        "NOT_FOUND" => (StatusCode::NOT_FOUND, "notFound"),
        "PERMISSION_DENIED" => (StatusCode::FORBIDDEN, "forbidden"),
        "UNAUTHENTICATED" => (StatusCode::UNAUTHORIZED, "required"),
        _ => (error.http, "invalid"),
    };
    json_status(
        status,
        &json!({"error": {"code": status.as_u16(), "message": error.message, "errors": [
            {"message": error.message, "domain": "global", "reason": reason}
        ]}}),
    )
}
