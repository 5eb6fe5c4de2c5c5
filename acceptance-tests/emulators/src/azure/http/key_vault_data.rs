//! Key Vault's data plane, as far as the provider needs it: a key
//! (`GET {vaultUri}keys/{k}[/{version}]`) and its rotation policy
//! (`GET`/`PUT {vaultUri}keys/{k}/rotationpolicy`), with the data plane's own answers:
//! the 401 bearer challenge the SDKs start with, `BadParameter`, `KeyNotFound`, and
//! 403 `ForbiddenByConnection` (public network access disabled: the caller is not on
//! a private link) / `ForbiddenByRbac` (an RBAC vault and no Key Vault Crypto Officer
//! or Administrator role for the caller) / `ForbiddenByPolicy` (an access-policy
//! vault without the caller's key permissions).

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::call::Call;
use super::key_vault::find_vault;
use super::validate::iso_duration_days;
use crate::azure::api_versions;
use crate::azure::errors::key_vault_error;
use crate::azure::model::roles::{self, holds_role};
use crate::azure::model::{Resource, State};
use crate::azure::time::unix_seconds;

/// The answer to a request without a usable token: where to get one.
pub fn challenge(state: &State) -> Response<Bytes> {
    let mut response = key_vault_error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "AKV10000: Request is missing a Bearer or PoP token.",
    );
    let header = format!(
        "Bearer authorization=\"{}/{}\", resource=\"https://vault.azure.net\"",
        state.url, state.tenant_id
    );
    response
        .headers_mut()
        .insert("www-authenticate", header.parse().expect("a header"));
    response
}

fn forbidden(inner: &str, message: String) -> Response<Bytes> {
    let mut response = key_vault_error(StatusCode::FORBIDDEN, "Forbidden", &message);
    let mut body: Value = serde_json::from_slice(response.body()).unwrap_or_default();
    body["error"]["innererror"] = json!({ "code": inner });
    *response.body_mut() = Bytes::from(body.to_string());
    response
}

