//! `Microsoft.ManagedIdentity/userAssignedIdentities` and their
//! `federatedIdentityCredentials`. An identity is a principal in the directory from
//! its creation (role assignments may not see it at once: switches). A federated
//! credential write holds its identity for a short while (the switch
//! `federated_credential_write_ms`); another write on the same identity in that window
//! is refused with `ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity`,
//! as the real service refuses concurrent writes.

use std::time::Instant;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::call::Call;
use super::resource_groups::method_not_allowed;
use super::validate;
use super::{ResourcePath, eq};
use crate::azure::api_versions;
use crate::azure::errors::{ArmError, arm_json};
use crate::azure::model::{Kind, Principal, Resource, State};
use crate::azure::time::guid;

/// Tells the part to answer only after this long (the write holds its identity).
#[derive(Debug, Clone, Copy)]
pub struct HoldFor(pub std::time::Duration);

const MAX_FEDERATED_CREDENTIALS: usize = 20;

fn check_version(call: &Call, resource_type: &str) -> Result<String, ArmError> {
    api_versions::check(
        call.api_version(),
        "Microsoft.ManagedIdentity",
        resource_type,
        api_versions::MANAGED_IDENTITY,
    )
}

pub fn subscription_level(
    state: &mut State,
    call: &Call,
    rest: &[&str],
) -> Result<Response<Bytes>, ArmError> {
    match rest {
        [kind] if eq(kind, "userAssignedIdentities") && call.method == Method::GET => {
            check_version(call, "userAssignedIdentities")?;
            let value: Vec<Value> = state
                .of_kind(Kind::Identity)
                .map(|r| r.body.clone())
                .collect();
            Ok(arm_json(StatusCode::OK, &json!({ "value": value })))
        }
        _ => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            "The resource type could not be found.",
        )),
    }
}

pub fn handle(
    state: &mut State,
    call: &Call,
    target: &ResourcePath,
) -> Result<Response<Bytes>, ArmError> {
    let group_id = state.group_id(&target.group);
    match target.pairs.as_slice() {
        [_] => {
            check_version(call, "userAssignedIdentities")?;
            if call.method != Method::GET {
                return Err(method_not_allowed(&call.method));
            }
            let prefix = format!("{}/", group_id.to_ascii_lowercase());
            let value: Vec<Value> = state
                .of_kind(Kind::Identity)
                .filter(|r| r.id.to_ascii_lowercase().starts_with(&prefix))
                .map(|r| r.body.clone())
                .collect();
            Ok(arm_json(StatusCode::OK, &json!({ "value": value })))
        }
        [kind, name] => {
            check_version(call, "userAssignedIdentities")?;
            let id = format!("{group_id}/providers/Microsoft.ManagedIdentity/{kind}/{name}");
            identity(state, call, &id, name, &target.group)
        }
        [_, identity_name, credentials, rest @ ..]
            if eq(credentials, "federatedIdentityCredentials") =>
        {
            check_version(call, "userAssignedIdentities/federatedIdentityCredentials")?;
            let identity_id = format!(
                "{group_id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identity_name}"
            );
            federated_credential(
                state,
                call,
                &identity_id,
                identity_name,
                &target.group,
                rest.first().copied(),
            )
        }
        _ => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            "The resource type could not be found.",
        )),
    }
}

fn not_found(name: &str, group: &str) -> ArmError {
    ArmError::resource_not_found(
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        name,
        group,
    )
}

