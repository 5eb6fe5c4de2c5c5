//! `Microsoft.Authorization` at any scope: role assignments (PUT/GET/DELETE, lists
//! with `$filter=atScope()` / `principalId eq '...'` / `assignedTo('...')`) and the
//! built-in role definitions the provider names (GET by GUID, list by `roleName`).
//! A principal the directory has not replicated yet (switch
//! `principal_replication_delay_seconds`) gets `PrincipalNotFound`, as real ARM
//! answers for seconds after an identity is created.

use std::time::Instant;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::call::Call;
use super::resource_groups::method_not_allowed;
use super::{eq, validate};
use crate::azure::api_versions;
use crate::azure::errors::{ArmError, arm_json};
use crate::azure::model::roles::{self, definition_guid};
use crate::azure::model::{Kind, PrincipalLookup, Resource, State};
use crate::azure::time::now_rfc3339;

const PRINCIPAL_TYPES: &[&str] = &[
    "User",
    "Group",
    "ServicePrincipal",
    "ForeignGroup",
    "Device",
];

pub fn handle(
    state: &mut State,
    call: &Call,
    scope: &str,
    rest: &[&str],
) -> Result<Response<Bytes>, ArmError> {
    match rest {
        [kind] if eq(kind, "roleAssignments") => {
            check_assignments_version(call)?;
            list(state, call, scope)
        }
        [kind, name] if eq(kind, "roleAssignments") => {
            check_assignments_version(call)?;
            assignment(state, call, scope, name)
        }
        [kind] if eq(kind, "roleDefinitions") => {
            check_definitions_version(call)?;
            let filter = call.query("$filter").unwrap_or_default();
            let wanted = filter
                .split_once("roleName eq '")
                .and_then(|(_, rest)| rest.strip_suffix('\''));
            let value: Vec<Value> = roles::BUILT_IN
                .iter()
                .filter(|(_, name, _)| wanted.is_none_or(|w| w.eq_ignore_ascii_case(name)))
                .filter_map(|(guid, _, _)| roles::definition_body(scope, guid))
                .collect();
            Ok(arm_json(StatusCode::OK, &json!({ "value": value })))
        }
        [kind, guid] if eq(kind, "roleDefinitions") => {
            check_definitions_version(call)?;
            if call.method != Method::GET {
                return Err(method_not_allowed(&call.method));
            }
            roles::definition_body(scope, guid)
                .map(|body| arm_json(StatusCode::OK, &body))
                .ok_or_else(|| {
                    ArmError::new(
                        StatusCode::NOT_FOUND,
                        "RoleDefinitionDoesNotExist",
                        format!("The specified role definition with ID '{guid}' does not exist."),
                    )
                })
        }
        _ => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            "The resource type could not be found in the namespace 'Microsoft.Authorization'.",
        )),
    }
}

fn check_assignments_version(call: &Call) -> Result<String, ArmError> {
    api_versions::check(
        call.api_version(),
        "Microsoft.Authorization",
        "roleAssignments",
        api_versions::AUTHORIZATION,
    )
}

fn check_definitions_version(call: &Call) -> Result<String, ArmError> {
    api_versions::check(
        call.api_version(),
        "Microsoft.Authorization",
        "roleDefinitions",
        api_versions::ROLE_DEFINITIONS,
    )
}

fn list(state: &State, call: &Call, scope: &str) -> Result<Response<Bytes>, ArmError> {
    if call.method != Method::GET {
        return Err(method_not_allowed(&call.method));
    }
    let filter = call.query("$filter").unwrap_or_default().to_string();
    let scope = scope.to_ascii_lowercase();
    let principal = filter
        .split_once("principalId eq '")
        .or_else(|| filter.split_once("assignedTo('"))
        .and_then(|(_, rest)| rest.split('\'').next())
        .map(str::to_ascii_lowercase);
    let at_scope_only = filter.contains("atScope()");
    let value: Vec<Value> = state
        .of_kind(Kind::RoleAssignment)
        .filter(|assignment| {
            let assigned = assignment.properties()["scope"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let above_or_at =
                scope == assigned || scope.starts_with(&format!("{assigned}/")) || assigned == "/";
            let below = assigned.starts_with(&format!("{scope}/"));
            let in_scope = if at_scope_only {
                above_or_at
            } else {
                above_or_at || below
            };
            let for_principal = principal.as_deref().is_none_or(|p| {
                assignment.properties()["principalId"]
                    .as_str()
                    .is_some_and(|id| id.eq_ignore_ascii_case(p))
            });
            in_scope && for_principal
        })
        .map(|assignment| assignment.body.clone())
        .collect();
    Ok(arm_json(StatusCode::OK, &json!({ "value": value })))
}

fn assignment(
    state: &mut State,
    call: &Call,
    scope: &str,
    name: &str,
) -> Result<Response<Bytes>, ArmError> {
    let id = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}");
    let not_found = || {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "RoleAssignmentNotFound",
            format!("The role assignment '{name}' is not found."),
        )
    };
    match call.method {
        Method::GET => state
            .get(&id)
            .map(|r| arm_json(StatusCode::OK, &r.body))
            .ok_or_else(not_found),
        Method::DELETE => match state.remove_tree(&id).into_iter().next() {
            Some(removed) => Ok(arm_json(StatusCode::OK, &removed.body)),
            None => {
                let mut response = arm_json(StatusCode::NO_CONTENT, &Value::Null);
                *response.body_mut() = Bytes::new();
                Ok(response)
            }
        },
        Method::PUT => create(state, call, scope, name, &id),
        _ => Err(method_not_allowed(&call.method)),
    }
}

