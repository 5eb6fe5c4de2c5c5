//! `mlcloud_node_pool` on Azure: an AKS user agent pool. GPU sizes (NC/ND/NV) get
//! AKS's GPU driver install unless `azure.gpu_driver = "None"` (the GPU Operator's
//! users); spot pools are `Spot` with eviction policy `Delete` and any price up to
//! on-demand. AKS adds its own spot taint and label, which read back hidden so a plan
//! stays empty.
//!
//! `kubernetes_version` is the pool's `orchestratorVersion`, upgraded in place by
//! writing the pool again; AKS refuses a pool newer than its control plane
//! (`NodePoolMcVersionIncompatible`), which the plan's version rules avoid.

use super::api_versions::CONTAINER_SERVICE;
use super::cluster::SERVICE;
use super::resource_id::ResourceId;
use super::{AzureBackend, tags};
use crate::clouds::model::{
    AzureNodePoolSettings, CapacityType, ListScope, NodePoolSpec, NodePoolState, Op, PerCloud,
    Scaling, Taint, TaintEffect,
};
use crate::clouds::wait::Deadline;
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// What AKS puts on spot nodes itself.
const SPOT_KEY: &str = "kubernetes.azure.com/scalesetpriority";
/// AKS's `gpuProfile.driver` when none is given: it installs the NVIDIA driver.
pub const DEFAULT_GPU_DRIVER: &str = "Install";

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// `key=value:Effect`, AKS's spelling of a taint.
pub fn expand_taint(t: &Taint) -> String {
    format!("{}={}:{}", t.key, t.value, t.effect.as_str())
}

pub fn flatten_taint(s: &str) -> Option<Taint> {
    let (kv, effect) = s.rsplit_once(':')?;
    let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
    Some(Taint {
        key: key.to_string(),
        value: value.to_string(),
        effect: TaintEffect::parse(effect)?,
    })
}

pub fn expand_pool(spec: &NodePoolSpec) -> Value {
    let mut p = json!({
        "mode": "User",
        "vmSize": spec.machine.machine_type,
        "osType": "Linux",
        "type": "VirtualMachineScaleSets",
        "osDiskSizeGB": spec.disk_size_gb,
        "nodeTaints": spec.taints.iter().map(expand_taint).collect::<Vec<_>>(),
        "nodeLabels": spec.labels,
        "tags": tags::expand(&spec.tags, &spec.name, &[]),
    });
    match spec.scaling {
        Scaling::Fixed(n) => {
            p["count"] = json!(n);
            p["enableAutoScaling"] = json!(false);
        }
        Scaling::Auto { min, max } => {
            p["count"] = json!(min);
            p["enableAutoScaling"] = json!(true);
            p["minCount"] = json!(min);
            p["maxCount"] = json!(max);
        }
    }
    if !spec.zones.is_empty() {
        p["availabilityZones"] = json!(spec.zones);
    }
    if spec.capacity_type == CapacityType::Spot {
        p["scaleSetPriority"] = json!("Spot");
        p["scaleSetEvictionPolicy"] = json!("Delete");
        p["spotMaxPrice"] = json!(-1);
    }
    if spec.machine.has_gpu() {
        let driver = spec
            .cloud
            .azure()
            .and_then(|a| a.gpu_driver.clone())
            .unwrap_or_else(|| DEFAULT_GPU_DRIVER.into());
        p["gpuProfile"] = json!({ "driver": driver });
    }
    if let Some(version) = &spec.kubernetes_version {
        p["orchestratorVersion"] = json!(version);
    }
    json!({"properties": p})
}

