//! The kubelets of an EKS cluster's managed node groups, played by the harness.
//!
//! EKS clusters live in moto, which has no Kubernetes API: the provider reaches the
//! emulator's override API (`aws { endpoints { kubernetes } }`), which starts with no
//! nodes. [`EksKubelets::sync`] reads the cluster's node groups from moto
//! (ListNodegroups, DescribeNodegroup, and DescribeSubnets for their zones) and
//! registers one Node per `scalingConfig.desiredSize` the way kubelets do: `POST
//! /api/v1/nodes` with the node group's labels and taints and the instance type's
//! capacity (Ready `False`), then a status update to Ready; nodes of shrunk or deleted
//! node groups are deleted, as the cloud controller manager deletes the Nodes of
//! terminated instances. Every request carries an EKS token presigned with the test
//! keys, checked by the override API against moto like any client's.
//!
//! GPUs: a kubelet reports no `nvidia.com/gpu` until the NVIDIA device plugin
//! registers them. A GPU node carries [`GPUS_ANNOTATION`] (its instance type's GPU
//! count), which the emulator turns into `nvidia.com/gpu` capacity while a
//! device-plugin DaemonSet can run on the node.
//!
//! The override API is one API server for every EKS cluster the provider points at
//! it, so the kubelets own every Node labelled `eks.amazonaws.com/nodegroup` there:
//! one EKS cluster per test.
//!
//! ```no_run
//! use acceptance_tests::{EksKubelets, Moto, TestResult};
//!
//! fn scenario(moto: &Moto) -> TestResult {
//!     // ... apply a cluster "ml-main" and its node pools against moto ...
//!     let kubelets = EksKubelets::new(moto, "ml-main")?;
//!     let registered = kubelets.sync()?;
//!     assert_eq!(kubelets.nodes()?.len(), registered.len());
//!     // ... resize a pool, apply, and sync again; at the end:
//!     kubelets.remove_all()?;
//!     Ok(())
//! }
//! ```

mod instance_types;
mod node;
mod token;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::SystemTime;

use serde_json::Value;

use crate::kube_api::{KubeApi, KubeApiError};
use crate::moto::{Moto, MotoError, MotoSdk, REGION};

pub use instance_types::{InstanceShape, instance_shape};
pub use node::{GPUS_ANNOTATION, NODEGROUP_LABEL, NodeGroup, kubernetes_effect};
pub use token::eks_token;

/// What can stop the kubelets.
#[derive(Debug, thiserror::Error)]
pub enum EksKubeletsError {
    #[error("the EKS kubelets cannot read the node groups: {0}")]
    Moto(#[from] MotoError),

    #[error("the EKS kubelets: {0}")]
    Api(#[from] KubeApiError),

    #[error("the EKS kubelets cannot script the emulator in front of moto: {0}")]
    Emulator(String),

    #[error("the emulator's ready line has no kubernetes endpoint and CA: {0}")]
    NoOverrideApi(String),

    #[error(
        "node group {nodegroup:?} runs {instance_type:?}, which the kubelets' table (acceptance-tests/src/eks_kubelets/instance_types.rs) lacks; it has {known}"
    )]
    UnknownInstanceType {
        nodegroup: String,
        instance_type: String,
        known: String,
    },

    #[error("node groups {first:?} and {second:?} both name a node {node:?}: rename one")]
    NodeNameClash {
        node: String,
        first: String,
        second: String,
    },
}

/// How often [`EksKubelets::in_step_while`] syncs: kubelets register within a second
/// or two of their instance starting.
pub const SYNC_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

/// How long, in [`EksKubelets::in_step_while`], the emulator in front of moto holds
/// each `CreateNodegroup` answer after moto has made the group: several sync
/// intervals, so its nodes have joined before the provider hears the group exists.
/// EKS turns a node group ACTIVE only once its nodes have joined; moto has it ACTIVE
/// at once, and a workload created right after would find no node.
pub const JOIN_BEFORE_ANSWER: std::time::Duration = std::time::Duration::from_millis(2500);

/// The kubelets of one EKS cluster in moto, registering with the override API.
pub struct EksKubelets<'a> {
    // The SDK, not the whole `Moto`: it is shared with the thread of `in_step_while`.
    sdk: &'a MotoSdk,
    cluster: String,
    api: KubeApi,
}

