//! Test switches for behaviour a fault rule cannot express (README, "azure"):
//! principals that role assignments cannot see yet (Entra's replication delay), the
//! time a federated credential write holds its identity, and operations made to end
//! `Failed`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::azure::errors::ArmError;
use http::StatusCode;

/// One planned failure: the next long-running operation named `operation`
/// (`managedClusters.put`, `agentPools.delete`, ...) ends `Failed` with this error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedFailure {
    pub operation: String,
    #[serde(default = "default_code")]
    pub code: String,
    #[serde(default = "default_message")]
    pub message: String,
}

fn default_code() -> String {
    "InternalOperationError".into()
}

fn default_message() -> String {
    "The operation failed (failure planned through the emulator's switches).".into()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switches {
    /// For this long after a principal is created, role assignments to it fail with
    /// `PrincipalNotFound` (0 = off, the default).
    #[serde(default)]
    pub principal_replication_delay_seconds: u64,
    /// How long one federated credential write holds its identity; another write in
    /// that window gets `ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity`.
    #[serde(default = "default_fic_hold")]
    pub federated_credential_write_ms: u64,
    /// Long-running operations to fail, first come first served.
    #[serde(default)]
    pub fail_operations: Vec<PlannedFailure>,
}

fn default_fic_hold() -> u64 {
    300
}

impl Default for Switches {
    fn default() -> Self {
        Self {
            principal_replication_delay_seconds: 0,
            federated_credential_write_ms: default_fic_hold(),
            fail_operations: Vec::new(),
        }
    }
}

impl Switches {
    pub fn principal_replication_delay(&self) -> Duration {
        Duration::from_secs(self.principal_replication_delay_seconds)
    }

    pub fn federated_credential_hold(&self) -> Duration {
        Duration::from_millis(self.federated_credential_write_ms)
    }

    /// The planned failure for this operation, used up.
    pub fn take_failure(&mut self, operation: &str) -> Option<ArmError> {
        let index = self
            .fail_operations
            .iter()
            .position(|planned| planned.operation == operation)?;
        let planned = self.fail_operations.remove(index);
        Some(ArmError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            &planned.code,
            planned.message,
        ))
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| json!({}))
    }
}
