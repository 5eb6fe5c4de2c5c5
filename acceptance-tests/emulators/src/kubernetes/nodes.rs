//! Nodes as the clouds register them: a [`NodeSpec`] per VM of a node pool, made
//! into a `Node` (labels, taints, capacity and allocatable, Ready), and kept in step
//! with the pools: missing nodes appear, gone ones go, changed ones follow.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::kinds;
use super::store::Store;

/// The GPUs of the VM under a Node, as its cloud knows them (a count): kubelets
/// report no `nvidia.com/gpu` until the NVIDIA device plugin registers the GPUs, so
/// the device-plugin controller ([`super::controllers`]) turns this annotation into
/// `nvidia.com/gpu` capacity and allocatable while a plugin can run on the node. AKS
/// GPU nodes get it from their pool; whoever registers nodes the way kubelets do (the
/// test harness's EKS kubelets) sets it on the Node it POSTs.
pub const GPUS_ANNOTATION: &str = "emulator.mlcloud.dev/gpus";

/// One node a pool should have.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSpec {
    pub name: String,
    pub labels: Map<String, Value>,
    /// Kubernetes taints (`{key, value, effect}` with `NoSchedule`...).
    pub taints: Vec<Value>,
    pub cpu: u64,
    pub memory_gib: u64,
    /// `nvidia.com/gpu`, `google.com/tpu` and the like, with their counts.
    pub extended: Vec<(String, u64)>,
    pub annotations: Vec<(String, String)>,
    pub provider_id: String,
}

/// vCPUs and memory (GiB) of a machine type by the clouds' naming schemes
/// (`e2-standard-4`, `a2-highgpu-1g`, `Standard_D4s_v5`, `Standard_NC24ads_A100_v4`).
pub fn machine_shape(machine_type: &str) -> (u64, u64) {
    let fixed = match machine_type {
        "ct5lp-hightpu-1t" => Some((24, 48)),
        "ct5lp-hightpu-4t" => Some((112, 192)),
        "ct5lp-hightpu-8t" => Some((224, 400)),
        "ct5p-hightpu-4t" => Some((208, 448)),
        "ct6e-standard-1t" => Some((44, 176)),
        "ct6e-standard-4t" => Some((180, 720)),
        "ct6e-standard-8t" => Some((180, 1440)),
        "a3-highgpu-8g" | "a3-megagpu-8g" | "a3-ultragpu-8g" => Some((208, 1872)),
        _ => None,
    };
    if let Some(shape) = fixed {
        return shape;
    }
    if let Some(gpus) = machine_type
        .strip_prefix("a2-highgpu-")
        .or_else(|| machine_type.strip_prefix("a2-ultragpu-"))
        .and_then(|n| n.strip_suffix('g'))
        .and_then(|n| n.parse::<u64>().ok())
    {
        return (12 * gpus, 85 * gpus);
    }
    if let Some(rest) = machine_type.strip_prefix("Standard_") {
        // Azure: the first number after the family letters is the vCPU count.
        let digits: String = rest
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        let cpu = digits.parse().unwrap_or(2);
        let per_cpu = if rest.starts_with('E') || rest.starts_with("NC") {
            8
        } else {
            4
        };
        return (cpu, cpu * per_cpu);
    }
    // Google: family-kind-N.
    let mut parts = machine_type.rsplitn(2, '-');
    let cpu = parts.next().and_then(|n| n.parse().ok()).unwrap_or(2);
    let per_cpu = match parts.next() {
        Some(kind) if kind.ends_with("highmem") => 8,
        Some(kind) if kind.ends_with("highcpu") => 1,
        _ => 4,
    };
    (cpu, cpu * per_cpu)
}

