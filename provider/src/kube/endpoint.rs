//! An endpoint's objects in a cluster: apply them, wait for the rollout, read what the
//! cluster holds, remove them. The manifests and the judgement of a rollout are pure
//! functions in `crate::serving`; this file only sequences the calls.

use super::KubeError;
use super::objects::{self, ObjectKey};
use crate::serving::manifests::{self, SELECTOR_LABEL};
use crate::serving::rollout::{self, Rollout, RolloutFailure};
use crate::serving::spec::EndpointSpec;
use crate::serving::{FIELD_MANAGER, MANAGED_BY_LABEL};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Why an endpoint could not be put in place.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("{object}: {source}")]
    Object {
        object: String,
        #[source]
        source: KubeError,
    },
    #[error("the rollout failed: {0}")]
    RolloutFailed(RolloutFailure),
    #[error("the rollout did not finish within {waited:?}; last seen: {last}")]
    RolloutTimedOut { waited: Duration, last: String },
    #[error("the objects were not gone after {waited:?}: {left}")]
    DeleteTimedOut { waited: Duration, left: String },
}

fn failed(object: impl ToString) -> impl FnOnce(KubeError) -> EndpointError {
    let object = object.to_string();
    move |source| EndpointError::Object { object, source }
}

/// The keys of what an endpoint owns, in the order they are removed: the pods' owner
/// first, the namespace (which [`remove`] handles apart) never.
pub fn owned_keys(spec: &EndpointSpec) -> Vec<ObjectKey> {
    let key = |api_version: &str, kind: &str| ObjectKey {
        api_version: api_version.into(),
        kind: kind.into(),
        namespace: Some(spec.namespace.clone()),
        name: spec.name.clone(),
    };
    vec![
        key("autoscaling/v2", "HorizontalPodAutoscaler"),
        key("policy/v1", "PodDisruptionBudget"),
        key("apps/v1", "Deployment"),
        key("v1", "Service"),
        key("networking.k8s.io/v1", "NetworkPolicy"),
        key("v1", "ServiceAccount"),
    ]
}

fn namespace_key(namespace: &str) -> ObjectKey {
    ObjectKey {
        api_version: "v1".into(),
        kind: "Namespace".into(),
        namespace: None,
        name: namespace.into(),
    }
}

/// Applies every object of the endpoint. The namespace is created (labelled as
/// mlcloud's) only when absent: an existing one is left as its owner made it. An HPA
/// the spec no longer asks for is removed (apply only adds).
pub async fn apply(client: &::kube::Client, spec: &EndpointSpec) -> Result<(), EndpointError> {
    let ns_key = namespace_key(&spec.namespace);
    let existing = objects::get(client, &ns_key)
        .await
        .map_err(failed(&ns_key))?;
    for object in manifests::all(spec) {
        let mut object = object;
        if object["kind"] == "Namespace" {
            if existing.is_some() {
                continue;
            }
            object["metadata"]["labels"] = json!({ MANAGED_BY_LABEL: "mlcloud" });
        }
        let key = ObjectKey::of(&object).map_err(failed("a manifest"))?;
        objects::apply(client, FIELD_MANAGER, &object)
            .await
            .map_err(failed(&key))?;
    }
    if manifests::horizontal_pod_autoscaler(spec).is_none() {
        let hpa = &owned_keys(spec)[0];
        objects::delete(client, hpa).await.map_err(failed(hpa))?;
    }
    Ok(())
}

/// The Deployment, its pods and the namespace's events, judged.
pub async fn rollout_status(
    client: &::kube::Client,
    spec: &EndpointSpec,
) -> Result<Rollout, EndpointError> {
    let key = &owned_keys(spec)[2];
    let Some(deployment) = objects::get(client, key).await.map_err(failed(key))? else {
        return Ok(Rollout::InProgress(
            "the Deployment does not exist yet".into(),
        ));
    };
    let selector = format!("{SELECTOR_LABEL}={}", spec.name);
    let pods = objects::list(client, "v1", "Pod", &spec.namespace, Some(&selector))
        .await
        .map_err(failed(format!("pods of {key}")))?;
    let first = rollout::evaluate(&deployment, &pods, &[]);
    // Events are only needed to tell an unschedulable pod that the autoscaler is
    // scaling up for from one that will never fit.
    if !matches!(&first, Rollout::Failed(f) if f.reason == "Unschedulable") {
        return Ok(first);
    }
    let events = objects::list(client, "v1", "Event", &spec.namespace, None)
        .await
        .map_err(failed(format!("events in {}", spec.namespace)))?;
    Ok(rollout::evaluate(&deployment, &pods, &events))
}

