//! What happens to a pod after its controller made it: the scheduler places it (or
//! it stays Pending with a `FailedScheduling` event), then the node's kubelet pulls
//! the image (one it cannot pull: `ErrImagePull`, then `ImagePullBackOff`) and after
//! the configured delay runs it, Ready.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Value, json};

use super::kinds::{self, Kind};
use super::scheduler;
use super::settings::Settings;
use super::store::{self, Store};

fn kind(plural: &str) -> &'static Kind {
    kinds::KINDS
        .iter()
        .find(|k| k.plural == plural)
        .expect("served")
}

/// When each pod (by uid) was bound to its node.
pub type Bound = BTreeMap<String, Instant>;

pub fn run(
    store: &mut Store,
    bound: &mut Bound,
    looks: &mut BTreeMap<String, u32>,
    settings: &Settings,
    looking: bool,
) {
    let pods: Vec<Value> = store.all(kind("pods"), None).cloned().collect();
    bound.retain(|uid, _| pods.iter().any(|p| p["metadata"]["uid"] == uid.as_str()));
    looks.retain(|uid, _| pods.iter().any(|p| p["metadata"]["uid"] == uid.as_str()));
    let nodes: Vec<Value> = store.all(kind("nodes"), None).cloned().collect();
    let mut used: BTreeMap<String, BTreeMap<String, u128>> = BTreeMap::new();
    for pod in pods.iter().filter(|p| p["spec"]["nodeName"].is_string()) {
        let node = pod["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for (resource, milli) in scheduler::requests(&pod["spec"]) {
            *used
                .entry(node.clone())
                .or_default()
                .entry(resource)
                .or_insert(0) += milli;
        }
    }
    let node_refs: Vec<&Value> = nodes.iter().collect();
    for pod in pods {
        let namespace = pod["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let uid = pod["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut pod = pod;
        let node = match pod["spec"]["nodeName"].as_str() {
            Some(node) => node.to_string(),
            None => match scheduler::place(&pod["spec"], &node_refs, &used) {
                Ok(node) => {
                    for (resource, milli) in scheduler::requests(&pod["spec"]) {
                        *used
                            .entry(node.clone())
                            .or_default()
                            .entry(resource)
                            .or_insert(0) += milli;
                    }
                    pod["spec"]["nodeName"] = json!(node);
                    event(
                        store,
                        &pod,
                        "Normal",
                        "Scheduled",
                        &format!(
                            "Successfully assigned {namespace}/{} to {node}",
                            pod["metadata"]["name"].as_str().unwrap_or_default()
                        ),
                    );
                    node
                }
                Err(message) => {
                    let status = json!({"phase": "Pending", "qosClass": "Burstable", "conditions": [{
                        "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                        "message": message, "lastProbeTime": null,
                        "lastTransitionTime": transition_time(&pod, "PodScheduled", "False"),
                    }]});
                    if pod["status"] != status {
                        event(store, &pod, "Warning", "FailedScheduling", &message);
                        pod["status"] = status;
                        store.put_system(kind("pods"), &namespace, pod);
                    }
                    continue;
                }
            },
        };
        let since = *bound.entry(uid.clone()).or_insert_with(Instant::now);
        let failed_pull = pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["state"]["waiting"]["reason"] == "ErrImagePull");
        let seen = looks.entry(uid).or_insert(0);
        if looking && failed_pull {
            *seen += 1;
        }
        let back_off = *seen >= 2;
        pod["status"] = lifecycle(store, &pod, &node, since, settings, back_off);
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if store.find(kind("pods"), &namespace, &name) != Some(&pod) {
            store.put_system(kind("pods"), &namespace, pod);
        }
    }
}

