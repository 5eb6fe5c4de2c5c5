//! Google's service-account authentication, played for real: the emulator makes an
//! RSA key, writes it as a service-account key file whose `token_uri` is its own
//! OAuth endpoint, and accepts as a bearer token either
//!
//! - an access token it issued at `token_uri` for a JWT-bearer grant
//!   (`urn:ietf:params:oauth:grant-type:jwt-bearer`, assertion signed by that key,
//!   `aud` = `token_uri` or Google's `https://oauth2.googleapis.com/token`), or
//! - a self-signed JWT signed by that key, which Google's Rust and Python auth libraries
//!   send directly for service-account keys (with a `scope` claim, or an `aud` naming
//!   the service).
//!
//! Anything else is 401 `UNAUTHENTICATED`, with Google's messages.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SecureRandom;
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::errors::ApiError;
use crate::part::PartError;

/// The audience Google's token endpoint accepts besides the key file's `token_uri`.
const GOOGLE_TOKEN_ENDPOINT: &str = "https://oauth2.googleapis.com/token";
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// How long an issued access token lives, as Google's.
const TOKEN_LIFETIME_SECONDS: u64 = 3599;
/// Clock skew allowed on `iat` / `exp`.
const SKEW_SECONDS: u64 = 300;

const MISSING: &str = "Request is missing required authentication credential. Expected OAuth 2 \
access token, login cookie or other valid authentication credential. See \
https://developers.google.com/identity/sign-in/web/devconsole-project.";
const INVALID: &str = "Request had invalid authentication credentials. Expected OAuth 2 access \
token, login cookie or other valid authentication credential. See \
https://developers.google.com/identity/sign-in/web/devconsole-project.";

/// The caller's identity: one service account with one key.
pub struct Auth {
    pub client_email: String,
    pub key_id: String,
    pub token_uri: String,
    /// PKCS#8 PEM of the private key (what the key file carries).
    private_key_pem: String,
    /// PKCS#1 `RSAPublicKey` DER, what RS256 verification takes.
    public_key: Vec<u8>,
    issued: Mutex<HashSet<String>>,
}

/// Why a token endpoint request was refused: OAuth's `{error, error_description}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            error,
            description: description.into(),
        }
    }

    pub fn body(&self) -> Value {
        json!({"error": self.error, "error_description": self.description})
    }
}

