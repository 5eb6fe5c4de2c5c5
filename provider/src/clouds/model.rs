//! The cloud-neutral shapes resources hand to backends and get back. Resources build
//! a `*Spec` from the plan; backends return a `*State` read from the cloud, holding the
//! cloud's actual values so that drift shows in the plan.

use std::collections::BTreeMap;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub type Tags = BTreeMap<String, String>;

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

// ---------------------------------------------------------------- KMS keys

#[derive(Debug, Clone, PartialEq)]
pub struct KeySpec {
    pub name: String,
    pub location: String,
    pub description: String,
    pub rotation_period_days: u32,
    pub deletion_window_days: u32,
    /// Resource tags already merged with the provider's `default_tags`.
    pub tags: Tags,
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
    pub rotation_period_days: u32,
    pub deletion_window_days: u32,
    pub tags: Tags,
}

// ---------------------------------------------------------------- identities

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Cluster,
    Node,
    Workload,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Cluster => "cluster",
            Purpose::Node => "node",
            Purpose::Workload => "workload",
        }
    }
}

/// The Kubernetes service account a workload identity trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadBinding {
    /// The `id` of an `mlcloud_cluster` (AWS: cluster ARN).
    pub cluster_id: String,
    pub namespace: String,
    pub service_account: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// One permission: `action` on `target` (a key's `key_ref`, or a model store URI such
/// as `s3://bucket/prefix`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub action: GrantAction,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdentitySpec {
    pub name: String,
    pub location: String,
    pub purpose: Purpose,
    pub workload: Option<WorkloadBinding>,
    pub grants: Vec<Grant>,
    pub permissions_boundary_arn: Option<String>,
    pub tags: Tags,
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
    pub purpose: Purpose,
    pub workload: Option<WorkloadBinding>,
    pub grants: Vec<Grant>,
    pub permissions_boundary_arn: Option<String>,
    pub tags: Tags,
}

// ---------------------------------------------------------------- clusters

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointAccess {
    Private,
    Public,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SystemPool {
    pub machine_type: String,
    pub node_count: u32,
    /// An `mlcloud_identity` id with purpose "node".
    pub node_identity_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AwsClusterSettings {
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSpec {
    pub name: String,
    pub location: String,
    pub kubernetes_version: Option<String>,
    pub endpoint_access: EndpointAccess,
    pub authorized_cidrs: Vec<String>,
    /// A `key_ref` of an `mlcloud_kms_key`.
    pub encryption_key_id: Option<String>,
    /// An `mlcloud_identity` id with purpose "cluster".
    pub identity_id: Option<String>,
    pub system_pool: SystemPool,
    /// Control-plane log types to enable (AWS: api, audit, authenticator,
    /// controllerManager, scheduler).
    pub logging: Vec<String>,
    pub aws: AwsClusterSettings,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterState {
    /// AWS: cluster ARN.
    pub id: String,
    pub name: String,
    pub location: String,
    pub kubernetes_version: String,
    pub endpoint_access: EndpointAccess,
    pub authorized_cidrs: Vec<String>,
    pub encryption_key_id: Option<String>,
    pub identity_id: Option<String>,
    pub system_pool: SystemPool,
    pub logging: Vec<String>,
    pub aws: AwsClusterSettings,
    pub tags: Tags,
    pub endpoint: String,
    pub ca_certificate: String,
    pub oidc_issuer_url: String,
    pub status: String,
}

// ---------------------------------------------------------------- node pools

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scaling {
    Fixed(u32),
    Auto { min: u32, max: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityType {
    OnDemand,
    Spot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

impl TaintEffect {
    pub const ALL: [TaintEffect; 3] = [
        TaintEffect::NoSchedule,
        TaintEffect::PreferNoSchedule,
        TaintEffect::NoExecute,
    ];

    /// The Kubernetes spelling, which is also what users write.
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }

    pub fn parse(s: &str) -> Option<TaintEffect> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: TaintEffect,
}

/// The accelerator a pool's machine type carries, resolved through the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolAccelerator {
    /// Contract name, e.g. `nvidia-l4`.
    pub accelerator: String,
    pub per_node: u32,
    pub is_tpu: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodePoolSpec {
    /// An `mlcloud_cluster` id (AWS: cluster ARN).
    pub cluster_id: String,
    pub name: String,
    /// The resolved instance / VM / machine type.
    pub machine_type: String,
    pub accelerator: Option<PoolAccelerator>,
    pub scaling: Scaling,
    pub capacity_type: CapacityType,
    pub taints: Vec<Taint>,
    pub labels: BTreeMap<String, String>,
    pub disk_size_gb: u32,
    pub zones: Vec<String>,
    pub node_identity_id: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodePoolState {
    /// AWS: node group ARN.
    pub id: String,
    pub cluster_id: String,
    pub name: String,
    pub machine_type: String,
    pub scaling: Scaling,
    pub capacity_type: CapacityType,
    pub taints: Vec<Taint>,
    pub labels: BTreeMap<String, String>,
    pub disk_size_gb: u32,
    pub zones: Vec<String>,
    pub node_identity_id: Option<String>,
    pub tags: Tags,
    pub status: String,
}