fn identity(
    state: &mut State,
    call: &Call,
    id: &str,
    name: &str,
    group: &str,
) -> Result<Response<Bytes>, ArmError> {
    match call.method {
        Method::GET => state
            .get(id)
            .map(|r| arm_json(StatusCode::OK, &r.body))
            .ok_or_else(|| not_found(name, group)),
        Method::PUT | Method::PATCH => {
            let request = call.json()?;
            let existing = state.get(id).cloned();
            if call.method == Method::PATCH && existing.is_none() {
                return Err(not_found(name, group));
            }
            if !validate::identity_name_ok(name) {
                return Err(ArmError::bad_request(
                    "InvalidResourceName",
                    format!(
                        "Resource name {name} is invalid. The name can be 3-128 characters long and can contain only letters, digits, hyphens and underscores, starting with a letter or digit."
                    ),
                ));
            }
            let location = match (&existing, call.method == Method::PATCH) {
                (Some(existing), true) => existing.body["location"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                _ => validate::location(&request)?,
            };
            if let Some(existing) = &existing {
                validate::same_location(&existing.body, &location, id, group)?;
            }
            let tags = match (&existing, request.get("tags")) {
                (Some(existing), None) if call.method == Method::PATCH => {
                    existing.body["tags"].clone()
                }
                _ => validate::tags(&request)?,
            };
            let (status, principal_id, client_id) = match &existing {
                Some(existing) => (
                    StatusCode::OK,
                    existing.properties()["principalId"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    existing.properties()["clientId"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                ),
                None => (StatusCode::CREATED, guid(), guid()),
            };
            let body = json!({
                "id": id,
                "name": name,
                "type": Kind::Identity.arm_type(),
                "location": location,
                "tags": tags,
                "properties": {
                    "tenantId": state.tenant_id,
                    "principalId": principal_id,
                    "clientId": client_id,
                    "isolationScope": request["properties"]["isolationScope"].as_str().unwrap_or("None"),
                },
            });
            if existing.is_none() {
                state.principals.insert(
                    principal_id.clone(),
                    Principal {
                        kind: "ServicePrincipal",
                        created: Instant::now(),
                    },
                );
            }
            state.insert(Resource {
                id: id.to_string(),
                kind: Kind::Identity,
                body: body.clone(),
                pending: None,
                created: existing.map(|e| e.created).unwrap_or_else(Instant::now),
            });
            Ok(arm_json(status, &body))
        }
        Method::DELETE => {
            let removed = state.remove_tree(id);
            let status = if removed.is_empty() {
                StatusCode::NO_CONTENT
            } else {
                for identity in removed.iter().filter(|r| r.kind == Kind::Identity) {
                    if let Some(principal) = identity.properties()["principalId"].as_str() {
                        state.principals.remove(principal);
                    }
                }
                StatusCode::OK
            };
            let mut response = arm_json(status, &Value::Null);
            *response.body_mut() = Bytes::new();
            Ok(response)
        }
        _ => Err(method_not_allowed(&call.method)),
    }
}

fn federated_credential(
    state: &mut State,
    call: &Call,
    identity_id: &str,
    identity_name: &str,
    group: &str,
    name: Option<&str>,
) -> Result<Response<Bytes>, ArmError> {
    if state.get(identity_id).is_none() {
        return Err(match call.method {
            Method::GET => not_found(identity_name, group),
            _ => ArmError::parent_not_found(&format!(
                "Microsoft.ManagedIdentity/userAssignedIdentities/{identity_name}"
            )),
        });
    }
    let Some(name) = name else {
        if call.method != Method::GET {
            return Err(method_not_allowed(&call.method));
        }
        let value: Vec<Value> = state
            .children(identity_id, Kind::FederatedCredential)
            .into_iter()
            .map(|r| r.body.clone())
            .collect();
        return Ok(arm_json(StatusCode::OK, &json!({ "value": value })));
    };
    let id = format!("{identity_id}/federatedIdentityCredentials/{name}");
    match call.method {
        Method::GET => state
            .get(&id)
            .map(|r| arm_json(StatusCode::OK, &r.body))
            .ok_or_else(|| {
                ArmError::resource_not_found(
                    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                    &format!("{identity_name}/{name}"),
                    group,
                )
            }),
        Method::PUT => {
            let request = call.json()?;
            let properties = check_credential(&request, name)?;
            let siblings = state.children(identity_id, Kind::FederatedCredential);
            if siblings.iter().any(|other| {
                other.name() != name
                    && other.properties()["issuer"] == properties["issuer"]
                    && other.properties()["subject"] == properties["subject"]
            }) {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    "A Federated Identity Credential with the same issuer and subject already exists for this managed identity.",
                ));
            }
            let exists = state.get(&id).is_some();
            if !exists && siblings.len() >= MAX_FEDERATED_CREDENTIALS {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    format!(
                        "The managed identity already has the maximum of {MAX_FEDERATED_CREDENTIALS} Federated Identity Credentials."
                    ),
                ));
            }
            let hold = hold_identity(state, identity_id)?;
            let body = json!({
                "id": id,
                "name": name,
                "type": Kind::FederatedCredential.arm_type(),
                "properties": properties,
            });
            state.insert(Resource {
                id: id.clone(),
                kind: Kind::FederatedCredential,
                body: body.clone(),
                pending: None,
                created: Instant::now(),
            });
            let status = if exists {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            let mut response = arm_json(status, &body);
            response.extensions_mut().insert(hold);
            Ok(response)
        }
        Method::DELETE => {
            if state.get(&id).is_none() {
                let mut response = arm_json(StatusCode::NO_CONTENT, &Value::Null);
                *response.body_mut() = Bytes::new();
                return Ok(response);
            }
            let hold = hold_identity(state, identity_id)?;
            state.remove_tree(&id);
            let mut response = arm_json(StatusCode::OK, &Value::Null);
            *response.body_mut() = Bytes::new();
            response.extensions_mut().insert(hold);
            Ok(response)
        }
        _ => Err(method_not_allowed(&call.method)),
    }
}