pub fn flatten_pool(body: &Value) -> Result<NodePoolState, CloudError> {
    let id = text(body, "/id");
    let rid = ResourceId::parse_kind(id, SERVICE, &["managedClusters", "agentPools"])?;
    let p = &body["properties"];
    let scaling = if p["enableAutoScaling"] == true {
        Scaling::Auto {
            min: p["minCount"].as_u64().unwrap_or_default() as u32,
            max: p["maxCount"].as_u64().unwrap_or_default() as u32,
        }
    } else {
        Scaling::Fixed(p["count"].as_u64().unwrap_or_default() as u32)
    };
    let spot = text(p, "/scaleSetPriority").eq_ignore_ascii_case("Spot");
    let taints: BTreeSet<Taint> = p["nodeTaints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().and_then(flatten_taint))
        .filter(|t| t.key != SPOT_KEY)
        .collect();
    let labels: BTreeMap<String, String> = p["nodeLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != SPOT_KEY)
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect();
    let zones: BTreeSet<String> = p["availabilityZones"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|z| z.as_str().map(str::to_string))
        .collect();
    Ok(NodePoolState {
        id: id.to_string(),
        cluster_id: rid.parent().map(|c| c.to_string()).unwrap_or_default(),
        name: rid.name().to_string(),
        // Filled in from the cluster by whoever read it (`with_cluster_location`).
        location: None,
        machine_type: text(p, "/vmSize").to_string(),
        scaling,
        capacity_type: if spot {
            CapacityType::Spot
        } else {
            CapacityType::OnDemand
        },
        taints,
        labels,
        disk_size_gb: p["osDiskSizeGB"].as_u64().unwrap_or_default() as u32,
        spans_cluster: zones.is_empty(),
        zones,
        node_identity_id: None,
        // What the pool was asked to run (`1.33` stays `1.33`; AKS picks the patch
        // and reports it as `currentOrchestratorVersion`).
        kubernetes_version: p["orchestratorVersion"]
            .as_str()
            .or(p["currentOrchestratorVersion"].as_str())
            .unwrap_or_default()
            .to_string(),
        // Node disks use the platform's encryption: on AKS a customer key for them is
        // the cluster's Disk Encryption Set (the rules refuse the pool attribute).
        disk_encryption_key_id: None,
        tpu_topology: None,
        tags: tags::flatten(p),
        status: text(p, "/provisioningState").to_string(),
        cloud: PerCloud::Azure(AzureNodePoolSettings {
            // AKS's default reads back as unset, so a pool that never named one
            // keeps its `azure {}` block empty.
            gpu_driver: p["gpuProfile"]["driver"]
                .as_str()
                .filter(|d| !d.eq_ignore_ascii_case(DEFAULT_GPU_DRIVER))
                .map(str::to_string),
        }),
    })
}

impl AzureBackend {
    async fn pool_state(&self, id: &str) -> Result<Option<NodePoolState>, CloudError> {
        let Some(body) = self
            .arm
            .get::<Value>(id, CONTAINER_SERVICE, SERVICE)
            .await?
        else {
            return Ok(None);
        };
        let mut state = flatten_pool(&body)?;
        state.location = self.cluster_location(&state.cluster_id).await?;
        Ok(Some(state))
    }

    /// An agent pool lives where its cluster does; ARM's pool carries no location, so
    /// an imported pool (no configuration yet) learns it here.
    async fn cluster_location(&self, cluster_id: &str) -> Result<Option<String>, CloudError> {
        Ok(self
            .arm
            .get::<Value>(cluster_id, CONTAINER_SERVICE, SERVICE)
            .await?
            .and_then(|cluster| cluster["location"].as_str().map(str::to_string)))
    }
}

fn pool_id(spec: &NodePoolSpec) -> Result<String, CloudError> {
    let cluster = ResourceId::parse_kind(&spec.cluster_id, SERVICE, &["managedClusters"])?;
    Ok(cluster.child("agentPools", &spec.name).to_string())
}

#[async_trait::async_trait]
impl ObjectBackend<NodePoolSpec, NodePoolState> for AzureBackend {
    async fn create(&self, spec: &NodePoolSpec, op: &Op) -> Outcome<NodePoolState> {
        let deadline = Deadline::new(op);
        let id = pool_id(spec)?;
        if let Err(error) = self
            .arm
            .put(
                &id,
                CONTAINER_SERVICE,
                SERVICE,
                &expand_pool(spec),
                &deadline,
            )
            .await
        {
            let created = self.pool_state(&id).await.ok().flatten();
            if let Some(made) = &created {
                op.record(made);
            }
            return Err(PartialFailure { created, error });
        }
        self.pool_state(&id).await?.ok_or_else(|| {
            CloudError::NotFound {
                what: id.clone(),
                message: "gone right after it was created".into(),
            }
            .into()
        })
    }

    async fn read(&self, id: &str) -> Result<Option<NodePoolState>, CloudError> {
        self.pool_state(id).await
    }

    /// AKS takes the whole pool again; what it cannot change in place it refuses
    /// (`PropertyChangeNotAllowed`), which the resource's replacement rules avoid.
    async fn update(
        &self,
        id: &str,
        _prior: &NodePoolState,
        spec: &NodePoolSpec,
        op: &Op,
    ) -> Outcome<NodePoolState> {
        let deadline = Deadline::new(op);
        if let Err(error) = self
            .arm
            .put(
                id,
                CONTAINER_SERVICE,
                SERVICE,
                &expand_pool(spec),
                &deadline,
            )
            .await
        {
            let created = self.pool_state(id).await.ok().flatten();
            return Err(PartialFailure { created, error });
        }
        self.pool_state(id).await?.ok_or_else(|| {
            CloudError::NotFound {
                what: id.to_string(),
                message: "gone".into(),
            }
            .into()
        })
    }

    async fn delete(&self, id: &str, _spec: &NodePoolSpec, op: &Op) -> Result<(), CloudError> {
        self.arm
            .delete(id, CONTAINER_SERVICE, SERVICE, &Deadline::new(op))
            .await
    }

    /// The user pools of the scope's cluster.
    async fn list(&self, scope: &ListScope) -> Result<Vec<NodePoolState>, CloudError> {
        let cluster = scope.parent_id.as_deref().ok_or_else(|| {
            CloudError::Invalid("listing node pools on azure needs the cluster's id".into())
        })?;
        let location = self.cluster_location(cluster).await?;
        let mut found = Vec::new();
        for body in self
            .arm
            .list(&format!("{cluster}/agentPools"), CONTAINER_SERVICE, SERVICE)
            .await?
        {
            if text(&body, "/properties/mode") == "User" {
                let mut state = flatten_pool(&body)?;
                state.location.clone_from(&location);
                found.push(state);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clouds::model::{AcceleratorFamily, Machine, MachineAccelerator, Tags};

    fn spec() -> NodePoolSpec {
        NodePoolSpec {
            kubernetes_version: None,
            disk_encryption_key_id: None,
            cluster_id: "/subscriptions/s/resourceGroups/ml/providers/Microsoft.ContainerService/managedClusters/main".into(),
            name: "gpu".into(),
            machine: Machine {
                machine_type: "Standard_NC4as_T4_v3".into(),
                accelerator: Some(MachineAccelerator { name: "nvidia-t4".into(), per_node: 1, family: AcceleratorFamily::Gpu }),
                ..Default::default()
            },
            scaling: Scaling::Auto { min: 0, max: 3 },
            capacity_type: CapacityType::Spot,
            taints: BTreeSet::from([Taint { key: "nvidia.com/gpu".into(), value: "present".into(), effect: TaintEffect::NoSchedule }]),
            labels: BTreeMap::from([("team".into(), "ml".into())]),
            disk_size_gb: 128,
            zones: BTreeSet::new(),
            node_identity_id: None,
            tpu_topology: None,
            tags: Tags::new(),
            cloud: PerCloud::Azure(AzureNodePoolSettings::default()),
        }
    }

    #[test]
    fn the_gpu_driver_and_version_are_sent_and_read_back() {
        let mut s = spec();
        s.kubernetes_version = Some("1.33".into());
        let mut body = expand_pool(&s);
        assert_eq!(body["properties"]["orchestratorVersion"], "1.33");
        body["id"] = json!(format!("{}/agentPools/gpu", s.cluster_id));
        body["properties"]["currentOrchestratorVersion"] = json!("1.33.5");
        let state = flatten_pool(&body).unwrap();
        assert_eq!(state.kubernetes_version, "1.33");
        // The default reads back unset, so no azure {} block appears by itself.
        assert_eq!(
            state.cloud,
            PerCloud::Azure(AzureNodePoolSettings::default())
        );

        s.cloud = PerCloud::Azure(AzureNodePoolSettings {
            gpu_driver: Some("None".into()),
        });
        let mut body = expand_pool(&s);
        assert_eq!(body["properties"]["gpuProfile"]["driver"], "None");
        body["id"] = json!(format!("{}/agentPools/gpu", s.cluster_id));
        assert_eq!(
            flatten_pool(&body).unwrap().cloud,
            PerCloud::Azure(AzureNodePoolSettings {
                gpu_driver: Some("None".into())
            })
        );
    }

    #[test]
    fn a_spot_gpu_pool_round_trips_without_akss_own_marks() {
        let mut body = expand_pool(&spec());
        let p = &mut body["properties"];
        assert_eq!(p["gpuProfile"]["driver"], "Install");
        assert_eq!(p["scaleSetEvictionPolicy"], "Delete");
        assert_eq!(p["nodeTaints"][0], "nvidia.com/gpu=present:NoSchedule");
        // What AKS adds to spot pools.
        p["nodeTaints"].as_array_mut().unwrap().push(json!(
            "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"
        ));
        p["nodeLabels"][SPOT_KEY] = json!("spot");
        p["provisioningState"] = json!("Succeeded");
        body["id"] = json!(format!("{}/agentPools/gpu", spec().cluster_id));
        let state = flatten_pool(&body).unwrap();
        assert_eq!(state.taints, spec().taints);
        assert_eq!(state.labels, spec().labels);
        assert_eq!(state.scaling, Scaling::Auto { min: 0, max: 3 });
        assert_eq!(state.capacity_type, CapacityType::Spot);
        assert_eq!(state.cluster_id, spec().cluster_id);
        assert!(state.spans_cluster);
    }
}
