//! The caller as an IAM member (`serviceAccount:EMAIL` or `user:EMAIL`), the default
//! of a cluster's `admin_principals`. What the configuration already says is used
//! without a call: the impersonated account, a service-account key's `client_email`,
//! the account a credentials JSON impersonates (`service_account_impersonation_url`).
//! Anything else (an access token, a gcloud user login, the metadata server) is asked
//! of Google's OAuth2 `tokeninfo` endpoint, which names the email a token belongs to.
//! A federated token without an impersonated account has no email: the caller then
//! names `admin_principals` itself (the error says so).

use super::GcpBackend;
use super::credentials;
use crate::clouds::{Caller, CloudError};
use crate::config::gcp::GcpConfig;
use google_cloud_auth::credentials::{CacheableResource, Credentials};
use http::Extensions;
use http::header::AUTHORIZATION;
use serde_json::Value;

/// Google's OAuth2 endpoint, where `tokeninfo` lives.
const OAUTH2: &str = "https://oauth2.googleapis.com";

/// Who the credentials are, as far as the configuration tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallerHint {
    /// The configuration names the member.
    Member(String),
    /// Only the token can tell: ask `tokeninfo`.
    AskTokenInfo,
}

/// `serviceAccount:` for Google service accounts, `user:` for everyone else.
pub fn member_of_email(email: &str) -> String {
    if email.ends_with(".gserviceaccount.com") {
        format!("serviceAccount:{email}")
    } else {
        format!("user:{email}")
    }
}

/// The account of an IAM Credentials URL
/// (`.../serviceAccounts/EMAIL:generateAccessToken`).
fn impersonated_in_url(url: &str) -> Option<String> {
    let rest = url.split("/serviceAccounts/").nth(1)?;
    let email = rest.split(':').next()?;
    email.contains('@').then(|| email.to_string())
}

/// The member a credentials JSON names, if it names one.
fn member_of_json(json: &Value) -> Option<String> {
    let field = |name: &str| json.get(name).and_then(Value::as_str);
    match field("type") {
        Some("service_account") => field("client_email").map(member_of_email),
        Some("impersonated_service_account" | "external_account") => {
            field("service_account_impersonation_url")
                .and_then(impersonated_in_url)
                .map(|e| member_of_email(&e))
        }
        _ => None,
    }
}

/// What the provider block (and, for Application Default Credentials,
/// `GOOGLE_APPLICATION_CREDENTIALS`) says about the caller.
pub fn hint(config: &GcpConfig) -> CallerHint {
    if let Some(target) = &config.impersonate_service_account {
        return CallerHint::Member(member_of_email(target));
    }
    if config.access_token.is_some() {
        return CallerHint::AskTokenInfo;
    }
    let text = config
        .credentials
        .clone()
        .or_else(|| std::env::var("GOOGLE_APPLICATION_CREDENTIALS").ok());
    text.and_then(|t| credentials::credentials_json(&t).ok())
        .and_then(|json| member_of_json(&json))
        .map_or(CallerHint::AskTokenInfo, CallerHint::Member)
}

/// Where `tokeninfo` is: under the `oauth2` endpoint override, else Google's.
pub fn tokeninfo_url(config: &GcpConfig) -> String {
    let base = config.endpoint("oauth2").unwrap_or(OAUTH2);
    format!("{}/tokeninfo", base.trim_end_matches('/'))
}

/// The access token the credentials send (the bearer of the `authorization` header).
async fn access_token(creds: &Credentials) -> Result<String, CloudError> {
    let headers = creds
        .headers(Extensions::new())
        .await
        .map_err(|e| CloudError::Transport(format!("getting an access token: {e}")))?;
    let CacheableResource::New { data, .. } = headers else {
        return Err(CloudError::Transport(
            "the credentials gave no access token".into(),
        ));
    };
    data.get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_string)
        .ok_or_else(|| CloudError::Transport("the credentials gave no bearer token".into()))
}

/// Asks `tokeninfo` whose token the credentials send.
async fn ask_tokeninfo(url: &str, creds: &Credentials) -> Result<String, CloudError> {
    let token = access_token(creds).await?;
    let answer = reqwest::Client::new()
        .post(url)
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .map_err(|e| CloudError::Transport(format!("asking {url} who the caller is: {e}")))?;
    let status = answer.status();
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let error = body["error"].as_str().unwrap_or("no error code");
        let why = body["error_description"]
            .as_str()
            .unwrap_or("no reason given");
        return Err(CloudError::Invalid(format!(
            "Google's tokeninfo refused the token ({status}: {error}: {why})"
        )));
    }
    body["email"]
        .as_str()
        .filter(|e| !e.is_empty())
        .map(member_of_email)
        .ok_or_else(|| {
            CloudError::Invalid(
                "the credentials' token names no email (a workload identity federation principal without service account impersonation)".into(),
            )
        })
}

#[async_trait::async_trait]
impl Caller for GcpBackend {
    async fn principal(&self) -> Result<String, CloudError> {
        match &self.caller {
            CallerHint::Member(member) => Ok(member.clone()),
            CallerHint::AskTokenInfo => {
                ask_tokeninfo(&self.tokeninfo_url, &self.clients.credentials).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_names_the_caller_when_it_can() {
        let key = GcpConfig {
            credentials: Some(
                r#"{"type": "service_account", "client_email": "ci@p.iam.gserviceaccount.com"}"#
                    .into(),
            ),
            ..GcpConfig::default()
        };
        assert_eq!(
            hint(&key),
            CallerHint::Member("serviceAccount:ci@p.iam.gserviceaccount.com".into())
        );
        let federated = GcpConfig {
            credentials: Some(r#"{"type": "external_account", "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/deploy@p.iam.gserviceaccount.com:generateAccessToken"}"#.into()),
            ..GcpConfig::default()
        };
        assert_eq!(
            hint(&federated),
            CallerHint::Member("serviceAccount:deploy@p.iam.gserviceaccount.com".into())
        );
        let impersonating = GcpConfig {
            impersonate_service_account: Some("admin@p.iam.gserviceaccount.com".into()),
            ..key.clone()
        };
        assert_eq!(
            hint(&impersonating),
            CallerHint::Member("serviceAccount:admin@p.iam.gserviceaccount.com".into())
        );
        let token = GcpConfig {
            access_token: Some("ya29.x".into()),
            ..GcpConfig::default()
        };
        assert_eq!(hint(&token), CallerHint::AskTokenInfo);
        let user = GcpConfig {
            credentials: Some(r#"{"type": "authorized_user"}"#.into()),
            ..GcpConfig::default()
        };
        assert_eq!(hint(&user), CallerHint::AskTokenInfo);
    }

    #[test]
    fn people_are_users_and_robots_are_service_accounts() {
        assert_eq!(
            member_of_email("alice@example.com"),
            "user:alice@example.com"
        );
        assert_eq!(
            member_of_email("ci@p.iam.gserviceaccount.com"),
            "serviceAccount:ci@p.iam.gserviceaccount.com"
        );
    }
}
