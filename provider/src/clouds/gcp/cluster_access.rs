//! GKE cluster tokens: the caller's own OAuth access token (cloud-platform scope), from
//! the credentials the `gcp {}` block configures; GKE maps it to the caller's IAM
//! principal, as `gke-gcloud-auth-plugin` does without the plugin.

use super::credentials;
use crate::clouds::model::ClusterState;
use crate::clouds::{CloudError, ClusterAccess, ClusterToken};
use crate::config::gcp::GcpConfig;
use google_cloud_auth::credentials::{CacheableResource, Credentials};
use http::{Extensions, header::AUTHORIZATION};
use std::time::{Duration, SystemTime};

/// The credentials hand out headers, not the token's expiry. The library refreshes a
/// token well before it expires, so a token it hands out is good for at least this
/// long; `expires_at` says no more than that.
const REPORTED_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// Tokens from the block's credentials (their own cache, next to the clients').
pub struct GcpClusterAccess {
    credentials: Credentials,
}

impl GcpClusterAccess {
    /// Builds the credentials as the backend does; makes no request.
    pub fn connect(config: &GcpConfig) -> Result<Self, CloudError> {
        Ok(GcpClusterAccess {
            credentials: credentials::from_config(config)?,
        })
    }
}

/// The token of a `Bearer <token>` authorization header.
fn bearer_token(credentials_headers: &http::HeaderMap) -> Result<String, CloudError> {
    credentials_headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .ok_or_else(|| {
            CloudError::Transport(
                "gcp: the credentials gave no bearer token for the cluster".into(),
            )
        })
}

#[async_trait::async_trait]
impl ClusterAccess for GcpClusterAccess {
    async fn token(&self, _cluster: &ClusterState) -> Result<ClusterToken, CloudError> {
        let headers = self
            .credentials
            .headers(Extensions::new())
            .await
            .map_err(|e| CloudError::Transport(format!("gcp: cannot get an access token: {e}")))?;
        let CacheableResource::New { data, .. } = headers else {
            // Only a caller that passes an entity tag is told "not modified".
            return Err(CloudError::Transport(
                "gcp: the credentials answered \"not modified\" to a first request".into(),
            ));
        };
        Ok(ClusterToken {
            token: bearer_token(&data)?,
            expires_at: SystemTime::now() + REPORTED_LIFETIME,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_token_is_the_callers_access_token() {
        let access = GcpClusterAccess::connect(&GcpConfig {
            access_token: Some("ya29.caller".into()),
            ..GcpConfig::default()
        })
        .unwrap();
        let before = SystemTime::now();
        let token = access
            .token(&crate::clouds::cluster_access::test_cluster("id", "ml"))
            .await
            .unwrap();
        assert_eq!(token.token, "ya29.caller");
        assert!(token.expires_at >= before + REPORTED_LIFETIME);
    }
}
