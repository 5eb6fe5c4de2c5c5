//! `:getIamPolicy` / `:setIamPolicy` on any resource that has a policy.

use std::collections::HashSet;

use bytes::Bytes;
use http::{Method, Response};

use crate::gcp::errors::{ApiError, ApiResult};
use crate::gcp::model::Model;
use crate::gcp::request::GcpRequest;

/// Serves `verb` (`getIamPolicy` or `setIamPolicy`) on `resource`, which exists.
pub fn handle(
    model: &mut Model,
    request: &GcpRequest,
    resource: &str,
    verb: &str,
) -> ApiResult<Response<Bytes>> {
    match (verb, &request.method) {
        // KMS reads policies with GET, IAM and Resource Manager with POST.
        ("getIamPolicy", &Method::GET | &Method::POST) => {
            Ok(request.render(model.policies.get(resource), &[]))
        }
        ("setIamPolicy", &Method::POST) => {
            let body = request.json(&[])?;
            let policy = body.get("policy").ok_or_else(|| {
                ApiError::invalid_argument(
                    "Request contains an invalid argument: policy is required.",
                )
            })?;
            // Which service-account members exist, decided before the write.
            let existing: HashSet<String> = policy["bindings"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|binding| binding["members"].as_array().into_iter().flatten())
                .filter_map(|member| member.as_str()?.strip_prefix("serviceAccount:"))
                .filter(|email| model.member_exists(email))
                .map(str::to_string)
                .collect();
            let written = model
                .policies
                .set(resource, policy, &|email| existing.contains(email))?;
            Ok(request.render(written, &[]))
        }
        _ => Err(ApiError::no_route(&request.method, &request.path)),
    }
}
