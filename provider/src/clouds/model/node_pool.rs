//! `mlcloud_node_pool` as backends see it.

use super::{Machine, PerCloud, Tags};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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

impl CapacityType {
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityType::OnDemand => "on_demand",
            CapacityType::Spot => "spot",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: TaintEffect,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AwsNodePoolSettings {}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AzureNodePoolSettings {
    /// AKS's `gpuProfile.driver` on a GPU pool: `None` for pools whose driver comes
    /// from the NVIDIA GPU Operator; unset is AKS's default, `Install`.
    pub gpu_driver: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GcpNodePoolSettings {
    /// GPU driver installation: `DEFAULT` (unset), `LATEST` or `INSTALLATION_DISABLED`.
    pub gpu_driver_version: Option<String>,
}

pub type NodePoolCloud = PerCloud<AwsNodePoolSettings, AzureNodePoolSettings, GcpNodePoolSettings>;

#[derive(Debug, Clone, PartialEq)]
pub struct NodePoolSpec {
    /// An `mlcloud_cluster` id.
    pub cluster_id: String,
    pub name: String,
    pub machine: Machine,
    pub scaling: Scaling,
    pub capacity_type: CapacityType,
    pub taints: BTreeSet<Taint>,
    pub labels: BTreeMap<String, String>,
    pub disk_size_gb: u32,
    pub zones: BTreeSet<String>,
    pub node_identity_id: Option<String>,
    /// TPU slice topology (`tpu { topology }`, e.g. `2x4`); only clouds whose rules
    /// allow TPU slices get one.
    pub tpu_topology: Option<String>,
    /// The Kubernetes version to run; the cluster's when none (at create).
    pub kubernetes_version: Option<String>,
    /// The key (a `key_ref`) encrypting the nodes' disks; the cloud's default
    /// encryption when none.
    pub disk_encryption_key_id: Option<String>,
    pub tags: Tags,
    pub cloud: NodePoolCloud,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodePoolState {
    /// AWS: node group ARN.
    pub id: String,
    pub cluster_id: String,
    pub name: String,
    /// The pool's region where its id does not name it (Azure: its cluster's, as
    /// agent pools carry none); None elsewhere, and the state keeps the location the
    /// id, the configuration or the provider names.
    pub location: Option<String>,
    pub machine_type: String,
    pub scaling: Scaling,
    pub capacity_type: CapacityType,
    pub taints: BTreeSet<Taint>,
    pub labels: BTreeMap<String, String>,
    pub disk_size_gb: u32,
    /// The zones the pool's nodes are placed in.
    pub zones: BTreeSet<String>,
    /// Whether the pool spans every zone of its cluster, as a pool without `zones`
    /// does: then a configuration without `zones` matches it.
    pub spans_cluster: bool,
    pub node_identity_id: Option<String>,
    pub kubernetes_version: String,
    pub disk_encryption_key_id: Option<String>,
    /// The TPU slice's topology (`2x4`), on clouds with TPU slices; None elsewhere.
    pub tpu_topology: Option<String>,
    pub tags: Tags,
    pub status: String,
    pub cloud: NodePoolCloud,
}
