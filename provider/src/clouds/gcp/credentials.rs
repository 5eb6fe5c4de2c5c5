//! Credentials from the provider's `gcp {}` block, in this order:
//!
//! 1. `access_token`: used as is, never refreshed (short-lived by design);
//! 2. `credentials`: a credentials JSON, inline or a file path, of type
//!    `service_account` (a key), `external_account` (workload identity federation, as
//!    CI pipelines use), `authorized_user` or `impersonated_service_account`;
//! 3. else Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, the
//!    gcloud login, the metadata server).
//!
//! `impersonate_service_account` then wraps whichever base was chosen. The `oauth2`
//! endpoint override replaces the token URL a credentials JSON names. Nothing here
//! prints a secret: errors name the setting and the credential type only.

use crate::clouds::CloudError;
use crate::config::gcp::GcpConfig;
use google_cloud_auth::credentials::{
    self, CacheableResource, Credentials, CredentialsProvider, EntityTag,
};
use google_cloud_gax::error::CredentialsError;
use http::{Extensions, HeaderMap, HeaderValue, header::AUTHORIZATION};

/// The scope every mlcloud call needs (GKE, Cloud KMS, IAM, Resource Manager).
pub const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

/// Why the block's credentials cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsSetupError {
    #[error("gcp.credentials is neither JSON nor a readable file: {0}")]
    Unreadable(String),
    #[error("gcp.credentials is not a JSON object")]
    NotAnObject,
    #[error(
        "gcp.credentials has type \"{0}\"; expected service_account, external_account, authorized_user or impersonated_service_account"
    )]
    UnknownType(String),
    #[error("gcp.access_token is not a legal header value")]
    BadToken,
    #[error("cannot build {kind} credentials: {detail}")]
    Build { kind: &'static str, detail: String },
}

impl From<CredentialsSetupError> for CloudError {
    fn from(e: CredentialsSetupError) -> Self {
        CloudError::Transport(e.to_string())
    }
}

/// A fixed bearer token. `Debug` never shows it.
struct AccessToken {
    header: HeaderValue,
    tag: EntityTag,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl CredentialsProvider for AccessToken {
    async fn headers(
        &self,
        extensions: Extensions,
    ) -> Result<CacheableResource<HeaderMap>, CredentialsError> {
        if extensions.get::<EntityTag>() == Some(&self.tag) {
            return Ok(CacheableResource::NotModified);
        }
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, self.header.clone());
        Ok(CacheableResource::New {
            entity_tag: self.tag.clone(),
            data: headers,
        })
    }

    async fn universe_domain(&self) -> Option<String> {
        None
    }
}

fn access_token(token: &str) -> Result<Credentials, CredentialsSetupError> {
    let mut header = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| CredentialsSetupError::BadToken)?;
    header.set_sensitive(true);
    Ok(AccessToken {
        header,
        tag: EntityTag::new(),
    }
    .into())
}

/// The JSON of `credentials`: the text itself when it is JSON, else a file's contents.
pub(super) fn credentials_json(text: &str) -> Result<serde_json::Value, CredentialsSetupError> {
    let trimmed = text.trim_start();
    let contents = if trimmed.starts_with('{') {
        trimmed.to_string()
    } else {
        std::fs::read_to_string(text).map_err(|e| {
            CredentialsSetupError::Unreadable(format!("reading {text:?}: {}", e.kind()))
        })?
    };
    let json: serde_json::Value = serde_json::from_str(&contents)
        // serde's message quotes no input, only a line and column.
        .map_err(|e| CredentialsSetupError::Unreadable(e.to_string()))?;
    if json.is_object() {
        Ok(json)
    } else {
        Err(CredentialsSetupError::NotAnObject)
    }
}

fn build_error(
    kind: &'static str,
) -> impl Fn(google_cloud_auth::build_errors::Error) -> CredentialsSetupError {
    move |e| CredentialsSetupError::Build {
        kind,
        detail: e.to_string(),
    }
}

/// Points a credentials JSON's token exchange at the `oauth2` endpoint override: the
/// URL service-account keys and user credentials name as `token_uri`, and external
/// accounts as `token_url` (the STS endpoint), becomes `<override>/token`.
fn with_token_endpoint(mut json: serde_json::Value, oauth2: Option<&str>) -> serde_json::Value {
    if let (Some(base), Some(fields)) = (oauth2, json.as_object_mut()) {
        let url = format!("{}/token", base.trim_end_matches('/'));
        for field in ["token_uri", "token_url"] {
            if fields.contains_key(field) {
                fields.insert(field.into(), serde_json::Value::String(url.clone()));
            }
        }
    }
    json
}

