//! The mlcloud provider: configuration plus everything it offers.

use crate::clouds::{CloudPlugin, Clouds, RuleBook, aws, azure, gcp};
use crate::config::{self, ProviderConfig};
use crate::resources::{
    accelerators::Accelerators, cluster::Cluster, cluster_credentials::ClusterCredentials,
    cluster_data_source::ClusterDataSource, identity::Identity, kms_key::KmsKey, listing::Listed,
    machine_type::MachineType, managed::Managed, node_pool::NodePool,
    serving_endpoint::ServingEndpoint, smoke_test_action::SmokeTestAction,
};
use std::sync::Arc;
use tfplug::schema::Schema;
use tfplug::{
    DataSource, Diagnostics, EphemeralResource, Function, ListResource, Provider, ProviderData,
    Resource, Value,
};

/// The provider's source address.
pub const ADDRESS: &str = "registry.terraform.io/mlcloud/mlcloud";

/// The provider's entry point: it builds each cloud's rules and backends and hands
/// them to the cloud-neutral layers (nothing below knows which clouds exist).
pub struct MlcloudProvider {
    rules: RuleBook,
    plugins: Vec<CloudPlugin>,
}

/// Log targets of the cloud SDKs this build links, capped at warn whatever `TF_LOG`
/// says: their debug and trace events carry credentials.
pub const QUIET_LOG_TARGETS: &[&str] = &[
    "aws_smithy_",
    "aws_sdk_",
    "aws_config",
    "aws_sigv4",
    "aws_runtime",
    "aws_credential_types",
    "aws_types",
    "google_cloud_",
    "azure_core",
    "azure_identity",
    "typespec_client_core",
    "reqwest",
];

impl MlcloudProvider {
    /// Every cloud this build supports.
    pub fn new() -> Self {
        Self::with_clouds(
            RuleBook::new(vec![aws::rules(), azure::rules(), gcp::rules()]),
            vec![aws::plugin(), azure::plugin(), gcp::plugin()],
        )
    }

    /// The provider over the given clouds' rules and backends (tests give it backends
    /// of their own).
    pub fn with_clouds(rules: RuleBook, plugins: Vec<CloudPlugin>) -> Self {
        MlcloudProvider { rules, plugins }
    }
}

impl Default for MlcloudProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[tfplug::async_trait]
impl Provider for MlcloudProvider {
    fn type_name(&self) -> &str {
        "mlcloud"
    }

    fn schema(&self) -> Schema {
        config::schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        config::validate(config)
    }

    async fn configure(&self, config: Value) -> Result<ProviderData, Diagnostics> {
        let parsed = ProviderConfig::from_value(&config)?;
        Ok(Arc::new(
            Clouds::new(parsed, self.rules.clone(), self.plugins.clone())
                .with_environment_locations()
                .await,
        ))
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(Managed(KmsKey::new(self.rules.clone()))),
            Arc::new(Managed(Identity::new(self.rules.clone()))),
            Arc::new(Managed(Cluster::new(self.rules.clone()))),
            Arc::new(Managed(NodePool::new(self.rules.clone()))),
            Arc::new(ServingEndpoint::new(self.rules.clone())),
        ]
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![
            Arc::new(Listed(Cluster::new(self.rules.clone()))),
            Arc::new(Listed(NodePool::new(self.rules.clone()))),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(Accelerators),
            Arc::new(ClusterDataSource::new(self.rules.clone())),
        ]
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        vec![Arc::new(ClusterCredentials::new(self.rules.clone()))]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(MachineType)]
    }

    fn actions(&self) -> Vec<Arc<dyn tfplug::Action>> {
        vec![Arc::new(SmokeTestAction::new(self.rules.clone()))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_linked_sdks_log_targets_are_quiet() {
        for target in aws::SDK_LOG_TARGETS.iter().chain(gcp::SDK_LOG_TARGETS) {
            assert!(QUIET_LOG_TARGETS.contains(target), "{target}");
        }
    }
}
