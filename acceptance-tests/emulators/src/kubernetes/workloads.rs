//! The Deployment and DaemonSet controllers: pods from the pod template (labelled
//! with `pod-template-hash`, owned by their workload; no ReplicaSets in between),
//! scaling, rolling updates (old pods go once the new ones are ready, so a broken
//! rollout leaves the old ones serving), and the workloads' status.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::kinds::{self, Kind};
use super::nodes;
use super::scheduler;
use super::store::{self, Store};

fn kind(plural: &str) -> &'static Kind {
    kinds::KINDS
        .iter()
        .find(|k| k.plural == plural)
        .expect("served")
}

/// The hash of a pod template, as `pod-template-hash` carries it.
pub fn template_hash(template: &Value) -> String {
    let hex = nodes::hash_hex(&template.to_string(), 10);
    // Kubernetes writes the hash with its "safe" alphabet (no vowels).
    hex.chars()
        .map(|c| match c {
            'a' => 'b',
            'e' => 'f',
            other => other,
        })
        .collect()
}

/// Pods owned by `uid`.
fn owned_pods<'a>(store: &'a Store, namespace: &'a str, uid: &'a str) -> Vec<&'a Value> {
    store
        .all(kind("pods"), Some(namespace))
        .filter(|pod| {
            pod["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|o| o["uid"] == uid)
        })
        .collect()
}

pub fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

fn new_pod(owner: &Value, owner_kind: &str, hash: &str, name: String, node: Option<&str>) -> Value {
    let template = &owner["spec"]["template"];
    let mut labels = template["metadata"]["labels"].clone();
    if owner_kind == "Deployment" {
        labels["pod-template-hash"] = json!(hash);
    } else {
        labels["controller-revision-hash"] = json!(hash);
    }
    let mut spec = template["spec"].clone();
    if let Some(node) = node {
        spec["nodeName"] = json!(node);
    }
    let mut metadata = json!({
        "name": name,
        "labels": labels,
        "ownerReferences": [{
            "apiVersion": "apps/v1", "kind": owner_kind,
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": true, "blockOwnerDeletion": true,
        }],
    });
    if let Some(annotations) = template["metadata"]["annotations"].as_object() {
        metadata["annotations"] = json!(annotations);
    }
    json!({
        "metadata": metadata,
        "spec": spec,
        "status": {"phase": "Pending", "qosClass": "Burstable"},
    })
}

/// Progress bookkeeping a Deployment's conditions need.
#[derive(Debug, Clone)]
pub struct Progress {
    generation: i64,
    template: String,
    since: Instant,
}

