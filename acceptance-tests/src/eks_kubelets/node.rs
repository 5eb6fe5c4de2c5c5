//! The Node a kubelet of an EKS managed node group registers, and the status it
//! posts once it is ready. EKS names nodes after their private DNS name
//! (`ip-10-0-1-23.ec2.internal`) and labels them with the node group, its capacity
//! type and its own labels; its taints come from the node group.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::instance_types::InstanceShape;

/// The node group label EKS puts on its nodes.
pub const NODEGROUP_LABEL: &str = "eks.amazonaws.com/nodegroup";

/// The annotation that tells the emulator how many GPUs the VM under a Node has
/// (`acceptance-tests/emulators/README.md`, "Nodes"): kubelets report none until the
/// NVIDIA device plugin registers them, which the emulator plays.
pub const GPUS_ANNOTATION: &str = "emulator.mlcloud.dev/gpus";

/// A node group as DescribeNodegroup tells it, with its subnets' zones.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeGroup {
    pub cluster: String,
    pub name: String,
    pub instance_type: String,
    /// `ON_DEMAND` or `SPOT`, as EKS says it (and labels it).
    pub capacity_type: String,
    pub desired_size: u64,
    pub labels: BTreeMap<String, String>,
    /// `(key, value, effect)` with EKS's effects (`NO_SCHEDULE`...).
    pub taints: Vec<(String, String, String)>,
    /// The availability zones of its subnets, in the subnets' order.
    pub zones: Vec<String>,
    pub region: String,
}

/// `NO_SCHEDULE` → `NoSchedule`, as EKS writes the taint on the Node.
pub fn kubernetes_effect(eks_effect: &str) -> String {
    eks_effect
        .split('_')
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

impl NodeGroup {
    /// The private IP of its `index`th node: `10.A.B.(10 + index)`, with A.B from
    /// the group's name (another group landing on the same A.B is refused by
    /// [`EksKubelets::sync`](crate::EksKubelets::sync)).
    fn private_ip(&self, index: u64) -> String {
        let hash = fnv(&format!("{}/{}", self.cluster, self.name));
        format!("10.{}.{}.{}", (hash >> 8) as u8, hash as u8, 10 + index)
    }

    /// The name of its `index`th node: its private DNS name.
    pub fn node_name(&self, index: u64) -> String {
        let host = format!("ip-{}", self.private_ip(index).replace('.', "-"));
        if self.region == "us-east-1" {
            format!("{host}.ec2.internal")
        } else {
            format!("{host}.{}.compute.internal", self.region)
        }
    }

    fn zone(&self, index: u64) -> String {
        if self.zones.is_empty() {
            format!("{}a", self.region)
        } else {
            self.zones[index as usize % self.zones.len()].clone()
        }
    }

    /// What the kubelet POSTs to `/api/v1/nodes`: labels, taints, capacity and
    /// allocatable, and Ready `False` (it is still starting).
    pub fn registration(&self, shape: &InstanceShape, index: u64) -> Value {
        let name = self.node_name(index);
        let zone = self.zone(index);
        let mut labels: Map<String, Value> = self
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        for (key, value) in [
            (NODEGROUP_LABEL, self.name.as_str()),
            (
                "eks.amazonaws.com/capacityType",
                self.capacity_type.as_str(),
            ),
            (
                "node.kubernetes.io/instance-type",
                self.instance_type.as_str(),
            ),
            ("topology.kubernetes.io/region", self.region.as_str()),
            ("topology.kubernetes.io/zone", zone.as_str()),
            ("kubernetes.io/arch", shape.arch),
            ("kubernetes.io/os", "linux"),
            ("kubernetes.io/hostname", name.as_str()),
        ] {
            labels.insert(key.to_string(), json!(value));
        }
        let taints: Vec<Value> = self
            .taints
            .iter()
            .map(|(key, value, effect)| {
                let mut taint = json!({"key": key, "effect": kubernetes_effect(effect)});
                if !value.is_empty() {
                    taint["value"] = json!(value);
                }
                taint
            })
            .collect();
        let mut spec = json!({"providerID": format!("aws:///{zone}/i-{}", instance_id(&name))});
        if !taints.is_empty() {
            spec["taints"] = json!(taints);
        }
        let mut annotations = Map::new();
        if shape.gpus > 0 {
            annotations.insert(GPUS_ANNOTATION.into(), json!(shape.gpus.to_string()));
        }
        let memory_ki = shape.memory_gib * 1024 * 1024;
        json!({
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name, "labels": labels, "annotations": annotations},
            "spec": spec,
            "status": {
                "capacity": {
                    "cpu": shape.vcpus.to_string(),
                    "memory": format!("{memory_ki}Ki"),
                    "pods": shape.max_pods.to_string(),
                    "ephemeral-storage": "83873772Ki",
                },
                "allocatable": {
                    "cpu": format!("{}m", shape.vcpus * 1000 - shape.reserved_millicores()),
                    "memory": format!("{}Ki", memory_ki - shape.reserved_memory_mib() * 1024),
                    "pods": shape.max_pods.to_string(),
                    "ephemeral-storage": "76224326324",
                },
                "conditions": conditions(false),
                "nodeInfo": {
                    "architecture": shape.arch,
                    "operatingSystem": "linux",
                    "osImage": "Amazon Linux 2023.6.20250115",
                    "containerRuntimeVersion": "containerd://1.7.25",
                },
                "addresses": [
                    {"type": "InternalIP", "address": self.private_ip(index)},
                    {"type": "Hostname", "address": name},
                    {"type": "InternalDNS", "address": name},
                ],
            },
        })
    }
}

