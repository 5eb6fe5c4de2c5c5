//! What each `Resource` method receives. The structs are `#[non_exhaustive]`: the
//! protocol grows (identity came in Terraform 1.12, deferral in 1.9), and a new field
//! must not break a resource. Resources read the public fields; tests build requests
//! with the constructors.

use super::recorder::Recorder;
use crate::value::{AttributePath, Value};

/// Inputs of read. Configuration is deliberately absent: Terraform refreshes from
/// state alone.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReadRequest {
    pub state: Value,
    pub private: Vec<u8>,
    /// The stored identity; `None` on Terraform < 1.12, or when the state was written
    /// before the resource had an identity.
    pub identity: Option<Value>,
}

impl ReadRequest {
    pub fn new(state: Value) -> Self {
        ReadRequest {
            state,
            private: Vec::new(),
            identity: None,
        }
    }

    pub fn with_private(mut self, private: Vec<u8>) -> Self {
        self.private = private;
        self
    }

    pub fn with_identity(mut self, identity: Value) -> Self {
        self.identity = Some(identity);
        self
    }
}

/// A plan as `modify_plan` sees it after the schema's modifiers ran; `modify_plan`
/// changes it in place and the server sends it back.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResourcePlan {
    pub config: Value,
    /// `None` when creating.
    pub prior: Option<Value>,
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
    /// Private state handed to apply: prefilled with the prior private state; replace
    /// it to pass plan-time facts to create or update.
    pub planned_private: Vec<u8>,
    /// The stored identity (`None` when creating, or on Terraform < 1.12).
    pub prior_identity: Option<Value>,
    /// The identity after apply as far as known now. `None` lets the server fill it
    /// in: the prior identity, or on create the identity projected from `planned`.
    pub planned_identity: Option<Value>,
}

impl ResourcePlan {
    /// A plan for tests of `modify_plan`.
    pub fn new(config: Value, prior: Option<Value>, planned: Value) -> Self {
        ResourcePlan {
            config,
            prior,
            planned,
            requires_replace: Vec::new(),
            planned_private: Vec::new(),
            prior_identity: None,
            planned_identity: None,
        }
    }

    pub fn with_private(mut self, private: Vec<u8>) -> Self {
        self.planned_private = private;
        self
    }

    pub fn with_prior_identity(mut self, identity: Value) -> Self {
        self.prior_identity = Some(identity);
        self
    }
}

/// Inputs of create.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateRequest {
    pub config: Value,
    pub planned: Value,
    /// What `modify_plan` left in `planned_private`.
    pub private: Vec<u8>,
    /// The planned identity; may hold unknowns.
    pub identity: Option<Value>,
    recorder: Recorder,
}

impl CreateRequest {
    pub fn new(config: Value, planned: Value) -> Self {
        CreateRequest {
            config,
            planned,
            private: Vec::new(),
            identity: None,
            recorder: Recorder::default(),
        }
    }

    pub fn with_private(mut self, private: Vec<u8>) -> Self {
        self.private = private;
        self
    }

    pub fn with_identity(mut self, identity: Value) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Records that the cloud has made the object, as `state`. Call it as soon as the
    /// object exists: if create then panics, or is abandoned after StopProvider, the
    /// server answers with this state (and the error), so the object stays in
    /// Terraform's state instead of leaking.
    pub fn record_created(&self, state: Value) {
        self.recorder.record(state)
    }

    /// The recorder, for lower layers that know when the object exists.
    pub fn recorder(&self) -> Recorder {
        self.recorder.clone()
    }
}

/// Inputs of update.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UpdateRequest {
    pub config: Value,
    pub prior: Value,
    pub planned: Value,
    pub private: Vec<u8>,
    pub identity: Option<Value>,
    recorder: Recorder,
}

impl UpdateRequest {
    pub fn new(config: Value, prior: Value, planned: Value) -> Self {
        UpdateRequest {
            config,
            prior,
            planned,
            private: Vec::new(),
            identity: None,
            recorder: Recorder::default(),
        }
    }

    pub fn with_private(mut self, private: Vec<u8>) -> Self {
        self.private = private;
        self
    }

    pub fn with_identity(mut self, identity: Value) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Records partial progress: what exists now, after some of the changes. If update
    /// panics or is abandoned, the server answers with the last recorded state, or
    /// else the prior state.
    pub fn record_progress(&self, state: Value) {
        self.recorder.record(state)
    }

    pub fn recorder(&self) -> Recorder {
        self.recorder.clone()
    }
}

/// Inputs of delete.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeleteRequest {
    pub prior: Value,
    pub private: Vec<u8>,
    pub identity: Option<Value>,
}

impl DeleteRequest {
    pub fn new(prior: Value) -> Self {
        DeleteRequest {
            prior,
            private: Vec::new(),
            identity: None,
        }
    }

    pub fn with_private(mut self, private: Vec<u8>) -> Self {
        self.private = private;
        self
    }

    pub fn with_identity(mut self, identity: Value) -> Self {
        self.identity = Some(identity);
        self
    }
}

/// Inputs of import: by id (`terraform import ADDR ID`, `import { id = ... }`) or,
/// on Terraform ≥ 1.12, by identity (`import { identity = { ... } }`). Exactly one
/// of the two is set.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ImportRequest {
    pub id: Option<String>,
    pub identity: Option<Value>,
}

impl ImportRequest {
    pub fn by_id(id: impl Into<String>) -> Self {
        ImportRequest {
            id: Some(id.into()),
            identity: None,
        }
    }

    pub fn by_identity(identity: Value) -> Self {
        ImportRequest {
            id: None,
            identity: Some(identity),
        }
    }
}

/// State of another resource type offered to `move_state` (a `moved` block across types).
#[derive(Debug, Clone)]
pub struct MoveSource {
    pub provider_address: String,
    pub type_name: String,
    pub schema_version: i64,
    pub raw_json: Vec<u8>,
}
