//! iam v1 service accounts: create / get / list / patch / delete and their IAM
//! policies.

use bytes::Bytes;
use http::{Method, Response};
use serde_json::json;

use super::{ResourcePath, check_project, policy};
use crate::gcp::errors::{ApiError, ApiResult};
use crate::gcp::model::Model;
use crate::gcp::request::GcpRequest;

pub fn handle(
    model: &mut Model,
    request: &GcpRequest,
    path: &ResourcePath,
) -> ApiResult<Response<Bytes>> {
    let no_route = || ApiError::no_route(&request.method, &request.path);
    let segments = path.strs();
    check_project(model, segments[1])?;
    let name = path.name();
    match (segments.as_slice(), &path.verb, &request.method) {
        ([_, _, _], None, &Method::POST) => {
            let body = request.json(&[])?;
            let project = model.project.clone();
            Ok(request.render(model.accounts.create(&project, &body)?, &[]))
        }
        ([_, _, _], None, &Method::GET) => {
            let mut accounts = vec![caller_account(model)];
            accounts.extend(model.accounts.list());
            Ok(request.render(json!({"accounts": accounts}), &[]))
        }
        ([_, _, _, email], None, &Method::GET) if *email == model.caller_email => {
            Ok(request.render(caller_account(model), &[]))
        }
        ([_, _, _, _], None, &Method::GET) => {
            Ok(request.render(model.accounts.get(&name)?.clone(), &[]))
        }
        ([_, _, _, _], None, &Method::PATCH) => {
            let body = request.json(&[])?;
            Ok(request.render(model.accounts.patch(&name, &body)?, &[]))
        }
        ([_, _, _, _], None, &Method::DELETE) => {
            let email = model.accounts.delete(&name)?;
            model.policies.remove(&format!(
                "projects/{}/serviceAccounts/{email}",
                model.project.id
            ));
            Ok(request.render(json!({}), &[]))
        }
        ([_, _, _, _], Some(verb), _) => {
            let email = if segments[3] == model.caller_email {
                model.caller_email.clone()
            } else {
                model.accounts.get(&name)?["email"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            };
            let resource = format!("projects/{}/serviceAccounts/{email}", model.project.id);
            policy::handle(model, request, &resource, verb)
        }
        _ => Err(no_route()),
    }
}

/// The key file's own account, which exists from the start.
fn caller_account(model: &Model) -> serde_json::Value {
    json!({
        "name": format!("projects/{}/serviceAccounts/{}", model.project.id, model.caller_email),
        "projectId": model.project.id,
        "uniqueId": "100000000000000000001",
        "email": model.caller_email,
        "displayName": "mlcloud-emulator caller",
        "etag": "MDEwMjE5MjA=",
        "oauth2ClientId": "100000000000000000001",
    })
}
