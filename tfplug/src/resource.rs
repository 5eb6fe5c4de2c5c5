//! Managed resources: the CRUD a provider author writes. Plan logic (defaults, unknown
//! computed values, replacement) comes from the schema; `modify_plan` is for the rest.

use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::value::{AttributePath, Value, from_json};

/// The result of create or update. Return the state even when a later step failed:
/// whatever exists in the cloud must reach Terraform's state, or it is lost.
#[derive(Debug, Clone, Default)]
pub struct ApplyResult {
    /// The new state; null means nothing exists.
    pub state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

impl ApplyResult {
    pub fn ok(state: Value) -> Self {
        ApplyResult {
            state,
            ..Default::default()
        }
    }

    /// Created (or partly updated) `state`, but with errors to report.
    pub fn partial(state: Value, diagnostics: impl Into<Diagnostics>) -> Self {
        ApplyResult {
            state,
            private: Vec::new(),
            diagnostics: diagnostics.into(),
        }
    }

    /// Nothing was created.
    pub fn failed(diagnostics: impl Into<Diagnostics>) -> Self {
        Self::partial(Value::Null, diagnostics)
    }
}

/// The result of read: `state: None` means the object is gone (deleted out of band)
/// and Terraform should plan to create it again.
#[derive(Debug, Clone, Default)]
pub struct ReadResult {
    pub state: Option<Value>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

impl ReadResult {
    pub fn found(state: Value) -> Self {
        ReadResult {
            state: Some(state),
            ..Default::default()
        }
    }
    pub fn gone() -> Self {
        ReadResult::default()
    }
    pub fn error(diagnostics: impl Into<Diagnostics>) -> Self {
        ReadResult {
            diagnostics: diagnostics.into(),
            ..Default::default()
        }
    }
}

/// A plan as `modify_plan` sees it after the schema's modifiers ran.
pub struct ResourcePlan {
    pub config: Value,
    /// `None` when creating.
    pub prior: Option<Value>,
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
}

/// Inputs of create.
pub struct CreateRequest {
    pub config: Value,
    pub planned: Value,
    pub private: Vec<u8>,
}

/// Inputs of update.
pub struct UpdateRequest {
    pub config: Value,
    pub prior: Value,
    pub planned: Value,
    pub private: Vec<u8>,
}

/// A managed resource type.
#[async_trait::async_trait]
pub trait Resource: Send + Sync {
    /// The full type name, e.g. `mlcloud_cluster`.
    fn type_name(&self) -> String;

    fn schema(&self) -> Schema;

    /// Cross-attribute checks; `config` may contain unknown values.
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts a plan beyond what attribute plan modifiers can do.
    async fn modify_plan(&self, _ctx: &Context, _plan: &mut ResourcePlan) -> Diagnostics {
        Diagnostics::new()
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResult;

    async fn read(&self, ctx: &Context, state: Value, private: Vec<u8>) -> ReadResult;

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResult;

    async fn delete(&self, ctx: &Context, prior: Value, private: Vec<u8>) -> Diagnostics;

    /// `terraform import`: the state to read for `id` (usually just `{id = ...}`; read
    /// fills in the rest). The default says the resource cannot be imported.
    async fn import(&self, _ctx: &Context, _id: &str) -> Result<Value, Diagnostics> {
        Err(Diagnostic::error(
            "Resource import not supported",
            format!("{} cannot be imported.", self.type_name()),
        )
        .into())
    }

    /// Takes over the state of another resource type (`moved { from = other_type.x }`).
    /// `None` means this resource does not accept moves from `source`.
    fn move_state(&self, _source: &MoveSource) -> Option<Result<Value, Diagnostics>> {
        None
    }

    /// Upgrades a state written by schema `version` (raw JSON) to the current schema.
    /// The default accepts the current version only.
    fn upgrade_state(&self, version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics> {
        let schema = self.schema();
        if version > schema.version {
            return Err(Diagnostic::error(
                "State from a newer provider",
                format!(
                    "The state of this {} was written by schema version {version}, newer than this provider's {}. Upgrade the provider.",
                    self.type_name(),
                    schema.version
                ),
            )
            .into());
        }
        from_json(raw_json, &schema.value_type()).map_err(|e| {
            Diagnostic::error(
                "Cannot read the stored state",
                format!(
                    "The state of this {} does not match its schema: {e}",
                    self.type_name()
                ),
            )
            .into()
        })
    }
}

/// State of another resource type offered to `move_state` (a `moved` block across types).
pub struct MoveSource {
    pub provider_address: String,
    pub type_name: String,
    pub schema_version: i64,
    pub raw_json: Vec<u8>,
}