/// The status update that follows: Ready (or not), and no pressure.
pub fn ready_status(ready: bool) -> Value {
    json!({"status": {"conditions": conditions(ready)}})
}

fn conditions(ready: bool) -> Value {
    let now = now_rfc3339();
    let pressure = |kind: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": "False", "reason": reason, "message": message,
            "lastHeartbeatTime": now, "lastTransitionTime": now})
    };
    let (status, reason, message) = if ready {
        ("True", "KubeletReady", "kubelet is posting ready status")
    } else {
        (
            "False",
            "KubeletNotReady",
            "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
        )
    };
    json!([
        pressure("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        pressure("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        pressure("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        {"type": "Ready", "status": status, "reason": reason, "message": message,
            "lastHeartbeatTime": now, "lastTransitionTime": now},
    ])
}

/// FNV-1a of `text`, its halves folded together.
fn fnv(text: &str) -> u64 {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash ^ (hash >> 32)
}

/// A 17-hex-digit EC2 instance id that stays the same for a node name.
fn instance_id(node_name: &str) -> String {
    format!("0{:016x}", fnv(node_name))
}

/// Now as `2026-01-02T03:04:05Z`.
fn now_rfc3339() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eks_kubelets::instance_types::instance_shape;

    fn gpu_group() -> NodeGroup {
        NodeGroup {
            cluster: "ml-main".into(),
            name: "gpu-l4".into(),
            instance_type: "g6.xlarge".into(),
            capacity_type: "SPOT".into(),
            desired_size: 2,
            labels: BTreeMap::from([("workload".into(), "inference".into())]),
            taints: vec![(
                "nvidia.com/gpu".into(),
                "present".into(),
                "NO_SCHEDULE".into(),
            )],
            zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn effects_are_written_as_kubernetes_writes_them() {
        assert_eq!(kubernetes_effect("NO_SCHEDULE"), "NoSchedule");
        assert_eq!(kubernetes_effect("NO_EXECUTE"), "NoExecute");
        assert_eq!(kubernetes_effect("PREFER_NO_SCHEDULE"), "PreferNoSchedule");
    }

    #[test]
    fn a_gpu_node_registers_with_its_group_labels_taints_and_hardware() {
        let group = gpu_group();
        let node = group.registration(&instance_shape("g6.xlarge").unwrap(), 1);
        let name = node["metadata"]["name"].as_str().unwrap();
        assert!(
            name.starts_with("ip-10-") && name.ends_with("-11.ec2.internal"),
            "{name}"
        );
        let ip = &node["status"]["addresses"][0]["address"];
        assert_eq!(
            format!("ip-{}.ec2.internal", ip.as_str().unwrap().replace('.', "-")),
            name
        );
        let labels = &node["metadata"]["labels"];
        assert_eq!(labels[NODEGROUP_LABEL], "gpu-l4");
        assert_eq!(labels["eks.amazonaws.com/capacityType"], "SPOT");
        assert_eq!(labels["topology.kubernetes.io/zone"], "us-east-1b");
        assert_eq!(labels["workload"], "inference");
        assert_eq!(
            node["spec"]["taints"],
            json!([{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}])
        );
        assert_eq!(node["metadata"]["annotations"][GPUS_ANNOTATION], "1");
        assert!(node["status"]["capacity"].get("nvidia.com/gpu").is_none());
        assert_eq!(node["status"]["allocatable"]["cpu"], "3920m");
        assert_eq!(node["status"]["conditions"][3]["status"], "False");
        assert!(
            node["spec"]["providerID"]
                .as_str()
                .unwrap()
                .starts_with("aws:///us-east-1b/i-0")
        );
    }

    #[test]
    fn now_is_rfc3339() {
        let now = now_rfc3339();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z'), "{now}");
    }
}
