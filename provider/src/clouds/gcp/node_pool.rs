//! `mlcloud_node_pool` on Google Cloud: a GKE node pool. GPU pools attach their
//! accelerators (the catalog's GKE accelerator type) with driver installation; TPU
//! pools use the ct5lp / ct5p / ct6e machine types, and a `tpu { topology }` makes the
//! pool one slice with a COMPACT placement policy whose node count follows from the
//! topology. Every pool runs as its node identity with GKE_METADATA (Workload
//! Identity), secure boot and integrity monitoring; spot, taints and labels as asked.
//!
//! The boot disks are encrypted with `disk_encryption_key_id` (`bootDiskKmsKey`, by
//! default the cluster's key): the Compute Engine service agent gets
//! `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it before the pool is created,
//! since Compute Engine refuses a disk whose key it cannot use. `kubernetes_version`
//! is the pool's node version, upgraded in place (`nodeVersion`), never newer than
//! the control plane (GKE refuses it).
//!
//! CreateNodePool is a POST the client never retries; the pool name is fixed, so a
//! create that finds it taken adopts the pool when our `mlcloud-name` label marks it.

use super::GcpBackend;
use super::errors::{Service, err, found, gone_is_ok};
use super::gke::{SYSTEM_POOL, identity_email};
use super::labels;
use super::names::{ClusterName, NodePoolName, ServiceAccountName};
use crate::Cloud;
use crate::catalog;
use crate::clouds::model::{
    AcceleratorFamily, CapacityType, GcpNodePoolSettings, ListScope, Machine, NodePoolSpec,
    NodePoolState, Op, PerCloud, Scaling, Taint, TaintEffect,
};
use crate::clouds::wait::Deadline;
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use futures::FutureExt as _;
use google_cloud_container_v1::model::database_encryption::State as EncryptionState;
use google_cloud_container_v1::model::gpu_driver_installation_config::GPUDriverVersion;
use google_cloud_container_v1::model::node_pool::PlacementPolicy;
use google_cloud_container_v1::model::node_pool::Status as PoolStatus;
use google_cloud_container_v1::model::node_pool::placement_policy::Type as PlacementType;
use google_cloud_container_v1::model::node_taint::Effect;
use google_cloud_container_v1::model::workload_metadata_config::Mode;
use google_cloud_container_v1::model::{
    AcceleratorConfig, GPUDriverInstallationConfig, NodeConfig, NodeLabels, NodePool,
    NodePoolAutoscaling, NodeTaint, NodeTaints, ResourceLabels, ShieldedInstanceConfig,
    WorkloadMetadataConfig,
};
use std::collections::HashMap;

fn what(name: &str) -> String {
    format!("GKE node pool {name:?}")
}

// ---------------------------------------------------------------- expand

/// The node settings every mlcloud pool shares: its machine, its identity, Workload
/// Identity metadata, shielded boot, our labels on the VMs.
pub fn node_config(
    machine_type: &str,
    node_identity_id: Option<&str>,
    resource_labels: &HashMap<String, String>,
) -> Result<NodeConfig, CloudError> {
    let mut config = NodeConfig::new()
        .set_machine_type(machine_type)
        .set_resource_labels(resource_labels.clone())
        .set_workload_metadata_config(WorkloadMetadataConfig::new().set_mode(Mode::GkeMetadata))
        .set_shielded_instance_config(
            ShieldedInstanceConfig::new()
                .set_enable_secure_boot(true)
                .set_enable_integrity_monitoring(true),
        );
    if let Some(id) = node_identity_id {
        config = config.set_service_account(identity_email(id)?);
    }
    Ok(config)
}

/// The identity id of a node service account email (`default` and empty: none).
pub fn node_identity_of(email: &str) -> Option<String> {
    let (account, domain) = email.split_once('@')?;
    let project = domain.strip_suffix(".iam.gserviceaccount.com")?;
    Some(ServiceAccountName::new(project, account).name())
}

/// GKE's driver installation when `gpu_driver_version` is unset; it reads back as unset.
pub const DEFAULT_GPU_DRIVER_VERSION: &str = "DEFAULT";

fn driver_version(settings: &GcpNodePoolSettings) -> GPUDriverVersion {
    match settings.gpu_driver_version.as_deref() {
        Some("LATEST") => GPUDriverVersion::Latest,
        Some("INSTALLATION_DISABLED") => GPUDriverVersion::InstallationDisabled,
        _ => GPUDriverVersion::Default,
    }
}

