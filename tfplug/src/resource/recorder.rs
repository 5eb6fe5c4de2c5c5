//! What a create or update has already done in the cloud, kept outside the resource's
//! future so that it survives a panic or a cancelled (dropped) future.
//!
//! Terraform forgets any object a failed apply does not return in its new state. A
//! resource that returns its result normally needs none of this; the recorder is for the
//! cases where no result comes back at all: the code panicked after the cloud made the
//! object, or it ignored StopProvider and the server stopped waiting for it.

use crate::value::Value;
use std::sync::{Arc, Mutex};

/// A handle to record the state of what exists so far. Cheap to clone and `Send`, so
/// it can be handed to lower layers (a backend, a waiter) that know when the cloud has
/// made the object.
///
/// ```
/// use tfplug::resource::Recorder;
/// use tfplug::Value;
/// let recorder = Recorder::default();
/// recorder.record(Value::object([("id", Value::from("i-1"))]));
/// assert_eq!(
///     recorder.recorded().and_then(|s| s.attr("id").cloned()),
///     Some(Value::from("i-1"))
/// );
/// ```
#[derive(Clone, Default, Debug)]
pub struct Recorder(Arc<Mutex<Option<Value>>>);

impl Recorder {
    /// Records `state` as what exists now, replacing anything recorded before. Record
    /// as soon as the cloud has made (or changed) something, before the next step that
    /// can fail.
    pub fn record(&self, state: Value) {
        // A poisoned lock only means another thread panicked mid-record; the value is
        // still the last one written, which is what we want to keep.
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *slot = Some(state);
    }

    /// The last recorded state, if any.
    pub fn recorded(&self) -> Option<Value> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