/// The pod's status on `node`, `since` it was bound there.
fn lifecycle(
    store: &mut Store,
    pod: &Value,
    node: &str,
    since: Instant,
    settings: &Settings,
    back_off: bool,
) -> Value {
    let containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let unpullable: Vec<&Value> = containers
        .iter()
        .filter(|c| !settings.pullable(c["image"].as_str().unwrap_or_default()))
        .collect();
    let host_ip = format!(
        "10.224.0.{}",
        4 + node.bytes().map(u32::from).sum::<u32>() % 200
    );
    let started = since.elapsed() >= settings.pod_ready_delay();
    let mut statuses = Vec::new();
    for container in &containers {
        let image = container["image"].as_str().unwrap_or_default();
        let name = container["name"].clone();
        let state = if !settings.pullable(image) {
            // The first look after binding sees the pull fail; later ones the back-off.
            let failed_before = pod["status"]["containerStatuses"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s["name"] == name && s["state"]["waiting"]["reason"] == "ErrImagePull");
            let waited_before = back_off;
            let reason = if waited_before {
                "ImagePullBackOff"
            } else {
                "ErrImagePull"
            };
            let message = if waited_before {
                format!("Back-off pulling image \"{image}\"")
            } else {
                format!(
                    "failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": not found"
                )
            };
            if !failed_before && !waited_before {
                event(
                    store,
                    pod,
                    "Warning",
                    "Failed",
                    &format!("Failed to pull image \"{image}\": {message}"),
                );
                event(store, pod, "Warning", "Failed", "Error: ErrImagePull");
            }
            if waited_before && failed_before {
                event(store, pod, "Normal", "BackOff", &message);
                event(store, pod, "Warning", "Failed", "Error: ImagePullBackOff");
            }
            json!({"waiting": {"reason": reason, "message": message}})
        } else if started {
            json!({"running": {"startedAt": running_since(pod, &name)}})
        } else {
            json!({"waiting": {"reason": "ContainerCreating"}})
        };
        let ready = state.get("running").is_some() && unpullable.is_empty();
        statuses.push(json!({
            "name": name, "image": image, "imageID": "",
            "ready": ready, "started": state.get("running").is_some(),
            "restartCount": 0, "state": state,
        }));
    }
    let running = started && unpullable.is_empty();
    if running && pod["status"]["phase"] != "Running" {
        for container in &containers {
            event(
                store,
                pod,
                "Normal",
                "Started",
                &format!(
                    "Started container {}",
                    container["name"].as_str().unwrap_or_default()
                ),
            );
        }
    }
    let ready = if running { "True" } else { "False" };
    let mut conditions = vec![
        json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null,
            "lastTransitionTime": transition_time(pod, "PodScheduled", "True")}),
        json!({"type": "Initialized", "status": "True", "lastProbeTime": null,
            "lastTransitionTime": transition_time(pod, "Initialized", "True")}),
    ];
    for kind in ["ContainersReady", "Ready"] {
        let mut condition = json!({"type": kind, "status": ready, "lastProbeTime": null,
            "lastTransitionTime": transition_time(pod, kind, ready)});
        if !running {
            condition["reason"] = json!("ContainersNotReady");
            condition["message"] = json!(format!(
                "containers with unready status: [{}]",
                containers
                    .iter()
                    .filter_map(|c| c["name"].as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        conditions.push(condition);
    }
    let pod_ip_seed = pod["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .bytes()
        .map(u32::from)
        .sum::<u32>();
    json!({
        "phase": if running { "Running" } else { "Pending" },
        "conditions": conditions,
        "hostIP": host_ip,
        "podIP": format!("10.244.{}.{}", pod_ip_seed % 250, pod_ip_seed / 250 % 250 + 2),
        "startTime": pod["status"]["startTime"].as_str().map(str::to_string).unwrap_or_else(store::now),
        "containerStatuses": statuses,
        "qosClass": "Burstable",
    })
}

fn running_since(pod: &Value, name: &Value) -> Value {
    pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == *name)
        .and_then(|s| {
            s["state"]["running"]["startedAt"]
                .as_str()
                .map(|t| json!(t))
        })
        .unwrap_or_else(|| json!(store::now()))
}

fn transition_time(pod: &Value, kind: &str, status: &str) -> Value {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == kind && c["status"] == status)
        .map(|c| c["lastTransitionTime"].clone())
        .unwrap_or_else(|| json!(store::now()))
}

/// Records an event about a pod (`kubectl describe` shows them; the provider reads
/// `FailedScheduling`); a repeat bumps the count of the same event.
pub fn event(store: &mut Store, pod: &Value, kind_of: &str, reason: &str, message: &str) {
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let name = format!(
        "{pod_name}.{}",
        super::nodes::hash_hex(&format!("{reason}{message}"), 16)
    );
    let events = kind("events");
    let now = store::now();
    let event = match store.find(events, namespace, &name) {
        Some(existing) => {
            let mut existing = existing.clone();
            existing["count"] = json!(existing["count"].as_u64().unwrap_or(1) + 1);
            existing["lastTimestamp"] = json!(now);
            existing
        }
        None => json!({
            "metadata": {"name": name},
            "involvedObject": {"kind": "Pod", "namespace": namespace, "name": pod_name,
                "uid": pod["metadata"]["uid"], "apiVersion": "v1"},
            "reason": reason, "message": message, "type": kind_of,
            "source": {"component": if reason == "FailedScheduling" || reason == "Scheduled" { "default-scheduler" } else { "kubelet" }},
            "firstTimestamp": now, "lastTimestamp": now, "count": 1,
            "reportingComponent": "", "reportingInstance": "",
        }),
    };
    store.put_system(events, namespace, event);
}