/// The GKE accelerator type of a machine's GPUs, from the catalog.
fn gke_accelerator(machine: &Machine) -> Option<(&'static str, u32)> {
    let acc = machine.accelerator.as_ref()?;
    let offering = catalog::machine_type(Cloud::Gcp, &acc.name, acc.per_node).ok()?;
    Some((offering.gke_accelerator?, acc.per_node))
}

fn effect(e: TaintEffect) -> Effect {
    match e {
        TaintEffect::NoSchedule => Effect::NoSchedule,
        TaintEffect::PreferNoSchedule => Effect::PreferNoSchedule,
        TaintEffect::NoExecute => Effect::NoExecute,
    }
}

fn expand_taints(spec: &NodePoolSpec) -> Vec<NodeTaint> {
    spec.taints
        .iter()
        .map(|t| {
            NodeTaint::new()
                .set_key(&t.key)
                .set_value(&t.value)
                .set_effect(effect(t.effect))
        })
        .collect()
}

/// The nodes of a TPU slice of `topology` on the spec's machine type.
fn slice_nodes(spec: &NodePoolSpec) -> Result<Option<u32>, CloudError> {
    let Some(topology) = &spec.tpu_topology else {
        return Ok(None);
    };
    let offering =
        catalog::by_machine_type(Cloud::Gcp, &spec.machine.machine_type).ok_or_else(|| {
            CloudError::Invalid(format!(
                "{} is not a TPU machine type",
                spec.machine.machine_type
            ))
        })?;
    catalog::tpu_slice_nodes(offering, topology)
        .map(Some)
        .map_err(|e| CloudError::Invalid(e.to_string()))
}

fn expand_pool(spec: &NodePoolSpec) -> Result<NodePool, CloudError> {
    let settings = spec.cloud.gcp().cloned().unwrap_or_default();
    let mut config = node_config(
        &spec.machine.machine_type,
        spec.node_identity_id.as_deref(),
        &labels::expand_labels(&spec.tags, &spec.name),
    )?
    .set_disk_size_gb(spec.disk_size_gb as i32)
    .set_labels(spec.labels.iter().map(|(k, v)| (k.clone(), v.clone())))
    .set_taints(expand_taints(spec))
    .set_spot(spec.capacity_type == CapacityType::Spot);
    if let Some(key) = &spec.disk_encryption_key_id {
        config = config.set_boot_disk_kms_key(key);
    }
    if spec
        .machine
        .accelerator
        .as_ref()
        .is_some_and(|a| a.family == AcceleratorFamily::Gpu)
        && let Some((ty, count)) = gke_accelerator(&spec.machine)
    {
        config = config.set_accelerators([AcceleratorConfig::new()
            .set_accelerator_type(ty)
            .set_accelerator_count(i64::from(count))
            .set_gpu_driver_installation_config(
                GPUDriverInstallationConfig::new()
                    .set_gpu_driver_version(driver_version(&settings)),
            )]);
    }
    let mut pool = NodePool::new()
        .set_name(&spec.name)
        .set_config(config)
        .set_locations(spec.zones.iter().cloned());
    if let Some(version) = &spec.kubernetes_version {
        pool = pool.set_version(version);
    }
    let slice = slice_nodes(spec)?;
    match (slice, spec.scaling) {
        (Some(nodes), _) => {
            pool = pool
                .set_initial_node_count(nodes as i32)
                .set_placement_policy(
                    PlacementPolicy::new()
                        .set_type(PlacementType::Compact)
                        .set_tpu_topology(spec.tpu_topology.clone().unwrap_or_default()),
                );
        }
        (None, Scaling::Fixed(n)) => pool = pool.set_initial_node_count(n as i32),
        (None, Scaling::Auto { min, max }) => {
            pool = pool
                .set_initial_node_count(min.max(1) as i32)
                .set_autoscaling(
                    NodePoolAutoscaling::new()
                        .set_enabled(true)
                        .set_min_node_count(min as i32)
                        .set_max_node_count(max as i32),
                );
        }
    }
    Ok(pool)
}

// ---------------------------------------------------------------- flatten

fn status_name(p: &NodePool) -> &'static str {
    match p.status {
        PoolStatus::Provisioning => "PROVISIONING",
        PoolStatus::Running => "RUNNING",
        PoolStatus::RunningWithError => "RUNNING_WITH_ERROR",
        PoolStatus::Reconciling => "RECONCILING",
        PoolStatus::Stopping => "STOPPING",
        PoolStatus::Error => "ERROR",
        _ => "UNKNOWN",
    }
}

