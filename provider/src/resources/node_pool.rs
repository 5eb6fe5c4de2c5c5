//! `mlcloud_node_pool`: GPU, TPU or CPU nodes for a cluster, sized by accelerator
//! through the catalog (AWS: an EKS managed node group with an IMDSv2 launch template).

use super::cluster_autoscaler;
use super::common::*;
use super::gpu_device_plugin;
use super::kubernetes;
use super::lifecycle::CloudObject;
use super::lifecycle::{HookFuture, PlanFuture, ReadHookFuture};
use super::machines;
use super::versions::{self, PoolVersion};
use crate::Cloud;
use crate::catalog::{self, AcceleratorKind, CatalogError, Offering};
use crate::clouds::model::{
    AwsNodePoolSettings, AzureNodePoolSettings, CapacityType, ClusterSpec, ClusterState,
    GcpNodePoolSettings, ListScope, Machine, NodePoolSpec, NodePoolState, PerCloud, Scaling, Tags,
    Taint, TaintEffect,
};
use crate::clouds::{CloudRules, Clouds, ObjectKind, RuleBook};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use tfplug::schema::{Attribute, Block, NestedBlock, Schema, validators};
use tfplug::{AttributePath, Diagnostic, Diagnostics, ResourcePlan, Type, Value};

#[derive(Clone)]
pub struct NodePool {
    rules: RuleBook,
}

impl NodePool {
    pub fn new(rules: RuleBook) -> Self {
        NodePool { rules }
    }
}

const TIMEOUTS: Timeouts = Timeouts {
    create: minutes(60),
    update: minutes(60),
    delete: minutes(60),
};

/// Version 1: `taints` and `zones` became sets (version 0 had lists).
pub const SCHEMA_VERSION: i64 = 1;
/// The attributes that were lists in version 0.
const SETS: &[&[&str]] = &[&["taints"], &["zones"]];

const DEFAULT_DISK_GB: u32 = 100;

fn taint_type() -> Type {
    Type::object([
        ("key", Type::String),
        ("value", Type::String),
        ("effect", Type::String),
    ])
}

fn taint_value(t: &Taint) -> Value {
    Value::object([
        ("key", Value::from(t.key.as_str())),
        ("value", Value::from(t.value.as_str())),
        ("effect", Value::from(t.effect.as_str())),
    ])
}

fn taints_value(taints: &BTreeSet<Taint>) -> Value {
    Value::Set(taints.iter().map(taint_value).collect())
}

/// The taint a pool of `kind` gets when `taints` is not set, so only pods that ask
/// for the accelerator land on those expensive nodes.
fn default_taints(kind: Option<AcceleratorKind>) -> BTreeSet<Taint> {
    let key = match kind {
        Some(AcceleratorKind::Gpu) => "nvidia.com/gpu",
        Some(AcceleratorKind::Tpu) => "google.com/tpu",
        None => return BTreeSet::new(),
    };
    BTreeSet::from([Taint {
        key: key.into(),
        value: "present".into(),
        effect: TaintEffect::NoSchedule,
    }])
}

#[derive(Deserialize)]
struct TaintConfig {
    key: Option<String>,
    value: Option<String>,
    effect: Option<String>,
}

#[derive(Deserialize)]
struct RangeConfig {
    min: Option<u32>,
    max: Option<u32>,
}

/// The configuration (or a planned value, or a prior state) as typed values.
#[derive(Deserialize, Default)]
#[serde(default)]
struct NodePoolConfig {
    cluster_id: Option<String>,
    name: Option<String>,
    resolved_machine_type: Option<String>,
    node_count: Option<u32>,
    autoscaling: Option<RangeConfig>,
    capacity_type: Option<String>,
    taints: Option<Vec<TaintConfig>>,
    labels: Option<BTreeMap<String, String>>,
    disk_size_gb: Option<u32>,
    zones: Option<BTreeSet<String>>,
    node_identity_id: Option<String>,
    kubernetes_version: Option<String>,
    disk_encryption_key_id: Option<String>,
    tags: Option<Tags>,
    aws: Option<AwsNodePoolSettings>,
    azure: Option<AzureNodePoolSettings>,
    gcp: Option<GcpNodePoolSettings>,
}

fn decode_config(v: &Value) -> Result<NodePoolConfig, Diagnostic> {
    tfplug::value::decode(v)
        .map_err(|e| Diagnostic::error("Cannot read the node pool's configuration", e.to_string()))
}

