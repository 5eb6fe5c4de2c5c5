//! The NVIDIA device plugin a GPU node pool owns. Without it `nvidia.com/gpu` is
//! never allocatable and a GPU workload stays Pending: EKS's NVIDIA AMI does not run
//! it, nor do AKS GPU pools with the driver installed (GKE runs its own; a cloud's
//! [`CloudRules::pools_run_gpu_device_plugin`] says which). One DaemonSet per pool in
//! `kube-system`, selecting the pool's nodes by the cloud's pool label and tolerating
//! the pool's taints, applied with server-side apply under the provider's field
//! manager once the pool exists, deleted before the pool is.
//!
//! [`CloudRules::pools_run_gpu_device_plugin`]: crate::clouds::CloudRules::pools_run_gpu_device_plugin

use crate::Cloud;
use crate::catalog::{self, AcceleratorKind};
use crate::clouds::Clouds;
use crate::clouds::model::{Taint, TaintEffect};
use crate::kube::objects::{self, ObjectKey};
use crate::serving::{FIELD_MANAGER, MANAGED_BY_LABEL};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tfplug::{AttributePath, Diagnostic};

/// The plugin's image, pinned: NVIDIA's k8s-device-plugin release of the 0.17 line.
pub const IMAGE: &str = "nvcr.io/nvidia/k8s-device-plugin:v0.17.4";

pub const NAMESPACE: &str = "kube-system";
const APP_LABEL: &str = "app.kubernetes.io/name";
const APP: &str = "nvidia-device-plugin";
/// Which pool a plugin serves (its pods and the DaemonSet carry it).
pub const POOL_LABEL: &str = "mlcloud.dev/node-pool";

/// `nvidia-device-plugin-<pool>`.
pub fn daemonset_name(pool: &str) -> String {
    format!("{APP}-{pool}")
}

/// Whether a pool of `machine_type` on `cloud` carries NVIDIA GPUs.
pub fn is_gpu_machine(cloud: Cloud, machine_type: &str) -> bool {
    catalog::by_machine_type(cloud, machine_type).is_some_and(|o| o.kind == AcceleratorKind::Gpu)
}

/// The DaemonSet of the plugin on the nodes whose `pool_label` is `pool`, tolerating
/// `taints` (and the GPU taint every GPU pool may carry).
pub fn manifest(pool_label: &str, pool: &str, taints: &BTreeSet<Taint>) -> Value {
    let labels = json!({APP_LABEL: APP, POOL_LABEL: pool});
    let mut tolerations: Vec<Value> = taints
        .iter()
        .map(|t| {
            let mut toleration = json!({"key": t.key, "effect": t.effect.as_str()});
            if t.value.is_empty() {
                toleration["operator"] = json!("Exists");
            } else {
                toleration["operator"] = json!("Equal");
                toleration["value"] = json!(t.value);
            }
            toleration
        })
        .collect();
    let gpu_taint = json!({"key": "nvidia.com/gpu", "operator": "Exists", "effect": TaintEffect::NoSchedule.as_str()});
    if !tolerations.contains(&gpu_taint) {
        tolerations.push(gpu_taint);
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "name": daemonset_name(pool),
            "namespace": NAMESPACE,
            "labels": {APP_LABEL: APP, POOL_LABEL: pool, MANAGED_BY_LABEL: FIELD_MANAGER},
        },
        "spec": {
            "selector": {"matchLabels": labels},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "nodeSelector": {pool_label: pool},
                    "tolerations": tolerations,
                    "priorityClassName": "system-node-critical",
                    "containers": [{
                        "name": "nvidia-device-plugin-ctr",
                        "image": IMAGE,
                        "env": [{"name": "FAIL_ON_INIT_ERROR", "value": "false"}],
                        "securityContext": {
                            "allowPrivilegeEscalation": false,
                            "capabilities": {"drop": ["ALL"]},
                        },
                        "volumeMounts": [{"name": "device-plugin", "mountPath": "/var/lib/kubelet/device-plugins"}],
                    }],
                    "volumes": [{"name": "device-plugin", "hostPath": {"path": "/var/lib/kubelet/device-plugins"}}],
                },
            },
        },
    })
}

