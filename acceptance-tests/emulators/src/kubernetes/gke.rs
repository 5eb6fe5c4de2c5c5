//! GKE clusters' API servers: a Google access token the gcp part issued (or a JWT
//! signed by its key, as the gcp part accepts) authenticates; the project policy's
//! Kubernetes Engine roles authorize. Nodes follow the cluster's node pools, named,
//! labelled and tainted as GKE does, with `nvidia.com/gpu` / `google.com/tpu`.

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

use super::clusters::Cloud;
use super::gate::{Caller, Gate};
use super::nodes::{self, NodeSpec};
use crate::gcp::GcpPart;
use crate::gcp::auth::Auth;
use crate::gcp::model::Model;
use crate::gcp::model::machines::{self, Accelerators};

/// The roles that may use a cluster's API (basic roles carry container permissions).
const ROLES: &[&str] = &[
    "roles/owner",
    "roles/editor",
    "roles/container.admin",
    "roles/container.clusterAdmin",
    "roles/container.developer",
];

pub const POOL_LABEL: &str = "cloud.google.com/gke-nodepool";

struct GkeGate {
    auth: Arc<Auth>,
    model: Arc<Mutex<Model>>,
}

#[async_trait::async_trait]
impl Gate for GkeGate {
    async fn authenticate(&self, token: &str) -> Option<Caller> {
        // The gcp part's own check: an access token it issued, or a self-signed JWT.
        self.auth.check(Some(&format!("Bearer {token}"))).ok()?;
        Some(Caller {
            user: self.auth.client_email.clone(),
        })
    }

    fn authorize(&self, caller: &Caller) -> bool {
        let model = self.model.lock().expect("gcp model");
        let project = format!("projects/{}", model.project.id);
        let member = format!("serviceAccount:{}", caller.user);
        ROLES
            .iter()
            .any(|role| model.policies.has_binding(&project, role, &member))
    }
}

/// Serves the API of cluster `name` (`projects/p/locations/l/clusters/c`).
pub fn serve(part: &GcpPart, name: &str) -> Option<String> {
    let gate = Arc::new(GkeGate {
        auth: part.auth.clone(),
        model: part.model.clone(),
    });
    part.clusters
        .start(Cloud::Gcp, name, gate)
        .map(|address| address.to_string())
}

/// After every gcp request: gone clusters stop their API; the others' Nodes follow
/// their pools.
pub fn follow(part: &GcpPart) {
    let (names, pools) = {
        let mut model = part.model.lock().expect("gcp model");
        model.container.settle();
        (
            model.container.cluster_names(),
            model.container.pools_with_sizes(),
        )
    };
    part.clusters
        .retain(Cloud::Gcp, |id| names.iter().any(|n| n == id));
    for cluster in &names {
        let Some(api) = part.clusters.api(cluster) else {
            continue;
        };
        let desired: Vec<NodeSpec> = pools
            .iter()
            .filter(|(owner, pool, _)| owner == cluster && pool["status"] != "PROVISIONING")
            .flat_map(|(_, pool, size)| pool_nodes(cluster, pool, *size))
            .collect();
        let mut store = api.store.lock().expect("store");
        nodes::sync(&mut store, POOL_LABEL, &desired);
    }
}

