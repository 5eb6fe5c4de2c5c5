//! Cloud backends. Resources are cloud-neutral: they build a spec from the plan and
//! call a backend through the traits here; a backend only translates to one cloud's
//! API (expand / flatten / find / wait, as in hashicorp/terraform-provider-aws).

pub mod aws;
mod error;
pub mod model;
mod registry;

pub use error::{CloudError, Outcome, PartialFailure};
pub use registry::Clouds;

use model::*;

#[async_trait::async_trait]
pub trait KmsBackend: Send + Sync {
    async fn create_key(&self, spec: &KeySpec, op: &Op) -> Outcome<KeyState>;
    /// `Ok(None)` when the key is gone or scheduled for deletion.
    async fn read_key(&self, id: &str) -> Result<Option<KeyState>, CloudError>;
    async fn update_key(&self, id: &str, spec: &KeySpec, op: &Op) -> Outcome<KeyState>;
    /// Schedules deletion after the spec's window (keys are never deleted at once).
    async fn delete_key(
        &self,
        id: &str,
        deletion_window_days: u32,
        op: &Op,
    ) -> Result<(), CloudError>;
}

#[async_trait::async_trait]
pub trait IdentityBackend: Send + Sync {
    async fn create_identity(&self, spec: &IdentitySpec, op: &Op) -> Outcome<IdentityState>;
    async fn read_identity(&self, id: &str) -> Result<Option<IdentityState>, CloudError>;
    async fn update_identity(
        &self,
        id: &str,
        spec: &IdentitySpec,
        op: &Op,
    ) -> Outcome<IdentityState>;
    async fn delete_identity(&self, id: &str, op: &Op) -> Result<(), CloudError>;
}

#[async_trait::async_trait]
pub trait ClusterBackend: Send + Sync {
    /// Creates the cluster and its system pool and waits until both are ready.
    async fn create_cluster(&self, spec: &ClusterSpec, op: &Op) -> Outcome<ClusterState>;
    async fn read_cluster(&self, id: &str) -> Result<Option<ClusterState>, CloudError>;
    /// Applies what changed between `prior` and `spec` in place, waiting for each update.
    async fn update_cluster(
        &self,
        id: &str,
        prior: &ClusterState,
        spec: &ClusterSpec,
        op: &Op,
    ) -> Outcome<ClusterState>;
    async fn delete_cluster(&self, id: &str, op: &Op) -> Result<(), CloudError>;
}

#[async_trait::async_trait]
pub trait NodePoolBackend: Send + Sync {
    async fn create_node_pool(&self, spec: &NodePoolSpec, op: &Op) -> Outcome<NodePoolState>;
    async fn read_node_pool(&self, id: &str) -> Result<Option<NodePoolState>, CloudError>;
    async fn update_node_pool(
        &self,
        id: &str,
        prior: &NodePoolState,
        spec: &NodePoolSpec,
        op: &Op,
    ) -> Outcome<NodePoolState>;
    async fn delete_node_pool(&self, id: &str, op: &Op) -> Result<(), CloudError>;
}
