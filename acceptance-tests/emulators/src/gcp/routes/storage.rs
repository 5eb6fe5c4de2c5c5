//! Cloud Storage JSON API, the bucket routes IAM grants need: `POST /storage/v1/b?project=`,
//! `GET|DELETE /storage/v1/b/{bucket}`, `GET /storage/v1/b?project=`, and the bucket's
//! policy at `GET|PUT /storage/v1/b/{bucket}/iam`. Cloud Storage answers errors in its
//! own JSON shape (`{"error": {code, message, errors: [{domain, reason, message}]}}`)
//! and a stale policy etag with 412 `conditionNotMet`. Conditional bindings need
//! policy version 3 (asked with `optionsRequestedPolicyVersion=3` to be read back)
//! and a bucket with uniform bucket-level access, as Cloud Storage requires.

use std::collections::HashSet;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::gcp::errors::{ApiError, ApiResult};
use crate::gcp::model::Model;
use crate::gcp::model::storage::{default_bindings, policy_resource};
use crate::gcp::request::{GcpRequest, json_ok, json_status};

pub fn handle(model: &mut Model, request: &GcpRequest, rest: &str) -> Response<Bytes> {
    route(model, request, rest).unwrap_or_else(|error| storage_error(&error))
}

fn route(model: &mut Model, request: &GcpRequest, rest: &str) -> ApiResult<Response<Bytes>> {
    let parts: Vec<&str> = rest.split('/').filter(|part| !part.is_empty()).collect();
    match (parts.as_slice(), &request.method) {
        ([], &Method::POST) => {
            check_project(model, request)?;
            let body = request.json(&[])?;
            let project = model.project.clone();
            let bucket = model.buckets.create(&project, &body)?;
            let name = bucket["name"].as_str().unwrap_or_default().to_string();
            let seed = json!({"bindings": default_bindings(&project)});
            model
                .policies
                .set(&policy_resource(&name), &seed, &|_| true)?;
            Ok(json_ok(&bucket))
        }
        ([], &Method::GET) => {
            check_project(model, request)?;
            Ok(json_ok(
                &json!({"kind": "storage#buckets", "items": model.buckets.list()}),
            ))
        }
        ([bucket], &Method::GET) => Ok(json_ok(&model.buckets.get(bucket)?)),
        ([bucket], &Method::DELETE) => {
            model.buckets.delete(bucket)?;
            model.policies.remove(&policy_resource(bucket));
            Ok(Response::builder()
                .status(StatusCode::NO_CONTENT)
                .body(Bytes::new())
                .expect("an empty response"))
        }
        ([bucket, "iam"], &Method::GET) => {
            model.buckets.get(bucket)?;
            let policy = policy(model, bucket);
            let requested = request
                .param("optionsRequestedPolicyVersion")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(1);
            if requested < 3 && has_conditions(&policy) {
                return Err(ApiError::invalid_argument(
                    "The bucket's IAM policy has conditional bindings; request policy version 3 (optionsRequestedPolicyVersion=3) to read it.",
                ));
            }
            Ok(json_ok(&policy))
        }
        ([bucket, "iam"], &Method::PUT) => {
            model.buckets.get(bucket)?;
            let body = request.json(&[])?;
            if has_conditions(&body) {
                if body["version"].as_i64().unwrap_or(1) < 3 {
                    return Err(ApiError::invalid_argument(
                        "IAM policies with conditional bindings must be version 3.",
                    ));
                }
                if !model.buckets.uniform_access(bucket) {
                    return Err(ApiError::invalid_argument(
                        "IAM conditions can only be added to buckets with uniform bucket-level access enabled.",
                    ));
                }
            }
            let existing: HashSet<String> = body["bindings"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|binding| binding["members"].as_array().into_iter().flatten())
                .filter_map(|member| member.as_str()?.strip_prefix("serviceAccount:"))
                .filter(|email| model.member_exists(email))
                .map(str::to_string)
                .collect();
            model
                .policies
                .set(&policy_resource(bucket), &body, &|email| {
                    existing.contains(email)
                })?;
            Ok(json_ok(&policy(model, bucket)))
        }
        _ => Err(ApiError::no_route(&request.method, &request.path)),
    }
}

/// Whether any binding of the policy carries a condition.
fn has_conditions(policy: &Value) -> bool {
    policy["bindings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|binding| binding.get("condition").is_some_and(|c| !c.is_null()))
}

fn check_project(model: &Model, request: &GcpRequest) -> ApiResult<()> {
    match request.param("project") {
        Some(project) if model.project.is(project) => Ok(()),
        Some(project) => Err(ApiError::permission_denied(format!(
            "The caller does not have permission on project {project}."
        ))),
        None => Err(ApiError::invalid_argument("Required parameter: project")),
    }
}

/// A bucket's policy in Cloud Storage's shape.
fn policy(model: &Model, bucket: &str) -> Value {
    let mut policy = model.policies.get(&policy_resource(bucket));
    policy["kind"] = json!("storage#policy");
    policy["resourceId"] = json!(policy_resource(bucket));
    policy
}

fn storage_error(error: &ApiError) -> Response<Bytes> {
    let (status, reason) = match error.status {
        "NOT_FOUND" => (StatusCode::NOT_FOUND, "notFound"),
        "ALREADY_EXISTS" => (StatusCode::CONFLICT, "conflict"),
        "ABORTED" => (StatusCode::PRECONDITION_FAILED, "conditionNotMet"),
        "PERMISSION_DENIED" => (StatusCode::FORBIDDEN, "forbidden"),
        "UNAUTHENTICATED" => (StatusCode::UNAUTHORIZED, "required"),
        _ => (error.http, "invalid"),
    };
    let message = if reason == "conditionNotMet" {
        "Precondition Failed".to_string()
    } else {
        error.message.clone()
    };
    json_status(
        status,
        &json!({"error": {"code": status.as_u16(), "message": message, "errors": [
            {"message": message, "domain": "global", "reason": reason}
        ]}}),
    )
}