/// The nodes of one pool: `gke-{cluster}-{pool}-{hash}-{suffix}`, spread over the
/// pool's zones.
fn pool_nodes(cluster: &str, pool: &Value, size: u32) -> Vec<NodeSpec> {
    let cluster_name = cluster.rsplit('/').next().unwrap_or_default();
    let pool_name = pool["name"].as_str().unwrap_or_default();
    let config = &pool["config"];
    let machine_type = config["machineType"].as_str().unwrap_or("e2-medium");
    let (cpu, memory_gib) = nodes::machine_shape(machine_type);
    let zones: Vec<String> = pool["locations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|z| z.as_str().map(str::to_string))
        .collect();
    let group = nodes::hash_hex(&format!("{cluster}/{pool_name}"), 8);
    let mut labels = Map::new();
    for (key, value) in config["labels"].as_object().into_iter().flatten() {
        labels.insert(key.clone(), value.clone());
    }
    labels.insert(POOL_LABEL.into(), json!(pool_name));
    labels.insert(
        "node.kubernetes.io/instance-type".into(),
        json!(machine_type),
    );
    labels.insert("kubernetes.io/os".into(), json!("linux"));
    labels.insert("kubernetes.io/arch".into(), json!("amd64"));
    let mut taints: Vec<Value> = config["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| json!({"key": t["key"], "value": t["value"], "effect": effect(t["effect"].as_str().unwrap_or_default())}))
        .collect();
    let mut extended = Vec::new();
    let gpu = config["accelerators"]
        .as_array()
        .and_then(|a| a.first())
        .cloned();
    if let Some(gpu) = gpu {
        let count = gpu["acceleratorCount"]
            .as_str()
            .and_then(|c| c.parse().ok())
            .or_else(|| gpu["acceleratorCount"].as_u64())
            .unwrap_or(1);
        labels.insert(
            "cloud.google.com/gke-accelerator".into(),
            gpu["acceleratorType"].clone(),
        );
        labels.insert("cloud.google.com/gke-gpu".into(), json!("true"));
        extended.push(("nvidia.com/gpu".to_string(), count));
        taints.push(json!({"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}));
    } else if let Accelerators::Gpu { types, counts } = machines::accelerators(machine_type)
        && !machine_type.starts_with("n1-")
    {
        // Accelerator-optimized machines come with their GPUs attached.
        labels.insert("cloud.google.com/gke-accelerator".into(), json!(types[0]));
        labels.insert("cloud.google.com/gke-gpu".into(), json!("true"));
        extended.push(("nvidia.com/gpu".to_string(), counts[0] as u64));
        taints.push(json!({"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}));
    }
    if let Accelerators::Tpu { chips, .. } = machines::accelerators(machine_type) {
        let accelerator = match machine_type.split('-').next() {
            Some("ct5lp") => "tpu-v5-lite-podslice",
            Some("ct5p") => "tpu-v5p-slice",
            _ => "tpu-v6e-slice",
        };
        labels.insert(
            "cloud.google.com/gke-tpu-accelerator".into(),
            json!(accelerator),
        );
        if let Some(topology) = pool["placementPolicy"]["tpuTopology"].as_str() {
            labels.insert("cloud.google.com/gke-tpu-topology".into(), json!(topology));
        }
        extended.push(("google.com/tpu".to_string(), chips));
        taints.push(json!({"key": "google.com/tpu", "value": "present", "effect": "NoSchedule"}));
    }
    (0..size)
        .map(|index| {
            let name = format!(
                "gke-{}-{}-{group}-{}",
                truncate(cluster_name, 14),
                truncate(pool_name, 14),
                nodes::hash_hex(&format!("{cluster}/{pool_name}/{index}"), 4)
            );
            let mut labels = labels.clone();
            let zone = zones
                .get(index as usize % zones.len().max(1))
                .cloned()
                .unwrap_or_default();
            if !zone.is_empty() {
                labels.insert("topology.kubernetes.io/zone".into(), json!(zone));
                labels.insert(
                    "topology.kubernetes.io/region".into(),
                    json!(zone.rsplit_once('-').map(|(r, _)| r).unwrap_or(&zone)),
                );
            }
            labels.insert("kubernetes.io/hostname".into(), json!(name));
            NodeSpec {
                provider_id: format!("gce://{}/{zone}/{name}", crate::gcp::PROJECT_ID),
                name,
                labels,
                taints: taints.clone(),
                cpu,
                memory_gib,
                extended: extended.clone(),
                annotations: Vec::new(),
            }
        })
        .collect()
}

fn truncate(text: &str, max: usize) -> &str {
    &text[..text.len().min(max)]
}

/// GKE's taint effects (`NO_SCHEDULE`) as Kubernetes writes them (`NoSchedule`).
fn effect(gke: &str) -> &'static str {
    match gke {
        "PREFER_NO_SCHEDULE" | "PreferNoSchedule" | "2" => "PreferNoSchedule",
        "NO_EXECUTE" | "NoExecute" | "3" => "NoExecute",
        _ => "NoSchedule",
    }
}