pub fn handle(state: &mut State, call: &Call, rest: &str) -> Response<Bytes> {
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let Some(vault) = segments
        .first()
        .and_then(|name| find_vault(state, name))
        .cloned()
    else {
        return key_vault_error(
            StatusCode::NOT_FOUND,
            "VaultNotFound",
            "The vault does not exist (no vault of that name in this emulator).",
        );
    };
    let version = call.api_version().unwrap_or_default();
    if !api_versions::KEY_VAULT_DATA.contains(&version) {
        let message = if version.is_empty() {
            "The 'api-version' parameter is missing.".to_string()
        } else {
            format!(
                "The specified version ({version}) is not recognized. Consider using the latest supported version ({}).",
                api_versions::KEY_VAULT_DATA[0]
            )
        };
        return key_vault_error(StatusCode::BAD_REQUEST, "BadParameter", &message);
    }
    if vault.properties()["publicNetworkAccess"] == json!("Disabled") {
        return forbidden(
            "ForbiddenByConnection",
            format!(
                "Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\nCaller: oid={}\r\nVault: {};location={}",
                call.caller,
                vault.name(),
                vault.body["location"].as_str().unwrap_or_default()
            ),
        );
    }
    match segments.as_slice() {
        [_, keys, name, policy]
            if keys.eq_ignore_ascii_case("keys")
                && policy.eq_ignore_ascii_case("rotationpolicy") =>
        {
            let key = format!("{}/keys/{name}", vault.id);
            let write = call.method == Method::PUT;
            let action = if write {
                "rotationpolicy/write"
            } else {
                "rotationpolicy/read"
            };
            if let Some(refusal) = authorize(
                state,
                call,
                &vault,
                &key,
                action,
                &[
                    roles::KEY_VAULT_CRYPTO_OFFICER,
                    roles::KEY_VAULT_ADMINISTRATOR,
                ],
                if write {
                    "setrotationpolicy"
                } else {
                    "getrotationpolicy"
                },
            ) {
                return refusal;
            }
            if state.get(&key).is_none() {
                return key_not_found(name);
            }
            let id = format!(
                "{}keys/{name}/rotationpolicy",
                vault.properties()["vaultUri"].as_str().unwrap_or_default()
            );
            match call.method {
                Method::GET => {
                    let policy = state.rotation_policies.get(&key.to_ascii_lowercase()).cloned().unwrap_or_else(|| {
                        json!({"lifetimeActions": [{"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Notify"}}], "attributes": {}})
                    });
                    super::super::errors::arm_json(StatusCode::OK, &with_id(policy, &id))
                }
                Method::PUT => {
                    let request: Value = match serde_json::from_slice(&call.body) {
                        Ok(value) => value,
                        Err(error) => {
                            return key_vault_error(
                                StatusCode::BAD_REQUEST,
                                "BadParameter",
                                &format!("The request body is not valid JSON: {error}"),
                            );
                        }
                    };
                    match check_policy(&request) {
                        Ok(mut policy) => {
                            let now = unix_seconds();
                            let created = state
                                .rotation_policies
                                .get(&key.to_ascii_lowercase())
                                .and_then(|old| old["attributes"]["created"].as_u64())
                                .unwrap_or(now);
                            policy["attributes"]["created"] = json!(created);
                            policy["attributes"]["updated"] = json!(now);
                            state
                                .rotation_policies
                                .insert(key.to_ascii_lowercase(), policy.clone());
                            super::super::errors::arm_json(StatusCode::OK, &with_id(policy, &id))
                        }
                        Err(message) => {
                            key_vault_error(StatusCode::BAD_REQUEST, "BadParameter", &message)
                        }
                    }
                }
                _ => key_vault_error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "BadParameter",
                    "The method is not allowed on a rotation policy.",
                ),
            }
        }
        [_, keys, name, version @ ..]
            if keys.eq_ignore_ascii_case("keys")
                && call.method == Method::GET
                && version.len() <= 1 =>
        {
            let key = format!("{}/keys/{name}", vault.id);
            if let Some(refusal) = authorize(
                state,
                call,
                &vault,
                &key,
                "read",
                &[
                    roles::KEY_VAULT_CRYPTO_USER,
                    roles::KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
                    roles::KEY_VAULT_CRYPTO_OFFICER,
                    roles::KEY_VAULT_ADMINISTRATOR,
                ],
                "get",
            ) {
                return refusal;
            }
            match state.get(&key) {
                Some(resource) => {
                    let uri = resource.properties()["keyUriWithVersion"]
                        .as_str()
                        .unwrap_or_default();
                    if version
                        .first()
                        .is_some_and(|v| !uri.ends_with(&format!("/{v}")))
                    {
                        return key_not_found(name);
                    }
                    super::super::errors::arm_json(StatusCode::OK, &data_plane_key(resource))
                }
                None => key_not_found(name),
            }
        }
        _ => key_vault_error(
            StatusCode::NOT_FOUND,
            "BadParameter",
            "This emulator's Key Vault data plane serves keys and their rotation policies only.",
        ),
    }
}

fn key_not_found(name: &str) -> Response<Bytes> {
    key_vault_error(
        StatusCode::NOT_FOUND,
        "KeyNotFound",
        &format!(
            "A key with (name/id) {name} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"
        ),
    )
}

fn with_id(mut policy: Value, id: &str) -> Value {
    policy["id"] = json!(id);
    policy
}

/// The caller's permission on the key: RBAC roles on an RBAC vault, access policies
/// otherwise; the data plane's 403 when it has none.
fn authorize(
    state: &State,
    call: &Call,
    vault: &Resource,
    key: &str,
    action: &str,
    roles: &[&str],
    permission: &str,
) -> Option<Response<Bytes>> {
    if vault.properties()["enableRbacAuthorization"] == json!(true) {
        if holds_role(state, &call.caller, roles, key) {
            return None;
        }
        return Some(forbidden(
            "ForbiddenByRbac",
            format!(
                "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: oid={}\r\nAction: 'Microsoft.KeyVault/vaults/keys/{action}'\r\nResource: '{}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: {};location={}",
                call.caller,
                key.to_ascii_lowercase(),
                vault.name(),
                vault.body["location"].as_str().unwrap_or_default()
            ),
        ));
    }
    let allowed = vault.properties()["accessPolicies"]
        .as_array()
        .is_some_and(|policies| {
            policies.iter().any(|policy| {
                policy["objectId"]
                    .as_str()
                    .is_some_and(|o| o.eq_ignore_ascii_case(&call.caller))
                    && policy["permissions"]["keys"]
                        .as_array()
                        .is_some_and(|keys| {
                            keys.iter().any(|p| {
                                p.as_str().is_some_and(|p| {
                                    p.eq_ignore_ascii_case(permission)
                                        || p.eq_ignore_ascii_case("all")
                                })
                            })
                        })
            })
        });
    if allowed {
        return None;
    }
    Some(forbidden(
        "ForbiddenByPolicy",
        format!(
            "The user, group or application 'oid={}' does not have keys {permission} permission on key vault '{};location={}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
            call.caller,
            vault.name(),
            vault.body["location"].as_str().unwrap_or_default()
        ),
    ))
}