/// Polls the rollout until it completes, fails for a reason waiting will not fix, or
/// `timeout` passes; `progress` hears each new state.
pub async fn wait_for_rollout(
    client: &::kube::Client,
    spec: &EndpointSpec,
    timeout: Duration,
    progress: &(dyn Fn(&str) + Send + Sync),
) -> Result<u32, EndpointError> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(200);
    let mut last = String::new();
    loop {
        match rollout_status(client, spec).await? {
            Rollout::Complete { ready_replicas } => return Ok(ready_replicas),
            Rollout::Failed(failure) => return Err(EndpointError::RolloutFailed(failure)),
            Rollout::InProgress(message) => {
                if message != last {
                    progress(&message);
                    last = message;
                }
            }
        }
        if started.elapsed() >= timeout {
            return Err(EndpointError::RolloutTimedOut {
                waited: timeout,
                last,
            });
        }
        tokio::time::sleep(pause.min(timeout.saturating_sub(started.elapsed()))).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

/// What the cluster holds of an endpoint, for refresh: `None` when any object it
/// owns is gone (the next plan puts it back).
pub struct Observed {
    pub deployment: Value,
    /// The endpoint's HPA, when there is one: what an import reads `autoscaling` from.
    pub autoscaler: Option<Value>,
}

pub async fn observe(
    client: &::kube::Client,
    spec: &EndpointSpec,
) -> Result<Option<Observed>, EndpointError> {
    let mut deployment = None;
    let mut autoscaler = None;
    let autoscaled = manifests::horizontal_pod_autoscaler(spec).is_some();
    for (index, key) in owned_keys(spec).iter().enumerate() {
        let found = objects::get(client, key).await.map_err(failed(key))?;
        match found {
            // The HPA (first of the keys) is owned only when `autoscaling` is set; one
            // found without it is read for an import.
            None if index == 0 && !autoscaled => {}
            None => return Ok(None),
            Some(object) if index == 0 => autoscaler = Some(object),
            Some(object) if key.kind == "Deployment" => deployment = Some(object),
            Some(_) => {}
        }
    }
    Ok(deployment.map(|deployment| Observed {
        deployment,
        autoscaler,
    }))
}

/// Deletes what the endpoint owns and waits until its pods are gone. The namespace
/// goes too when mlcloud created it and no other mlcloud endpoint is left in it.
pub async fn remove(
    client: &::kube::Client,
    spec: &EndpointSpec,
    timeout: Duration,
) -> Result<(), EndpointError> {
    for key in owned_keys(spec) {
        objects::delete(client, &key).await.map_err(failed(&key))?;
    }
    let started = Instant::now();
    let selector = format!("{SELECTOR_LABEL}={}", spec.name);
    loop {
        let pods = objects::list(client, "v1", "Pod", &spec.namespace, Some(&selector))
            .await
            .map_err(failed(format!("pods of {}", spec.name)))?;
        if pods.is_empty() {
            break;
        }
        if started.elapsed() >= timeout {
            let names: Vec<&str> = pods
                .iter()
                .filter_map(|p| p["metadata"]["name"].as_str())
                .collect();
            return Err(EndpointError::DeleteTimedOut {
                waited: timeout,
                left: format!("pods {}", names.join(", ")),
            });
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    remove_namespace_if_ours(client, &spec.namespace).await
}

async fn remove_namespace_if_ours(
    client: &::kube::Client,
    namespace: &str,
) -> Result<(), EndpointError> {
    let key = namespace_key(namespace);
    let Some(found) = objects::get(client, &key).await.map_err(failed(&key))? else {
        return Ok(());
    };
    if found["metadata"]["labels"][MANAGED_BY_LABEL] != "mlcloud" {
        return Ok(());
    }
    let others = objects::list(
        client,
        "apps/v1",
        "Deployment",
        namespace,
        Some(&format!("{MANAGED_BY_LABEL}=mlcloud")),
    )
    .await
    .map_err(failed(format!("deployments in {namespace}")))?;
    if others.is_empty() {
        objects::delete(client, &key).await.map_err(failed(&key))?;
    }
    Ok(())
}