/// What the pool's configuration resolves to in the catalog.
enum Resolved {
    Accelerated(&'static Offering),
    Plain(String),
}

impl Resolved {
    fn machine_type(&self) -> &str {
        match self {
            Resolved::Accelerated(o) => o.machine_type,
            Resolved::Plain(m) => m,
        }
    }
    fn per_node(&self) -> u32 {
        match self {
            Resolved::Accelerated(o) => o.accelerators_per_node,
            Resolved::Plain(_) => 0,
        }
    }
    fn kind(&self) -> Option<AcceleratorKind> {
        match self {
            Resolved::Accelerated(o) => Some(o.kind),
            Resolved::Plain(_) => None,
        }
    }
}

/// Resolves `accelerator {}` or `machine_type`; `None` while values are unknown.
fn resolve(v: &Value) -> Option<Result<Resolved, (AttributePath, CatalogError)>> {
    let cloud = cloud_of(v)?;
    if let Some(acc) = v.attr("accelerator").filter(|a| !a.is_null()) {
        let ty = str_attr(acc, "type")?;
        let count = acc.attr("count").map_or(Some(1), Value::as_i64)?;
        let count = u32::try_from(count).unwrap_or(0);
        return Some(
            catalog::machine_type(cloud, ty, count)
                .map(Resolved::Accelerated)
                .map_err(|e| {
                    let field = if matches!(e, CatalogError::NoMachineWithCount { .. }) {
                        "count"
                    } else {
                        "type"
                    };
                    (AttributePath::attr("accelerator").push_attr(field), e)
                }),
        );
    }
    let machine = str_attr(v, "machine_type")?;
    Some(Ok(match catalog::by_machine_type(cloud, machine) {
        Some(o) => Resolved::Accelerated(o),
        None => Resolved::Plain(machine.to_owned()),
    }))
}

/// Labels and taints reach the nodes through kubelet, which refuses to start with a
/// malformed one: the pool would be created and its nodes never join. A label is
/// reported on its map key; a taint on the set (elements have no index) and named.
fn check_labels_and_taints(config: &Value, diags: &mut Diagnostics) {
    if let Some(labels) = config.attr("labels").and_then(Value::as_entries) {
        for (key, value) in labels {
            let checked =
                kubernetes::check_node_label_key(key).and_then(|()| match value.as_str() {
                    Some(v) => kubernetes::check_label_value("label", key, v),
                    None => Ok(()),
                });
            if let Err(why) = checked {
                diags.push(invalid_at(AttributePath::attr("labels").push_key(key), why));
            }
        }
    }
    let Some(taints) = config.attr("taints").and_then(Value::as_elements) else {
        return;
    };
    for t in taints {
        let Some(key) = str_attr(t, "key") else {
            continue;
        };
        let checked =
            kubernetes::check_label_key("taint", key).and_then(|()| match str_attr(t, "value") {
                Some(v) => kubernetes::check_label_value("taint", key, v),
                None => Ok(()),
            });
        if let Err(why) = checked {
            diags.push(invalid_at(AttributePath::attr("taints"), why));
        }
    }
}

/// A cloud-block setting of [`CloudRules::pool_setting_defaults`], as it takes
/// effect: unset is the cloud's default. `None` while not known.
fn effective_setting<'a>(
    v: &'a Value,
    cloud: &str,
    name: &str,
    default: &'a str,
) -> Option<&'a str> {
    let Some(block) = v.attr(cloud).filter(|b| !b.is_null()) else {
        return Some(default);
    };
    match block.attr(name) {
        Some(x) if x.is_unknown() => None,
        Some(x) => Some(x.as_str().unwrap_or(default)),
        None => Some(default),
    }
}

/// `node_count` left out of the configuration: none for an autoscaled pool; a TPU
/// slice's node count, which its topology decides; else the size the pool has (one
/// node for a new pool). Unknown while the topology is.
fn plan_node_count(plan: &mut ResourcePlan, resolved: &Resolved) {
    let set = |v: Option<&Value>| v.is_some_and(|v| !v.is_null());
    if set(plan.config.attr("node_count")) {
        return;
    }
    let tpu = plan.planned.attr("tpu").filter(|t| !t.is_null());
    if tpu.is_some_and(Value::is_unknown) {
        return;
    }
    let topology = tpu.and_then(|t| t.attr("topology"));
    let count = if set(plan.config.attr("autoscaling")) {
        Value::Null
    } else if let Some(topology) = topology {
        let (Resolved::Accelerated(offering), Some(topology)) = (resolved, topology.as_str())
        else {
            // Unknown yet, or no TPU (the rules say so): left to apply.
            return;
        };
        match catalog::tpu_slice_nodes(offering, topology) {
            Ok(nodes) => Value::from(i64::from(nodes)),
            Err(_) => return,
        }
    } else {
        match plan.planned.attr("node_count") {
            Some(known) if !known.is_null() && !known.is_unknown() => return,
            _ => plan
                .prior
                .as_ref()
                .and_then(|p| p.attr("node_count"))
                .filter(|n| !n.is_null())
                .cloned()
                .unwrap_or(Value::from(1i64)),
        }
    };
    if let Value::Object(m) = &mut plan.planned {
        m.insert("node_count".into(), count);
    }
}

/// Those settings cannot change on a live pool: a different effective value
/// replaces it; spelling out the default the pool already has does not.
fn replace_on_setting_change(plan: &mut ResourcePlan, rules: &dyn CloudRules) {
    let Some(prior) = &plan.prior else {
        return;
    };
    let cloud = rules.cloud().as_str();
    for (name, default) in rules.pool_setting_defaults() {
        let before = effective_setting(prior, cloud, name, default);
        let after = effective_setting(&plan.planned, cloud, name, default);
        if before.is_some() && after.is_some() && before != after {
            plan.requires_replace
                .push(AttributePath::attr(cloud).push_attr(*name));
        }
    }
}

