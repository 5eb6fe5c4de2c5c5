//! The mlcloud provider: configuration plus everything it offers.

use crate::clouds::{CloudPlugin, Clouds, RuleBook, aws};
use crate::config::{self, ProviderConfig};
use crate::resources::{
    accelerators::Accelerators, cluster::Cluster, identity::Identity, kms_key::KmsKey,
    listing::Listed, machine_type::MachineType, managed::Managed, node_pool::NodePool,
};
use std::sync::Arc;
use tfplug::schema::Schema;
use tfplug::{
    DataSource, Diagnostics, Function, ListResource, Provider, ProviderData, Resource, Value,
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
pub const QUIET_LOG_TARGETS: &[&str] = aws::SDK_LOG_TARGETS;

impl MlcloudProvider {
    /// Every cloud this build supports.
    pub fn new() -> Self {
        Self::with_clouds(RuleBook::new(vec![aws::rules()]), vec![aws::plugin()])
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
        ]
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![
            Arc::new(Listed(Cluster::new(self.rules.clone()))),
            Arc::new(Listed(NodePool::new(self.rules.clone()))),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Accelerators)]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(MachineType)]
    }
}