impl<'a> EksKubelets<'a> {
    /// The kubelets of `cluster` (its name in moto), talking to the override API of
    /// the emulator in front of `moto`.
    pub fn new(moto: &'a Moto, cluster: &str) -> Result<Self, EksKubeletsError> {
        let ready = &moto.emulator().ready()["kubernetes"];
        let (Some(endpoint), Some(ca_file)) =
            (ready["endpoint"].as_str(), ready["ca_file"].as_str())
        else {
            return Err(EksKubeletsError::NoOverrideApi(ready.to_string()));
        };
        let sts = moto.endpoint();
        let name = cluster.to_string();
        let api = KubeApi::new(endpoint, &PathBuf::from(ca_file), move || {
            eks_token(&sts, &name, SystemTime::now())
        })?;
        Ok(Self {
            sdk: moto.sdk(),
            cluster: cluster.to_string(),
            api,
        })
    }

    /// The override API, with the kubelets' token: for a test's own reads and writes.
    pub fn api(&self) -> &KubeApi {
        &self.api
    }

    /// The cluster's node groups as moto holds them, by name; none once the cluster
    /// is deleted.
    pub fn node_groups(&self) -> Result<Vec<NodeGroup>, EksKubeletsError> {
        let sdk = self.sdk;
        // moto answers ListNodegroups of a deleted cluster with a 500, not EKS's
        // ResourceNotFoundException: ask whether the cluster is there first.
        let clusters = sdk.call("eks ListClusters", sdk.eks.list_clusters().send())?;
        if !clusters.clusters().contains(&self.cluster) {
            return Ok(Vec::new());
        }
        let names = sdk.call(
            "eks ListNodegroups",
            sdk.eks.list_nodegroups().cluster_name(&self.cluster).send(),
        )?;
        let mut groups = Vec::new();
        for name in names.nodegroups() {
            let described = match sdk.call(
                "eks DescribeNodegroup",
                sdk.eks
                    .describe_nodegroup()
                    .cluster_name(&self.cluster)
                    .nodegroup_name(name)
                    .send(),
            ) {
                Ok(described) => described,
                // Deleted between the list and this read: its nodes go with it.
                Err(_) if !self.listed(name)? => continue,
                Err(error) => return Err(error.into()),
            };
            let Some(group) = described.nodegroup() else {
                continue;
            };
            let zones = self.zones_of(group.subnets())?;
            groups.push(NodeGroup {
                cluster: self.cluster.clone(),
                name: name.clone(),
                instance_type: group.instance_types().first().cloned().unwrap_or_default(),
                capacity_type: group
                    .capacity_type()
                    .map_or("ON_DEMAND", |c| c.as_str())
                    .to_string(),
                desired_size: group
                    .scaling_config()
                    .and_then(|s| s.desired_size())
                    .map_or(0, |n| u64::try_from(n).unwrap_or(0)),
                labels: group
                    .labels()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                taints: group
                    .taints()
                    .iter()
                    .map(|t| {
                        (
                            t.key().unwrap_or_default().to_string(),
                            t.value().unwrap_or_default().to_string(),
                            t.effect().map_or("NO_SCHEDULE", |e| e.as_str()).to_string(),
                        )
                    })
                    .collect(),
                zones,
                region: REGION.to_string(),
            });
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(groups)
    }

    fn listed(&self, nodegroup: &str) -> Result<bool, EksKubeletsError> {
        let sdk = self.sdk;
        let names = sdk.call(
            "eks ListNodegroups",
            sdk.eks.list_nodegroups().cluster_name(&self.cluster).send(),
        )?;
        Ok(names.nodegroups().iter().any(|n| n == nodegroup))
    }

    /// Makes the registered Nodes match the node groups: registers the missing ones
    /// (POST, then the status update to Ready), deletes those whose instance is gone
    /// (a shrunk or deleted group); Nodes that stay are left as they are. The names
    /// of the cluster's Nodes afterwards, sorted.
    pub fn sync(&self) -> Result<Vec<String>, EksKubeletsError> {
        let mut wanted: BTreeMap<String, (NodeGroup, InstanceShape, u64)> = BTreeMap::new();
        for group in self.node_groups()? {
            let shape = instance_shape(&group.instance_type).ok_or_else(|| {
                EksKubeletsError::UnknownInstanceType {
                    nodegroup: group.name.clone(),
                    instance_type: group.instance_type.clone(),
                    known: instance_types::known_types().join(", "),
                }
            })?;
            for index in 0..group.desired_size {
                let name = group.node_name(index);
                if let Some((other, _, _)) = wanted.get(&name) {
                    return Err(EksKubeletsError::NodeNameClash {
                        node: name,
                        first: other.name.clone(),
                        second: group.name.clone(),
                    });
                }
                wanted.insert(name, (group.clone(), shape, index));
            }
        }
        let present: BTreeSet<String> = self.node_names()?.into_iter().collect();
        for gone in present.iter().filter(|name| !wanted.contains_key(*name)) {
            self.api.delete(&format!("/api/v1/nodes/{gone}"))?;
        }
        for (name, (group, shape, index)) in &wanted {
            if present.contains(name) {
                continue;
            }
            self.api
                .create("/api/v1/nodes", group.registration(shape, *index))?;
            self.api.patch(
                &format!("/api/v1/nodes/{name}/status"),
                node::ready_status(true),
            )?;
        }
        Ok(wanted.into_keys().collect())
    }

    /// Runs `work` while a thread keeps the Nodes in step with the node groups (a
    /// [`EksKubelets::sync`] every [`SYNC_INTERVAL`]), as kubelets join while a
    /// node group is still being created: for a `terraform apply` or `terraform test`
    /// that creates node groups and then waits for pods on them in the same run. The
    /// cluster need not exist yet. Each `CreateNodegroup` is answered only
    /// [`JOIN_BEFORE_ANSWER`] after moto made the group (a rule added to `moto`'s
    /// emulator, left in place), so the nodes are there when the provider goes on. A
    /// failed sync is printed (once per distinct error) and retried; `work`'s own
    /// assertions say what it lacked.
    pub fn in_step_while<R>(
        &self,
        moto: &Moto,
        work: impl FnOnce() -> R,
    ) -> Result<R, EksKubeletsError> {
        moto.emulator()
            .add_fault(serde_json::json!({
                "part": "aws",
                "operation": "CreateNodegroup",
                "times": 0,
                "action": {"delay_response": {"ms": JOIN_BEFORE_ANSWER.as_millis()}},
            }))
            .map_err(|e| EksKubeletsError::Emulator(e.to_string()))?;
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let mut last_error = String::new();
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    match self.sync() {
                        Ok(_) => last_error.clear(),
                        Err(error) => {
                            let error = error.to_string();
                            if error != last_error {
                                eprintln!("EKS kubelets of {}: {error}", self.cluster);
                                last_error = error;
                            }
                        }
                    }
                    std::thread::sleep(SYNC_INTERVAL);
                }
            });
            let result = work();
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            Ok(result)
        })
    }

    /// Deletes every Node the kubelets registered (the instances are gone).
    pub fn remove_all(&self) -> Result<(), EksKubeletsError> {
        for name in self.node_names()? {
            self.api.delete(&format!("/api/v1/nodes/{name}"))?;
        }
        Ok(())
    }

    /// The registered Nodes as the API serves them now, by name.
    pub fn nodes(&self) -> Result<Vec<Value>, EksKubeletsError> {
        Ok(self
            .api
            .list(&format!("/api/v1/nodes?labelSelector={NODEGROUP_LABEL}"))?)
    }

    fn node_names(&self) -> Result<Vec<String>, EksKubeletsError> {
        Ok(self
            .nodes()?
            .iter()
            .filter_map(|node| node["metadata"]["name"].as_str().map(str::to_string))
            .collect())
    }

    /// The availability zone of each subnet, in order.
    fn zones_of(&self, subnets: &[String]) -> Result<Vec<String>, EksKubeletsError> {
        if subnets.is_empty() {
            return Ok(Vec::new());
        }
        let sdk = self.sdk;
        let answer = sdk.call(
            "ec2 DescribeSubnets",
            sdk.ec2
                .describe_subnets()
                .set_subnet_ids(Some(subnets.to_vec()))
                .send(),
        )?;
        let by_id: BTreeMap<&str, &str> = answer
            .subnets()
            .iter()
            .filter_map(|s| Some((s.subnet_id()?, s.availability_zone()?)))
            .collect();
        Ok(subnets
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).map(|z| z.to_string()))
            .collect())
    }
}
