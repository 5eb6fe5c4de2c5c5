//! `Microsoft.KeyVault/vaults` and their keys through ARM, and soft-deleted vaults.
//!
//! Vaults: soft delete is always on (it cannot be turned off), purge protection
//! cannot be turned off once on, the retention period is fixed once set; DELETE moves
//! the vault (with its keys) to `deletedVaults`, where a vault with purge protection
//! stays until its purge date; a deleted vault's name cannot be reused until purged
//! or recovered (`createMode: recover`). `vaultUri` points back at this emulator
//! (`/keyvault/{name}/`), where the data plane answers.
//!
//! Keys (`vaults/{v}/keys/{k}`): PUT creates the key if it does not exist and never
//! updates one (answers the existing key unchanged), synchronously; ARM has no
//! DELETE for keys.

use std::time::Instant;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::call::Call;
use super::resource_groups::method_not_allowed;
use super::{KEY_VAULT_PREFIX, ResourcePath, eq, validate};
use crate::azure::api_versions;
use crate::azure::errors::{ArmError, arm_json};
use crate::azure::model::operations::{Operation, OperationKind};
use crate::azure::model::{DeletedVault, Kind, Resource, State};
use crate::azure::time::{guid, now_rfc3339, rfc3339, unix_seconds};

const KEY_TYPES: &[&str] = &["RSA", "RSA-HSM", "EC", "EC-HSM"];
const KEY_OPS: &[&str] = &[
    "encrypt",
    "decrypt",
    "sign",
    "verify",
    "wrapKey",
    "unwrapKey",
    "import",
    "release",
];
const CURVES: &[&str] = &["P-256", "P-384", "P-521", "P-256K"];

fn check_version(call: &Call, resource_type: &str) -> Result<String, ArmError> {
    api_versions::check(
        call.api_version(),
        "Microsoft.KeyVault",
        resource_type,
        api_versions::KEY_VAULT,
    )
}

fn empty(status: StatusCode) -> Response<Bytes> {
    let mut response = arm_json(status, &Value::Null);
    *response.body_mut() = Bytes::new();
    response
}

pub fn vault_uri(state: &State, name: &str) -> String {
    format!(
        "{}{KEY_VAULT_PREFIX}{}/",
        state.url,
        name.to_ascii_lowercase()
    )
}

/// The vault named `name`, wherever it lives (vault names are global).
pub fn find_vault<'a>(state: &'a State, name: &str) -> Option<&'a Resource> {
    state
        .of_kind(Kind::Vault)
        .find(|vault| vault.name().eq_ignore_ascii_case(name))
}

pub fn handle(
    state: &mut State,
    call: &Call,
    target: &ResourcePath,
) -> Result<Response<Bytes>, ArmError> {
    let group_id = state.group_id(&target.group);
    match target.pairs.as_slice() {
        [_] => {
            check_version(call, "vaults")?;
            if call.method != Method::GET {
                return Err(method_not_allowed(&call.method));
            }
            let prefix = format!("{}/", group_id.to_ascii_lowercase());
            let value: Vec<Value> = state
                .of_kind(Kind::Vault)
                .filter(|r| r.id.to_ascii_lowercase().starts_with(&prefix))
                .map(|r| r.body.clone())
                .collect();
            Ok(arm_json(StatusCode::OK, &json!({ "value": value })))
        }
        [_, name] => {
            check_version(call, "vaults")?;
            let id = format!("{group_id}/providers/Microsoft.KeyVault/vaults/{name}");
            vault(state, call, &id, name, &target.group)
        }
        [_, vault_name, keys, rest @ ..] if eq(keys, "keys") => {
            check_version(call, "vaults/keys")?;
            let vault_id = format!("{group_id}/providers/Microsoft.KeyVault/vaults/{vault_name}");
            key(state, call, &vault_id, vault_name, &target.group, rest)
        }
        _ => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            "The resource type could not be found in the namespace 'Microsoft.KeyVault'.",
        )),
    }
}

fn vault(
    state: &mut State,
    call: &Call,
    id: &str,
    name: &str,
    group: &str,
) -> Result<Response<Bytes>, ArmError> {
    let not_found = || ArmError::resource_not_found("Microsoft.KeyVault/vaults", name, group);
    match call.method {
        Method::GET => state
            .get(id)
            .map(|r| arm_json(StatusCode::OK, &r.body))
            .ok_or_else(not_found),
        Method::DELETE => {
            if state.get(id).is_none() {
                return Ok(empty(StatusCode::NO_CONTENT));
            }
            soft_delete(state, id);
            Ok(empty(StatusCode::OK))
        }
        Method::PUT | Method::PATCH => {
            let mut request = call.json()?;
            let existing = state.get(id).cloned();
            if call.method == Method::PATCH {
                let Some(existing) = &existing else {
                    return Err(not_found());
                };
                request = merge(existing.body.clone(), request);
            }
            write_vault(state, call, id, name, group, request, existing)
        }
        _ => Err(method_not_allowed(&call.method)),
    }
}