fn create(
    state: &mut State,
    call: &Call,
    scope: &str,
    name: &str,
    id: &str,
) -> Result<Response<Bytes>, ArmError> {
    if !validate::guid_ok(name) {
        return Err(ArmError::bad_request(
            "InvalidRoleAssignmentId",
            format!(
                "The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."
            ),
        ));
    }
    check_scope_exists(state, scope)?;
    let mut request = call.json()?;
    let role_definition_id = request["properties"]["roleDefinitionId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if role_definition_id.is_empty() {
        return Err(ArmError::bad_request(
            "InvalidRoleDefinitionId",
            "The role definition ID '' is not valid.",
        ));
    }
    let guid = definition_guid(&role_definition_id);
    if roles::built_in(guid).is_none() {
        return Err(ArmError::bad_request(
            "RoleDefinitionDoesNotExist",
            format!("The specified role definition with ID '{guid}' does not exist."),
        ));
    }
    let principal_id = request["properties"]["principalId"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !validate::guid_ok(&principal_id) {
        return Err(ArmError::bad_request(
            "InvalidPrincipalId",
            "A valid principal ID must be provided for role assignment.",
        ));
    }
    validate::enum_value(
        &mut request,
        "/properties/principalType",
        "principalType",
        PRINCIPAL_TYPES,
    )?;
    let given_type = request["properties"]["principalType"]
        .as_str()
        .map(str::to_string);
    let principal_not_found = || {
        ArmError::bad_request(
            "PrincipalNotFound",
            format!(
                "Principal {} does not exist in the directory {}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
                principal_id.replace('-', ""),
                state.tenant_id
            ),
        )
    };
    let principal_type = match (state.principal_visible(&principal_id), given_type) {
        (PrincipalLookup::NotReplicated, _) => return Err(principal_not_found()),
        (PrincipalLookup::Unknown, None) => return Err(principal_not_found()),
        (PrincipalLookup::Unknown, Some(given)) => given,
        (PrincipalLookup::Known(kind), given) => given.unwrap_or_else(|| kind.to_string()),
    };
    let canonical_definition = format!(
        "/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
        state.subscription_id
    );
    if let Some(existing) = state.get(id) {
        let same = existing.properties()["principalId"] == json!(principal_id)
            && definition_guid(
                existing.properties()["roleDefinitionId"]
                    .as_str()
                    .unwrap_or_default(),
            )
            .eq_ignore_ascii_case(guid);
        if same {
            return Ok(arm_json(StatusCode::CREATED, &existing.body));
        }
        return Err(ArmError::bad_request(
            "RoleAssignmentUpdateNotPermitted",
            "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
        ));
    }
    let duplicate = state.of_kind(Kind::RoleAssignment).find(|other| {
        let p = other.properties();
        p["scope"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(scope))
            && p["principalId"] == json!(principal_id)
            && definition_guid(p["roleDefinitionId"].as_str().unwrap_or_default())
                .eq_ignore_ascii_case(guid)
    });
    if let Some(duplicate) = duplicate {
        return Err(ArmError::conflict(
            "RoleAssignmentExists",
            format!(
                "The role assignment already exists. The ID of the existing role assignment is {}.",
                duplicate.name().replace('-', "")
            ),
        ));
    }
    let now = now_rfc3339();
    let body = json!({
        "id": id,
        "name": name,
        "type": Kind::RoleAssignment.arm_type(),
        "properties": {
            "roleDefinitionId": canonical_definition,
            "principalId": principal_id,
            "principalType": principal_type,
            "scope": scope,
            "condition": request["properties"]["condition"],
            "conditionVersion": request["properties"]["conditionVersion"],
            "description": request["properties"]["description"],
            "createdOn": now,
            "updatedOn": now,
            "createdBy": call.caller,
            "updatedBy": call.caller,
            "delegatedManagedIdentityResourceId": null,
        },
    });
    state.insert(Resource {
        id: id.to_string(),
        kind: Kind::RoleAssignment,
        body: body.clone(),
        pending: None,
        created: Instant::now(),
    });
    Ok(arm_json(StatusCode::CREATED, &body))
}

/// A scope inside a resource group must exist (the group, and the resource when it
/// is one this emulator serves).
fn check_scope_exists(state: &State, scope: &str) -> Result<(), ArmError> {
    let segments: Vec<&str> = scope.trim_matches('/').split('/').collect();
    if segments.len() >= 4 && eq(segments[2], "resourceGroups") {
        state.require_group(segments[3])?;
        if segments.len() >= 8 && eq(segments[4], "providers") {
            let served = [
                "Microsoft.ContainerService",
                "Microsoft.KeyVault",
                "Microsoft.ManagedIdentity",
            ];
            if served.iter().any(|ns| eq(ns, segments[5])) && state.get(scope).is_none() {
                return Err(ArmError::new(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    format!(
                        "The Resource '{}' under resource group '{}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
                        segments[5..].join("/"),
                        segments[3]
                    ),
                ));
            }
        }
    }
    Ok(())
}
