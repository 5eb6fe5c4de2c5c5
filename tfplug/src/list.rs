//! List resources (Terraform ≥ 1.14, `terraform query`): find existing objects of a
//! managed resource type so they can be imported, streamed back one by one.
//!
//! A list resource has the same type name as the managed resource it lists, and that
//! resource must have an identity: each found object is named by its identity.

use crate::context::Context;
use crate::diag::Diagnostics;
use crate::schema::Schema;
use crate::value::Value;
use tokio::sync::mpsc::Sender;

/// One found object.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListItem {
    /// What `terraform query` prints for it.
    pub display_name: String,
    /// `None`: projected from `state` by the resource's identity schema.
    pub identity: Option<Value>,
    /// The object's full state; sent only when Terraform asked for resource objects
    /// (`include_resource = true`, `-generate-config-out`).
    pub state: Option<Value>,
    /// Warnings about this object.
    pub diagnostics: Diagnostics,
}

impl ListItem {
    /// An object known by its full state; its identity is projected from it.
    pub fn from_state(display_name: impl Into<String>, state: Value) -> Self {
        ListItem {
            display_name: display_name.into(),
            identity: None,
            state: Some(state),
            diagnostics: Diagnostics::new(),
        }
    }

    /// An object known only by its identity (when reading each full state is costly
    /// and Terraform did not ask for it).
    pub fn from_identity(display_name: impl Into<String>, identity: Value) -> Self {
        ListItem {
            display_name: display_name.into(),
            identity: Some(identity),
            state: None,
            diagnostics: Diagnostics::new(),
        }
    }

    pub fn with_identity(mut self, identity: Value) -> Self {
        self.identity = Some(identity);
        self
    }

    pub fn with_diagnostics(mut self, diagnostics: impl Into<Diagnostics>) -> Self {
        self.diagnostics.extend(diagnostics.into());
        self
    }
}

/// Inputs of a listing, and where found objects go.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListRequest {
    /// The list block's `config { }`.
    pub config: Value,
    /// Terraform wants full states, not just identities.
    pub include_resource_object: bool,
    /// Terraform reads at most this many objects.
    pub limit: i64,
    sink: Option<Sender<ListItem>>,
}

impl ListRequest {
    /// A request whose items go nowhere, for unit tests of `list`.
    pub fn new(config: Value) -> Self {
        ListRequest {
            config,
            include_resource_object: true,
            limit: i64::MAX,
            sink: None,
        }
    }

    pub(crate) fn streaming(
        config: Value,
        include_resource_object: bool,
        limit: i64,
        sink: Sender<ListItem>,
    ) -> Self {
        ListRequest {
            config,
            include_resource_object,
            limit,
            sink: Some(sink),
        }
    }

    /// Streams one found object to Terraform. `false` means Terraform wants no more
    /// (the limit is reached or it went away): stop listing.
    pub async fn send(&self, item: ListItem) -> bool {
        match &self.sink {
            Some(sink) => sink.send(item).await.is_ok(),
            None => true,
        }
    }
}

/// A list resource type.
///
/// ```
/// use tfplug::schema::{Block, Schema};
/// use tfplug::{Context, Diagnostics, ListItem, ListRequest, ListResource, Value, async_trait};
///
/// struct Disks;
/// #[async_trait]
/// impl ListResource for Disks {
///     fn type_name(&self) -> String { "cloud_disk".into() }
///     fn schema(&self) -> Schema { Schema::new(Block::new()) }
///     async fn list(&self, _ctx: &Context, req: ListRequest) -> Diagnostics {
///         for id in ["d-1", "d-2"] {
///             let state = Value::object([("id", Value::from(id))]);
///             if !req.send(ListItem::from_state(id, state)).await {
///                 break;
///             }
///         }
///         Diagnostics::new()
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait ListResource: Send + Sync {
    /// The managed resource type listed, e.g. `mlcloud_cluster`.
    fn type_name(&self) -> String;

    /// The schema of the list block's `config { }` (filters).
    fn schema(&self) -> Schema;

    /// Checks beyond the schema's validators; `config` may hold unknown values.
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Finds the objects and [`send`](ListRequest::send)s each. Diagnostics returned
    /// reach Terraform after the last object.
    async fn list(&self, ctx: &Context, req: ListRequest) -> Diagnostics;
}
