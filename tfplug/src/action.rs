//! Actions (Terraform ≥ 1.14): operations that are not resources, run on request
//! (`terraform apply -invoke=action.TYPE.NAME`) or from a resource's
//! `lifecycle { action_trigger { ... } }`, reporting progress as they go.

use crate::context::Context;
use crate::diag::Diagnostics;
use crate::schema::Schema;
use crate::value::Value;
use tokio::sync::mpsc::UnboundedSender;

/// Inputs of an invocation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InvokeRequest {
    pub config: Value,
    progress: Progress,
}

impl InvokeRequest {
    /// A request whose progress messages go nowhere, for unit tests of `invoke`.
    pub fn new(config: Value) -> Self {
        InvokeRequest {
            config,
            progress: Progress(None),
        }
    }

    pub(crate) fn streaming(config: Value, sink: UnboundedSender<String>) -> Self {
        InvokeRequest {
            config,
            progress: Progress(Some(sink)),
        }
    }

    /// Reports progress; Terraform prints each message as it arrives.
    pub fn progress(&self, message: impl Into<String>) {
        self.progress.send(message)
    }

    /// The progress reporter, for lower layers.
    pub fn reporter(&self) -> Progress {
        self.progress.clone()
    }
}

/// Sends progress messages of one invocation to Terraform.
#[derive(Debug, Clone)]
pub struct Progress(Option<UnboundedSender<String>>);

impl Progress {
    pub fn send(&self, message: impl Into<String>) {
        if let Some(sink) = &self.0 {
            // Terraform may have stopped listening; the action carries on regardless.
            let _ = sink.send(message.into());
        }
    }
}

/// An action type.
///
/// ```
/// use tfplug::schema::{Attribute, Block, Schema};
/// use tfplug::{Action, Context, Diagnostics, InvokeRequest, async_trait};
///
/// struct Restart;
/// #[async_trait]
/// impl Action for Restart {
///     fn type_name(&self) -> String { "cloud_restart".into() }
///     fn schema(&self) -> Schema {
///         Schema::new(Block::new().attr(Attribute::string("instance").required()))
///     }
///     async fn invoke(&self, _ctx: &Context, req: InvokeRequest) -> Diagnostics {
///         req.progress("stopping");
///         req.progress("starting");
///         Diagnostics::new()
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait Action: Send + Sync {
    /// The full type name, e.g. `mlcloud_rollout_restart`.
    fn type_name(&self) -> String;

    /// The schema of the action block's `config { }`.
    fn schema(&self) -> Schema;

    /// Checks beyond the schema's validators; `config` may hold unknown values.
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Called while Terraform plans the invocation: refuse what cannot work before
    /// anything runs. `config` may hold unknown values.
    async fn plan(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Runs the action; report progress with [`InvokeRequest::progress`]. The returned
    /// diagnostics complete the invocation (errors fail it).
    async fn invoke(&self, ctx: &Context, req: InvokeRequest) -> Diagnostics;
}
