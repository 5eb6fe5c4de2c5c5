//! `mlcloud_cluster` as backends see it.

use super::{Machine, PerCloud, Tags};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointAccess {
    Private,
    Public,
}

impl EndpointAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointAccess::Private => "private",
            EndpointAccess::Public => "public",
        }
    }
}

/// The system pool to create: a resolved machine.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemPoolSpec {
    pub machine: Machine,
    pub node_count: u32,
    /// An `mlcloud_identity` id with purpose "node".
    pub node_identity_id: Option<String>,
}

/// The system pool as the cloud reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemPool {
    pub machine_type: String,
    pub node_count: u32,
    pub node_identity_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AwsClusterSettings {
    #[serde(default, deserialize_with = "super::null_is_empty")]
    pub subnet_ids: BTreeSet<String>,
    #[serde(default, deserialize_with = "super::null_is_empty")]
    pub security_group_ids: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AzureClusterSettings {
    pub resource_group_name: Option<String>,
    pub subnet_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GcpClusterSettings {
    pub project: Option<String>,
    pub network: Option<String>,
    pub subnetwork: Option<String>,
    pub master_ipv4_cidr_block: Option<String>,
}

pub type ClusterCloud = PerCloud<AwsClusterSettings, AzureClusterSettings, GcpClusterSettings>;

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSpec {
    pub name: String,
    pub location: String,
    pub kubernetes_version: Option<String>,
    pub endpoint_access: EndpointAccess,
    pub authorized_cidrs: BTreeSet<String>,
    /// A `key_ref` of an `mlcloud_kms_key`.
    pub encryption_key_id: Option<String>,
    /// An `mlcloud_identity` id with purpose "cluster".
    pub identity_id: Option<String>,
    pub system_pool: SystemPoolSpec,
    /// Who administers the cluster (AWS: IAM role or user ARNs with an access entry).
    pub admin_principals: BTreeSet<String>,
    /// Control-plane log types to enable, in the cloud's names (its rules list them).
    pub logging: BTreeSet<String>,
    pub tags: Tags,
    pub cloud: ClusterCloud,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterState {
    /// AWS: cluster ARN.
    pub id: String,
    pub name: String,
    pub location: String,
    pub kubernetes_version: String,
    pub endpoint_access: EndpointAccess,
    pub authorized_cidrs: BTreeSet<String>,
    pub encryption_key_id: Option<String>,
    pub identity_id: Option<String>,
    pub system_pool: SystemPool,
    pub admin_principals: BTreeSet<String>,
    pub logging: BTreeSet<String>,
    pub tags: Tags,
    pub cloud: ClusterCloud,
    pub endpoint: String,
    pub ca_certificate: String,
    pub oidc_issuer_url: String,
    pub status: String,
}
