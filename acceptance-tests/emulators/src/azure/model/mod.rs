//! The Azure part's state, apart from HTTP: the subscription's resource groups, every
//! resource by ARM id, long-running operations, soft-deleted vaults, the principals
//! Entra knows, and the test switches. Handlers in `http/` read and change it under
//! one lock; time-based progress (an operation finishing after the operation delay)
//! is applied by [`State::settle`] before anything looks at it.

pub mod operations;
pub mod roles;
pub mod switches;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::errors::ArmError;
use super::token::IssuedToken;
use operations::{Operation, OperationKind};
use switches::Switches;

/// What kind of resource an ARM id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    ManagedCluster,
    AgentPool,
    Vault,
    Key,
    Identity,
    FederatedCredential,
    RoleAssignment,
}

impl Kind {
    /// Its ARM type, as responses spell it.
    pub fn arm_type(self) -> &'static str {
        match self {
            Kind::ManagedCluster => "Microsoft.ContainerService/ManagedClusters",
            Kind::AgentPool => "Microsoft.ContainerService/managedClusters/agentPools",
            Kind::Vault => "Microsoft.KeyVault/vaults",
            Kind::Key => "Microsoft.KeyVault/vaults/keys",
            Kind::Identity => "Microsoft.ManagedIdentity/userAssignedIdentities",
            Kind::FederatedCredential => {
                "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
            }
            Kind::RoleAssignment => "Microsoft.Authorization/roleAssignments",
        }
    }

    /// Its key in `records()`.
    pub fn record_key(self) -> &'static str {
        match self {
            Kind::ManagedCluster => "managed_clusters",
            Kind::AgentPool => "agent_pools",
            Kind::Vault => "vaults",
            Kind::Key => "keys",
            Kind::Identity => "identities",
            Kind::FederatedCredential => "federated_identity_credentials",
            Kind::RoleAssignment => "role_assignments",
        }
    }
}

/// A write still in progress on a resource.
#[derive(Debug, Clone)]
pub struct Pending {
    /// `Creating`, `Updating` or `Deleting`.
    pub state: &'static str,
    pub done_at: Instant,
    /// Set when the operation is to end `Failed`.
    pub failure: Option<ArmError>,
}

/// One resource, with its body as GET answers it.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: String,
    pub kind: Kind,
    pub body: Value,
    pub pending: Option<Pending>,
    pub created: Instant,
}

impl Resource {
    pub fn name(&self) -> &str {
        self.id.rsplit('/').next().unwrap_or_default()
    }

    pub fn properties(&self) -> &Value {
        &self.body["properties"]
    }
}

#[derive(Debug, Clone)]
pub struct ResourceGroup {
    pub name: String,
    pub location: String,
    pub tags: Value,
}

/// A vault deleted with soft delete on: kept, with its keys, until purged.
#[derive(Debug, Clone)]
pub struct DeletedVault {
    pub vault: Resource,
    pub keys: Vec<Resource>,
    pub deletion_date: String,
    pub scheduled_purge_date: String,
}

/// A principal Entra knows, and since when (role assignments may not see it yet).
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: &'static str,
    pub created: Instant,
}

#[derive(Debug)]
pub struct State {
    pub url: String,
    pub tenant_id: String,
    pub subscription_id: String,
    /// The printed client's service principal object id (the caller).
    pub client_object_id: String,
    pub operation_delay: Duration,
    pub resource_groups: BTreeMap<String, ResourceGroup>,
    /// By lowercased ARM id (ARM ids are case-insensitive).
    pub resources: BTreeMap<String, Resource>,
    pub operations: BTreeMap<String, Operation>,
    /// By lowercased vault name (vault names are global).
    pub deleted_vaults: BTreeMap<String, DeletedVault>,
    /// Key Vault data-plane rotation policies, by lowercased key ARM id.
    pub rotation_policies: BTreeMap<String, Value>,
    pub principals: BTreeMap<String, Principal>,
    /// Identities with a federated credential write in flight, until when.
    pub fic_writes_in_flight: BTreeMap<String, Instant>,
    pub switches: Switches,
    /// Access tokens Entra issued (kept across a reset: clients cache them).
    pub tokens: BTreeMap<String, IssuedToken>,
    /// The emulator's CA, for the kubeconfigs of clusters.
    pub ca_pem: String,
}

impl State {
    pub fn new(url: String, operation_delay: Duration, client_object_id: String) -> Self {
        let mut state = Self {
            url,
            tenant_id: super::time::guid(),
            subscription_id: super::time::guid(),
            client_object_id,
            operation_delay,
            resource_groups: BTreeMap::new(),
            resources: BTreeMap::new(),
            operations: BTreeMap::new(),
            deleted_vaults: BTreeMap::new(),
            rotation_policies: BTreeMap::new(),
            principals: BTreeMap::new(),
            fic_writes_in_flight: BTreeMap::new(),
            switches: Switches::default(),
            tokens: BTreeMap::new(),
            ca_pem: String::new(),
        };
        state.add_client_principal();
        state
    }

    fn add_client_principal(&mut self) {
        self.principals.insert(
            self.client_object_id.clone(),
            Principal {
                kind: "ServicePrincipal",
                // Known to the directory long before the emulator started.
                created: Instant::now() - Duration::from_secs(3600),
            },
        );
    }

    /// Forgets everything but the credentials.
    pub fn reset(&mut self) {
        self.resource_groups.clear();
        self.resources.clear();
        self.operations.clear();
        self.deleted_vaults.clear();
        self.rotation_policies.clear();
        self.principals.clear();
        self.fic_writes_in_flight.clear();
        self.switches = Switches::default();
        self.add_client_principal();
    }