fn taint_effect(e: &Effect) -> Option<TaintEffect> {
    match e {
        Effect::NoSchedule => Some(TaintEffect::NoSchedule),
        Effect::PreferNoSchedule => Some(TaintEffect::PreferNoSchedule),
        Effect::NoExecute => Some(TaintEffect::NoExecute),
        _ => None,
    }
}

/// `nodes_per_zone`: what the pool's instance groups hold now ([`GcpBackend::pool_nodes`]);
/// without it (none readable yet), the count it was made with.
fn flatten_pool(
    p: &NodePool,
    name: &NodePoolName,
    cluster_locations: &[String],
    nodes_per_zone: Option<u32>,
) -> NodePoolState {
    let config = p.config.clone().unwrap_or_default();
    let scaling = match &p.autoscaling {
        Some(a) if a.enabled => Scaling::Auto {
            min: a.min_node_count.max(0) as u32,
            max: a.max_node_count.max(0) as u32,
        },
        _ => Scaling::Fixed(nodes_per_zone.unwrap_or(p.initial_node_count.max(0) as u32)),
    };
    let mut zones: Vec<String> = p.locations.clone();
    zones.sort();
    let mut cluster_zones = cluster_locations.to_vec();
    cluster_zones.sort();
    NodePoolState {
        location: None,
        id: name.name(),
        cluster_id: name.cluster.name(),
        name: p.name.clone(),
        machine_type: config.machine_type.clone(),
        scaling,
        capacity_type: if config.spot {
            CapacityType::Spot
        } else {
            CapacityType::OnDemand
        },
        taints: config
            .taints
            .iter()
            .filter_map(|t| {
                Some(Taint {
                    key: t.key.clone(),
                    value: t.value.clone(),
                    effect: taint_effect(&t.effect)?,
                })
            })
            .collect(),
        labels: config
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        disk_size_gb: config.disk_size_gb.max(0) as u32,
        spans_cluster: zones.is_empty() || zones == cluster_zones,
        zones: zones.into_iter().collect(),
        node_identity_id: node_identity_of(&config.service_account),
        kubernetes_version: super::gke::minor_version(&p.version),
        disk_encryption_key_id: Some(config.boot_disk_kms_key.clone()).filter(|k| !k.is_empty()),
        tpu_topology: p
            .placement_policy
            .as_ref()
            .map(|policy| policy.tpu_topology.clone())
            .filter(|t| !t.is_empty()),
        tags: labels::flatten_labels(&config.resource_labels),
        status: status_name(p).into(),
        cloud: PerCloud::Gcp(GcpNodePoolSettings {
            gpu_driver_version: config
                .accelerators
                .first()
                .and_then(|a| a.gpu_driver_installation_config.as_ref())
                .and_then(|d| match d.gpu_driver_version {
                    Some(GPUDriverVersion::Latest) => Some("LATEST".to_string()),
                    Some(GPUDriverVersion::InstallationDisabled) => {
                        Some("INSTALLATION_DISABLED".into())
                    }
                    _ => None,
                }),
        }),
    }
}

// ---------------------------------------------------------------- find

impl GcpBackend {
    /// The pool and its cluster's locations (one GET of the cluster holds both).
    async fn find_pool(&self, name: &NodePoolName) -> Result<(NodePool, Vec<String>), CloudError> {
        let cluster = self.find_cluster(&name.cluster).await?;
        let pool = cluster
            .node_pools
            .iter()
            .find(|p| p.name == name.pool)
            .cloned()
            .ok_or_else(|| CloudError::NotFound {
                what: what(&name.name()),
                message: "no such node pool in the cluster".into(),
            })?;
        Ok((pool, cluster.locations.clone()))
    }

    async fn read_pool(&self, name: &NodePoolName) -> Result<Option<NodePoolState>, CloudError> {
        let Some((p, locations)) = found(self.find_pool(name).await)? else {
            return Ok(None);
        };
        let nodes = self.pool_nodes(&p).await?;
        Ok(Some(flatten_pool(&p, name, &locations, nodes)))
    }

    /// The nodes per zone a fixed-size pool has now: GKE's NodePool shows only its
    /// `initialNodeCount`, so they are read from its instance groups. `None` for an
    /// autoscaled pool (its range is what the state holds) and while none exists.
    pub(super) async fn pool_nodes(&self, p: &NodePool) -> Result<Option<u32>, CloudError> {
        if p.autoscaling.as_ref().is_some_and(|a| a.enabled) {
            return Ok(None);
        }
        self.clients
            .compute
            .nodes_per_zone(&p.instance_group_urls)
            .boxed()
            .await
    }

