//! One generic backend trait for every kind of cloud object, and the set of backends a
//! cloud serves, looked up by the spec and state types they take.

use super::caller::Caller;
use super::cluster_access::ClusterAccess;
use super::model::{ListScope, Op};
use super::{CloudError, Outcome};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// Create, read, update and delete one kind of object on one cloud. `Spec` is what the
/// resource asks for, `State` what the cloud holds.
#[async_trait::async_trait]
pub trait ObjectBackend<Spec, State>: Send + Sync {
    /// Creates the object and waits until it is usable. On a failure after the cloud
    /// made something, returns what exists so it reaches Terraform's state.
    async fn create(&self, spec: &Spec, op: &Op) -> Outcome<State>;

    /// `Ok(None)` when the object is gone (or, for keys, scheduled for deletion).
    async fn read(&self, id: &str) -> Result<Option<State>, CloudError>;

    /// Applies what differs between `prior` (just read from the cloud) and `spec` in
    /// place, waiting for each change.
    async fn update(&self, id: &str, prior: &State, spec: &Spec, op: &Op) -> Outcome<State>;

    /// Deletes the object; `spec` is the prior state's settings (e.g. a key's deletion
    /// window). An object already gone is not an error.
    async fn delete(&self, id: &str, spec: &Spec, op: &Op) -> Result<(), CloudError>;

    /// The objects of this kind that exist in `scope` (for `terraform query`). Kinds a
    /// backend cannot list say so.
    async fn list(&self, _scope: &ListScope) -> Result<Vec<State>, CloudError> {
        Err(CloudError::Invalid(
            "this kind of object cannot be listed on this cloud".into(),
        ))
    }
}

/// The backends one cloud serves, one per kind of object.
#[derive(Default)]
pub struct Backends {
    by_kind: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
    caller: Option<Arc<dyn Caller>>,
    cluster_access: Option<Arc<dyn ClusterAccess>>,
}

impl Backends {
    pub fn new() -> Self {
        Backends::default()
    }

    /// Adds the backend for objects described by `Spec` and `State`.
    pub fn with<Spec: 'static, State: 'static>(
        mut self,
        backend: Arc<dyn ObjectBackend<Spec, State>>,
    ) -> Self {
        self.by_kind
            .insert(TypeId::of::<(Spec, State)>(), Box::new(backend));
        self
    }

    /// The backend for `Spec`/`State` objects, `None` when this cloud has none.
    /// Who the provider acts as on this cloud.
    pub fn with_caller(mut self, caller: Arc<dyn Caller>) -> Self {
        self.caller = Some(caller);
        self
    }

    pub fn caller(&self) -> Option<Arc<dyn Caller>> {
        self.caller.clone()
    }

    /// How to get tokens for this cloud's clusters' API servers.
    pub fn with_cluster_access(mut self, access: Arc<dyn ClusterAccess>) -> Self {
        self.cluster_access = Some(access);
        self
    }

    pub fn cluster_access(&self) -> Option<Arc<dyn ClusterAccess>> {
        self.cluster_access.clone()
    }

    pub fn get<Spec: 'static, State: 'static>(
        &self,
    ) -> Option<Arc<dyn ObjectBackend<Spec, State>>> {
        self.by_kind
            .get(&TypeId::of::<(Spec, State)>())
            .and_then(|b| b.downcast_ref::<Arc<dyn ObjectBackend<Spec, State>>>())
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;

    #[async_trait::async_trait]
    impl ObjectBackend<String, String> for Echo {
        async fn create(&self, spec: &String, _op: &Op) -> Outcome<String> {
            Ok(spec.clone())
        }
        async fn read(&self, id: &str) -> Result<Option<String>, CloudError> {
            Ok(Some(id.to_string()))
        }
        async fn update(&self, _: &str, _: &String, spec: &String, _: &Op) -> Outcome<String> {
            Ok(spec.clone())
        }
        async fn delete(&self, _: &str, _: &String, _: &Op) -> Result<(), CloudError> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn finds_a_backend_by_its_spec_and_state_types_only() {
        let backends = Backends::new().with::<String, String>(Arc::new(Echo));
        let found = backends.get::<String, String>().expect("registered");
        assert_eq!(found.read("x").await.unwrap(), Some("x".to_string()));
        assert!(backends.get::<String, u32>().is_none());
    }
}
