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

use std::collections::BTreeMap;
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

/// How long an operation may take, and how to notice StopProvider.
#[derive(Debug, Clone)]
pub struct Op {
    pub timeout: Duration,
    pub cancel: CancellationToken,
}

impl Op {
    pub fn new(timeout: Duration, cancel: CancellationToken) -> Self {
        Op { timeout, cancel }
    }
}
