//! AKS clusters' API servers: an Entra token the azure part issued for AKS's server
//! application authenticates (local accounts are off); an AKS RBAC role assignment
//! on the cluster (or a scope above it) authorizes. The cluster's `fqdn` (or
//! `privateFQDN`) becomes the API server's `127.0.0.1:PORT`. Nodes follow the agent
//! pools; GPU nodes carry [`GPUS_ANNOTATION`] and advertise `nvidia.com/gpu` only
//! while a device-plugin DaemonSet runs on them (see [`super::controllers`]).

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

use super::clusters::{Cloud, Clusters};
use super::gate::{Caller, Gate};
use super::nodes::{self, GPUS_ANNOTATION, NodeSpec};
use crate::azure::model::{Kind, State};

/// AKS's Entra server application: the audience of tokens for a cluster's API.
pub const AKS_SERVER_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

/// Azure Kubernetes Service RBAC Cluster Admin, Admin and Writer.
const RBAC_ROLES: &[&str] = &[
    "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "3498e952-d568-435e-9b2c-8d77e338d7f7",
    "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
];

pub const POOL_LABEL: &str = "kubernetes.azure.com/agentpool";

struct AksGate {
    state: Arc<Mutex<State>>,
    cluster_id: String,
}

#[async_trait::async_trait]
impl Gate for AksGate {
    async fn authenticate(&self, token: &str) -> Option<Caller> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let issued = state.tokens.get(token)?;
        let fresh = issued.expires > std::time::Instant::now();
        let for_aks = issued.audience.trim_end_matches('/') == AKS_SERVER_APP;
        (fresh && for_aks).then(|| Caller {
            user: issued.object_id.clone(),
        })
    }

    fn authorize(&self, caller: &Caller) -> bool {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let cluster = self.cluster_id.to_ascii_lowercase();
        state.of_kind(Kind::RoleAssignment).any(|assignment| {
            let p = assignment.properties();
            let scope = p["scope"].as_str().unwrap_or_default().to_ascii_lowercase();
            let covers = !scope.is_empty()
                && (cluster == scope
                    || cluster.starts_with(&format!("{}/", scope.trim_end_matches('/'))));
            let role = p["roleDefinitionId"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            covers
                && p["principalId"].as_str() == Some(caller.user.as_str())
                && RBAC_ROLES.iter().any(|r| role.ends_with(r))
        })
    }
}