impl Auth {
    /// Makes a fresh RSA key for `client_email`.
    pub fn generate(client_email: String, token_uri: String) -> Result<Self, PartError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).map_err(|error| {
            PartError::Setup {
                part: "gcp",
                message: format!("generating the service-account RSA key: {error}"),
            }
        })?;
        Ok(Self {
            client_email,
            key_id: random_hex(20),
            token_uri,
            private_key_pem: key.serialize_pem(),
            public_key: key.public_key_raw().to_vec(),
            issued: Mutex::default(),
        })
    }

    /// The service-account key file, as the IAM API hands one out.
    pub fn key_file(&self, project: &str, client_id: &str) -> Value {
        json!({
            "type": "service_account",
            "project_id": project,
            "private_key_id": self.key_id,
            "private_key": self.private_key_pem,
            "client_email": self.client_email,
            "client_id": client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": format!(
                "https://www.googleapis.com/robot/v1/metadata/x509/{}",
                self.client_email.replace('@', "%40")
            ),
            "universe_domain": "googleapis.com",
        })
    }

    /// Writes [`Auth::key_file`] under `dir`; its path.
    pub fn write_key_file(
        &self,
        dir: &Path,
        project: &str,
        client_id: &str,
    ) -> Result<PathBuf, PartError> {
        let path = dir.join("gcp-service-account.json");
        let text = serde_json::to_string_pretty(&self.key_file(project, client_id))
            .expect("a JSON key file");
        std::fs::write(&path, text).map_err(|source| PartError::Write {
            part: "gcp",
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }

    /// The OAuth token endpoint: a form-encoded JWT-bearer grant in, an access token
    /// out.
    pub fn exchange(&self, form: &[(String, String)]) -> Result<Value, OAuthError> {
        let field = |name: &str| {
            form.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let grant = field("grant_type").unwrap_or_default();
        if grant != JWT_BEARER_GRANT {
            return Err(OAuthError::new(
                "unsupported_grant_type",
                format!("Invalid grant_type: {grant}"),
            ));
        }
        let assertion = field("assertion").ok_or_else(|| {
            OAuthError::new("invalid_request", "Missing required parameter: assertion")
        })?;
        let claims = self
            .verify_jwt(assertion)
            .map_err(|reason| OAuthError::new("invalid_grant", reason))?;
        // google-auth names Google's endpoint whatever the key file's token_uri says.
        let audience = claims["aud"].as_str().unwrap_or_default();
        if audience != self.token_uri && audience != GOOGLE_TOKEN_ENDPOINT {
            return Err(OAuthError::new(
                "invalid_grant",
                "Invalid JWT: Failed audience check.",
            ));
        }
        if claims["scope"].as_str().is_none_or(str::is_empty) {
            return Err(OAuthError::new(
                "invalid_scope",
                "Invalid OAuth scope or ID token audience provided.",
            ));
        }
        Ok(self.issue())
    }

    /// A fresh access token for the key's account, as the token endpoint answers
    /// (also what `gcloud auth print-access-token` would print, for the tests' own
    /// route).
    pub fn issue(&self) -> Value {
        let token = format!("ya29.emulator-{}", random_hex(32));
        self.issued
            .lock()
            .expect("issued tokens")
            .insert(token.clone());
        json!({
            "access_token": token,
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "token_type": "Bearer",
        })
    }

    /// Google's `tokeninfo` for an access token: whose it is. Self-signed JWTs are
    /// not access tokens, so only issued tokens are known; anything else is
    /// `invalid_token`, as Google answers.
    pub fn token_info(&self, token: &str) -> Result<Value, OAuthError> {
        if !self.issued.lock().expect("issued tokens").contains(token) {
            return Err(OAuthError::new("invalid_token", "Invalid Value"));
        }
        Ok(json!({
            "azp": self.key_id,
            "aud": self.key_id,
            "scope": "https://www.googleapis.com/auth/cloud-platform",
            "expires_in": TOKEN_LIFETIME_SECONDS.to_string(),
            "email": self.client_email,
            "email_verified": "true",
            "access_type": "online",
        }))
    }

    /// Checks a request's `authorization` header.
    pub fn check(&self, authorization: Option<&str>) -> Result<(), ApiError> {
        let Some(header) = authorization else {
            return Err(ApiError::unauthenticated(MISSING));
        };
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthenticated(INVALID))?;
        if self.issued.lock().expect("issued tokens").contains(token) {
            return Ok(());
        }
        let claims = self
            .verify_jwt(token)
            .map_err(|_| ApiError::unauthenticated(INVALID))?;
        // A self-signed JWT names either the scopes or the service it is for.
        let scoped = claims["scope"]
            .as_str()
            .is_some_and(|scope| !scope.is_empty());
        let for_a_service = claims["aud"]
            .as_str()
            .is_some_and(|aud| aud.starts_with("http"));
        if scoped || for_a_service {
            Ok(())
        } else {
            Err(ApiError::unauthenticated(INVALID))
        }
    }

    /// Verifies an RS256 JWT signed by the key, issued by the service account and
    /// current; its claims.
    fn verify_jwt(&self, token: &str) -> Result<Value, String> {
        let mut parts = token.split('.');
        let (Some(header), Some(claims), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("Invalid JWT: not a JWS compact serialization.".into());
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part.trim_end_matches('='))
                .map_err(|_| "Invalid JWT: bad base64url.".to_string())
        };
        let header_json: Value = serde_json::from_slice(&decode(header)?)
            .map_err(|_| "Invalid JWT: bad header.".to_string())?;
        if header_json["alg"] != "RS256" {
            return Err("Invalid JWT: alg must be RS256.".into());
        }
        if header_json["kid"]
            .as_str()
            .is_some_and(|kid| kid != self.key_id)
        {
            return Err("Invalid JWT Signature.".into());
        }
        let signed = &token[..header.len() + 1 + claims.len()];
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.public_key)
            .verify(signed.as_bytes(), &decode(signature)?)
            .map_err(|_| "Invalid JWT Signature.".to_string())?;
        let claims: Value = serde_json::from_slice(&decode(claims)?)
            .map_err(|_| "Invalid JWT: bad claims.".to_string())?;
        if claims["iss"].as_str() != Some(self.client_email.as_str())
            || claims["sub"]
                .as_str()
                .is_some_and(|sub| sub != self.client_email)
        {
            return Err("Invalid JWT: iss must be the service account.".into());
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let iat = claims["iat"].as_u64().unwrap_or(0);
        let exp = claims["exp"].as_u64().unwrap_or(0);
        // A lifetime of an hour, give or take the skew clients allow themselves
        // (Google's Rust auth backdates `iat`, so its tokens span 3620 s).
        if exp + SKEW_SECONDS < now
            || iat > now + SKEW_SECONDS
            || exp < iat
            || exp - iat > 3600 + SKEW_SECONDS
        {
            return Err("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.".into());
        }
        Ok(claims)
    }

    /// Forgets every issued access token.
    pub fn reset(&self) {
        self.issued.lock().expect("issued tokens").clear();
    }
}

