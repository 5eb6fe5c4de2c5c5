//! Key Vault key URIs: `{vaultUri}keys/{name}[/{version}]`, where the vault URI is
//! `https://{vault}.vault.azure.net/` on public Azure (other clouds' vault domains, a
//! private endpoint or a proxy may differ, so only the `/keys/` tail is fixed). The
//! versionless form is a key's `key_ref`.

use crate::clouds::CloudError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUri {
    /// The vault's URI without its trailing `/` (`https://{vault}.vault.azure.net`).
    pub vault_uri: String,
    pub key_name: String,
    pub version: Option<String>,
}

impl KeyUri {
    pub fn parse(text: &str) -> Result<Self, CloudError> {
        let bad = || {
            CloudError::Invalid(format!(
                "{text:?} is not a Key Vault key URI (https://VAULT.vault.azure.net/keys/NAME)"
            ))
        };
        let rest = text.strip_prefix("https://").ok_or_else(bad)?;
        let trimmed = rest.trim_end_matches('/');
        let at = trimmed.rfind("/keys/").ok_or_else(bad)?;
        let (vault, tail) = (&trimmed[..at], &trimmed[at + "/keys/".len()..]);
        if vault.is_empty() || vault.starts_with('/') {
            return Err(bad());
        }
        let parts: Vec<&str> = tail.split('/').collect();
        let valid =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        let (key_name, version) = match parts.as_slice() {
            [name] if valid(name) => (*name, None),
            [name, version] if valid(name) && valid(version) => (*name, Some(version.to_string())),
            _ => return Err(bad()),
        };
        Ok(KeyUri {
            vault_uri: format!("https://{vault}"),
            key_name: key_name.to_string(),
            version,
        })
    }

    /// The key without its version: what `key_ref` holds.
    pub fn versionless(&self) -> String {
        format!("{}/keys/{}", self.vault_uri, self.key_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        let k = KeyUri::parse("https://ml-kv.vault.azure.net/keys/etcd/0123abcd").unwrap();
        assert_eq!(k.vault_uri, "https://ml-kv.vault.azure.net");
        assert_eq!(k.key_name, "etcd");
        assert_eq!(k.version.as_deref(), Some("0123abcd"));
        assert_eq!(k.versionless(), "https://ml-kv.vault.azure.net/keys/etcd");
        assert!(KeyUri::parse(&k.versionless()).unwrap().version.is_none());
        // A vault behind a path (private endpoint proxies, emulators).
        let p = KeyUri::parse("https://127.0.0.1:8443/keyvault/ml-kv/keys/etcd").unwrap();
        assert_eq!(p.vault_uri, "https://127.0.0.1:8443/keyvault/ml-kv");
        for bad in [
            "http://kv.vault.azure.net/keys/x",
            "https://kv.vault.azure.net/secrets/x",
            "arn:aws:kms:x",
            "https://kv.vault.azure.net/keys/a/b/c",
            "https:///keys/x",
        ] {
            assert!(KeyUri::parse(bad).is_err(), "{bad}");
        }
    }
}