/// PATCH semantics: the request's fields over the current body.
fn merge(mut base: Value, patch: Value) -> Value {
    if let (Some(base_map), Value::Object(patch_map)) = (base.as_object_mut(), &patch) {
        for (key, value) in patch_map {
            let merged = match base_map.remove(key) {
                Some(old) if old.is_object() && value.is_object() => merge(old, value.clone()),
                _ => value.clone(),
            };
            base_map.insert(key.clone(), merged);
        }
        return base;
    }
    patch
}

fn vault_error(message: String) -> ArmError {
    ArmError::bad_request("BadRequest", message)
}

fn write_vault(
    state: &mut State,
    call: &Call,
    id: &str,
    name: &str,
    group: &str,
    mut request: Value,
    existing: Option<Resource>,
) -> Result<Response<Bytes>, ArmError> {
    if !validate::vault_name_ok(name) {
        return Err(ArmError::bad_request(
            "VaultNameNotValid",
            format!(
                "The vault name '{name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens. Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742"
            ),
        ));
    }
    let recover = request["properties"]["createMode"]
        .as_str()
        .is_some_and(|mode| mode.eq_ignore_ascii_case("recover"));
    let deleted_key = name.to_ascii_lowercase();
    if existing.is_none() {
        if let Some(elsewhere) = find_vault(state, name) {
            return Err(ArmError::conflict(
                "VaultAlreadyExists",
                format!(
                    "The vault name '{name}' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. ({})",
                    elsewhere.id
                ),
            ));
        }
        if state.deleted_vaults.contains_key(&deleted_key) && !recover {
            return Err(ArmError::conflict(
                "ConflictError",
                "A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.",
            ));
        }
        if recover {
            let Some(deleted) = state.deleted_vaults.remove(&deleted_key) else {
                return Err(ArmError::new(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    format!(
                        "A deleted vault named '{name}' was not found: there is nothing to recover."
                    ),
                ));
            };
            let body = deleted.vault.body.clone();
            state.insert(deleted.vault);
            for key in deleted.keys {
                state.insert(key);
            }
            return Ok(arm_json(StatusCode::OK, &body));
        }
    }
    let location = validate::location(&request)?;
    if let Some(existing) = &existing {
        validate::same_location(&existing.body, &location, id, group)?;
    }
    let tags = validate::tags(&request)?;
    let p = &request["properties"];
    if p["tenantId"].as_str().is_none_or(|t| !validate::guid_ok(t)) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The parameter 'properties.tenantId' is required and must be a GUID.",
        )
        .with_target("properties.tenantId"));
    }
    if !p["sku"].is_object() {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The parameter 'properties.sku' is required.",
        )
        .with_target("properties.sku"));
    }
    validate::enum_value(
        &mut request,
        "/properties/sku/name",
        "properties.sku.name",
        &["standard", "premium"],
    )?;
    validate::enum_value(
        &mut request,
        "/properties/sku/family",
        "properties.sku.family",
        &["A"],
    )?;
    validate::enum_value(
        &mut request,
        "/properties/publicNetworkAccess",
        "properties.publicNetworkAccess",
        &["Enabled", "Disabled"],
    )?;
    let p = request["properties"].clone();
    let old = existing
        .as_ref()
        .map(|e| e.properties().clone())
        .unwrap_or(Value::Null);
    if p["enableSoftDelete"] == json!(false) {
        return Err(vault_error("The property \"enableSoftDelete\" cannot be set to false. Enabling the 'soft delete' functionality is an irreversible action. Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2149745".into()));
    }
    if p["enablePurgeProtection"] == json!(false) {
        return Err(vault_error("The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge protection for a vault is an irreversible action. Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2149745".into()));
    }
    let retention = match (
        p["softDeleteRetentionInDays"].as_u64(),
        old["softDeleteRetentionInDays"].as_u64(),
    ) {
        (Some(new), Some(old)) if new != old => {
            return Err(vault_error("The property \"softDeleteRetentionInDays\" has been set already and it can't be modified.".into()));
        }
        (Some(days), _) if !(7..=90).contains(&days) => {
            return Err(vault_error(format!(
                "The property \"softDeleteRetentionInDays\" must be between 7 and 90; it was {days}."
            )));
        }
        (Some(days), _) | (None, Some(days)) => days,
        (None, None) => 90,
    };
    let purge_protection =
        p["enablePurgeProtection"] == json!(true) || old["enablePurgeProtection"] == json!(true);
    let mut properties = json!({
        "tenantId": p["tenantId"],
        "sku": {"family": p["sku"]["family"].as_str().unwrap_or("A"), "name": p["sku"]["name"].as_str().unwrap_or("standard")},
        "accessPolicies": p.get("accessPolicies").cloned().unwrap_or_else(|| json!([])),
        "enabledForDeployment": p["enabledForDeployment"].as_bool().unwrap_or(false),
        "enabledForDiskEncryption": p["enabledForDiskEncryption"].as_bool().unwrap_or(false),
        "enabledForTemplateDeployment": p["enabledForTemplateDeployment"].as_bool().unwrap_or(false),
        "enableSoftDelete": true,
        "softDeleteRetentionInDays": retention,
        "enableRbacAuthorization": p["enableRbacAuthorization"].as_bool().unwrap_or(false),
        "vaultUri": vault_uri(state, name),
        "provisioningState": "Succeeded",
        "publicNetworkAccess": p["publicNetworkAccess"].as_str().unwrap_or("Enabled"),
    });
    if purge_protection {
        properties["enablePurgeProtection"] = json!(true);
    }
    if let Some(acls) = p.get("networkAcls").filter(|acls| acls.is_object()) {
        properties["networkAcls"] = acls.clone();
    }
    let body = json!({
        "id": id,
        "name": name,
        "type": Kind::Vault.arm_type(),
        "location": location,
        "tags": tags,
        "systemData": {"lastModifiedAt": now_rfc3339(), "lastModifiedBy": call.caller, "lastModifiedByType": "Application"},
        "properties": properties,
    });
    let status = if existing.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    state.insert(Resource {
        id: id.to_string(),
        kind: Kind::Vault,
        body: body.clone(),
        pending: None,
        created: existing.map(|e| e.created).unwrap_or_else(Instant::now),
    });
    Ok(arm_json(status, &body))
}