/// A key as the data plane answers it (a JSON web key; the modulus is random bytes).
fn data_plane_key(resource: &Resource) -> Value {
    use base64::Engine;
    let p = resource.properties();
    let modulus: Vec<u8> = (0..p["keySize"].as_u64().unwrap_or(2048) / 8)
        .map(|i| (i as u8).wrapping_mul(37).wrapping_add(11))
        .collect();
    json!({
        "key": {
            "kid": p["keyUriWithVersion"],
            "kty": p["kty"],
            "key_ops": p["keyOps"],
            "n": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(modulus),
            "e": "AQAB",
        },
        "attributes": {
            "enabled": p["attributes"]["enabled"],
            "created": p["attributes"]["created"],
            "updated": p["attributes"]["updated"],
            "recoveryLevel": p["attributes"]["recoveryLevel"],
            "recoverableDays": 90,
            "exportable": false,
        },
        "tags": resource.body["tags"],
    })
}

/// Checks a rotation policy (data-plane or ARM spelling) as Key Vault does and
/// answers it in the data plane's spelling, or the reason it is refused.
pub fn check_policy(policy: &Value) -> Result<Value, String> {
    let expiry = policy["attributes"]["expiryTime"].as_str();
    let expiry_days = match expiry {
        Some(text) => {
            let days = iso_duration_days(text).ok_or_else(|| {
                format!("Invalid rotation policy: expiryTime '{text}' is not an ISO 8601 duration.")
            })?;
            if days < 28.0 {
                return Err(format!(
                    "Invalid rotation policy: expiryTime '{text}' must be at least 28 days (P28D)."
                ));
            }
            Some(days)
        }
        None => None,
    };
    let actions = policy["lifetimeActions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut checked = Vec::new();
    for action in &actions {
        let kind = action["action"]["type"].as_str().unwrap_or_default();
        let kind = match kind.to_ascii_lowercase().as_str() {
            "rotate" => "Rotate",
            "notify" => "Notify",
            _ => {
                return Err(format!(
                    "Invalid rotation policy: action type '{kind}' must be Rotate or Notify."
                ));
            }
        };
        let after = action["trigger"]["timeAfterCreate"].as_str();
        let before = action["trigger"]["timeBeforeExpiry"].as_str();
        let trigger = match (after, before) {
            (Some(after), None) => {
                let days = iso_duration_days(after).ok_or_else(|| format!("Invalid rotation policy: timeAfterCreate '{after}' is not an ISO 8601 duration."))?;
                if days < 7.0 {
                    return Err(format!("Invalid rotation policy: timeAfterCreate '{after}' must be at least 7 days (P7D)."));
                }
                if expiry_days.is_some_and(|expiry| days > expiry - 7.0) {
                    return Err(format!("Invalid rotation policy: timeAfterCreate '{after}' must be at least 7 days shorter than expiryTime '{}'.", expiry.unwrap_or_default()));
                }
                json!({ "timeAfterCreate": after })
            }
            (None, Some(before)) => {
                let days = iso_duration_days(before).ok_or_else(|| format!("Invalid rotation policy: timeBeforeExpiry '{before}' is not an ISO 8601 duration."))?;
                if days < 7.0 {
                    return Err(format!("Invalid rotation policy: timeBeforeExpiry '{before}' must be at least 7 days (P7D)."));
                }
                if kind == "Rotate" && expiry.is_none() {
                    return Err("Invalid rotation policy: a Rotate action triggered by timeBeforeExpiry needs attributes.expiryTime.".into());
                }
                json!({ "timeBeforeExpiry": before })
            }
            _ => return Err("Invalid rotation policy: each lifetime action needs exactly one of trigger.timeAfterCreate and trigger.timeBeforeExpiry.".into()),
        };
        checked.push(json!({ "trigger": trigger, "action": { "type": kind } }));
    }
    let mut attributes = json!({});
    if let Some(expiry) = expiry {
        attributes["expiryTime"] = json!(expiry);
    }
    Ok(json!({ "lifetimeActions": checked, "attributes": attributes }))
}
