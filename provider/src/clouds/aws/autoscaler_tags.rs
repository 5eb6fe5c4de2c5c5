//! The node group tags the Kubernetes cluster autoscaler reads on AWS. Auto-discovery
//! (`--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<cluster>`)
//! takes the groups carrying both keys. With `min = 0` a group may have no node to
//! learn from, so the autoscaler builds its idea of a future node from the
//! `node-template` tags: the pool's labels, its taints (`value:Effect`) and its GPUs
//! (`resources/nvidia.com/gpu`). Without them a GPU pod never makes a group at zero
//! scale up. Only autoscaled pools carry them; they are mlcloud's bookkeeping and
//! never reported back as the pool's `tags`.

use crate::clouds::model::{NodePoolSpec, Scaling, Tags};
use std::collections::HashMap;

use super::tags::TagChanges;

/// Every key of the autoscaler's starts so.
pub const PREFIX: &str = "k8s.io/cluster-autoscaler/";
/// The key auto-discovery looks for on every group.
pub const ENABLED: &str = "k8s.io/cluster-autoscaler/enabled";

/// The key naming the cluster a group belongs to.
pub fn cluster_key(cluster: &str) -> String {
    format!("{PREFIX}{cluster}")
}

pub fn is_autoscaler_tag(key: &str) -> bool {
    key.starts_with(PREFIX)
}

/// The tags the node group of `spec` in `cluster` carries for the autoscaler: none
/// for a fixed-size pool.
pub fn discovery_tags(cluster: &str, spec: &NodePoolSpec) -> Tags {
    let mut tags = Tags::new();
    if !matches!(spec.scaling, Scaling::Auto { .. }) {
        return tags;
    }
    tags.insert(ENABLED.into(), "true".into());
    tags.insert(cluster_key(cluster), "owned".into());
    for (key, value) in &spec.labels {
        tags.insert(format!("{PREFIX}node-template/label/{key}"), value.clone());
    }
    for taint in &spec.taints {
        tags.insert(
            format!("{PREFIX}node-template/taint/{}", taint.key),
            format!("{}:{}", taint.value, taint.effect.as_str()),
        );
    }
    if spec.machine.has_gpu()
        && let Some(accelerator) = &spec.machine.accelerator
    {
        tags.insert(
            format!("{PREFIX}node-template/resources/nvidia.com/gpu"),
            accelerator.per_node.to_string(),
        );
    }
    tags
}

/// The calls that turn the autoscaler tags in `actual` (a group's tags as EKS holds
/// them) into `desired`; other tags are left alone.
pub fn changes(actual: Option<&HashMap<String, String>>, desired: &Tags) -> TagChanges {
    let actual: Tags = actual
        .into_iter()
        .flatten()
        .filter(|(k, _)| is_autoscaler_tag(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    TagChanges {
        set: desired
            .iter()
            .filter(|(k, v)| actual.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        remove: actual
            .keys()
            .filter(|k| !desired.contains_key(*k))
            .cloned()
            .collect(),
    }
}

/// Whether a group's tags mark it autoscaled in `cluster`.
pub fn is_discovered(tags: Option<&HashMap<String, String>>, cluster: &str) -> bool {
    let Some(tags) = tags else {
        return false;
    };
    tags.get(ENABLED).is_some_and(|v| v == "true") && tags.contains_key(&cluster_key(cluster))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clouds::model::{
        AcceleratorFamily, AwsNodePoolSettings, CapacityType, Machine, MachineAccelerator,
        PerCloud, Taint, TaintEffect,
    };

    fn gpu_pool(scaling: Scaling) -> NodePoolSpec {
        NodePoolSpec {
            cluster_id: "arn:aws:eks:us-east-1:123456789012:cluster/ml".into(),
            name: "gpu".into(),
            scaling,
            machine: Machine {
                machine_type: "g6.xlarge".into(),
                accelerator: Some(MachineAccelerator {
                    name: "nvidia-l4".into(),
                    per_node: 1,
                    family: AcceleratorFamily::Gpu,
                }),
                ..Default::default()
            },
            capacity_type: CapacityType::OnDemand,
            disk_size_gb: 100,
            zones: Default::default(),
            node_identity_id: None,
            tpu_topology: None,
            kubernetes_version: None,
            disk_encryption_key_id: None,
            tags: Default::default(),
            cloud: PerCloud::Aws(AwsNodePoolSettings {}),
            labels: [("team".to_string(), "ml".to_string())].into(),
            taints: [Taint {
                key: "nvidia.com/gpu".into(),
                value: "present".into(),
                effect: TaintEffect::NoSchedule,
            }]
            .into(),
        }
    }

    #[test]
    fn an_autoscaled_gpu_pool_is_discoverable_from_zero() {
        let tags = discovery_tags("ml", &gpu_pool(Scaling::Auto { min: 0, max: 2 }));
        let expected: Tags = [
            ("k8s.io/cluster-autoscaler/enabled", "true"),
            ("k8s.io/cluster-autoscaler/ml", "owned"),
            ("k8s.io/cluster-autoscaler/node-template/label/team", "ml"),
            (
                "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu",
                "present:NoSchedule",
            ),
            (
                "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu",
                "1",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(tags, expected);
        let raw: HashMap<String, String> = tags.clone().into_iter().collect();
        assert!(is_discovered(Some(&raw), "ml"));
        assert!(!is_discovered(Some(&raw), "other"));
        assert!(discovery_tags("ml", &gpu_pool(Scaling::Fixed(1))).is_empty());
    }

    #[test]
    fn changes_touch_only_the_autoscalers_keys() {
        let actual: HashMap<String, String> = [
            ("team", "ml"),
            ("k8s.io/cluster-autoscaler/enabled", "true"),
            ("k8s.io/cluster-autoscaler/node-template/label/old", "x"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let changes = changes(Some(&actual), &Tags::new());
        assert!(changes.set.is_empty());
        let mut removed = changes.remove;
        removed.sort();
        assert_eq!(
            removed,
            [
                "k8s.io/cluster-autoscaler/enabled",
                "k8s.io/cluster-autoscaler/node-template/label/old"
            ]
        );
    }
}