impl NodeSpec {
    /// The `Node` object, Ready.
    pub fn render(&self) -> Value {
        let mut capacity = json!({
            "cpu": self.cpu.to_string(),
            "memory": format!("{}Ki", self.memory_gib * 1024 * 1024),
            "pods": "110",
            "ephemeral-storage": "101430960Ki",
        });
        // The kubelet and system daemons keep some back.
        let mut allocatable = json!({
            "cpu": format!("{}m", self.cpu * 1000 - 100),
            "memory": format!("{}Ki", self.memory_gib * 1024 * 1024 * 9 / 10),
            "pods": "110",
            "ephemeral-storage": "93478772Ki",
        });
        for (resource, count) in &self.extended {
            capacity[resource] = json!(count.to_string());
            allocatable[resource] = json!(count.to_string());
        }
        let mut spec = json!({"providerID": self.provider_id});
        if !self.taints.is_empty() {
            spec["taints"] = json!(self.taints);
        }
        let annotations: Map<String, Value> = self
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        json!({
            "metadata": {"name": self.name, "labels": self.labels, "annotations": annotations},
            "spec": spec,
            "status": {
                "capacity": capacity,
                "allocatable": allocatable,
                "conditions": [{
                    "type": "Ready", "status": "True", "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                    "lastHeartbeatTime": super::store::now(),
                    "lastTransitionTime": super::store::now(),
                }],
                "nodeInfo": {"kubeletVersion": super::discovery::GIT_VERSION, "operatingSystem": "linux", "architecture": "amd64",
                    "containerRuntimeVersion": "containerd://1.7.23"},
                "addresses": [{"type": "Hostname", "address": self.name}],
            },
        })
    }
}

/// Makes the Nodes carrying `pool_label` exactly `desired`: adds the missing,
/// removes the gone, updates the changed (their heartbeat aside).
pub fn sync(store: &mut Store, pool_label: &str, desired: &[NodeSpec]) {
    let nodes = kinds::find("", "v1", "nodes").expect("served");
    let wanted: BTreeSet<&str> = desired.iter().map(|spec| spec.name.as_str()).collect();
    let stale: Vec<String> = store
        .all(nodes, None)
        .filter(|node| node["metadata"]["labels"].get(pool_label).is_some())
        .filter_map(|node| node["metadata"]["name"].as_str())
        .filter(|name| !wanted.contains(name))
        .map(str::to_string)
        .collect();
    for name in stale {
        store.remove(&("nodes", String::new(), name));
    }
    for spec in desired {
        let mut rendered = spec.render();
        match store.find(nodes, "", &spec.name) {
            Some(existing) => {
                // Extended resources a controller adds (the AKS device plugin's GPUs)
                // are not the pool's to compare.
                let same = existing["metadata"]["labels"] == rendered["metadata"]["labels"]
                    && existing["metadata"]["annotations"] == rendered["metadata"]["annotations"]
                    && existing["spec"] == rendered["spec"]
                    && existing["status"]["capacity"]["cpu"]
                        == rendered["status"]["capacity"]["cpu"]
                    && existing["status"]["capacity"]["memory"]
                        == rendered["status"]["capacity"]["memory"];
                if same {
                    continue;
                }
                let mut updated = existing.clone();
                updated["metadata"]["labels"] = rendered["metadata"]["labels"].take();
                updated["metadata"]["annotations"] = rendered["metadata"]["annotations"].take();
                updated["spec"] = rendered["spec"].take();
                updated["status"]["capacity"] = rendered["status"]["capacity"].take();
                updated["status"]["allocatable"] = rendered["status"]["allocatable"].take();
                store.put_system(nodes, "", updated);
            }
            None => {
                store.put_system(nodes, "", rendered);
            }
        }
    }
}

/// A short stable hash of `text`, as hex.
pub fn hash_hex(text: &str, digits: usize) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    // FNV's high bits barely move with the last bytes: mix them all in (splitmix64).
    let mut mixed = hash ^ (hash >> 30);
    mixed = mixed.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    mixed ^= mixed >> 27;
    mixed = mixed.wrapping_mul(0x94d0_49bb_1331_11eb);
    mixed ^= mixed >> 31;
    format!("{mixed:016x}")[..digits].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_shapes_by_naming_scheme() {
        assert_eq!(machine_shape("e2-standard-4"), (4, 16));
        assert_eq!(machine_shape("n2-highmem-8"), (8, 64));
        assert_eq!(machine_shape("a2-highgpu-2g"), (24, 170));
        assert_eq!(machine_shape("Standard_D4s_v5"), (4, 16));
        assert_eq!(machine_shape("Standard_NC24ads_A100_v4"), (24, 192));
        assert_eq!(machine_shape("ct5lp-hightpu-4t"), (112, 192));
    }
}
