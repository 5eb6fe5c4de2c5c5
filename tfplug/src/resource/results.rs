//! What each `Resource` method returns. Built with constructors and `with_*` setters;
//! `#[non_exhaustive]` so that adding a field (deferral, say) breaks no resource.

use crate::diag::Diagnostics;
use crate::value::Value;

/// The result of create or update. Return the state even when a later step failed:
/// whatever exists in the cloud must reach Terraform's state, or it is lost.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ApplyResult {
    /// The new state; null means nothing exists.
    pub state: Value,
    /// `None` keeps the planned private state.
    pub private: Option<Vec<u8>>,
    /// `None` lets the server project the identity from `state`.
    pub identity: Option<Value>,
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
            diagnostics: diagnostics.into(),
            ..Default::default()
        }
    }

    /// Nothing was created (or, for update, nothing changed: the server keeps the
    /// prior state, or what the update recorded).
    pub fn failed(diagnostics: impl Into<Diagnostics>) -> Self {
        Self::partial(Value::Null, diagnostics)
    }

    pub fn with_private(mut self, private: Vec<u8>) -> Self {
        self.private = Some(private);
        self
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

/// The result of read: `state: None` means the object is gone (deleted out of band)
/// and Terraform should plan to create it again.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ReadResult {
    pub state: Option<Value>,
    /// `None` keeps the private state Terraform sent.
    pub private: Option<Vec<u8>>,
    /// `None` lets the server project the identity from `state`.
    pub identity: Option<Value>,
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

    /// Reading failed; the stored state stands.
    pub fn error(diagnostics: impl Into<Diagnostics>) -> Self {
        ReadResult {
            diagnostics: diagnostics.into(),
            ..Default::default()
        }
    }

    pub fn with_private(mut self, private: Vec<u8>) -> Self {
        self.private = Some(private);
        self
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

/// The result of import: a state for read to complete (usually just the id).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ImportResult {
    /// Null when the import failed.
    pub state: Value,
    pub private: Vec<u8>,
    /// `None`: the identity Terraform imported by, if any; read supplies it otherwise.
    pub identity: Option<Value>,
    pub diagnostics: Diagnostics,
}

impl ImportResult {
    pub fn state(state: Value) -> Self {
        ImportResult {
            state,
            ..Default::default()
        }
    }

    pub fn failed(diagnostics: impl Into<Diagnostics>) -> Self {
        ImportResult {
            diagnostics: diagnostics.into(),
            ..Default::default()
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