/// `bytes` random bytes as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut buffer)
        .expect("system randomness");
    buffer.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
    use base64::engine::general_purpose::STANDARD;

    /// Signs `claims` with the private key of `auth`, as a client library would.
    pub fn sign(auth: &Auth, claims: &Value) -> String {
        let pem = auth
            .private_key_pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect::<String>();
        let der = STANDARD.decode(pem).unwrap();
        let key = RsaKeyPair::from_pkcs8(&der).unwrap();
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": auth.key_id});
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; key.public_modulus_len()];
        key.sign(
            &RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            signed.as_bytes(),
            &mut signature,
        )
        .unwrap();
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    pub fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    pub fn auth() -> Auth {
        Auth::generate(
            "caller@p.iam.gserviceaccount.com".into(),
            "http://127.0.0.1:1/token".into(),
        )
        .unwrap()
    }

    #[test]
    fn a_self_signed_jwt_or_an_issued_token_is_accepted_and_nothing_else() {
        let auth = auth();
        let self_signed = sign(
            &auth,
            &json!({
                "iss": auth.client_email, "sub": auth.client_email,
                "scope": "https://www.googleapis.com/auth/cloud-platform",
                "iat": now(), "exp": now() + 3600,
            }),
        );
        assert_eq!(auth.check(Some(&format!("Bearer {self_signed}"))), Ok(()));

        let assertion = sign(
            &auth,
            &json!({
                "iss": auth.client_email, "aud": auth.token_uri,
                "scope": "https://www.googleapis.com/auth/cloud-platform",
                "iat": now(), "exp": now() + 3600,
            }),
        );
        let form = vec![
            ("grant_type".to_string(), JWT_BEARER_GRANT.to_string()),
            ("assertion".to_string(), assertion),
        ];
        let answer = auth.exchange(&form).unwrap();
        let token = answer["access_token"].as_str().unwrap();
        assert_eq!(auth.check(Some(&format!("Bearer {token}"))), Ok(()));

        for bad in [None, Some("Bearer ya29.made-up"), Some("Basic eDp5")] {
            assert_eq!(
                auth.check(bad).unwrap_err().status,
                "UNAUTHENTICATED",
                "{bad:?}"
            );
        }
        let expired = sign(
            &auth,
            &json!({
                "iss": auth.client_email, "scope": "s", "iat": now() - 7200, "exp": now() - 3600,
            }),
        );
        assert!(auth.check(Some(&format!("Bearer {expired}"))).is_err());
        let other = super::tests::auth();
        let foreign = sign(
            &other,
            &json!({
                "iss": auth.client_email, "scope": "s", "iat": now(), "exp": now() + 60,
            }),
        );
        assert!(
            auth.check(Some(&format!("Bearer {foreign}"))).is_err(),
            "another key"
        );
        let refused = auth
            .exchange(&[("grant_type".into(), "password".into())])
            .unwrap_err();
        assert_eq!(refused.error, "unsupported_grant_type");
    }
}
