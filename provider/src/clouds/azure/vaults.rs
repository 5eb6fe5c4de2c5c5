//! Key Vault vaults: the dedicated vault a key gets (its name and its hardened body),
//! and finding a vault from a key URI (which names the vault, not its resource group).

use super::api_versions::KEY_VAULT;
use super::arm::ArmClient;
use super::key_uri::KeyUri;
use super::resource_id::ResourceId;
use super::tags;
use crate::clouds::CloudError;
use crate::clouds::model::Tags;
use serde_json::{Value, json};

pub const SERVICE: &str = "Microsoft.KeyVault";

/// Days a deleted dedicated vault (and its keys) stays recoverable: Key Vault's most.
pub const SOFT_DELETE_DAYS: u32 = 90;

/// Tag on a vault mlcloud made for one key: the key's name. Such a vault is deleted
/// with its key.
pub const DEDICATED_TAG: &str = "mlcloud-dedicated-key";

/// The dedicated vault's name: vault names are global DNS labels of 3 to 24 letters,
/// digits and single hyphens, so it is the key's name cut to 15 characters and a hash
/// of where the key lives. The same key always gets the same vault, so a create whose
/// answer was lost finds it again.
pub fn dedicated_name(subscription: &str, resource_group: &str, key_name: &str) -> String {
    let mut prefix = String::new();
    for c in key_name.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if c == '-' && (prefix.is_empty() || prefix.ends_with('-')) {
            continue;
        }
        prefix.push(c);
        if prefix.len() == 14 {
            break;
        }
    }
    let prefix = prefix.trim_end_matches('-');
    let prefix = if prefix.starts_with(|c: char| c.is_ascii_alphabetic()) {
        prefix.to_string()
    } else {
        format!("k{prefix}")
    };
    let seed = format!(
        "{}/{}/{}",
        subscription.to_ascii_lowercase(),
        resource_group.to_ascii_lowercase(),
        key_name
    );
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, seed.as_bytes());
    let hash: String = digest.as_ref()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}-{hash}", &prefix[..prefix.len().min(15)])
}

/// A vault for one key: RBAC authorization, purge protection, soft delete for the
/// longest period, no public network access (AKS reaches it privately).
pub fn expand_dedicated(
    location: &str,
    tenant_id: &str,
    key_name: &str,
    user_tags: &Tags,
) -> Value {
    json!({
        "location": location,
        "tags": tags::expand(user_tags, key_name, &[(DEDICATED_TAG, key_name)]),
        "properties": {
            "tenantId": tenant_id,
            "sku": {"family": "A", "name": "standard"},
            "enableRbacAuthorization": true,
            "enableSoftDelete": true,
            "softDeleteRetentionInDays": SOFT_DELETE_DAYS,
            "enablePurgeProtection": true,
            "publicNetworkAccess": "Disabled",
            "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"}
        }
    })
}

/// Whether `vault` is the dedicated vault of the key `key_name`.
pub fn is_dedicated_to(vault: &Value, key_name: &str) -> bool {
    tags::all(vault)
        .get(DEDICATED_TAG)
        .is_some_and(|k| k == key_name)
}

/// The vault a key URI names, found among the subscription's vaults.
pub async fn find_by_uri(
    arm: &ArmClient,
    key: &KeyUri,
) -> Result<Option<(ResourceId, Value)>, CloudError> {
    let path = format!(
        "/subscriptions/{}/providers/Microsoft.KeyVault/vaults",
        arm.subscription()
    );
    for vault in arm.list(&path, KEY_VAULT, SERVICE).await? {
        let uri = vault
            .pointer("/properties/vaultUri")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if uri
            .trim_end_matches('/')
            .eq_ignore_ascii_case(&key.vault_uri)
        {
            let id = vault.get("id").and_then(Value::as_str).unwrap_or_default();
            return Ok(Some((ResourceId::parse(id)?, vault)));
        }
    }
    Ok(None)
}

/// The ARM id of the key a key URI names (role assignments are scoped to it).
pub async fn key_id_of(arm: &ArmClient, key_ref: &str) -> Result<ResourceId, CloudError> {
    let key = KeyUri::parse(key_ref)?;
    let (vault, _) = find_by_uri(arm, &key)
        .await?
        .ok_or_else(|| CloudError::NotFound {
            what: format!("Key Vault of {key_ref}"),
            message: format!(
                "no vault with the URI {} in subscription {}",
                key.vault_uri,
                arm.subscription()
            ),
        })?;
    Ok(vault.child("keys", &key.key_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedicated_names_are_legal_vault_names_and_stable() {
        for key in [
            "etcd",
            "ML--Platform_Secrets.Key-with-a-long-name",
            "9lives",
            "a",
        ] {
            let n = dedicated_name("sub", "rg", key);
            assert!((3..=24).contains(&n.len()), "{n}");
            assert!(n.starts_with(|c: char| c.is_ascii_alphabetic()), "{n}");
            assert!(!n.contains("--"), "{n}");
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{n}"
            );
            assert_eq!(n, dedicated_name("sub", "rg", key));
        }
        assert_ne!(
            dedicated_name("sub", "rg", "etcd"),
            dedicated_name("sub", "other", "etcd")
        );
    }

    #[test]
    fn the_dedicated_vault_is_locked_down() {
        let v = expand_dedicated("westeurope", "tenant", "etcd", &Tags::new());
        let p = &v["properties"];
        assert_eq!(p["enableRbacAuthorization"], true);
        assert_eq!(p["enablePurgeProtection"], true);
        assert_eq!(p["softDeleteRetentionInDays"], 90);
        assert_eq!(p["publicNetworkAccess"], "Disabled");
        assert!(is_dedicated_to(&v, "etcd"));
        assert!(!is_dedicated_to(&v, "other"));
    }
}
