//! The AWS backend: EKS, KMS, IAM, STS and EC2 through the official SDK crates.
//! (Being written; the lead's stub keeps the crate compiling.)

use super::CloudError;
use crate::config::aws::AwsConfig;

/// Clients for every AWS service mlcloud calls, built once per provider configuration.
pub struct AwsBackend {}

impl AwsBackend {
    /// Resolves credentials (the standard chain unless the block sets them) and builds
    /// the service clients with the block's endpoint overrides and retry settings.
    pub async fn connect(_config: &AwsConfig) -> Result<AwsBackend, CloudError> {
        Err(CloudError::Transport(
            "the AWS backend is not built yet".into(),
        ))
    }
}

// Temporary: every call fails until the real implementations land.
fn not_built<T>() -> Result<T, CloudError> {
    Err(CloudError::Transport(
        "the AWS backend is not built yet".into(),
    ))
}

use super::model::*;
use super::{ClusterBackend, IdentityBackend, KmsBackend, NodePoolBackend, Outcome};

#[async_trait::async_trait]
impl KmsBackend for AwsBackend {
    async fn create_key(&self, _: &KeySpec, _: &Op) -> Outcome<KeyState> {
        Ok(not_built()?)
    }
    async fn read_key(&self, _: &str) -> Result<Option<KeyState>, CloudError> {
        not_built()
    }
    async fn update_key(&self, _: &str, _: &KeySpec, _: &Op) -> Outcome<KeyState> {
        Ok(not_built()?)
    }
    async fn delete_key(&self, _: &str, _: u32, _: &Op) -> Result<(), CloudError> {
        not_built()
    }
}

#[async_trait::async_trait]
impl IdentityBackend for AwsBackend {
    async fn create_identity(&self, _: &IdentitySpec, _: &Op) -> Outcome<IdentityState> {
        Ok(not_built()?)
    }
    async fn read_identity(&self, _: &str) -> Result<Option<IdentityState>, CloudError> {
        not_built()
    }
    async fn update_identity(&self, _: &str, _: &IdentitySpec, _: &Op) -> Outcome<IdentityState> {
        Ok(not_built()?)
    }
    async fn delete_identity(&self, _: &str, _: &Op) -> Result<(), CloudError> {
        not_built()
    }
}

#[async_trait::async_trait]
impl ClusterBackend for AwsBackend {
    async fn create_cluster(&self, _: &ClusterSpec, _: &Op) -> Outcome<ClusterState> {
        Ok(not_built()?)
    }
    async fn read_cluster(&self, _: &str) -> Result<Option<ClusterState>, CloudError> {
        not_built()
    }
    async fn update_cluster(
        &self,
        _: &str,
        _: &ClusterState,
        _: &ClusterSpec,
        _: &Op,
    ) -> Outcome<ClusterState> {
        Ok(not_built()?)
    }
    async fn delete_cluster(&self, _: &str, _: &Op) -> Result<(), CloudError> {
        not_built()
    }
}

#[async_trait::async_trait]
impl NodePoolBackend for AwsBackend {
    async fn create_node_pool(&self, _: &NodePoolSpec, _: &Op) -> Outcome<NodePoolState> {
        Ok(not_built()?)
    }
    async fn read_node_pool(&self, _: &str) -> Result<Option<NodePoolState>, CloudError> {
        not_built()
    }
    async fn update_node_pool(
        &self,
        _: &str,
        _: &NodePoolState,
        _: &NodePoolSpec,
        _: &Op,
    ) -> Outcome<NodePoolState> {
        Ok(not_built()?)
    }
    async fn delete_node_pool(&self, _: &str, _: &Op) -> Result<(), CloudError> {
        not_built()
    }
}