/// The cloud reads those settings back as unset when they hold its default; a
/// configuration (or prior state) that spelled the default out keeps its spelling.
fn keep_spelled_defaults(
    state: &mut Value,
    config: &Value,
    cloud: Cloud,
    defaults: &[(&str, &str)],
) {
    let name_of_block = cloud.as_str();
    let Some(Value::Object(block)) = state.attr_mut(name_of_block) else {
        return;
    };
    for (name, default) in defaults {
        let spelled = config
            .attr(name_of_block)
            .and_then(|b| b.attr(name))
            .and_then(Value::as_str)
            == Some(*default);
        if spelled && block.get(*name).is_none_or(Value::is_null) {
            block.insert((*name).into(), Value::from(*default));
        }
    }
}

/// The pool whose nodes need the NVIDIA device plugin from it.
struct DevicePluginTarget {
    cloud: Cloud,
    cluster_id: String,
    pool: String,
    taints: BTreeSet<Taint>,
}

impl NodePool {
    /// The pool of state `v`, when it is a GPU pool on a cloud whose GPU nodes do not
    /// run the device plugin themselves.
    fn device_plugin_target(&self, v: &Value) -> Option<DevicePluginTarget> {
        let cloud = cloud_of(v)?;
        let rules = self.rules.for_cloud(cloud)?;
        let machine_type = str_attr(v, "resolved_machine_type")?;
        if !rules.pools_run_gpu_device_plugin()
            || !gpu_device_plugin::is_gpu_machine(cloud, machine_type)
        {
            return None;
        }
        let taints = v
            .attr("taints")
            .and_then(Value::as_elements)
            .into_iter()
            .flatten()
            .filter_map(|t| {
                Some(Taint {
                    key: str_attr(t, "key")?.to_owned(),
                    value: str_attr(t, "value").unwrap_or_default().to_owned(),
                    effect: TaintEffect::parse(str_attr(t, "effect")?)?,
                })
            })
            .collect();
        Some(DevicePluginTarget {
            cloud,
            cluster_id: str_attr(v, "cluster_id")?.to_owned(),
            pool: str_attr(v, "name")?.to_owned(),
            taints,
        })
    }
}

/// The cluster of an autoscaled pool on a cloud that needs the cluster autoscaler
/// for it: (cloud, cluster id, pool name).
fn autoscaler_target(rules: &RuleBook, v: &Value) -> Option<(Cloud, String, String)> {
    let cloud = cloud_of(v)?;
    if !rules.for_cloud(cloud)?.pools_need_cluster_autoscaler()
        || v.attr("autoscaling").is_none_or(Value::is_null)
    {
        return None;
    }
    Some((
        cloud,
        str_attr(v, "cluster_id")?.to_owned(),
        str_attr(v, "name")?.to_owned(),
    ))
}

/// `gpu_device_plugin`, true unless set false.
fn wants_device_plugin(v: &Value) -> bool {
    v.attr("gpu_device_plugin").and_then(Value::as_bool) != Some(false)
}