/// Moves a vault and its keys to `deletedVaults`; role assignments on it go.
pub fn soft_delete(state: &mut State, id: &str) {
    let removed = state.remove_tree(id);
    let Some(vault) = removed.iter().find(|r| r.kind == Kind::Vault).cloned() else {
        return;
    };
    let keys: Vec<Resource> = removed
        .into_iter()
        .filter(|r| r.kind == Kind::Key)
        .collect();
    for key in &keys {
        state.rotation_policies.remove(&key.id.to_ascii_lowercase());
    }
    let retention = vault.properties()["softDeleteRetentionInDays"]
        .as_u64()
        .unwrap_or(90);
    let purge_at =
        std::time::SystemTime::now() + std::time::Duration::from_secs(retention * 86_400);
    state.deleted_vaults.insert(
        vault.name().to_ascii_lowercase(),
        DeletedVault {
            vault,
            keys,
            deletion_date: now_rfc3339(),
            scheduled_purge_date: rfc3339(purge_at),
        },
    );
}

fn deleted_body(state: &State, deleted: &DeletedVault) -> Value {
    let location = deleted.vault.body["location"].as_str().unwrap_or_default();
    json!({
        "id": format!("/subscriptions/{}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{}", state.subscription_id, deleted.vault.name()),
        "name": deleted.vault.name(),
        "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": deleted.vault.id,
            "location": location,
            "deletionDate": deleted.deletion_date,
            "scheduledPurgeDate": deleted.scheduled_purge_date,
            "tags": deleted.vault.body["tags"],
            "purgeProtectionEnabled": deleted.vault.properties()["enablePurgeProtection"] == json!(true),
        },
    })
}

