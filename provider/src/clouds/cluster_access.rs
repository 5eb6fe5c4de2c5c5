//! Reaching a cluster's API server: a short-lived token from the cluster's cloud (the
//! one seam each cloud implements), and the connection the resources use, put
//! together here from the cluster's state and the provider block (`endpoints {
//! kubernetes }`, `ca_certificate_file`).

use super::model::{ClusterSpec, ClusterState, IdentityState};
use super::{CloudError, Clouds};
use crate::Cloud;
use crate::kube::{ClusterConnection, ServerTrust};
use crate::serving::spec::{ControlPlanePeer, WorkloadBinding};
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

/// How the provider reaches and uses a cluster on one cloud: a token for its API
/// server (EKS a presigned STS GetCallerIdentity URL, AKS an Entra token for the AKS
/// server application, GKE the caller's OAuth access token), and what a workload in
/// it needs from the cloud (which label names a node's pool, how a service account
/// acts as a cloud identity, where the control plane's traffic comes from).
#[async_trait::async_trait]
pub trait ClusterAccess: Send + Sync {
    /// A fresh token for `cluster`, as the provider's credentials.
    async fn token(&self, cluster: &ClusterState) -> Result<ClusterToken, CloudError>;

    /// The node label whose value is the name of the node's pool
    /// (`eks.amazonaws.com/nodegroup`, `kubernetes.azure.com/agentpool`,
    /// `cloud.google.com/gke-nodepool`).
    fn pool_label(&self) -> &'static str;

    /// What ties a Kubernetes service account (and its pods) to the workload
    /// `identity`: IRSA's role annotation, Azure's workload-identity label and
    /// client-id annotation, GKE's service-account annotation.
    fn workload_binding(&self, identity: &IdentityState) -> WorkloadBinding;

    /// Where the API server's requests to pods come from (its service proxy), so a
    /// NetworkPolicy can admit them: EKS the cluster's subnets, GKE the control
    /// plane's CIDR block and its konnectivity agents, AKS its konnectivity agents.
    async fn control_plane_peers(
        &self,
        cluster: &ClusterState,
    ) -> Result<Vec<ControlPlanePeer>, CloudError>;

    /// Where [`CloudRules::pools_need_cluster_autoscaler`]: makes sure the cluster
    /// autoscaler's own cloud identity for `cluster` exists (idempotent) and returns
    /// how its service account is bound to it.
    ///
    /// [`CloudRules::pools_need_cluster_autoscaler`]: super::CloudRules::pools_need_cluster_autoscaler
    async fn ensure_autoscaler_identity(
        &self,
        _cluster: &ClusterState,
    ) -> Result<WorkloadBinding, CloudError> {
        Err(CloudError::Invalid(
            "this cloud scales node pools itself; it runs no cluster autoscaler".into(),
        ))
    }

    /// Deletes the autoscaler's identity of `cluster`; gone already is fine.
    async fn remove_autoscaler_identity(&self, _cluster: &ClusterState) -> Result<(), CloudError> {
        Ok(())
    }

    /// The names of the cluster's node pools the autoscaler discovers, as the cloud
    /// reports them now.
    async fn autoscaled_pools(&self, _cluster: &ClusterState) -> Result<Vec<String>, CloudError> {
        Ok(Vec::new())
    }

    /// The cloud's arguments of the autoscaler's command line (its cloud provider and
    /// how it finds the pools).
    fn autoscaler_args(&self, _cluster: &ClusterState) -> Vec<String> {
        Vec::new()
    }
}

/// The pods that tunnel the control plane's traffic into the cluster on AKS and on
/// GKE (konnectivity agents in `kube-system`): requests through the service proxy
/// reach pods from them. AKS labels them `app: konnectivity-agent`, GKE
/// `k8s-app: konnectivity-agent`, hence the label key.
pub fn konnectivity_agents(label_key: &str) -> ControlPlanePeer {
    ControlPlanePeer::Pods {
        namespace: "kube-system".into(),
        labels: [(label_key.to_string(), "konnectivity-agent".to_string())].into(),
    }
}

impl Clouds {
    /// The cluster `cluster_id` of `cloud` as its cloud reports it, and a connection to
    /// its API server. Errors are diagnostics on `cluster_id`.
    pub async fn cluster_connection(
        &self,
        cloud: Cloud,
        cluster_id: &str,
    ) -> Result<(ClusterState, ClusterConnection), Diagnostic> {
        let cluster = self.find_cluster(cloud, cluster_id).await?.ok_or_else(|| {
            Diagnostic::error(
                "Cluster not found",
                format!("No {cloud} cluster has the id {cluster_id:?}; was it deleted?"),
            )
            .at(AttributePath::attr("cluster_id"))
        })?;
        let connection = self.connect_to(cloud, &cluster).await?;
        Ok((cluster, connection))
    }

    /// The cluster `cluster_id` of `cloud`, `None` when it does not exist (what lives
    /// in a deleted cluster is gone with it).
    pub async fn find_cluster(
        &self,
        cloud: Cloud,
        cluster_id: &str,
    ) -> Result<Option<ClusterState>, Diagnostic> {
        let backend = self.backend::<ClusterSpec, ClusterState>(cloud).await?;
        match backend.read(cluster_id).await {
            Ok(found) => Ok(found),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(Diagnostic::error("Cannot read the cluster", e.to_string())
                .at(AttributePath::attr("cluster_id"))),
        }
    }

    /// A connection to `cluster`'s API server with a fresh token; the provider
    /// block's `endpoints { kubernetes }` and `ca_certificate_file` apply.
    pub async fn connect_to(
        &self,
        cloud: Cloud,
        cluster: &ClusterState,
    ) -> Result<ClusterConnection, Diagnostic> {
        let at = || AttributePath::attr("cluster_id");
        let access = self.cluster_access(cloud).await?;
        let token = access.token(cluster).await.map_err(|e| {
            Diagnostic::error("Cannot get a token for the cluster", e.to_string()).at(at())
        })?;
        let override_url = self.config().kubernetes_endpoint(cloud);
        if override_url.is_none() && cluster.endpoint.is_empty() {
            return Err(Diagnostic::error(
                "The cluster has no API server endpoint",
                format!(
                    "The {cloud} cluster {:?} reports no endpoint (status {}); wait until it is running.",
                    cluster.id, cluster.status
                ),
            )
            .at(at()));
        }
        Ok(match override_url {
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
        })
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
