//! The emulator's controllers, run before every request up to "now" (no background
//! tasks: what a client reads next is what the cluster would show by then):
//! namespace finalization, garbage collection, the NVIDIA device plugin, the
//! DaemonSet and Deployment controllers, the scheduler and kubelets
//! ([`super::kubelet`]), and the smoke processes behind Services.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::kinds;
use super::kubelet::{self, Bound};
use super::nodes::GPUS_ANNOTATION;
use super::scheduler;
use super::settings::Settings;
use super::smoke::Smokes;
use super::store::Store;
use super::workloads::{self, Progress};

/// What the controllers keep between requests.
#[derive(Default)]
pub struct Runtime {
    bound: Bound,
    /// How many times clients looked at a pod whose image pull failed, by uid.
    looks: BTreeMap<String, u32>,
    progress: BTreeMap<String, Progress>,
    pub smokes: Smokes,
}

impl Runtime {
    pub fn new(smoke_binary: Option<PathBuf>) -> Self {
        Self {
            smokes: Smokes::new(smoke_binary),
            ..Default::default()
        }
    }

    /// Stops the smoke processes.
    pub fn stop_all(&mut self) {
        self.smokes.stop_all();
    }
}

/// `looking`: a client is about to read (a failed pull turns into a back-off
/// between one look and the next).
pub fn settle(store: &mut Store, runtime: &mut Runtime, settings: &Settings, looking: bool) {
    store.finalize_namespaces();
    store.collect_garbage();
    device_plugins(store);
    workloads::daemonsets(store);
    workloads::deployments(store, &mut runtime.progress);
    kubelet::run(
        store,
        &mut runtime.bound,
        &mut runtime.looks,
        settings,
        looking,
    );
    // Status after the kubelets' changes, and the replacement of old pods the
    // ready new ones allow.
    workloads::daemonsets(store);
    workloads::deployments(store, &mut runtime.progress);
    kubelet::run(
        store,
        &mut runtime.bound,
        &mut runtime.looks,
        settings,
        false,
    );
    runtime.smokes.sync(store);
}

/// GPU nodes (those with [`GPUS_ANNOTATION`]: AKS's, and the ones registered with
/// it, such as the harness's EKS nodes) advertise `nvidia.com/gpu` only while a
/// device-plugin DaemonSet (a container image naming `device-plugin`) can run a pod
/// there (its node selector matches and it tolerates the node's taints), as on AKS
/// and EKS, whose GPU images do not run the plugin themselves.
fn device_plugins(store: &mut Store) {
    let nodes_kind = kinds::find("", "v1", "nodes").expect("served");
    let daemonsets = kinds::find("apps", "v1", "daemonsets").expect("served");
    let plugins: Vec<Value> = store
        .all(daemonsets, None)
        .filter(|ds| {
            ds["spec"]["template"]["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| {
                    c["image"]
                        .as_str()
                        .is_some_and(|i| i.contains("device-plugin"))
                })
        })
        .map(|ds| ds["spec"]["template"]["spec"].clone())
        .collect();
    let nodes: Vec<Value> = store.all(nodes_kind, None).cloned().collect();
    for node in nodes {
        let Some(gpus) = node["metadata"]["annotations"][GPUS_ANNOTATION].as_str() else {
            continue;
        };
        let served = plugins
            .iter()
            .any(|spec| scheduler::fits_node(spec, &node).is_ok());
        let mut changed = node.clone();
        for field in ["capacity", "allocatable"] {
            let resources = &mut changed["status"][field];
            if served {
                resources["nvidia.com/gpu"] = json!(gpus);
            } else if let Some(map) = resources.as_object_mut() {
                map.remove("nvidia.com/gpu");
            }
        }
        if changed != node {
            store.put_system(nodes_kind, "", changed);
        }
    }
}
