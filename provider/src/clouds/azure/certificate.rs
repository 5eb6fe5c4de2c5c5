//! Signing in with a client certificate without openssl: Entra accepts a JWT client
//! assertion signed (RS256) with the certificate's key, naming the certificate by its
//! SHA-1 thumbprint (`x5t`). aws-lc-rs (already linked for rustls) signs it.

use crate::clouds::CloudError;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::time::{SystemTime, UNIX_EPOCH};

/// How long one assertion is valid; the credential asks for a new one per token.
const LIFETIME_SECS: u64 = 600;

pub struct CertificateAssertion {
    key: RsaKeyPair,
    thumbprint: String,
    client_id: String,
    audience: String,
}

impl std::fmt::Debug for CertificateAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAssertion")
            .field("x5t", &self.thumbprint)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl CertificateAssertion {
    /// Reads the certificate (the first in the file) and its RSA key (PKCS#8 or PKCS#1)
    /// from one PEM file.
    pub fn from_pem_file(
        path: &str,
        client_id: String,
        audience: String,
    ) -> Result<Self, CloudError> {
        let pem = std::fs::read(path).map_err(|e| {
            CloudError::Transport(format!(
                "azure: cannot read the client certificate {path:?}: {e}"
            ))
        })?;
        Self::from_pem(&pem, client_id, audience).map_err(|why| {
            CloudError::Transport(format!("azure: client certificate {path:?}: {why}"))
        })
    }

    fn from_pem(pem: &[u8], client_id: String, audience: String) -> Result<Self, String> {
        let cert = CertificateDer::pem_slice_iter(pem)
            .next()
            .ok_or("holds no CERTIFICATE")?
            .map_err(|e| format!("bad certificate: {e}"))?;
        let key =
            PrivateKeyDer::from_pem_slice(pem).map_err(|e| format!("holds no private key: {e}"))?;
        let key = match &key {
            PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
            _ => return Err("the private key must be RSA (PKCS#8 or PKCS#1)".into()),
        }
        .map_err(|e| format!("unusable RSA key: {e}"))?;
        let digest =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.as_ref());
        Ok(CertificateAssertion {
            key,
            thumbprint: URL_SAFE_NO_PAD.encode(digest.as_ref()),
            client_id,
            audience,
        })
    }

    /// A fresh signed assertion.
    fn sign(&self) -> Result<String, String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": self.thumbprint});
        let claims = serde_json::json!({
            "aud": self.audience,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + LIFETIME_SECS,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|e| format!("cannot sign the client assertion: {e}"))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

#[async_trait::async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        self.sign().map_err(|e| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::KeyPair;
    use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

    #[test]
    fn signs_an_rs256_assertion_naming_the_certificate() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["mlcloud-test".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let pem = format!("{}{}", cert.pem(), key.serialize_pem());
        let a = CertificateAssertion::from_pem(
            pem.as_bytes(),
            "client".into(),
            "https://login/t/oauth2/v2.0/token".into(),
        )
        .unwrap();
        let jwt = a.sign().unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "RS256");
        let sha1 =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.der());
        assert_eq!(header["x5t"], URL_SAFE_NO_PAD.encode(sha1.as_ref()));
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["iss"], "client");
        assert_eq!(claims["aud"], "https://login/t/oauth2/v2.0/token");
        let public = UnparsedPublicKey::new(
            &RSA_PKCS1_2048_8192_SHA256,
            a.key.public_key().as_ref().to_vec(),
        );
        public
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
            )
            .expect("the signature verifies with the certificate's key");
        assert!(!format!("{a:?}").contains("PRIVATE"));
    }

    #[test]
    fn a_file_without_a_key_says_so() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["x".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let err = CertificateAssertion::from_pem(cert.pem().as_bytes(), "c".into(), "a".into())
            .unwrap_err();
        assert!(err.contains("private key"), "{err}");
    }
}
