//! GKE cluster tokens: the caller's own OAuth access token (cloud-platform scope), from
//! the credentials the `gcp {}` block configures; GKE maps it to the caller's IAM
//! principal, as `gke-gcloud-auth-plugin` does without the plugin.

use super::credentials;
use crate::clouds::model::{ClusterState, IdentityState};
use crate::clouds::{CloudError, ClusterAccess, ClusterToken, konnectivity_agents};
use crate::config::gcp::GcpConfig;
use crate::serving::spec::{ControlPlanePeer, WorkloadBinding};
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

    fn pool_label(&self) -> &'static str {
        "cloud.google.com/gke-nodepool"
    }

    /// GKE Workload Identity: the service account names the Google service account
    /// whose `roles/iam.workloadIdentityUser` binding trusts it.
    fn workload_binding(&self, identity: &IdentityState) -> WorkloadBinding {
        WorkloadBinding {
            service_account_annotations: [(
                "iam.gke.io/gcp-service-account".to_string(),
                identity.principal.clone(),
            )]
            .into(),
            ..WorkloadBinding::default()
        }
    }

    /// A private cluster's control plane calls pods from its CIDR block; newer GKE
    /// versions tunnel through konnectivity agents instead, so both are admitted.
    async fn control_plane_peers(
        &self,
        cluster: &ClusterState,
    ) -> Result<Vec<ControlPlanePeer>, CloudError> {
        let mut peers = vec![konnectivity_agents("k8s-app")];
        if let Some(block) = cluster
            .cloud
            .gcp()
            .and_then(|g| g.master_ipv4_cidr_block.clone())
        {
            peers.insert(0, ControlPlanePeer::Cidr(block));
        }
        Ok(peers)
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
