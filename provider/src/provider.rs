//! The mlcloud provider: configuration plus everything it offers.

use crate::clouds::Clouds;
use crate::config::{self, ProviderConfig};
use crate::resources::{
    accelerators::Accelerators, cluster::Cluster, identity::Identity, kms_key::KmsKey,
    machine_type::MachineType, managed::Managed, node_pool::NodePool,
};
use std::sync::Arc;
use tfplug::schema::Schema;
use tfplug::{DataSource, Diagnostics, Function, Provider, ProviderData, Resource, Value};

/// The provider's source address.
pub const ADDRESS: &str = "registry.terraform.io/mlcloud/mlcloud";

pub struct MlcloudProvider;

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
        Ok(Arc::new(Clouds::new(parsed)))
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(Managed(KmsKey)),
            Arc::new(Managed(Identity)),
            Arc::new(Managed(Cluster)),
            Arc::new(Managed(NodePool)),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Accelerators)]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(MachineType)]
    }
}