/// `/subscriptions/{s}/providers/Microsoft.KeyVault/...`: vault and deleted-vault
/// lists, a deleted vault, its purge, and the purge's operation result.
pub fn subscription_level(
    state: &mut State,
    call: &Call,
    rest: &[&str],
) -> Result<Response<Bytes>, ArmError> {
    match rest {
        [kind] if eq(kind, "vaults") && call.method == Method::GET => {
            check_version(call, "vaults")?;
            let value: Vec<Value> = state.of_kind(Kind::Vault).map(|r| r.body.clone()).collect();
            Ok(arm_json(StatusCode::OK, &json!({ "value": value })))
        }
        [kind] if eq(kind, "deletedVaults") && call.method == Method::GET => {
            check_version(call, "deletedVaults")?;
            let value: Vec<Value> = state
                .deleted_vaults
                .values()
                .map(|d| deleted_body(state, d))
                .collect();
            Ok(arm_json(StatusCode::OK, &json!({ "value": value })))
        }
        [locations, _, kind, name, tail @ ..]
            if eq(locations, "locations") && eq(kind, "deletedVaults") =>
        {
            check_version(call, "deletedVaults")?;
            let key = name.to_ascii_lowercase();
            let Some(deleted) = state.deleted_vaults.get(&key).cloned() else {
                return Err(ArmError::new(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    format!(
                        "The Resource 'Microsoft.KeyVault/deletedVaults/{name}' was not found."
                    ),
                ));
            };
            match (&call.method, tail) {
                (&Method::GET, []) => Ok(arm_json(StatusCode::OK, &deleted_body(state, &deleted))),
                (&Method::POST, [purge]) if eq(purge, "purge") => {
                    purge_vault(state, call, &key, &deleted)
                }
                _ => Err(method_not_allowed(&call.method)),
            }
        }
        [locations, _, kind, operation]
            if eq(locations, "locations") && eq(kind, "operationResults") =>
        {
            check_version(call, "operationResults")?;
            Ok(crate::azure::lro::poll(
                state, &call.path, operation, true, None,
            ))
        }
        _ => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            "The resource type could not be found in the namespace 'Microsoft.KeyVault'.",
        )),
    }
}

fn purge_vault(
    state: &mut State,
    call: &Call,
    key: &str,
    deleted: &DeletedVault,
) -> Result<Response<Bytes>, ArmError> {
    if deleted.vault.properties()["enablePurgeProtection"] == json!(true) {
        return Err(ArmError::conflict(
            "ConflictError",
            format!(
                "Operation \"purge\" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed ({}).",
                deleted.scheduled_purge_date
            ),
        ));
    }
    state.deleted_vaults.remove(key);
    let operation = Operation::new(
        &deleted.vault.id,
        OperationKind::Delete,
        Instant::now(),
        None,
    );
    let location = deleted.vault.body["location"].as_str().unwrap_or_default();
    let url = format!(
        "{}/subscriptions/{}/providers/Microsoft.KeyVault/locations/{location}/operationResults/{}?api-version={}",
        state.url,
        state.subscription_id,
        operation.id,
        call.api_version().unwrap_or_default()
    );
    state.operations.insert(operation.id.clone(), operation);
    let mut response = empty(StatusCode::ACCEPTED);
    response
        .headers_mut()
        .insert("location", url.parse().expect("a URL header"));
    response.headers_mut().insert("retry-after", 0.into());
    Ok(response)
}

