//! Reaching a cluster's API server: a short-lived token from the cluster's cloud (the
//! one seam each cloud implements), and the connection the resources use, put
//! together here from the cluster's state and the provider block (`endpoints {
//! kubernetes }`, `ca_certificate_file`).

use super::model::{ClusterSpec, ClusterState};
use super::{CloudError, Clouds};
use crate::Cloud;
use crate::kube::{ClusterConnection, ServerTrust};
use std::time::SystemTime;
use tfplug::{AttributePath, Diagnostic};

/// A bearer token a cluster's API server accepts, and when it stops working.
pub struct ClusterToken {
    pub token: String,
    /// Already less a margin, so a client never sends a token about to expire.
    pub expires_at: SystemTime,
}

/// The token is never printed.
impl std::fmt::Debug for ClusterToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterToken")
            .field("token", &format_args!("<redacted>"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// How the provider authenticates to a cluster's API server on one cloud: EKS a
/// presigned STS GetCallerIdentity URL, AKS an Entra token for the AKS server
/// application, GKE the caller's OAuth access token.
#[async_trait::async_trait]
pub trait ClusterAccess: Send + Sync {
    /// A fresh token for `cluster`, as the provider's credentials.
    async fn token(&self, cluster: &ClusterState) -> Result<ClusterToken, CloudError>;
}

impl Clouds {
    /// The cluster `cluster_id` of `cloud` as its cloud reports it, and a connection to
    /// its API server. Errors are diagnostics on `cluster_id`.
    pub async fn cluster_connection(
        &self,
        cloud: Cloud,
        cluster_id: &str,
    ) -> Result<(ClusterState, ClusterConnection), Diagnostic> {
        let at = || AttributePath::attr("cluster_id");
        let backend = self.backend::<ClusterSpec, ClusterState>(cloud).await?;
        let cluster = backend
            .read(cluster_id)
            .await
            .map_err(|e| Diagnostic::error("Cannot read the cluster", e.to_string()).at(at()))?
            .ok_or_else(|| {
                Diagnostic::error(
                    "Cluster not found",
                    format!("No {cloud} cluster has the id {cluster_id:?}; was it deleted?"),
                )
                .at(at())
            })?;
        let access = self.cluster_access(cloud).await?;
        let token = access.token(&cluster).await.map_err(|e| {
            Diagnostic::error("Cannot get a token for the cluster", e.to_string()).at(at())
        })?;
        let override_url = self.config().kubernetes_endpoint(cloud);
        if override_url.is_none() && cluster.endpoint.is_empty() {
            return Err(Diagnostic::error(
                "The cluster has no API server endpoint",
                format!(
                    "The {cloud} cluster {cluster_id:?} reports no endpoint (status {}); wait until it is running.",
                    cluster.status
                ),
            )
            .at(at()));
        }
        let connection = match override_url {
            Some(url) => ClusterConnection {
                server_url: url.to_string(),
                ca_pem: cluster.ca_certificate.clone(),
                token: token.token,
                expires_at: token.expires_at,
                trust: ServerTrust::SystemRoots {
                    extra_ca_file: self.config().ca_certificate_file(cloud).map(str::to_string),
                },
            },
            None => ClusterConnection {
                server_url: cluster.endpoint.clone(),
                ca_pem: cluster.ca_certificate.clone(),
                token: token.token,
                expires_at: token.expires_at,
                trust: ServerTrust::ClusterCa,
            },
        };
        Ok((cluster, connection))
    }
}

/// A running cluster's state with `id` and `name`, for the tokens' unit tests.
#[cfg(test)]
pub(crate) fn test_cluster(id: &str, name: &str) -> ClusterState {
    use super::model::{AwsClusterSettings, EndpointAccess, PerCloud, SystemPool};
    ClusterState {
        id: id.into(),
        name: name.into(),
        location: "us-east-1".into(),
        kubernetes_version: "1.33".into(),
        endpoint_access: EndpointAccess::Private,
        authorized_cidrs: Default::default(),
        encryption_key_id: None,
        identity_id: None,
        system_pool: SystemPool {
            machine_type: "m7i.large".into(),
            node_count: 2,
            node_identity_id: None,
        },
        admin_principals: Default::default(),
        logging: Default::default(),
        tags: Default::default(),
        cloud: PerCloud::Aws(AwsClusterSettings::default()),
        endpoint: "https://k8s.example".into(),
        ca_certificate: String::new(),
        oidc_issuer_url: String::new(),
        status: "ACTIVE".into(),
    }
}
