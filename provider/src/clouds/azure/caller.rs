//! The caller as a principal Azure RBAC can name: the Microsoft Entra object id in
//! the `oid` claim of the provider's own ARM token (a user, a service principal, a
//! managed identity or a federated workload alike). The token is only decoded,
//! never checked: it came from Entra over TLS, and ARM checks it on every call.

use super::AzureBackend;
use crate::clouds::{Caller, CloudError};
use base64::Engine;

/// The `oid` claim of a JWT access token.
pub fn object_id_of(token: &str) -> Result<String, CloudError> {
    let bad =
        |why: &str| CloudError::Transport(format!("cannot read the Azure access token: {why}"));
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| bad("it is not a JWT"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| bad("its claims are not base64url"))?;
    let claims: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| bad("its claims are not JSON"))?;
    claims
        .get("oid")
        .and_then(serde_json::Value::as_str)
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| bad("it carries no oid claim (the caller's object id)"))
}

#[async_trait::async_trait]
impl Caller for AzureBackend {
    async fn principal(&self) -> Result<String, CloudError> {
        let token = self.arm.access_token().await?.ok_or_else(|| {
            CloudError::Invalid("no Azure credential: the caller is not known".into())
        })?;
        object_id_of(&token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b(r#"{"alg":"RS256"}"#), b(claims))
    }

    #[test]
    fn reads_the_object_id_from_the_token() {
        let token = jwt(r#"{"oid":"6F1C2A3B-0D4E-4F5A-9B8C-7D6E5F4A3B2C","tid":"t"}"#);
        assert_eq!(
            object_id_of(&token).unwrap(),
            "6f1c2a3b-0d4e-4f5a-9b8c-7d6e5f4a3b2c"
        );
    }

    #[test]
    fn a_token_without_oid_says_so() {
        let e = object_id_of(&jwt(r#"{"tid":"t"}"#)).unwrap_err();
        assert!(e.to_string().contains("no oid claim"), "{e}");
        assert!(object_id_of("opaque").is_err());
    }
}