    pub fn group_id(&self, group: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{group}",
            self.subscription_id
        )
    }

    pub fn group(&self, name: &str) -> Option<&ResourceGroup> {
        self.resource_groups.get(&name.to_ascii_lowercase())
    }

    pub fn require_group(&self, name: &str) -> Result<(), ArmError> {
        self.group(name)
            .map(|_| ())
            .ok_or_else(|| ArmError::resource_group_not_found(name))
    }

    pub fn get(&self, id: &str) -> Option<&Resource> {
        self.resources.get(&id.to_ascii_lowercase())
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Resource> {
        self.resources.get_mut(&id.to_ascii_lowercase())
    }

    pub fn insert(&mut self, resource: Resource) {
        self.resources
            .insert(resource.id.to_ascii_lowercase(), resource);
    }

    /// Removes a resource and everything under it (pools of a cluster, credentials of
    /// an identity, role assignments scoped to it).
    pub fn remove_tree(&mut self, id: &str) -> Vec<Resource> {
        let prefix = format!("{}/", id.to_ascii_lowercase());
        let doomed: Vec<String> = self
            .resources
            .keys()
            .filter(|key| **key == id.to_ascii_lowercase() || key.starts_with(&prefix))
            .cloned()
            .collect();
        doomed
            .iter()
            .filter_map(|key| self.resources.remove(key))
            .collect()
    }

    /// Children of `parent` of one kind.
    pub fn children(&self, parent: &str, kind: Kind) -> Vec<&Resource> {
        let prefix = format!("{}/", parent.to_ascii_lowercase());
        self.resources
            .iter()
            .filter(|(key, resource)| resource.kind == kind && key.starts_with(&prefix))
            .map(|(_, resource)| resource)
            .collect()
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Resource> {
        self.resources.values().filter(move |r| r.kind == kind)
    }

    /// Starts a long-running write on `id`: the resource shows `state` until the
    /// operation delay has passed (or fails then, when a switch says so).
    pub fn begin(&mut self, id: &str, state: &'static str, operation: &str) -> Operation {
        let failure = self.switches.take_failure(operation);
        let done_at = Instant::now() + self.operation_delay;
        let kind = if state == "Deleting" {
            OperationKind::Delete
        } else {
            OperationKind::Write
        };
        let op = Operation::new(id, kind, done_at, failure.clone());
        if let Some(resource) = self.get_mut(id) {
            resource.pending = Some(Pending {
                state,
                done_at,
                failure,
            });
            resource.body["properties"]["provisioningState"] = json!(state);
        }
        self.operations.insert(op.id.clone(), op.clone());
        op
    }

    /// Applies whatever has finished by now: in-progress writes become `Succeeded`
    /// (or `Failed`), deletes remove their resource.
    pub fn settle(&mut self) {
        let now = Instant::now();
        let finished: Vec<String> = self
            .resources
            .iter()
            .filter(|(_, r)| r.pending.as_ref().is_some_and(|p| p.done_at <= now))
            .map(|(key, _)| key.clone())
            .collect();
        for key in finished {
            let Some(resource) = self.resources.get_mut(&key) else {
                continue;
            };
            let Some(pending) = resource.pending.take() else {
                continue;
            };
            match (pending.state, pending.failure) {
                ("Deleting", None) => {
                    let id = resource.id.clone();
                    self.remove_tree(&id);
                }
                (_, None) => resource.body["properties"]["provisioningState"] = json!("Succeeded"),
                (_, Some(_)) => resource.body["properties"]["provisioningState"] = json!("Failed"),
            }
        }
        self.fic_writes_in_flight.retain(|_, until| *until > now);
    }

    /// A principal as role assignments see it: unknown, or known.
    pub fn principal_visible(&self, principal_id: &str) -> PrincipalLookup {
        match self.principals.get(&principal_id.to_ascii_lowercase()) {
            None => PrincipalLookup::Unknown,
            Some(principal) => {
                let delay = self.switches.principal_replication_delay();
                if principal.created.elapsed() < delay {
                    PrincipalLookup::NotReplicated
                } else {
                    PrincipalLookup::Known(principal.kind)
                }
            }
        }
    }

    /// Everything that exists, for "destroy leaves nothing behind" checks.
    pub fn records(&self) -> Value {
        let mut records = serde_json::Map::new();
        for kind in [
            Kind::ManagedCluster,
            Kind::AgentPool,
            Kind::Vault,
            Kind::Key,
            Kind::Identity,
            Kind::FederatedCredential,
            Kind::RoleAssignment,
        ] {
            let ids: Vec<Value> = self.of_kind(kind).map(|r| json!(r.id)).collect();
            records.insert(kind.record_key().to_string(), Value::Array(ids));
        }
        records.insert(
            "resource_groups".into(),
            self.resource_groups
                .values()
                .map(|g| json!(g.name))
                .collect(),
        );
        records.insert(
            "deleted_vaults".into(),
            self.deleted_vaults
                .values()
                .map(|d| {
                    json!({
                        "name": d.vault.name(),
                        "purge_protection": d.vault.properties()["enablePurgeProtection"] == json!(true),
                    })
                })
                .collect(),
        );
        records.insert("switches".into(), self.switches.to_json());
        Value::Object(records)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalLookup {
    Unknown,
    /// Exists, but the directory's replicas have not seen it yet.
    NotReplicated,
    Known(&'static str),
}

#[cfg(test)]
mod tests;
