//! AKS's checks of `securityProfile.azureKeyVaultKms` before it starts a cluster
//! write: the key, the vault's network access, and the identity's permission.

use serde_json::{Value, json};

use super::eq;
use crate::azure::errors::ArmError;
use crate::azure::model::roles::{self, holds_role};
use crate::azure::model::{Kind, State};

/// KMS etcd encryption, as AKS checks it before it starts: a versioned key of a vault
/// that exists, a private vault reached through `keyVaultNetworkAccess: Private` with
/// its `keyVaultResourceId`, and a control-plane identity allowed to encrypt and
/// decrypt with the key (Key Vault Crypto User, Crypto Service Encryption User,
/// Crypto Officer or Administrator on the key or above it; or an access policy).
pub fn check_kms(state: &State, request: &Value, identity: &Value) -> Result<(), ArmError> {
    let kms = &request["properties"]["securityProfile"]["azureKeyVaultKms"];
    if kms["enabled"] != json!(true) {
        return Ok(());
    }
    let target = "properties.securityProfile.azureKeyVaultKms.keyId";
    let key_id = kms["keyId"].as_str().unwrap_or_default();
    if key_id.is_empty() {
        return Err(ArmError::invalid_parameter(
            target,
            "keyId is required when Azure Key Vault KMS is enabled",
        ));
    }
    let vault = state.of_kind(Kind::Vault).find(|vault| {
        vault.properties()["vaultUri"].as_str().is_some_and(|uri| {
            key_id
                .to_ascii_lowercase()
                .starts_with(&uri.to_ascii_lowercase())
        })
    });
    let Some(vault) = vault else {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The key vault of key '{key_id}' could not be found."),
        )
        .with_target(target));
    };
    let uri = vault.properties()["vaultUri"].as_str().unwrap_or_default();
    let rest: Vec<&str> = key_id[uri.len()..]
        .trim_end_matches('/')
        .split('/')
        .collect();
    let [keys, key_name, version] = rest.as_slice() else {
        return Err(ArmError::invalid_parameter(
            target,
            &format!(
                "keyId '{key_id}' must be a versioned key identifier: {uri}keys/{{key-name}}/{{key-version}}"
            ),
        ));
    };
    let key_arm_id = format!("{}/keys/{key_name}", vault.id);
    let key = state.get(&key_arm_id).filter(|_| eq(keys, "keys"));
    let Some(key) = key.filter(|k| {
        k.properties()["keyUriWithVersion"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("/{version}")))
    }) else {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The key '{key_id}' was not found in key vault '{}'.",
                vault.name()
            ),
        )
        .with_target(target));
    };
    let private = kms["keyVaultNetworkAccess"] == json!("Private");
    if private {
        let resource_id = kms["keyVaultResourceId"].as_str().unwrap_or_default();
        if resource_id.is_empty() {
            return Err(ArmError::bad_request(
                "BadRequest",
                "KeyVault resource ID is empty when KeyVault network access is Private.",
            ));
        }
        if !resource_id.eq_ignore_ascii_case(&vault.id) {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "KeyVault resource ID '{resource_id}' is not the key vault of key '{key_id}' ({}).",
                    vault.id
                ),
            ));
        }
    } else if vault.properties()["publicNetworkAccess"] == json!("Disabled") {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "Key vault '{}' has public network access disabled: with keyVaultNetworkAccess Public the cluster cannot reach it. Set keyVaultNetworkAccess to Private and keyVaultResourceId to the vault's resource ID.",
                vault.name()
            ),
        ));
    }
    let principal = identity["userAssignedIdentities"]
        .as_object()
        .and_then(|m| m.values().next())
        .and_then(|v| v["principalId"].as_str())
        .or_else(|| identity["principalId"].as_str())
        .unwrap_or_default();
    let allowed = if vault.properties()["enableRbacAuthorization"] == json!(true) {
        holds_role(
            state,
            principal,
            &[
                roles::KEY_VAULT_CRYPTO_USER,
                roles::KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
                roles::KEY_VAULT_CRYPTO_OFFICER,
                roles::KEY_VAULT_ADMINISTRATOR,
            ],
            &key.id,
        )
    } else {
        vault.properties()["accessPolicies"]
            .as_array()
            .is_some_and(|policies| {
                policies.iter().any(|policy| {
                    let keys: Vec<String> = policy["permissions"]["keys"]
                        .as_array()
                        .map(|k| {
                            k.iter()
                                .filter_map(|p| p.as_str())
                                .map(str::to_ascii_lowercase)
                                .collect()
                        })
                        .unwrap_or_default();
                    policy["objectId"]
                        .as_str()
                        .is_some_and(|o| o.eq_ignore_ascii_case(principal))
                        && (keys.contains(&"all".to_string())
                            || (keys.contains(&"encrypt".to_string())
                                && keys.contains(&"decrypt".to_string())))
                })
            })
    };
    if principal.is_empty() || !allowed {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The identity does not have keys encrypt/decrypt permission on key vault {}. Assign the control-plane identity the Key Vault Crypto User role on the key or the vault.",
                vault.name()
            ),
        ));
    }
    Ok(())
}
