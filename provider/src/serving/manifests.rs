//! The objects one endpoint owns, rendered as the JSON bodies of server-side apply
//! requests. Each is complete on its own: apply sends exactly these fields, so a field
//! mlcloud stops setting is released, and fields others own (an HPA's `replicas`) are
//! never sent.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::spec::{ControlPlanePeer, EndpointSpec, Replicas};

/// The label that selects an endpoint's pods; immutable in a Deployment's selector,
/// so it holds nothing that can change (the name only).
pub const SELECTOR_LABEL: &str = "app.kubernetes.io/name";

/// The user the bundled image runs as (`nonroot` in distroless).
const NON_ROOT_UID: i64 = 65532;

/// Probe period; the startup probe allows `startup_seconds / PROBE_PERIOD` failures.
const PROBE_PERIOD_SECONDS: u32 = 10;

/// How long a rollout may make no progress before Kubernetes marks it
/// `ProgressDeadlineExceeded` (its default), which stops the wait at once.
const PROGRESS_DEADLINE_SECONDS: u32 = 600;

/// Every object the endpoint owns, in the order they are applied: the namespace and
/// the service account before the pods that need them, the policy before the pods
/// start taking traffic. The HPA only when autoscaling.
pub fn all(spec: &EndpointSpec) -> Vec<Value> {
    let mut objects = vec![
        namespace(spec),
        service_account(spec),
        network_policy(spec),
        service(spec),
        deployment(spec),
        pod_disruption_budget(spec),
    ];
    if let Some(hpa) = horizontal_pod_autoscaler(spec) {
        objects.push(hpa);
    }
    objects
}

fn labels(spec: &EndpointSpec) -> Map<String, Value> {
    let mut labels = Map::new();
    labels.insert(SELECTOR_LABEL.into(), json!(spec.name));
    labels.insert("app.kubernetes.io/component".into(), json!("model-server"));
    labels.insert(super::MANAGED_BY_LABEL.into(), json!("mlcloud"));
    labels
}

fn selector(spec: &EndpointSpec) -> Value {
    json!({ "matchLabels": { SELECTOR_LABEL: spec.name } })
}

fn metadata(spec: &EndpointSpec) -> Value {
    json!({ "name": spec.name, "namespace": spec.namespace, "labels": labels(spec) })
}

fn string_map(map: &BTreeMap<String, String>) -> Map<String, Value> {
    map.iter().map(|(k, v)| (k.clone(), json!(v))).collect()
}

/// The namespace, labelled as ours only when we create it; applying it to an existing
/// namespace adds our field manager without taking the namespace away from its owner.
pub fn namespace(spec: &EndpointSpec) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": { "name": spec.namespace },
    })
}

/// The pods' identity; no API token is mounted (the model server never calls the API
/// server; identity webhooks project their own tokens).
pub fn service_account(spec: &EndpointSpec) -> Value {
    let mut labels = labels(spec);
    labels.extend(string_map(&spec.binding.service_account_labels));
    json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": spec.name,
            "namespace": spec.namespace,
            "labels": labels,
            "annotations": string_map(&spec.binding.service_account_annotations),
        },
        "automountServiceAccountToken": false,
    })
}

fn container_resources(spec: &EndpointSpec) -> Value {
    let mut amounts = Map::new();
    amounts.insert("cpu".into(), json!(spec.resources.cpu));
    amounts.insert("memory".into(), json!(spec.resources.memory));
    if let Some(accelerators) = &spec.resources.accelerators {
        // Extended resources must be whole and have requests equal to limits.
        amounts.insert(
            accelerators.resource.clone(),
            json!(accelerators.count.to_string()),
        );
    }
    json!({ "requests": amounts, "limits": amounts })
}

/// Probes go to the named container port, so a changed `port` needs no probe change.
fn probe(path: &str, failure_threshold: u32) -> Value {
    json!({
        "httpGet": { "path": path, "port": "http" },
        "periodSeconds": PROBE_PERIOD_SECONDS,
        "failureThreshold": failure_threshold,
    })
}

fn environment(spec: &EndpointSpec) -> Value {
    let mut env = vec![
        json!({ "name": "PORT", "value": spec.port.to_string() }),
        json!({ "name": "MODEL_NAME", "value": spec.model_name }),
    ];
    if let Some(uri) = &spec.model_uri {
        env.push(json!({ "name": "MODEL_URI", "value": uri }));
    }
    Value::Array(env)
}

fn tolerations(spec: &EndpointSpec) -> Value {
    let mut tolerations: Vec<_> = spec.placement.tolerations.clone();
    tolerations.sort();
    tolerations.dedup();
    Value::Array(
        tolerations
            .iter()
            .map(|t| match &t.value {
                Some(value) => json!({
                    "key": t.key, "operator": "Equal", "value": value, "effect": t.effect,
                }),
                None => json!({ "key": t.key, "operator": "Exists", "effect": t.effect }),
            })
            .collect(),
    )
}

/// A rollout on accelerators replaces pods one at a time without a surge pod: a pool
/// sized for its replicas has no spare GPU for one, and the rollout would hang. On
/// CPU a surge pod keeps full capacity during the rollout.
fn strategy(spec: &EndpointSpec) -> Value {
    let (surge, unavailable) = match spec.resources.accelerators {
        Some(_) => (0, 1),
        None => (1, 0),
    };
    json!({
        "type": "RollingUpdate",
        "rollingUpdate": { "maxSurge": surge, "maxUnavailable": unavailable },
    })
}