impl CloudObject for NodePool {
    type Spec = NodePoolSpec;
    type State = NodePoolState;
    const KIND: ObjectKind = ObjectKind::NodePool;
    const NOUN: &'static str = "the node pool";
    const TIMEOUTS: Timeouts = TIMEOUTS;
    const SETS_SINCE_V1: &'static [&'static [&'static str]] = SETS;

    fn rules(&self) -> &RuleBook {
        &self.rules
    }

    fn schema(&self) -> Schema {
        let [aws, azure, gcp] = cloud_blocks(
            Block::new(),
            Block::new().attr(
                Attribute::string("gpu_driver")
                    .optional()
                    .one_of(&["Install", "None"])
                    .describe("How AKS treats the NVIDIA driver on a GPU pool: `Install` (the default when unset: AKS installs the driver and the device plugin runs on it) or `None` (nodes come up without the driver, for clusters running the NVIDIA GPU Operator). Only on GPU VM sizes (NC, ND, NV); a change replaces the pool (AKS sets it when nodes are made)."),
            ),
            Block::new().attr(
                Attribute::string("gpu_driver_version")
                    .optional()
                    .one_of(&["DEFAULT", "LATEST", "INSTALLATION_DISABLED"])
                    .describe("How GKE installs the NVIDIA driver on GPU nodes: the version GKE picks for the node version when unset or `DEFAULT`, `LATEST`, or `INSTALLATION_DISABLED` (install it yourself). A different value replaces the pool (GKE sets it when nodes are made); writing `DEFAULT` out or leaving it unset is the same pool."),
            ),
        );
        Schema::new(
            base_block(ObjectKind::NodePool, &self.rules)
            .describe("Nodes for a cluster. Give an `accelerator { type, count }` and the catalog picks the smallest machine type carrying exactly that many per node (see the `mlcloud_accelerators` data source), or give a `machine_type`. GPU pools get the `nvidia.com/gpu=present:NoSchedule` taint and TPU pools `google.com/tpu=present:NoSchedule` unless `taints` says otherwise. On AWS: an EKS managed node group on the NVIDIA AMI for GPU types, with a launch template that requires IMDSv2 (hop limit 1).")
            .attr(Attribute::string("cluster_id").required().requires_replace().describe("The `id` of the `mlcloud_cluster`."))
            .attr(Attribute::string("machine_type").optional().describe("An explicit instance / VM / machine type, instead of `accelerator`. A different resolved machine type replaces the pool."))
            .attr(Attribute::number("node_count").optional().computed().validate(validators::int_between(1, 1000)).describe("A fixed number of nodes (instead of `autoscaling`, which can also scale to zero); changed in place. On gcp the count is per zone, as GKE's is. Left out: a TPU slice's node count follows from its `tpu { topology }` (chips in the topology / chips per node), known at plan; otherwise the pool keeps the size it has (one node for a new pool)."))
            .attr(Attribute::string("capacity_type").default("on_demand").one_of(&["on_demand", "spot"]).requires_replace().describe("`on_demand` (default) or `spot`."))
            .attr(
                Attribute::set("taints", taint_type())
                    .optional()
                    .computed()
                    .describe("Kubernetes taints, each `{ key, value, effect }` with effect `NoSchedule`, `PreferNoSchedule` or `NoExecute`, key and value following the `labels` syntax; updated in place. Default: the accelerator taint for GPU and TPU pools, none otherwise."),
            )
            .attr(Attribute::map("labels", Type::String).optional().describe("Kubernetes node labels; updated in place. A key is `[prefix/]name`: the optional prefix a DNS subdomain, the name 1 to 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit; a value is empty or follows the name's rule. Keys under `kubernetes.io/` or `k8s.io/` (and their subdomains) are reserved by Kubernetes and refused, except `node.kubernetes.io/` and `kubelet.kubernetes.io/`."))
            .attr(Attribute::number("disk_size_gb").default(100i64).validate(validators::int_between(20, 16384)).requires_replace().describe("Root disk size in GiB."))
            .attr(Attribute::set("zones", Type::String).optional().requires_replace().describe("Availability zones to place nodes in; default: all of the cluster's."))
            .attr(Attribute::string("node_identity_id").optional().requires_replace().describe("The `id` of an `mlcloud_identity` with `purpose = \"node\"`. Required on aws."))
            .attr(Attribute::string("kubernetes_version").optional().computed().use_state_for_unknown().describe("Kubernetes minor version of the pool's nodes, e.g. `1.31`; upgraded in place, one minor version at a time, and never newer than the cluster. Unset, it follows the cluster: the plan reads the cluster's version. To upgrade cluster and pool in one apply, write `kubernetes_version = mlcloud_cluster.<name>.kubernetes_version`."))
            .attr(Attribute::string("disk_encryption_key_id").optional().computed().use_state_for_unknown().requires_replace().describe("The `key_ref` of the `mlcloud_kms_key` encrypting the nodes' root disks. Default: the cluster's `encryption_key_id`, read at plan time. A different key replaces the pool (its nodes' disks are made with it). On aws the key's policy lets the Auto Scaling service-linked role use it for EBS, as launching encrypted volumes needs; on gcp the Compute Engine service agent gets `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it (boot disks)."))
            .attr(Attribute::bool("gpu_device_plugin").default(true).describe("Whether a GPU pool runs the NVIDIA device plugin, without which no GPU is allocatable (`nvidia.com/gpu`) and GPU workloads stay Pending. On aws and azure, whose GPU node images do not run it, the pool owns a DaemonSet `nvidia-device-plugin-<name>` in `kube-system` (server-side apply, field manager `mlcloud`; image `nvcr.io/nvidia/k8s-device-plugin`, pinned by the provider) selecting the pool's nodes and tolerating its taints; destroying the pool, or setting this to `false`, deletes it; a DaemonSet deleted by hand reads back as `false`, so the next plan shows the update that brings it back (while the cluster's API cannot be reached, refresh keeps the state and warns). Set `false` when the NVIDIA GPU Operator (or your own deployment) provides the plugin. No effect on CPU pools, nor on gcp, where GKE runs the plugin itself. The provider reaches the cluster's API server as `mlcloud_serving_endpoint` does (`endpoints { kubernetes }` and `ca_certificate_file` apply)."))
            .attr(Attribute::string("resolved_machine_type").computed().describe("The machine type the pool uses; when it changes, the pool is replaced (writing the same type as `machine_type` or as an `accelerator` is an in-place no-op)."))
            .attr(Attribute::number("accelerators_per_node").computed().describe("GPUs or TPU chips per node (0 for CPU pools)."))
            .attr(Attribute::string("status").computed().use_state_for_unknown().describe("The cloud's status of the pool, e.g. `ACTIVE`."))
            .block(NestedBlock::single(
                "accelerator",
                Block::new()
                    .describe("The accelerator each node carries, resolved through the catalog.")
                    .attr(Attribute::string("type").required().one_of(catalog::accelerator_names()).describe("An accelerator name, e.g. `nvidia-l4`."))
                    .attr(Attribute::number("count").default(1i64).validate(validators::int_between(1, 16)).describe("Accelerators per node.")),
            ))
            .block(NestedBlock::single(
                "autoscaling",
                Block::new()
                    .describe("Scale between `min` and `max` nodes (instead of `node_count`); changed in place. AKS and GKE scale pools themselves. On aws the cluster gets the Kubernetes cluster autoscaler: a Deployment `cluster-autoscaler` in `kube-system` (image `registry.k8s.io/autoscaling/cluster-autoscaler` of the cluster's Kubernetes minor; non-root, read-only root filesystem) with its ServiceAccount, ClusterRole/ClusterRoleBinding and Role/RoleBinding, and an IAM role `<cluster>-cluster-autoscaler` of its own (IRSA through the cluster's OIDC provider) that may change only Auto Scaling groups tagged `k8s.io/cluster-autoscaler/<cluster> = owned`. The node group carries the discovery tags `k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster>`, and `node-template` tags for its labels, taints and GPUs, so a pool at `min = 0` scales up (those tags are not shown in `tags_all`). The autoscaler is shared by the cluster's autoscaled pools and owned by none: every autoscaled pool's apply makes sure it runs (server-side apply, field manager `mlcloud`); the last autoscaled pool of the cluster to be destroyed (or set to a fixed `node_count`) removes it and its IAM role, \"last\" as the cloud sees it (no other node group of the cluster carries the discovery tags), since pools of one cluster may live in different configurations.")
                    .attr(Attribute::number("min").required().validate(validators::int_between(0, 1000)).describe("Fewest nodes."))
                    .attr(Attribute::number("max").required().validate(validators::int_between(1, 1000)).describe("Most nodes.")),
            ))
            .block(NestedBlock::single(
                "tpu",
                Block::new()
                    .describe("TPU slice settings (Google Cloud only).")
                    .attr(Attribute::string("topology").required().requires_replace().describe("Slice topology such as `2x4` (v5e, v6e) or `2x2x2` (v5p).")),
            ))
            .block(aws)
            .block(azure)
            .block(gcp),
        )
        .version(SCHEMA_VERSION)
    }

    fn list_block(&self) -> Option<Block> {
        Some(
            Block::new()
                .describe("Finds the node pools of one cluster (not its system pool, which belongs to the cluster), ready to import.")
                .attr(cloud_attribute())
                .attr(Attribute::string("cluster_id").required().describe("The `id` of the cluster whose pools to list.")),
        )
    }

    fn list_scope(&self, config: &Value) -> ListScope {
        ListScope {
            location: None,
            parent_id: str_attr(config, "cluster_id").map(str::to_owned),
        }
    }

    fn check_neutral(&self, config: &Value, diags: &mut Diagnostics) {
        // An unknown value (a module's input, `terraform validate`) may still turn out
        // null: it counts as set for "neither" and as unset for "both".
        let set = |n: &str| {
            config
                .attr(n)
                .is_some_and(|v| !v.is_null() && !v.is_unknown())
        };
        let maybe_set = |n: &str| config.attr(n).is_some_and(|v| !v.is_null());
        if set("accelerator") && set("machine_type") {
            diags.push(invalid_at(AttributePath::attr("machine_type"), "Set either accelerator {} or machine_type, not both: the accelerator already decides the machine type."));
        }
        if !maybe_set("accelerator") && !maybe_set("machine_type") {
            diags.push(invalid_at(AttributePath::attr("accelerator"), "Set accelerator { type = \"nvidia-l4\" } (the catalog picks the machine type) or an explicit machine_type."));
        }
        if set("node_count") && set("autoscaling") {
            diags.push(invalid_at(
                AttributePath::attr("autoscaling"),
                "Set either node_count or autoscaling {}, not both.",
            ));
        }
        if let Some(a) = config.attr("autoscaling").filter(|a| !a.is_null())
            && let (Some(min), Some(max)) = (
                a.attr("min").and_then(Value::as_i64),
                a.attr("max").and_then(Value::as_i64),
            )
            && min >= max
        {
            diags.push(invalid_at(
                AttributePath::attr("autoscaling").push_attr("min"),
                format!("min ({min}) must be less than max ({max}); for a fixed size use node_count = {max}."),
            ));
        }
        // Set elements have no index Terraform can point at: the set is the path, and
        // the message names the taint.
        if let Some(taints) = config.attr("taints").and_then(Value::as_elements) {
            for t in taints {
                if let Some(e) = str_attr(t, "effect")
                    && TaintEffect::parse(e).is_none()
                {
                    let key = str_attr(t, "key").unwrap_or("?");
                    diags.push(invalid_at(
                        AttributePath::attr("taints"),
                        format!(
                            "The taint \"{key}\": effect must be NoSchedule, PreferNoSchedule or NoExecute, got \"{e}\"."
                        ),
                    ));
                }
            }
        }
        check_labels_and_taints(config, diags);
        if let Some(Err((path, e))) = resolve(config) {
            diags.push(invalid_at(path, format!("{e}.")));
        }
    }

    fn check(&self, config: &Value, rules: &dyn CloudRules, diags: &mut Diagnostics) {
        if config.attr("tpu").is_some_and(|v| !v.is_null()) && !rules.has_tpu_slices() {
            diags.push(invalid_at(
                AttributePath::attr("tpu"),
                format!("{} has no TPU slices; remove the tpu {{}} block (TPU slices exist only on gcp).", rules.cloud()),
            ));
        }
        refuse_unsupported(
            config,
            &["kubernetes_version"],
            &self.rules,
            rules,
            |r| r.pools_follow_cluster(),
            diags,
        );
        refuse_unsupported(
            config,
            &["disk_encryption_key_id"],
            &self.rules,
            rules,
            |r| r.pool_disks_take_key(),
            diags,
        );
        rules.check_node_pool(config, diags);
    }

    fn plan(&self, plan: &mut ResourcePlan, rules: &dyn CloudRules, diags: &mut Diagnostics) {
        replace_on_setting_change(plan, rules);
        // Left out of the configuration, the disks' key stays what the pool has, even
        // none (a pool made without one is not replaced to get one).
        if let Some(prior) = &plan.prior
            && plan
                .config
                .attr("disk_encryption_key_id")
                .is_none_or(Value::is_null)
            && plan
                .planned
                .attr("disk_encryption_key_id")
                .is_some_and(Value::is_unknown)
        {
            let kept = prior
                .attr("disk_encryption_key_id")
                .cloned()
                .unwrap_or(Value::Null);
            if let Value::Object(m) = &mut plan.planned {
                m.insert("disk_encryption_key_id".into(), kept);
            }
        }
        check_version_step(plan, "the node pool", diags);
        let resolved = match resolve(&plan.planned) {
            Some(Ok(r)) => r,
            Some(Err((path, e))) => {
                diags.push(invalid_at(path, format!("{e}.")));
                return;
            }
            None => return,
        };
        let taints_unknown = plan.planned.attr("taints").is_some_and(Value::is_unknown);
        let config_taints_null = plan.config.attr("taints").is_none_or(Value::is_null);
        let prior_type = plan
            .prior
            .as_ref()
            .and_then(|p| str_attr(p, "resolved_machine_type").map(str::to_owned));
        if prior_type.is_some_and(|t| t != resolved.machine_type()) {
            plan.requires_replace
                .push(AttributePath::attr("resolved_machine_type"));
        }
        plan_node_count(plan, &resolved);
        if let Value::Object(m) = &mut plan.planned {
            m.insert(
                "resolved_machine_type".into(),
                resolved.machine_type().into(),
            );
            m.insert(
                "accelerators_per_node".into(),
                Value::from(i64::from(resolved.per_node())),
            );
            if taints_unknown || (config_taints_null && plan.prior.is_none()) {
                let defaults = default_taints(resolved.kind());
                m.insert("taints".into(), taints_value(&defaults));
            }
        }
    }

    /// The pool follows its cluster: unset, its version is the cluster's as read now;
    /// set, it may not be newer than the cluster can be by the time the pool is
    /// upgraded (the cluster applies first: the pool names it).
    fn plan_from_cloud<'a>(
        &'a self,
        clouds: &'a Clouds,
        plan: &'a mut ResourcePlan,
        diags: &'a mut Diagnostics,
    ) -> PlanFuture<'a> {
        Box::pin(async move {
            let (Some(cloud), Some(cluster_id)) = (
                cloud_of(&plan.planned),
                str_attr(&plan.planned, "cluster_id").map(str::to_owned),
            ) else {
                return;
            };
            // Only where the backend upgrades pools (and encrypts their disks with the
            // cluster's key); elsewhere the cloud reports what the pool runs.
            let Some(rules) = self.rules.for_cloud(cloud) else {
                return;
            };
            let disks_take_key = rules.pool_disks_take_key();
            // A cloud whose pool disks take no key of ours: none, known now.
            if !disks_take_key
                && plan
                    .planned
                    .attr("disk_encryption_key_id")
                    .is_some_and(Value::is_unknown)
                && let Value::Object(m) = &mut plan.planned
            {
                m.insert("disk_encryption_key_id".into(), Value::Null);
            }
            if !rules.pools_follow_cluster() {
                return;
            }
            let Ok(backend) = clouds.backend::<ClusterSpec, ClusterState>(cloud).await else {
                return;
            };
            // A cluster that cannot be read now (not yet created, or gone) leaves the
            // version to apply.
            let Ok(Some(cluster)) = backend.read(&cluster_id).await else {
                return;
            };
            // The disks' key follows the cluster's unless the pool names one.
            if disks_take_key
                && plan
                    .planned
                    .attr("disk_encryption_key_id")
                    .is_some_and(Value::is_unknown)
                && let Some(key) = &cluster.encryption_key_id
                && let Value::Object(m) = &mut plan.planned
            {
                m.insert("disk_encryption_key_id".into(), Value::from(key.as_str()));
            }
            let configured = plan
                .config
                .attr("kubernetes_version")
                .filter(|v| !v.is_null());
            match configured.and_then(Value::as_str) {
                None if configured.is_none() && !cluster.kubernetes_version.is_empty() => {
                    if let Value::Object(m) = &mut plan.planned {
                        m.insert(
                            "kubernetes_version".into(),
                            Value::from(cluster.kubernetes_version.as_str()),
                        );
                    }
                    check_version_step(plan, "the node pool", diags);
                }
                Some(version) => {
                    match versions::check_pool_version(version, &cluster.kubernetes_version) {
                        PoolVersion::Supported => {}
                        PoolVersion::NeedsClusterUpgrade(why) => diags.push(
                            Diagnostic::warning(
                                "The node pool would be newer than its cluster",
                                why,
                            )
                            .at(AttributePath::attr("kubernetes_version")),
                        ),
                        PoolVersion::Unreachable(why) => {
                            diags.push(invalid_at(AttributePath::attr("kubernetes_version"), why))
                        }
                    }
                }
                None => {}
            }
        })
    }

    /// A GPU pool on a cloud whose rules say so gets the NVIDIA device plugin (or
    /// loses it when `gpu_device_plugin` turns false).
    fn after_apply<'a>(
        &'a self,
        clouds: &'a Clouds,
        state: &'a Value,
        prior: Option<&'a Value>,
    ) -> HookFuture<'a> {
        Box::pin(async move {
            if let Some((cloud, cluster_id, _)) = autoscaler_target(&self.rules, state) {
                cluster_autoscaler::ensure(clouds, cloud, &cluster_id).await?;
            } else if let Some((cloud, cluster_id, pool)) =
                prior.and_then(|p| autoscaler_target(&self.rules, p))
            {
                // No longer autoscaled: the autoscaler goes if no other pool is.
                cluster_autoscaler::release(clouds, cloud, &cluster_id, &pool).await?;
            }
            let Some(target) = self.device_plugin_target(state) else {
                return Ok(());
            };
            if wants_device_plugin(state) {
                gpu_device_plugin::ensure(
                    clouds,
                    target.cloud,
                    &target.cluster_id,
                    &target.pool,
                    &target.taints,
                )
                .await
            } else if prior.is_some_and(wants_device_plugin) {
                gpu_device_plugin::remove(clouds, target.cloud, &target.cluster_id, &target.pool)
                    .await
            } else {
                Ok(())
            }
        })
    }

    fn before_delete<'a>(&'a self, clouds: &'a Clouds, prior: &'a Value) -> HookFuture<'a> {
        Box::pin(async move {
            match self.device_plugin_target(prior) {
                Some(target) if wants_device_plugin(prior) => {
                    gpu_device_plugin::remove(
                        clouds,
                        target.cloud,
                        &target.cluster_id,
                        &target.pool,
                    )
                    .await
                }
                _ => Ok(()),
            }
        })
    }

    /// The last autoscaled pool of a cluster to go takes the cluster autoscaler with
    /// it (see `cluster_autoscaler.rs`): decided once this pool's node group is gone,
    /// so pools deleted in parallel cannot each see the other and both keep it.
    fn after_delete<'a>(&'a self, clouds: &'a Clouds, prior: &'a Value) -> HookFuture<'a> {
        Box::pin(async move {
            match autoscaler_target(&self.rules, prior) {
                Some((cloud, cluster_id, pool)) => {
                    cluster_autoscaler::release(clouds, cloud, &cluster_id, &pool).await
                }
                None => Ok(()),
            }
        })
    }

    /// A device plugin deleted by hand reads as `gpu_device_plugin = false`, so the
    /// plan shows the pool's update and apply brings the plugin back. A cluster whose
    /// API cannot be asked keeps the state as it was, with a warning.
    fn after_read<'a>(&'a self, clouds: &'a Clouds, mut state: Value) -> ReadHookFuture<'a> {
        Box::pin(async move {
            let Some(target) = self
                .device_plugin_target(&state)
                .filter(|_| wants_device_plugin(&state))
            else {
                return (state, None);
            };
            match gpu_device_plugin::present(clouds, target.cloud, &target.cluster_id, &target.pool)
                .await
            {
                Ok(Some(false)) => {
                    if let Value::Object(m) = &mut state {
                        m.insert("gpu_device_plugin".into(), Value::Bool(false));
                    }
                    (state, None)
                }
                Ok(_) => (state, None),
                Err(why) => (
                    state,
                    Some(
                        Diagnostic::warning(
                            "Cannot check the NVIDIA device plugin of the node pool",
                            format!("{why}. The pool's state is kept as it was; a device plugin deleted by hand shows once the cluster's API can be reached."),
                        )
                        .at(AttributePath::attr("gpu_device_plugin")),
                    ),
                ),
            }
        })
    }

    fn spec(&self, clouds: &Clouds, planned: &Value) -> Result<NodePoolSpec, Diagnostic> {
        let cloud = required_cloud(planned)?;
        let rules = self.rules.require(cloud)?;
        let c = decode_config(planned)?;
        let machine = match resolve(planned) {
            Some(Ok(Resolved::Accelerated(o))) => machines::from_offering(o, rules),
            Some(Ok(Resolved::Plain(m))) => machines::from_machine_type(cloud, &m, rules),
            Some(Err((path, e))) => return Err(invalid_at(path, format!("{e}."))),
            None => Machine {
                machine_type: c.resolved_machine_type.clone().unwrap_or_default(),
                ..Default::default()
            },
        };
        Ok(NodePoolSpec {
            cluster_id: c.cluster_id.unwrap_or_default(),
            name: c.name.unwrap_or_default(),
            machine,
            scaling: match c.autoscaling {
                Some(RangeConfig { min, max }) => Scaling::Auto {
                    min: min.unwrap_or(0),
                    max: max.unwrap_or(1),
                },
                None => Scaling::Fixed(c.node_count.unwrap_or(1)),
            },
            capacity_type: match c.capacity_type.as_deref() {
                Some("spot") => CapacityType::Spot,
                _ => CapacityType::OnDemand,
            },
            taints: c
                .taints
                .unwrap_or_default()
                .into_iter()
                .filter_map(|t| {
                    Some(Taint {
                        key: t.key?,
                        value: t.value.unwrap_or_default(),
                        effect: TaintEffect::parse(t.effect.as_deref()?)?,
                    })
                })
                .collect(),
            labels: c.labels.unwrap_or_default(),
            disk_size_gb: c.disk_size_gb.unwrap_or(DEFAULT_DISK_GB),
            zones: c.zones.unwrap_or_default(),
            node_identity_id: c.node_identity_id,
            tags: clouds.merged_tags(&c.tags.unwrap_or_default()),
            kubernetes_version: c.kubernetes_version,
            disk_encryption_key_id: c.disk_encryption_key_id,
            tpu_topology: planned
                .attr("tpu")
                .and_then(|t| str_attr(t, "topology"))
                .map(str::to_owned),
            cloud: PerCloud::pick(cloud, c.aws, c.azure, c.gcp),
        })
    }

    fn to_state(&self, clouds: &Clouds, s: &NodePoolState, config: &Value) -> Value {
        let cloud = s.cloud.cloud();
        let offering = catalog::by_machine_type(cloud, &s.machine_type);
        let (node_count, autoscaling) = match s.scaling {
            Scaling::Fixed(n) => (Value::from(i64::from(n)), Value::Null),
            Scaling::Auto { min, max } => (
                Value::Null,
                Value::object([
                    ("min", Value::from(i64::from(min))),
                    ("max", Value::from(i64::from(max))),
                ]),
            ),
        };
        let labels = Value::Map(
            s.labels
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        );
        // The configuration's way of naming the machine stays as written.
        let accelerator = config.attr("accelerator").cloned().unwrap_or_default();
        let machine_type = if accelerator.is_null() {
            Value::from(s.machine_type.as_str())
        } else {
            Value::Null
        };
        let mut v = Value::object([
            ("id", Value::from(s.id.as_str())),
            ("cloud", Value::from(cloud.as_str())),
            ("cluster_id", Value::from(s.cluster_id.as_str())),
            ("name", Value::from(s.name.as_str())),
            (
                "location",
                match &s.location {
                    Some(location) => Value::from(location.as_str()),
                    None => known_location(clouds, config, &s.id),
                },
            ),
            ("accelerator", accelerator),
            ("machine_type", machine_type),
            (
                "resolved_machine_type",
                Value::from(s.machine_type.as_str()),
            ),
            (
                "accelerators_per_node",
                Value::from(i64::from(offering.map_or(0, |o| o.accelerators_per_node))),
            ),
            ("node_count", node_count),
            ("autoscaling", autoscaling),
            ("capacity_type", Value::from(s.capacity_type.as_str())),
            ("taints", taints_value(&s.taints)),
            (
                "labels",
                null_if_unset(labels, s.labels.is_empty(), config, "labels"),
            ),
            ("disk_size_gb", Value::from(i64::from(s.disk_size_gb))),
            (
                "zones",
                null_if_unset(string_set(&s.zones), s.spans_cluster, config, "zones"),
            ),
            ("node_identity_id", s.node_identity_id.clone().into()),
            (
                "kubernetes_version",
                Value::from(s.kubernetes_version.as_str()),
            ),
            (
                "disk_encryption_key_id",
                s.disk_encryption_key_id.clone().into(),
            ),
            ("status", Value::from(s.status.as_str())),
            ("tags", user_tags(clouds, &s.tags, config)),
            ("tags_all", tags_value(&s.tags)),
        ]);
        keep_config_only(&mut v, config, &["timeouts"]);
        if let Value::Object(m) = &mut v {
            let tpu = match &s.tpu_topology {
                Some(topology) => Value::object([("topology", Value::from(topology.as_str()))]),
                None => Value::Null,
            };
            m.insert("tpu".into(), tpu);
            // Not the cloud's to say: as configured, its default after an import.
            let plugin = config
                .attr("gpu_device_plugin")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            m.insert("gpu_device_plugin".into(), Value::Bool(plugin));
        }
        write_cloud_block(&mut v, &s.cloud, config);
        if let Some(rules) = self.rules.for_cloud(cloud) {
            keep_spelled_defaults(&mut v, config, cloud, rules.pool_setting_defaults());
        }
        // After import nothing says how the machine was chosen: a type the
        // catalog knows reads back as the accelerator it carries.
        let chosen = ["accelerator", "machine_type"];
        if chosen
            .iter()
            .all(|n| config.attr(n).is_none_or(Value::is_null))
            && let Some(o) = offering
            && let Value::Object(m) = &mut v
        {
            let acc = Value::object([
                ("type", Value::from(o.accelerator)),
                ("count", Value::from(i64::from(o.accelerators_per_node))),
            ]);
            m.insert("accelerator".into(), acc);
            m.insert("machine_type".into(), Value::Null);
        }
        v
    }
}