fn key(
    state: &mut State,
    call: &Call,
    vault_id: &str,
    vault_name: &str,
    group: &str,
    rest: &[&str],
) -> Result<Response<Bytes>, ArmError> {
    let Some(vault) = state.get(vault_id).cloned() else {
        return Err(match call.method {
            Method::PUT => {
                ArmError::parent_not_found(&format!("Microsoft.KeyVault/vaults/{vault_name}"))
            }
            _ => ArmError::resource_not_found("Microsoft.KeyVault/vaults", vault_name, group),
        });
    };
    let Some(name) = rest.first() else {
        if call.method != Method::GET {
            return Err(method_not_allowed(&call.method));
        }
        let value: Vec<Value> = state
            .children(vault_id, Kind::Key)
            .into_iter()
            .map(|r| r.body.clone())
            .collect();
        return Ok(arm_json(StatusCode::OK, &json!({ "value": value })));
    };
    let id = format!("{vault_id}/keys/{name}");
    let not_found = || {
        ArmError::resource_not_found(
            "Microsoft.KeyVault/vaults/keys",
            &format!("{vault_name}/{name}"),
            group,
        )
    };
    match (&call.method, &rest[1..]) {
        (&Method::GET, []) => state
            .get(&id)
            .map(|r| arm_json(StatusCode::OK, &r.body))
            .ok_or_else(not_found),
        (&Method::GET, [versions]) if eq(versions, "versions") => {
            let key = state.get(&id).ok_or_else(not_found)?;
            let mut version = key.body.clone();
            let with_version = key.properties()["keyUriWithVersion"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            version["id"] = json!(format!(
                "{id}/versions/{}",
                with_version.rsplit('/').next().unwrap_or_default()
            ));
            Ok(arm_json(StatusCode::OK, &json!({ "value": [version] })))
        }
        (&Method::PUT, []) => {
            if let Some(existing) = state.get(&id) {
                // Create-if-not-exists: an existing key is answered as it is.
                return Ok(arm_json(StatusCode::OK, &existing.body));
            }
            let mut request = call.json()?;
            create_key(state, &vault, &id, name, &mut request)
        }
        (&Method::DELETE, []) => Err(method_not_allowed(&call.method)),
        _ => Err(method_not_allowed(&call.method)),
    }
}

fn create_key(
    state: &mut State,
    vault: &Resource,
    id: &str,
    name: &str,
    request: &mut Value,
) -> Result<Response<Bytes>, ArmError> {
    if !validate::key_name_ok(name) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The key name '{name}' is invalid. Key names may contain only alphanumeric characters and dashes and be 1-127 characters long."
            ),
        ));
    }
    let p = &request["properties"];
    let kty = p["kty"].as_str().unwrap_or("RSA").to_string();
    if !KEY_TYPES.contains(&kty.as_str()) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The key type '{kty}' is invalid; allowed values are {}.",
                KEY_TYPES.join(", ")
            ),
        )
        .with_target("properties.kty"));
    }
    if kty.ends_with("-HSM") && vault.properties()["sku"]["name"] != json!("premium") {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The key type '{kty}' requires a vault with the premium SKU."),
        )
        .with_target("properties.kty"));
    }
    let rsa = kty.starts_with("RSA");
    let key_size = p["keySize"].as_u64();
    if rsa && key_size.is_some_and(|size| ![2048, 3072, 4096].contains(&size)) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The key size must be 2048, 3072 or 4096 for RSA keys.",
        )
        .with_target("properties.keySize"));
    }
    let curve = p["curveName"].as_str().map(str::to_string);
    if !rsa && curve.as_deref().is_some_and(|c| !CURVES.contains(&c)) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The curve name must be one of {}.", CURVES.join(", ")),
        )
        .with_target("properties.curveName"));
    }
    let key_ops = p["keyOps"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| KEY_OPS[..6].iter().map(|op| json!(op)).collect());
    if let Some(bad) = key_ops
        .iter()
        .find(|op| !op.as_str().is_some_and(|o| KEY_OPS.contains(&o)))
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The key operation {bad} is invalid; allowed values are {}.",
                KEY_OPS.join(", ")
            ),
        )
        .with_target("properties.keyOps"));
    }
    let rotation_policy = match p.get("rotationPolicy").filter(|policy| !policy.is_null()) {
        Some(policy) => Some(
            super::key_vault_data::check_policy(policy).map_err(|message| {
                ArmError::bad_request("BadRequest", message)
                    .with_target("properties.rotationPolicy")
            })?,
        ),
        None => None,
    };
    let version = guid().replace('-', "");
    let uri = format!(
        "{}keys/{name}",
        vault.properties()["vaultUri"].as_str().unwrap_or_default()
    );
    let now = unix_seconds();
    let purge_protected = vault.properties()["enablePurgeProtection"] == json!(true);
    let custom = vault.properties()["softDeleteRetentionInDays"]
        .as_u64()
        .is_some_and(|d| d < 90);
    let recovery_level = match (custom, purge_protected) {
        (false, false) => "Recoverable+Purgeable",
        (false, true) => "Recoverable",
        (true, false) => "CustomizedRecoverable+Purgeable",
        (true, true) => "CustomizedRecoverable",
    };
    let mut properties = json!({
        "attributes": {
            "enabled": p["attributes"]["enabled"].as_bool().unwrap_or(true),
            "created": now,
            "updated": now,
            "recoveryLevel": recovery_level,
            "exportable": false,
        },
        "kty": kty,
        "keyOps": key_ops,
        "keyUri": uri,
        "keyUriWithVersion": format!("{uri}/{version}"),
    });
    for (field, value) in [
        ("exp", &p["attributes"]["exp"]),
        ("nbf", &p["attributes"]["nbf"]),
    ] {
        if !value.is_null() {
            properties["attributes"][field] = value.clone();
        }
    }
    if rsa {
        properties["keySize"] = json!(key_size.unwrap_or(2048));
    } else {
        properties["curveName"] = json!(curve.unwrap_or_else(|| "P-256".into()));
    }
    if let Some(policy) = &rotation_policy {
        properties["rotationPolicy"] = request["properties"]["rotationPolicy"].clone();
        state
            .rotation_policies
            .insert(id.to_ascii_lowercase(), policy.clone());
    }
    let body = json!({
        "id": id,
        "name": name,
        "type": Kind::Key.arm_type(),
        "location": vault.body["location"],
        "tags": validate::tags(request)?,
        "properties": properties,
    });
    state.insert(Resource {
        id: id.to_string(),
        kind: Kind::Key,
        body: body.clone(),
        pending: None,
        created: Instant::now(),
    });
    Ok(arm_json(StatusCode::OK, &body))
}