fn failed(what: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        format!("Cannot {what} the NVIDIA device plugin of the node pool"),
        format!("{e}. Without it the pool's GPUs are not allocatable; set gpu_device_plugin = false if the NVIDIA GPU Operator provides it."),
    )
    .at(AttributePath::attr("gpu_device_plugin"))
}

/// Applies the plugin for `pool` of cluster `cluster_id`.
pub async fn ensure(
    clouds: &Clouds,
    cloud: Cloud,
    cluster_id: &str,
    pool: &str,
    taints: &BTreeSet<Taint>,
) -> Result<(), Diagnostic> {
    let (_, connection) = clouds.cluster_connection(cloud, cluster_id).await?;
    let pool_label = clouds.cluster_access(cloud).await?.pool_label();
    let client = crate::kube::client(&connection).map_err(|e| failed("apply", e))?;
    objects::apply(&client, FIELD_MANAGER, &manifest(pool_label, pool, taints))
        .await
        .map_err(|e| failed("apply", e))?;
    Ok(())
}

fn daemonset_key(pool: &str) -> ObjectKey {
    ObjectKey {
        api_version: "apps/v1".into(),
        kind: "DaemonSet".into(),
        namespace: Some(NAMESPACE.into()),
        name: daemonset_name(pool),
    }
}

/// Whether the plugin of `pool` is in the cluster; `None` when the cluster is gone.
/// An error when the cluster's API cannot be asked (the caller keeps what it had).
pub async fn present(
    clouds: &Clouds,
    cloud: Cloud,
    cluster_id: &str,
    pool: &str,
) -> Result<Option<bool>, String> {
    let Some(cluster) = clouds
        .find_cluster(cloud, cluster_id)
        .await
        .map_err(|d| d.detail.clone())?
    else {
        return Ok(None);
    };
    let connection = clouds
        .connect_to(cloud, &cluster)
        .await
        .map_err(|d| d.detail.clone())?;
    let client = crate::kube::client(&connection).map_err(|e| e.to_string())?;
    let found = objects::get(&client, &daemonset_key(pool))
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(found.is_some()))
}

/// Deletes the plugin of `pool`; nothing to do when the cluster is gone.
pub async fn remove(
    clouds: &Clouds,
    cloud: Cloud,
    cluster_id: &str,
    pool: &str,
) -> Result<(), Diagnostic> {
    let Some(cluster) = clouds.find_cluster(cloud, cluster_id).await? else {
        return Ok(());
    };
    let connection = clouds.connect_to(cloud, &cluster).await?;
    let client = crate::kube::client(&connection).map_err(|e| failed("delete", e))?;
    objects::delete(&client, &daemonset_key(pool))
        .await
        .map_err(|e| failed("delete", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plugin_selects_the_pool_and_tolerates_its_taints() {
        let taints = BTreeSet::from([Taint {
            key: "team".into(),
            value: "research".into(),
            effect: TaintEffect::NoExecute,
        }]);
        let ds = manifest("eks.amazonaws.com/nodegroup", "gpu-l4", &taints);
        assert_eq!(ds["metadata"]["name"], "nvidia-device-plugin-gpu-l4");
        assert_eq!(ds["metadata"]["namespace"], "kube-system");
        let spec = &ds["spec"]["template"]["spec"];
        assert_eq!(
            spec["nodeSelector"],
            json!({"eks.amazonaws.com/nodegroup": "gpu-l4"})
        );
        assert_eq!(
            spec["tolerations"],
            json!([
                {"key": "team", "operator": "Equal", "value": "research", "effect": "NoExecute"},
                {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
            ])
        );
        assert_eq!(spec["containers"][0]["image"], IMAGE);
        assert_eq!(
            ds["spec"]["selector"]["matchLabels"],
            ds["spec"]["template"]["metadata"]["labels"]
        );
        assert!(is_gpu_machine(Cloud::Aws, "g6.xlarge"));
        assert!(!is_gpu_machine(Cloud::Aws, "m6i.large"));
    }
}