pub fn deployments(store: &mut Store, progress: &mut BTreeMap<String, Progress>) {
    let deployments: Vec<Value> = store.all(kind("deployments"), None).cloned().collect();
    progress.retain(|uid, _| {
        deployments
            .iter()
            .any(|d| d["metadata"]["uid"] == uid.as_str())
    });
    for deployment in deployments {
        let namespace = deployment["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = deployment["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let uid = deployment["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let replicas = deployment["spec"]["replicas"].as_u64().unwrap_or(1) as usize;
        let hash = template_hash(&deployment["spec"]["template"]);
        let generation = deployment["metadata"]["generation"].as_i64().unwrap_or(1);
        let pods: Vec<Value> = owned_pods(store, &namespace, &uid)
            .into_iter()
            .cloned()
            .collect();
        let (current, old): (Vec<&Value>, Vec<&Value>) = pods
            .iter()
            .partition(|pod| pod["metadata"]["labels"]["pod-template-hash"] == hash.as_str());
        let ready_current = current.iter().filter(|p| is_ready(p)).count();
        // Scale the current template's pods to the replica count (surplus: the
        // not-ready ones go first).
        if current.len() < replicas {
            for _ in current.len()..replicas {
                let pod_name = format!("{name}-{hash}-{}", store::random_suffix());
                store.put_system(
                    kind("pods"),
                    &namespace,
                    new_pod(&deployment, "Deployment", &hash, pod_name, None),
                );
            }
        } else if current.len() > replicas {
            let mut surplus: Vec<&&Value> = current.iter().collect();
            surplus.sort_by_key(|p| is_ready(p));
            for pod in surplus.into_iter().take(current.len() - replicas) {
                remove_pod(store, &namespace, pod);
            }
        }
        // Old pods go once the new ones can serve.
        if ready_current >= replicas {
            for pod in &old {
                remove_pod(store, &namespace, pod);
            }
        }
        let entry = progress.entry(uid.clone()).or_insert(Progress {
            generation,
            template: hash.clone(),
            since: Instant::now(),
        });
        if entry.template != hash {
            *entry = Progress {
                generation,
                template: hash.clone(),
                since: Instant::now(),
            };
        }
        entry.generation = generation;
        let since = entry.since;
        deployment_status(store, &deployment, &hash, replicas, since);
    }
}

fn remove_pod(store: &mut Store, namespace: &str, pod: &Value) {
    let name = pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    store.remove(&("pods", namespace.to_string(), name));
}

fn deployment_status(
    store: &mut Store,
    deployment: &Value,
    hash: &str,
    replicas: usize,
    since: Instant,
) {
    let namespace = deployment["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default();
    let name = deployment["metadata"]["name"].as_str().unwrap_or_default();
    let uid = deployment["metadata"]["uid"].as_str().unwrap_or_default();
    let pods = owned_pods(store, namespace, uid);
    let total = pods.len();
    let updated = pods
        .iter()
        .filter(|p| p["metadata"]["labels"]["pod-template-hash"] == hash)
        .count();
    let ready = pods.iter().filter(|p| is_ready(p)).count();
    let ready_updated = pods
        .iter()
        .filter(|p| p["metadata"]["labels"]["pod-template-hash"] == hash && is_ready(p))
        .count();
    let max_unavailable = replicas / 4;
    let available_ok = ready + max_unavailable >= replicas;
    let complete = updated == replicas && ready_updated == replicas && total == replicas;
    let deadline = Duration::from_secs(
        deployment["spec"]["progressDeadlineSeconds"]
            .as_u64()
            .unwrap_or(600),
    );
    let replica_set = format!("{name}-{hash}");
    let previous = deployment["status"]["conditions"].clone();
    let available = if available_ok {
        condition(
            &previous,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        )
    } else {
        condition(
            &previous,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        )
    };
    let progressing = if complete {
        condition(
            &previous,
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            &format!("ReplicaSet \"{replica_set}\" has successfully progressed."),
        )
    } else if since.elapsed() >= deadline {
        condition(
            &previous,
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            &format!("ReplicaSet \"{replica_set}\" has timed out progressing."),
        )
    } else {
        condition(
            &previous,
            "Progressing",
            "True",
            "ReplicaSetUpdated",
            &format!("ReplicaSet \"{replica_set}\" is progressing."),
        )
    };
    let mut status = json!({
        "observedGeneration": deployment["metadata"]["generation"],
        "replicas": total,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "conditions": [available, progressing],
    });
    if total > ready {
        status["unavailableReplicas"] = json!(total - ready);
    }
    // Zero counts are left out, as the API server's omitempty does.
    if let Some(map) = status.as_object_mut() {
        map.retain(|_, v| v != &json!(0));
    }
    if deployment["status"] != status {
        let mut changed = deployment.clone();
        changed["status"] = status;
        store.put_system(kind("deployments"), namespace, changed);
    }
}

/// A condition, keeping its times while its status and reason stay the same.
fn condition(previous: &Value, kind: &str, status: &str, reason: &str, message: &str) -> Value {
    let now = store::now();
    let old = previous
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == kind);
    let same = old.is_some_and(|c| c["status"] == status && c["reason"] == reason);
    let transition = match old {
        Some(c) if c["status"] == status => c["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    let update = match old {
        Some(c) if same => c["lastUpdateTime"].clone(),
        _ => json!(now),
    };
    json!({"type": kind, "status": status, "reason": reason, "message": message,
        "lastTransitionTime": transition, "lastUpdateTime": update})
}

pub fn daemonsets(store: &mut Store) {
    let daemonsets: Vec<Value> = store.all(kind("daemonsets"), None).cloned().collect();
    let nodes: Vec<Value> = store.all(kind("nodes"), None).cloned().collect();
    for daemonset in daemonsets {
        let namespace = daemonset["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = daemonset["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let uid = daemonset["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let hash = template_hash(&daemonset["spec"]["template"]);
        let template_spec = &daemonset["spec"]["template"]["spec"];
        let wanted: Vec<String> = nodes
            .iter()
            .filter(|node| scheduler::fits_node(template_spec, node).is_ok())
            .filter_map(|node| node["metadata"]["name"].as_str().map(str::to_string))
            .collect();
        let pods: Vec<Value> = owned_pods(store, &namespace, &uid)
            .into_iter()
            .cloned()
            .collect();
        for pod in &pods {
            let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
            let stale = pod["metadata"]["labels"]["controller-revision-hash"] != hash.as_str();
            if stale || !wanted.iter().any(|n| n == node) {
                remove_pod(store, &namespace, pod);
            }
        }
        let pods: Vec<Value> = owned_pods(store, &namespace, &uid)
            .into_iter()
            .cloned()
            .collect();
        for node in &wanted {
            if !pods.iter().any(|p| p["spec"]["nodeName"] == node.as_str()) {
                let pod_name = format!("{name}-{}", store::random_suffix());
                store.put_system(
                    kind("pods"),
                    &namespace,
                    new_pod(&daemonset, "DaemonSet", &hash, pod_name, Some(node)),
                );
            }
        }
        let pods = owned_pods(store, &namespace, &uid);
        let ready = pods.iter().filter(|p| is_ready(p)).count();
        let mut status = json!({
            "observedGeneration": daemonset["metadata"]["generation"],
            "desiredNumberScheduled": wanted.len(),
            "currentNumberScheduled": pods.len(),
            "updatedNumberScheduled": pods.len(),
            "numberReady": ready,
            "numberAvailable": ready,
            "numberMisscheduled": 0,
        });
        if pods.len() > ready {
            status["numberUnavailable"] = json!(pods.len() - ready);
        }
        if daemonset["status"] != status {
            let mut changed = daemonset.clone();
            changed["status"] = status;
            store.put_system(kind("daemonsets"), &namespace, changed);
        }
    }
}
