//! Data sources: read-only lookups.

use crate::context::Context;
use crate::diag::Diagnostics;
use crate::schema::Schema;
use crate::value::Value;

#[async_trait::async_trait]
pub trait DataSource: Send + Sync {
    /// The full type name, e.g. `mlcloud_accelerators`.
    fn type_name(&self) -> String;

    fn schema(&self) -> Schema;

    /// Cross-attribute checks; `config` may contain unknown values.
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Returns the full state: the configuration plus computed attributes.
    async fn read(&self, ctx: &Context, config: Value) -> Result<Value, Diagnostics>;
}