    /// The cluster's database-encryption key, the default of its pools' disks.
    async fn cluster_key(&self, cluster: &ClusterName) -> Result<Option<String>, CloudError> {
        let c = self.find_cluster(cluster).await?;
        Ok(c.database_encryption
            .as_ref()
            .filter(|e| e.state == EncryptionState::Encrypted)
            .map(|e| e.key_name.clone())
            .filter(|k| !k.is_empty()))
    }

    fn pool_name(spec: &NodePoolSpec) -> Result<NodePoolName, CloudError> {
        let cluster = ClusterName::parse(&spec.cluster_id).ok_or_else(|| {
            CloudError::Invalid(format!("{:?} is not a GKE cluster id", spec.cluster_id))
        })?;
        Ok(NodePoolName {
            cluster,
            pool: spec.name.clone(),
        })
    }

    fn parse_pool_id(id: &str) -> Result<NodePoolName, CloudError> {
        NodePoolName::parse(id)
            .ok_or_else(|| CloudError::Invalid(format!("{id:?} is not a GKE node pool id")))
    }
}

// ---------------------------------------------------------------- backend

#[async_trait::async_trait]
impl ObjectBackend<NodePoolSpec, NodePoolState> for GcpBackend {
    async fn create(&self, spec: &NodePoolSpec, op: &Op) -> Outcome<NodePoolState> {
        let deadline = Deadline::new(op);
        let name = Self::pool_name(spec)?;
        // Unknown at plan (the cluster was made in the same apply): the cluster's key.
        let cluster_key;
        let spec = if spec.disk_encryption_key_id.is_none() {
            cluster_key = NodePoolSpec {
                disk_encryption_key_id: self.cluster_key(&name.cluster).boxed().await?,
                ..spec.clone()
            };
            &cluster_key
        } else {
            spec
        };
        let pool = expand_pool(spec)?;
        let w = what(&name.name());
        if let Some(key) = &spec.disk_encryption_key_id {
            self.allow_compute_to_use(&name.cluster.project, key, &deadline)
                .boxed()
                .await?;
        }
        let created = self
            .cluster_operation(&name.cluster, "CreateNodePool", &deadline, || async {
                self.clients
                    .container
                    .create_node_pool()
                    .set_parent(name.cluster.name())
                    .set_node_pool(pool.clone())
                    .send()
                    .boxed()
                    .await
                    .map_err(err(Service::Container, "CreateNodePool", &w))
            })
            .await;
        match created {
            Ok(()) => {}
            Err(taken @ CloudError::AlreadyExists { .. }) => {
                let (existing, _) = self.find_pool(&name).await?;
                let ours = existing
                    .config
                    .as_ref()
                    .is_some_and(|c| labels::is_ours(&c.resource_labels, &spec.name));
                if !ours {
                    return Err(taken.into());
                }
            }
            Err(error) => {
                let made = self.read_pool(&name).await.ok().flatten();
                return Err(PartialFailure {
                    created: made,
                    error,
                });
            }
        }
        match self.read_pool(&name).await {
            Ok(Some(state)) => {
                op.record(&state);
                Ok(state)
            }
            Ok(None) => Err(CloudError::NotFound {
                what: w,
                message: "gone right after its creation finished".into(),
            }
            .into()),
            Err(error) => Err(error.into()),
        }
    }

    async fn read(&self, id: &str) -> Result<Option<NodePoolState>, CloudError> {
        self.read_pool(&Self::parse_pool_id(id)?).await
    }

