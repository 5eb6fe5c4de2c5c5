//! The provider: its configuration and the resources, data sources, ephemeral resources,
//! functions, list resources and actions it offers.

use crate::action::Action;
use crate::data_source::DataSource;
use crate::diag::Diagnostics;
use crate::ephemeral::EphemeralResource;
use crate::function::Function;
use crate::list::ListResource;
use crate::resource::Resource;
use crate::schema::Schema;
use crate::value::Value;
use std::any::Any;
use std::sync::Arc;

/// Whatever `configure` produces (clients, credentials); resources read it back with
/// [`crate::Context::provider_data`].
pub type ProviderData = Arc<dyn Any + Send + Sync>;

/// A Terraform provider.
///
/// ```no_run
/// use std::sync::Arc;
/// use tfplug::{Provider, ProviderData, Diagnostics, Value, Resource};
/// use tfplug::schema::{Schema, Block};
///
/// struct Mine;
/// #[async_trait::async_trait]
/// impl Provider for Mine {
///     fn type_name(&self) -> &str { "mine" }
///     fn schema(&self) -> Schema { Schema::new(Block::new()) }
///     async fn configure(&self, _config: Value) -> Result<ProviderData, Diagnostics> {
///         Ok(Arc::new(()))
///     }
///     fn resources(&self) -> Vec<Arc<dyn Resource>> { vec![] }
/// }
/// ```
#[async_trait::async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider's local name: resource type names start with `<name>_`.
    fn type_name(&self) -> &str;

    /// The `provider "name" { ... }` block.
    fn schema(&self) -> Schema;

    /// Checks beyond the schema's validators; `config` may hold unknown values.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Turns the provider configuration into the data resources use.
    async fn configure(&self, config: Value) -> Result<ProviderData, Diagnostics>;

    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }

    /// List resources for `terraform query` (Terraform ≥ 1.14); each lists a managed
    /// resource type that has an identity.
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        Vec::new()
    }

    /// Actions (Terraform ≥ 1.14).
    fn actions(&self) -> Vec<Arc<dyn Action>> {
        Vec::new()
    }
}