/// Credentials of a credentials JSON, by its `type`.
fn from_json(json: serde_json::Value) -> Result<Credentials, CredentialsSetupError> {
    let kind = json
        .get("type")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string();
    match kind.as_str() {
        "service_account" => credentials::service_account::Builder::new(json)
            .with_access_specifier(credentials::service_account::AccessSpecifier::from_scopes(
                [CLOUD_PLATFORM],
            ))
            .build()
            .map_err(build_error("service account")),
        "external_account" => credentials::external_account::Builder::new(json)
            .with_scopes([CLOUD_PLATFORM])
            .build()
            .map_err(build_error("external account")),
        "authorized_user" => credentials::user_account::Builder::new(json)
            .with_scopes([CLOUD_PLATFORM])
            .build()
            .map_err(build_error("authorized user")),
        "impersonated_service_account" => credentials::impersonated::Builder::new(json)
            .with_scopes([CLOUD_PLATFORM])
            .build()
            .map_err(build_error("impersonated service account")),
        _ => Err(CredentialsSetupError::UnknownType(kind)),
    }
}

/// The credentials the block asks for (see the module comment for the order).
pub fn from_config(config: &GcpConfig) -> Result<Credentials, CredentialsSetupError> {
    let base = if let Some(token) = &config.access_token {
        access_token(token)?
    } else if let Some(text) = &config.credentials {
        from_json(with_token_endpoint(
            credentials_json(text)?,
            config.endpoint("oauth2"),
        ))?
    } else {
        credentials::Builder::default()
            .with_scopes([CLOUD_PLATFORM])
            .build()
            .map_err(build_error("application default"))?
    };
    match &config.impersonate_service_account {
        Some(target) => credentials::impersonated::Builder::from_source_credentials(base)
            .with_target_principal(target)
            .with_scopes([CLOUD_PLATFORM])
            .build()
            .map_err(build_error("impersonated")),
        None => Ok(base),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(creds: &Credentials) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let headers = rt.block_on(creds.headers(Extensions::new())).unwrap();
        match headers {
            CacheableResource::New { data, .. } => data
                .get(AUTHORIZATION)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string(),
            CacheableResource::NotModified => panic!("first call is new"),
        }
    }

    #[test]
    fn an_access_token_is_sent_as_is_and_never_printed() {
        let config = GcpConfig {
            access_token: Some("ya29.planted".into()),
            ..GcpConfig::default()
        };
        let creds = from_config(&config).unwrap();
        assert_eq!(bearer(&creds), "Bearer ya29.planted");
        assert!(!format!("{creds:?}").contains("planted"));
    }

    #[test]
    fn credentials_json_is_inline_or_a_file_and_errors_quote_no_secret() {
        let e = from_config(&GcpConfig {
            credentials: Some(r#"{"type": "planted_kind", "private_key": "planted"}"#.into()),
            ..GcpConfig::default()
        })
        .unwrap_err();
        assert!(matches!(e, CredentialsSetupError::UnknownType(_)), "{e}");

        let e = from_config(&GcpConfig {
            credentials: Some("/nonexistent/planted.json".into()),
            ..GcpConfig::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("not found"), "{e}");

        let e = from_config(&GcpConfig {
            credentials: Some("{\"private_key\": \"planted".into()),
            ..GcpConfig::default()
        })
        .unwrap_err();
        assert!(!e.to_string().contains("planted"), "{e}");
    }

    #[test]
    fn the_oauth2_override_replaces_the_token_url_of_each_kind() {
        let key = serde_json::json!({"type": "service_account", "token_uri": "https://oauth2.googleapis.com/token"});
        let federated = serde_json::json!({"type": "external_account", "token_url": "https://sts.googleapis.com/v1/token"});
        let over = Some("http://127.0.0.1:9/");
        assert_eq!(
            with_token_endpoint(key.clone(), over)["token_uri"],
            "http://127.0.0.1:9/token"
        );
        assert_eq!(
            with_token_endpoint(federated, over)["token_url"],
            "http://127.0.0.1:9/token"
        );
        assert_eq!(with_token_endpoint(key.clone(), None), key);
    }

    #[tokio::test]
    async fn a_service_account_key_file_builds_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sa.json");
        // A syntactically complete key; the private key is only parsed when signing.
        std::fs::write(
            &path,
            serde_json::json!({
                "type": "service_account",
                "project_id": "ml-proj",
                "private_key_id": "k1",
                "private_key": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
                "client_email": "ci@ml-proj.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": "http://127.0.0.1:1/token",
            })
            .to_string(),
        )
        .unwrap();
        let config = GcpConfig {
            credentials: Some(path.to_string_lossy().into_owned()),
            ..GcpConfig::default()
        };
        assert!(from_config(&config).is_ok());
    }
}