    /// In place: the node version (first, so a failed upgrade changes nothing else),
    /// the size or autoscaling range, Kubernetes labels and taints, our labels on the
    /// VMs. Everything else replaces the pool (the schema says so).
    async fn update(
        &self,
        id: &str,
        prior: &NodePoolState,
        spec: &NodePoolSpec,
        op: &Op,
    ) -> Outcome<NodePoolState> {
        let deadline = Deadline::new(op);
        let name = Self::parse_pool_id(id)?;
        let w = what(id);
        let c = &self.clients.container;
        if let Some(version) = &spec.kubernetes_version
            && *version != prior.kubernetes_version
        {
            self.cluster_operation(&name.cluster, "UpdateNodePool", &deadline, || async {
                c.update_node_pool()
                    .set_name(name.name())
                    .set_node_version(version)
                    .send()
                    .boxed()
                    .await
                    .map_err(err(Service::Container, "UpdateNodePool", &w))
            })
            .boxed()
            .await?;
        }
        if spec.tpu_topology.is_none() && spec.scaling != prior.scaling {
            match spec.scaling {
                Scaling::Fixed(n) => {
                    if matches!(prior.scaling, Scaling::Auto { .. }) {
                        let off = NodePoolAutoscaling::new().set_enabled(false);
                        self.cluster_operation(
                            &name.cluster,
                            "SetNodePoolAutoscaling",
                            &deadline,
                            || async {
                                c.set_node_pool_autoscaling()
                                    .set_name(name.name())
                                    .set_autoscaling(off.clone())
                                    .send()
                                    .boxed()
                                    .await
                                    .map_err(err(Service::Container, "SetNodePoolAutoscaling", &w))
                            },
                        )
                        .await?;
                    }
                    self.cluster_operation(&name.cluster, "SetNodePoolSize", &deadline, || async {
                        c.set_node_pool_size()
                            .set_name(name.name())
                            .set_node_count(n as i32)
                            .send()
                            .boxed()
                            .await
                            .map_err(err(Service::Container, "SetNodePoolSize", &w))
                    })
                    .await?;
                }
                Scaling::Auto { min, max } => {
                    let on = NodePoolAutoscaling::new()
                        .set_enabled(true)
                        .set_min_node_count(min as i32)
                        .set_max_node_count(max as i32);
                    self.cluster_operation(
                        &name.cluster,
                        "SetNodePoolAutoscaling",
                        &deadline,
                        || async {
                            c.set_node_pool_autoscaling()
                                .set_name(name.name())
                                .set_autoscaling(on.clone())
                                .send()
                                .boxed()
                                .await
                                .map_err(err(Service::Container, "SetNodePoolAutoscaling", &w))
                        },
                    )
                    .await?;
                }
            }
        }
        if spec.labels != prior.labels || spec.taints != prior.taints || spec.tags != prior.tags {
            let labels_now = NodeLabels::new()
                .set_labels(spec.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
            let taints_now = NodeTaints::new().set_taints(expand_taints(spec));
            let resource_labels =
                ResourceLabels::new().set_labels(labels::expand_labels(&spec.tags, &spec.name));
            self.cluster_operation(&name.cluster, "UpdateNodePool", &deadline, || async {
                c.update_node_pool()
                    .set_name(name.name())
                    .set_labels(labels_now.clone())
                    .set_taints(taints_now.clone())
                    .set_resource_labels(resource_labels.clone())
                    .send()
                    .boxed()
                    .await
                    .map_err(err(Service::Container, "UpdateNodePool", &w))
            })
            .await?;
        }
        match self.read_pool(&name).await? {
            Some(state) => Ok(state),
            None => Err(CloudError::NotFound {
                what: w,
                message: "gone during the update".into(),
            }
            .into()),
        }
    }

    async fn delete(&self, id: &str, _spec: &NodePoolSpec, op: &Op) -> Result<(), CloudError> {
        let deadline = Deadline::new(op);
        let name = Self::parse_pool_id(id)?;
        let w = what(id);
        gone_is_ok(
            self.cluster_operation(&name.cluster, "DeleteNodePool", &deadline, || async {
                self.clients
                    .container
                    .delete_node_pool()
                    .set_name(name.name())
                    .send()
                    .boxed()
                    .await
                    .map_err(err(Service::Container, "DeleteNodePool", &w))
            })
            .await,
        )
    }

    /// The pools of the cluster `scope.parent_id`, without its system pool.
    async fn list(&self, scope: &ListScope) -> Result<Vec<NodePoolState>, CloudError> {
        let Some(cluster_id) = &scope.parent_id else {
            return Err(CloudError::Invalid(
                "listing node pools needs the cluster_id".into(),
            ));
        };
        let cluster = ClusterName::parse(cluster_id).ok_or_else(|| {
            CloudError::Invalid(format!("{cluster_id:?} is not a GKE cluster id"))
        })?;
        let c = self.find_cluster(&cluster).await?;
        let mut pools = Vec::new();
        for p in c.node_pools.iter().filter(|p| p.name != SYSTEM_POOL) {
            let name = NodePoolName {
                cluster: cluster.clone(),
                pool: p.name.clone(),
            };
            let nodes = self.pool_nodes(p).await?;
            pools.push(flatten_pool(p, &name, &c.locations, nodes));
        }
        Ok(pools)
    }
}

#[cfg(test)]
mod tests;
