//! Managed resources: the CRUD a provider author writes. Plan logic (defaults, unknown
//! computed values, replacement) comes from the schema; `modify_plan` is for the rest.
//!
//! Every method takes one request struct and returns one result struct (see
//! [`requests`] and [`results`]), so the protocol can grow without changing the trait.

mod recorder;
mod requests;
mod results;

pub use recorder::Recorder;
pub use requests::{
    CreateRequest, DeleteRequest, ImportRequest, MoveSource, ReadRequest, ResourcePlan,
    UpdateRequest,
};
pub use results::{ApplyResult, ImportResult, ReadResult};

use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::identity::IdentitySchema;
use crate::schema::Schema;
use crate::value::{Type, Value, from_json};

/// A managed resource type.
///
/// ```
/// use tfplug::identity::{IdentityAttribute, IdentitySchema};
/// use tfplug::schema::{Attribute, Block, Schema};
/// use tfplug::*;
///
/// struct Disk;
/// #[async_trait]
/// impl Resource for Disk {
///     fn type_name(&self) -> String { "cloud_disk".into() }
///     fn schema(&self) -> Schema {
///         Schema::new(Block::new().attr(Attribute::string("id").computed()))
///     }
///     // Identity: `id` is in the state too, so the framework fills in every identity.
///     fn identity_schema(&self) -> Option<IdentitySchema> {
///         Some(IdentitySchema::new().attr(IdentityAttribute::string("id").required_for_import()))
///     }
///     async fn create(&self, _ctx: &Context, req: CreateRequest) -> ApplyResult {
///         let state = Value::object([("id", Value::from("d-1"))]);
///         req.record_created(state.clone()); // kept even if what follows panics
///         ApplyResult::ok(state)
///     }
///     async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResult {
///         ReadResult::found(req.state)
///     }
///     async fn update(&self, _ctx: &Context, req: UpdateRequest) -> ApplyResult {
///         ApplyResult::ok(req.planned)
///     }
///     async fn delete(&self, _ctx: &Context, _req: DeleteRequest) -> Diagnostics {
///         Diagnostics::new()
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait Resource: Send + Sync {
    /// The full type name, e.g. `mlcloud_cluster`.
    fn type_name(&self) -> String;

    fn schema(&self) -> Schema;

    /// The resource's identity (Terraform ≥ 1.12), if it has one. Name identity
    /// attributes like state attributes: the server then projects every identity
    /// (read, plan, apply, import by identity) from the state, unless a result sets
    /// one explicitly. Older Terraform never asks; nothing changes for it.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// Cross-attribute checks; `config` may contain unknown values.
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts a plan beyond what attribute plan modifiers can do, including the
    /// private state and identity handed to apply.
    async fn modify_plan(&self, _ctx: &Context, _plan: &mut ResourcePlan) -> Diagnostics {
        Diagnostics::new()
    }

    /// Creates the object. Call [`CreateRequest::record_created`] as soon as the
    /// cloud has made it.
    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResult;

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResult;

    /// Updates in place; [`UpdateRequest::record_progress`] keeps partial progress.
    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResult;

    /// Deletes the object; an error keeps it in state.
    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> Diagnostics;

    /// `terraform import` / `import` blocks: the state for read to complete. The
    /// default imports by identity only, when the resource has one: a state holding
    /// the identity's attributes. Import by id must be written by the resource
    /// (usually `{id = ...}`).
    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResult {
        match (req.identity, self.identity_schema()) {
            (Some(identity), Some(schema)) => {
                ImportResult::state(schema.to_state(&identity, &self.schema().value_type()))
            }
            _ => ImportResult::failed(Diagnostic::error(
                "Resource import not supported",
                format!("{} cannot be imported by id.", self.type_name()),
            )),
        }
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
        upgrade_current(
            &self.type_name(),
            "state",
            schema.version,
            &schema.value_type(),
            version,
            raw_json,
        )
    }

    /// Upgrades an identity written by identity schema `version` (raw JSON). The
    /// default accepts the current version only.
    fn upgrade_identity(&self, version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics> {
        let Some(schema) = self.identity_schema() else {
            return Err(Diagnostic::error(
                "Resource has no identity",
                format!("{} has no identity to upgrade.", self.type_name()),
            )
            .into());
        };
        upgrade_current(
            &self.type_name(),
            "identity",
            schema.version,
            &schema.value_type(),
            version,
            raw_json,
        )
    }
}

/// Decodes `raw_json` written by the current schema `current`; refuses newer versions.
fn upgrade_current(
    type_name: &str,
    what: &str,
    current: i64,
    ty: &Type,
    version: i64,
    raw_json: &[u8],
) -> Result<Value, Diagnostics> {
    if version > current {
        return Err(Diagnostic::error(
            format!("{} from a newer provider", capitalised(what)),
            format!(
                "The {what} of this {type_name} was written by schema version {version}, newer than this provider's {current}. Upgrade the provider."
            ),
        )
        .into());
    }
    from_json(raw_json, ty).map_err(|e| {
        Diagnostic::error(
            format!("Cannot read the stored {what}"),
            format!("The {what} of this {type_name} does not match its schema: {e}"),
        )
        .into()
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
