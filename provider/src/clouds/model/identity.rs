//! `mlcloud_identity` as backends see it.

use super::{PerCloud, Tags};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Cluster,
    Node,
    Workload,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Cluster, Purpose::Node, Purpose::Workload];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Cluster => "cluster",
            Purpose::Node => "node",
            Purpose::Workload => "workload",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The Kubernetes service account a workload identity trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadBinding {
    /// The `id` of an `mlcloud_cluster`.
    pub cluster_id: String,
    pub namespace: String,
    pub service_account: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GrantAction {
    KmsDecrypt,
    KmsEncryptDecrypt,
    ModelStoreRead,
    ModelStoreWrite,
}

impl GrantAction {
    pub const ALL: [GrantAction; 4] = [
        GrantAction::KmsDecrypt,
        GrantAction::KmsEncryptDecrypt,
        GrantAction::ModelStoreRead,
        GrantAction::ModelStoreWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GrantAction::KmsDecrypt => "kms_decrypt",
            GrantAction::KmsEncryptDecrypt => "kms_encrypt_decrypt",
            GrantAction::ModelStoreRead => "model_store_read",
            GrantAction::ModelStoreWrite => "model_store_write",
        }
    }

    pub fn parse(s: &str) -> Option<GrantAction> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether the target names a key (else a model store location).
    pub fn targets_key(self) -> bool {
        matches!(
            self,
            GrantAction::KmsDecrypt | GrantAction::KmsEncryptDecrypt
        )
    }
}

/// One permission: `action` on `target` (a key's `key_ref`, or a model store URI such
/// as `s3://bucket/prefix`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub action: GrantAction,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AwsIdentitySettings {
    pub permissions_boundary_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AzureIdentitySettings {
    pub resource_group_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GcpIdentitySettings {
    pub project: Option<String>,
}

pub type IdentityCloud = PerCloud<AwsIdentitySettings, AzureIdentitySettings, GcpIdentitySettings>;

#[derive(Debug, Clone, PartialEq)]
pub struct IdentitySpec {
    pub name: String,
    pub location: String,
    pub purpose: Purpose,
    pub workload: Option<WorkloadBinding>,
    pub grants: Vec<Grant>,
    pub tags: Tags,
    pub cloud: IdentityCloud,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdentityState {
    /// AWS: role ARN.
    pub id: String,
    /// What other clouds' objects name to trust it (AWS: role ARN).
    pub principal: String,
    /// AWS: the role's unique id (`AROA...`).
    pub client_id: String,
    pub name: String,
    /// The region the cloud keeps the identity in, where it has one (Azure: the
    /// managed identity's); None where identities are global (IAM roles, service
    /// accounts), and the state keeps the configured or provider's location.
    pub location: Option<String>,
    pub purpose: Purpose,
    pub workload: Option<WorkloadBinding>,
    pub grants: Vec<Grant>,
    /// What the cloud holds beyond what mlcloud writes for this identity (an added
    /// trust statement, policy statement or attached policy), each described; an
    /// update removes it.
    pub policy_drift: std::collections::BTreeSet<String>,
    pub tags: Tags,
    pub cloud: IdentityCloud,
}
