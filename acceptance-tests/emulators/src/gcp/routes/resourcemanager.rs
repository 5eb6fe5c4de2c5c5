//! resourcemanager v3: `GET /v3/projects/{id|number}` and the project's IAM policy.

use bytes::Bytes;
use http::{Method, Response};

use super::{ResourcePath, check_project, policy};
use crate::gcp::enums;
use crate::gcp::errors::{ApiError, ApiResult};
use crate::gcp::model::Model;
use crate::gcp::request::GcpRequest;

pub fn handle(
    model: &mut Model,
    request: &GcpRequest,
    path: &ResourcePath,
) -> ApiResult<Response<Bytes>> {
    let segments = path.strs();
    let ["projects", project] = segments.as_slice() else {
        return Err(ApiError::no_route(&request.method, &request.path));
    };
    check_project(model, project)?;
    let resource = format!("projects/{}", model.project.id);
    match (&path.verb, &request.method) {
        (None, &Method::GET) => Ok(request.render(model.project.render(), enums::PROJECT)),
        (Some(verb), _) => policy::handle(model, request, &resource, verb),
        _ => Err(ApiError::no_route(&request.method, &request.path)),
    }
}
