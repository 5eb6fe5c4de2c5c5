//! The cloud-neutral shapes resources hand to backends and get back. Resources build a
//! `*Spec` from the plan; backends return a `*State` read from the cloud, holding the
//! cloud's actual values so that drift shows in the plan.
//!
//! What only one cloud has lives in a [`PerCloud`] value: exactly one of the `aws {}`,
//! `azure {}`, `gcp {}` settings, chosen by the resource's `cloud`. There is no default
//! cloud: a spec cannot be built without knowing which one.

mod cluster;
mod identity;
mod key;
mod machine;
mod node_pool;
mod per_cloud;

pub use cluster::*;
pub use identity::*;
pub use key::*;
pub use machine::*;
pub use node_pool::*;
pub use per_cloud::PerCloud;

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub type Tags = BTreeMap<String, String>;

/// A collection Terraform sends as null (an optional attribute left out) reads as
/// empty.
pub(crate) fn null_is_empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de> + Default,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Where to look for existing objects (`terraform query`): a location, or the object
/// they belong to (a node pool's cluster).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListScope {
    pub location: Option<String>,
    pub parent_id: Option<String>,
}

/// Receives what a backend has made so far (a `*State`), as soon as it exists.
pub type RecordCreated = Arc<dyn Fn(&dyn Any) + Send + Sync>;

/// How long an operation may take, how to notice StopProvider, and where to record
/// what the cloud has made before the operation finishes.
#[derive(Clone)]
pub struct Op {
    pub timeout: Duration,
    pub cancel: CancellationToken,
    recorder: Option<RecordCreated>,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Op")
            .field("timeout", &self.timeout)
            .field("records", &self.recorder.is_some())
            .finish()
    }
}

impl Op {
    pub fn new(timeout: Duration, cancel: CancellationToken) -> Self {
        Op {
            timeout,
            cancel,
            recorder: None,
        }
    }

    /// This operation, recording what the backend reports as made through `recorder`.
    pub fn recording(mut self, recorder: RecordCreated) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// A backend calls this as soon as the cloud has made an object (before waiting for
    /// it), so that it reaches Terraform's state even if the provider then panics or is
    /// stopped. States of another kind than the operation's are ignored.
    pub fn record<S: Any>(&self, made: &S) {
        if let Some(recorder) = &self.recorder {
            recorder(made);
        }
    }
}
