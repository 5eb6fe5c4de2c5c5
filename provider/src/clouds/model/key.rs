//! `mlcloud_kms_key` as backends see it.

use super::{PerCloud, Tags};
use serde::{Deserialize, Serialize};

/// Nothing is AWS-only about a KMS key yet; the block exists so the shape is the same
/// on every cloud.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AwsKeySettings {}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AzureKeySettings {
    pub resource_group_name: Option<String>,
    /// An existing vault; without one the backend creates a dedicated vault.
    pub key_vault_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GcpKeySettings {
    pub project: Option<String>,
    pub key_ring: Option<String>,
    pub protection_level: Option<String>,
}

pub type KeyCloud = PerCloud<AwsKeySettings, AzureKeySettings, GcpKeySettings>;

#[derive(Debug, Clone, PartialEq)]
pub struct KeySpec {
    pub name: String,
    pub location: String,
    pub description: String,
    pub rotation_period_days: u32,
    pub deletion_window_days: u32,
    /// Resource tags already merged with the provider's `default_tags`.
    pub tags: Tags,
    pub cloud: KeyCloud,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyState {
    /// The cloud's identifier (AWS: key ARN).
    pub id: String,
    /// What a cluster consumes (AWS: key ARN).
    pub key_ref: String,
    pub name: String,
    pub location: String,
    pub description: String,
    /// 0 when rotation is off; `None` when the service did not say (the state keeps
    /// what it had).
    pub rotation_period_days: Option<u32>,
    /// What the key's policy holds beyond what mlcloud writes, one line each (empty
    /// on clouds whose keys have no policy of their own).
    pub policy_drift: std::collections::BTreeSet<String>,
    pub tags: Tags,
    pub cloud: KeyCloud,
}