/// Claims the identity for one federated credential write, or refuses a concurrent one.
fn hold_identity(state: &mut State, identity_id: &str) -> Result<HoldFor, ArmError> {
    let key = identity_id.to_ascii_lowercase();
    if state
        .fic_writes_in_flight
        .get(&key)
        .is_some_and(|until| *until > Instant::now())
    {
        return Err(ArmError::conflict(
            "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
            format!(
                "Too many Federated Identity Credentials are written concurrently for the managed identity '{identity_id}'. Concurrent Federated Identity Credentials writes under the same managed identity are not supported."
            ),
        ));
    }
    let hold = state.switches.federated_credential_hold();
    state
        .fic_writes_in_flight
        .insert(key, Instant::now() + hold);
    Ok(HoldFor(hold))
}

fn check_credential(request: &Value, name: &str) -> Result<Value, ArmError> {
    if !(3..=120).contains(&name.len()) || !validate::identity_name_ok(name) {
        return Err(ArmError::bad_request(
            "InvalidResourceName",
            format!(
                "Resource name {name} is invalid. The name can be 3-120 characters long and can contain only letters, digits, hyphens and underscores, starting with a letter or digit."
            ),
        ));
    }
    let properties = &request["properties"];
    let issuer = properties["issuer"].as_str().unwrap_or_default();
    if issuer.is_empty() {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The issuer of the Federated Identity Credential is required.",
        )
        .with_target("properties.issuer"));
    }
    if !issuer.starts_with("https://") {
        return Err(ArmError::bad_request("BadRequest", format!("The issuer '{issuer}' of the Federated Identity Credential must be a valid URL using the https scheme.")).with_target("properties.issuer"));
    }
    let subject = properties["subject"].as_str().unwrap_or_default();
    if subject.is_empty() {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The subject of the Federated Identity Credential is required.",
        )
        .with_target("properties.subject"));
    }
    let audiences = properties["audiences"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if audiences.len() != 1 || !audiences[0].is_string() {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The Federated Identity Credential must have exactly one audience.",
        )
        .with_target("properties.audiences"));
    }
    Ok(json!({ "issuer": issuer, "subject": subject, "audiences": audiences }))
}