/// After every azure request: each managed cluster gets (or keeps) its API server
/// and points its FQDN there; gone clusters stop theirs; Nodes follow agent pools.
pub fn follow(state: &Arc<Mutex<State>>, clusters: &Clusters) {
    let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
    let ids: Vec<String> = guard
        .of_kind(Kind::ManagedCluster)
        .map(|c| c.id.to_ascii_lowercase())
        .collect();
    clusters.retain(Cloud::Azure, |id| ids.iter().any(|i| i == id));
    for id in &ids {
        let gate = Arc::new(AksGate {
            state: state.clone(),
            cluster_id: id.clone(),
        });
        let Some(address) = clusters.start(Cloud::Azure, id, gate) else {
            continue;
        };
        let Some(cluster) = guard.get_mut(id) else {
            continue;
        };
        let properties = &mut cluster.body["properties"];
        let field = if properties["apiServerAccessProfile"]["enablePrivateCluster"] == true {
            "privateFQDN"
        } else {
            "fqdn"
        };
        properties[field] = json!(address.to_string());
    }
    let pools: Vec<(String, Value)> = guard
        .of_kind(Kind::AgentPool)
        .map(|p| (p.id.to_ascii_lowercase(), p.body.clone()))
        .collect();
    let locations: Vec<(String, String)> = guard
        .of_kind(Kind::ManagedCluster)
        .map(|c| {
            (
                c.id.to_ascii_lowercase(),
                c.body["location"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    drop(guard);
    for (id, location) in locations {
        let Some(api) = clusters.api(&id) else {
            continue;
        };
        let prefix = format!("{id}/agentpools/");
        let desired: Vec<NodeSpec> = pools
            .iter()
            .filter(|(pool_id, _)| pool_id.starts_with(&prefix))
            .flat_map(|(_, pool)| pool_nodes(&id, &location, pool))
            .collect();
        let mut store = api.store.lock().expect("store");
        nodes::sync(&mut store, POOL_LABEL, &desired);
    }
}

/// `aks-{pool}-{8 digits}-vmss{index}` per VM of the pool's scale set.
fn pool_nodes(cluster_id: &str, location: &str, pool: &Value) -> Vec<NodeSpec> {
    let p = &pool["properties"];
    let name = pool["name"].as_str().unwrap_or_default();
    let count = p["count"].as_u64().unwrap_or(0);
    let vm_size = p["vmSize"].as_str().unwrap_or("Standard_D4ds_v5");
    let (cpu, memory_gib) = nodes::machine_shape(vm_size);
    let digits: String = nodes::hash_hex(&format!("{cluster_id}/{name}"), 8)
        .bytes()
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    let zones: Vec<String> = p["availabilityZones"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|z| z.as_str().map(str::to_string))
        .collect();
    let mut labels = Map::new();
    for (key, value) in p["nodeLabels"].as_object().into_iter().flatten() {
        labels.insert(key.clone(), value.clone());
    }
    labels.insert(POOL_LABEL.into(), json!(name));
    labels.insert("agentpool".into(), json!(name));
    labels.insert(
        "kubernetes.azure.com/mode".into(),
        json!(p["mode"].as_str().unwrap_or("User").to_ascii_lowercase()),
    );
    labels.insert("node.kubernetes.io/instance-type".into(), json!(vm_size));
    labels.insert("topology.kubernetes.io/region".into(), json!(location));
    labels.insert("kubernetes.io/os".into(), json!("linux"));
    labels.insert("kubernetes.io/arch".into(), json!("amd64"));
    let gpus = gpus_of(vm_size);
    if gpus > 0 {
        labels.insert("kubernetes.azure.com/accelerator".into(), json!("nvidia"));
    }
    let taints: Vec<Value> = p["nodeTaints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str())
        .filter_map(parse_taint)
        .collect();
    (0..count)
        .map(|index| {
            let node = format!("aks-{name}-{digits}-vmss{index:06}");
            let mut labels = labels.clone();
            let zone = if zones.is_empty() {
                "0".to_string()
            } else {
                format!("{location}-{}", zones[index as usize % zones.len()])
            };
            labels.insert("topology.kubernetes.io/zone".into(), json!(zone));
            labels.insert("kubernetes.io/hostname".into(), json!(node));
            NodeSpec {
                provider_id: format!("azure://{cluster_id}/virtualMachineScaleSets/aks-{name}-{digits}-vmss/virtualMachines/{index}"),
                name: node,
                labels,
                taints: taints.clone(),
                cpu,
                memory_gib,
                extended: Vec::new(),
                annotations: if gpus > 0 {
                    vec![(GPUS_ANNOTATION.to_string(), gpus.to_string())]
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

/// `key=value:NoSchedule` → a Kubernetes taint.
fn parse_taint(text: &str) -> Option<Value> {
    let (pair, effect) = text.rsplit_once(':')?;
    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
    let mut taint = json!({"key": key, "effect": effect});
    if !value.is_empty() {
        taint["value"] = json!(value);
    }
    Some(taint)
}

/// GPUs per VM of an NC/ND/NV size (0 for the others).
pub fn gpus_of(vm_size: &str) -> u64 {
    let lower = vm_size.to_ascii_lowercase();
    let Some(rest) = ["standard_nc", "standard_nd", "standard_nv"]
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
    else {
        return 0;
    };
    let cpu: u64 = rest
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    if lower.starts_with("standard_nd") {
        8
    } else if lower.contains("a100") {
        (cpu / 24).max(1)
    } else if lower.contains("h100") {
        (cpu / 40).max(1)
    } else if lower.contains("t4") && cpu >= 64 {
        4
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpu_counts_of_azure_sizes() {
        assert_eq!(gpus_of("Standard_NC24ads_A100_v4"), 1);
        assert_eq!(gpus_of("Standard_NC96ads_A100_v4"), 4);
        assert_eq!(gpus_of("Standard_NC4as_T4_v3"), 1);
        assert_eq!(gpus_of("Standard_ND96asr_v4"), 8);
        assert_eq!(gpus_of("Standard_D4s_v5"), 0);
        assert_eq!(
            parse_taint("sku=gpu:NoSchedule"),
            Some(json!({"key": "sku", "value": "gpu", "effect": "NoSchedule"}))
        );
    }
}
