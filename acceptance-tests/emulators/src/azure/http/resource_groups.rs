//! `Microsoft.Resources/resourceGroups`: PUT (201 created / 200 updated), GET, HEAD
//! (204 / 404), DELETE (202 + `Location`; everything inside goes with it, vaults
//! into soft delete), and the list.

use std::time::Instant;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::call::Call;
use super::key_vault;
use super::validate;
use crate::azure::api_versions;
use crate::azure::errors::{ArmError, arm_json};
use crate::azure::model::operations::{Operation, OperationKind};
use crate::azure::model::{Kind, ResourceGroup, State};

fn check_version(call: &Call) -> Result<String, ArmError> {
    api_versions::check(
        call.api_version(),
        "Microsoft.Resources",
        "resourceGroups",
        api_versions::RESOURCE_GROUPS,
    )
}

fn body(state: &State, group: &ResourceGroup) -> Value {
    json!({
        "id": state.group_id(&group.name),
        "name": group.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": group.location,
        "tags": group.tags,
        "properties": {"provisioningState": "Succeeded"},
    })
}

pub fn list(state: &mut State, call: &Call) -> Result<Response<Bytes>, ArmError> {
    check_version(call)?;
    let value: Vec<Value> = state
        .resource_groups
        .values()
        .map(|group| body(state, group))
        .collect();
    Ok(arm_json(StatusCode::OK, &json!({ "value": value })))
}

fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 90
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.()".contains(c))
}

pub fn handle(state: &mut State, call: &Call, name: &str) -> Result<Response<Bytes>, ArmError> {
    check_version(call)?;
    let key = name.to_ascii_lowercase();
    match call.method {
        Method::PUT => {
            if !name_ok(name) {
                return Err(ArmError::bad_request(
                    "InvalidResourceGroup",
                    format!(
                        "The provided resource group name '{name}' has these invalid characters: '{name}'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'."
                    ),
                ));
            }
            let request = call.json()?;
            let location = validate::location(&request)?;
            let tags = validate::tags(&request)?;
            let status = match state.resource_groups.get_mut(&key) {
                Some(existing) => {
                    if existing.location != location {
                        return Err(ArmError::conflict(
                            "InvalidResourceGroupLocation",
                            format!(
                                "Invalid resource group location '{location}'. The Resource group already exists in location '{}'.",
                                existing.location
                            ),
                        ));
                    }
                    existing.tags = tags;
                    StatusCode::OK
                }
                None => {
                    state.resource_groups.insert(
                        key.clone(),
                        ResourceGroup {
                            name: name.to_string(),
                            location,
                            tags,
                        },
                    );
                    StatusCode::CREATED
                }
            };
            let group = state.resource_groups[&key].clone();
            Ok(arm_json(status, &body(state, &group)))
        }
        Method::GET => {
            let group = state
                .group(name)
                .cloned()
                .ok_or_else(|| ArmError::resource_group_not_found(name))?;
            Ok(arm_json(StatusCode::OK, &body(state, &group)))
        }
        Method::HEAD => {
            let status = if state.group(name).is_some() {
                StatusCode::NO_CONTENT
            } else {
                StatusCode::NOT_FOUND
            };
            let mut response = arm_json(status, &Value::Null);
            *response.body_mut() = Bytes::new();
            Ok(response)
        }
        Method::DELETE => {
            let Some(group) = state.resource_groups.remove(&key) else {
                return Err(ArmError::resource_group_not_found(name));
            };
            let group_id = state.group_id(&group.name);
            let vaults: Vec<String> = state
                .of_kind(Kind::Vault)
                .filter(|vault| {
                    vault
                        .id
                        .to_ascii_lowercase()
                        .starts_with(&format!("{}/", group_id.to_ascii_lowercase()))
                })
                .map(|vault| vault.id.clone())
                .collect();
            for vault in vaults {
                key_vault::soft_delete(state, &vault);
            }
            let prefix = format!("{}/", group_id.to_ascii_lowercase());
            state.resources.retain(|key, _| !key.starts_with(&prefix));
            let operation = Operation::new(&group_id, OperationKind::Delete, Instant::now(), None);
            let location = format!(
                "{}/subscriptions/{}/operationresults/{}?api-version={}",
                state.url,
                state.subscription_id,
                operation.id,
                call.api_version().unwrap_or_default()
            );
            state.operations.insert(operation.id.clone(), operation);
            let mut response = arm_json(StatusCode::ACCEPTED, &Value::Null);
            *response.body_mut() = Bytes::new();
            response
                .headers_mut()
                .insert("location", location.parse().expect("a URL header"));
            response.headers_mut().insert("retry-after", 0.into());
            Ok(response)
        }
        _ => Err(method_not_allowed(&call.method)),
    }
}

pub fn method_not_allowed(method: &Method) -> ArmError {
    ArmError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!("The requested resource does not support http method '{method}'."),
    )
}