fn pod_template(spec: &EndpointSpec) -> Value {
    let mut pod_labels = labels(spec);
    pod_labels.extend(string_map(&spec.binding.pod_labels));
    let startup_failures = spec.startup_seconds.div_ceil(PROBE_PERIOD_SECONDS).max(1);
    json!({
        "metadata": { "labels": pod_labels },
        "spec": {
            "serviceAccountName": spec.name,
            "automountServiceAccountToken": false,
            "securityContext": {
                "runAsNonRoot": true,
                "runAsUser": NON_ROOT_UID,
                "runAsGroup": NON_ROOT_UID,
                "seccompProfile": { "type": "RuntimeDefault" },
            },
            "nodeSelector": string_map(&spec.placement.node_selector),
            "tolerations": tolerations(spec),
            "containers": [{
                "name": "model-server",
                "image": spec.image,
                "ports": [{ "name": "http", "containerPort": spec.port, "protocol": "TCP" }],
                "env": environment(spec),
                "resources": container_resources(spec),
                "securityContext": {
                    "allowPrivilegeEscalation": false,
                    "privileged": false,
                    "readOnlyRootFilesystem": true,
                    "capabilities": { "drop": ["ALL"] },
                },
                "startupProbe": probe("/v2/health/ready", startup_failures),
                "readinessProbe": probe("/v2/health/ready", 3),
                "livenessProbe": probe("/v2/health/live", 3),
            }],
        },
    })
}

/// The model server. With autoscaling the HPA owns `replicas`, so it is not sent.
pub fn deployment(spec: &EndpointSpec) -> Value {
    let mut body = json!({
        "selector": selector(spec),
        "strategy": strategy(spec),
        "progressDeadlineSeconds": PROGRESS_DEADLINE_SECONDS,
        "template": pod_template(spec),
    });
    if let Replicas::Fixed(count) = spec.replicas {
        body["replicas"] = json!(count);
    }
    let mut metadata = metadata(spec);
    if !spec.deployment_annotations.is_empty() {
        metadata["annotations"] = Value::Object(string_map(&spec.deployment_annotations));
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata,
        "spec": body,
    })
}

/// A ClusterIP service: the endpoint is internal; callers reach it in the cluster or
/// through the API server's service proxy.
pub fn service(spec: &EndpointSpec) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(spec),
        "spec": {
            "type": "ClusterIP",
            "selector": { SELECTOR_LABEL: spec.name },
            "ports": [{ "name": "http", "port": spec.port, "targetPort": "http", "protocol": "TCP" }],
        },
    })
}

/// At most one pod down at a time during node drains; `maxUnavailable` rather than
/// `minAvailable`, which would block every drain of a one-replica endpoint.
pub fn pod_disruption_budget(spec: &EndpointSpec) -> Value {
    json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(spec),
        "spec": { "maxUnavailable": 1, "selector": selector(spec) },
    })
}

/// Only when `autoscaling` is set.
pub fn horizontal_pod_autoscaler(spec: &EndpointSpec) -> Option<Value> {
    let Replicas::Autoscaling {
        min,
        max,
        target_cpu_percent,
    } = spec.replicas
    else {
        return None;
    };
    Some(json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(spec),
        "spec": {
            "scaleTargetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name },
            "minReplicas": min,
            "maxReplicas": max,
            "metrics": [{
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": { "type": "Utilization", "averageUtilization": target_cpu_percent },
                },
            }],
        },
    }))
}

fn namespace_peer(namespace: &str) -> Value {
    json!({
        "namespaceSelector": {
            "matchLabels": { "kubernetes.io/metadata.name": namespace },
        },
    })
}

/// Admits the endpoint's own namespace, `allowed_namespaces` and the control plane
/// (for the service proxy the smoke test uses), on the model port only; everything
/// else is denied because the policy selects the pods.
pub fn network_policy(spec: &EndpointSpec) -> Value {
    let mut namespaces = vec![spec.namespace.clone()];
    namespaces.extend(spec.allowed_namespaces.iter().cloned());
    namespaces.sort();
    namespaces.dedup();
    let mut peers: Vec<Value> = namespaces.iter().map(|ns| namespace_peer(ns)).collect();
    for peer in &spec.control_plane {
        peers.push(match peer {
            ControlPlanePeer::Cidr(cidr) => json!({ "ipBlock": { "cidr": cidr } }),
            ControlPlanePeer::Pods { namespace, labels } => json!({
                "namespaceSelector": {
                    "matchLabels": { "kubernetes.io/metadata.name": namespace },
                },
                "podSelector": { "matchLabels": string_map(labels) },
            }),
        });
    }
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(spec),
        "spec": {
            "podSelector": selector(spec),
            "policyTypes": ["Ingress"],
            "ingress": [{
                "from": peers,
                "ports": [{ "protocol": "TCP", "port": spec.port }],
            }],
        },
    })
}

#[cfg(test)]
#[path = "manifests_tests.rs"]
mod tests;
