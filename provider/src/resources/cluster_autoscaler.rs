//! The Kubernetes cluster autoscaler a cluster runs for its autoscaled node pools,
//! where the cloud does not scale pools itself ([`CloudRules::pools_need_cluster_autoscaler`]:
//! EKS, whose managed node groups only move within their bounds when something sets
//! the desired size). Without it `autoscaling { min = 0 }` never scales up.
//!
//! In `kube-system`: a ServiceAccount bound to the autoscaler's own cloud identity
//! (made by the cloud's [`ClusterAccess::ensure_autoscaler_identity`], on AWS an IRSA
//! role limited to the cluster's tagged groups), a ClusterRole and ClusterRoleBinding
//! for what it watches and changes, a Role and RoleBinding for its status ConfigMap
//! (leader election uses a Lease, in the ClusterRole), and a Deployment of the
//! autoscaler release matching the cluster's Kubernetes minor.
//!
//! Ownership: these objects and the identity are per cluster and shared by its
//! autoscaled pools; no Terraform resource holds them. Every autoscaled pool's apply
//! applies them (server-side apply under the provider's field manager, so a second
//! pool changes nothing); they are removed once a pool's delete (or its change to a
//! fixed size) leaves no autoscaled pool in the cluster. "No autoscaled pool" is read
//! from the cloud (the pools carrying the autoscaler's discovery tags), not from
//! Terraform state: pools of one cluster may live in different states or
//! configurations, and pools deleted in parallel each look after their own delete,
//! so the last one to go sees none left.
//!
//! [`CloudRules::pools_need_cluster_autoscaler`]: crate::clouds::CloudRules::pools_need_cluster_autoscaler
//! [`ClusterAccess::ensure_autoscaler_identity`]: crate::clouds::ClusterAccess::ensure_autoscaler_identity

use crate::Cloud;
use crate::clouds::Clouds;
use crate::clouds::model::ClusterState;
use crate::kube::objects::{self, ObjectKey};
use crate::serving::spec::WorkloadBinding;
use crate::serving::{FIELD_MANAGER, MANAGED_BY_LABEL};
use serde_json::{Value, json};
use tfplug::{AttributePath, Diagnostic};

pub const NAMESPACE: &str = "kube-system";
pub const NAME: &str = "cluster-autoscaler";
/// Its status ConfigMap (written by the autoscaler; the Role names it).
const STATUS_CONFIG_MAP: &str = "cluster-autoscaler-status";
const APP_LABEL: &str = "app.kubernetes.io/name";
const RBAC: &str = "rbac.authorization.k8s.io/v1";
const REPOSITORY: &str = "registry.k8s.io/autoscaling/cluster-autoscaler";

/// The autoscaler release of each Kubernetes minor: it supports only the minor it was
/// built for. Newest patch of each line as of this provider version.
const RELEASES: &[(u32, &str)] = &[
    (29, "v1.29.5"),
    (30, "v1.30.7"),
    (31, "v1.31.4"),
    (32, "v1.32.5"),
    (33, "v1.33.3"),
    (34, "v1.34.2"),
];

/// The image for a cluster of `kubernetes_version` (`1.31`, `1.31.4`, `v1.31`): the
/// release of its minor; outside the table, the nearest line.
pub fn image(kubernetes_version: &str) -> String {
    let minor = kubernetes_version
        .trim_start_matches('v')
        .split('.')
        .nth(1)
        .and_then(|m| m.parse::<u32>().ok());
    let (first, last) = (RELEASES[0], RELEASES[RELEASES.len() - 1]);
    let tag = match minor {
        Some(m) if m < first.0 => first.1,
        Some(m) => RELEASES
            .iter()
            .find(|(minor, _)| *minor == m)
            .map_or(last.1, |(_, tag)| *tag),
        None => last.1,
    };
    format!("{REPOSITORY}:{tag}")
}

fn labels() -> Value {
    json!({APP_LABEL: NAME, MANAGED_BY_LABEL: FIELD_MANAGER})
}

fn metadata(namespaced: bool) -> Value {
    let mut m = json!({"name": NAME, "labels": labels()});
    if namespaced {
        m["namespace"] = json!(NAMESPACE);
    }
    m
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

fn named_rule(groups: &[&str], resources: &[&str], names: &[&str], verbs: &[&str]) -> Value {
    let mut r = rule(groups, resources, verbs);
    r["resourceNames"] = json!(names);
    r
}

/// What the autoscaler reads to simulate scheduling, and writes to scale: events,
/// node updates (taints while draining), evictions, its lease.
fn cluster_role() -> Value {
    const READ: &[&str] = &["get", "list", "watch"];
    json!({
        "apiVersion": RBAC, "kind": "ClusterRole", "metadata": metadata(false),
        "rules": [
            rule(&[""], &["events", "endpoints"], &["create", "patch"]),
            rule(&[""], &["pods/eviction"], &["create"]),
            rule(&[""], &["pods/status"], &["update"]),
            named_rule(&[""], &["endpoints"], &[NAME], &["get", "update"]),
            rule(&[""], &["nodes"], &["get", "list", "watch", "update"]),
            rule(&[""], &["namespaces", "pods", "services", "replicationcontrollers", "persistentvolumeclaims", "persistentvolumes"], READ),
            rule(&["apps"], &["daemonsets", "replicasets", "statefulsets"], READ),
            rule(&["policy"], &["poddisruptionbudgets"], READ),
            rule(&["storage.k8s.io"], &["storageclasses", "csinodes", "csidrivers", "csistoragecapacities"], READ),
            rule(&["batch"], &["jobs", "cronjobs"], READ),
            rule(&["coordination.k8s.io"], &["leases"], &["create"]),
            named_rule(&["coordination.k8s.io"], &["leases"], &[NAME], &["get", "update"]),
        ],
    })
}

fn subjects() -> Value {
    json!([{"kind": "ServiceAccount", "name": NAME, "namespace": NAMESPACE}])
}

fn cluster_role_binding() -> Value {
    json!({
        "apiVersion": RBAC, "kind": "ClusterRoleBinding", "metadata": metadata(false),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": NAME},
        "subjects": subjects(),
    })
}

/// Its status ConfigMap in `kube-system`.
fn role() -> Value {
    json!({
        "apiVersion": RBAC, "kind": "Role", "metadata": metadata(true),
        "rules": [
            rule(&[""], &["configmaps"], &["create", "list", "watch"]),
            named_rule(&[""], &["configmaps"], &[STATUS_CONFIG_MAP], &["get", "update", "delete", "watch"]),
        ],
    })
}

fn role_binding() -> Value {
    json!({
        "apiVersion": RBAC, "kind": "RoleBinding", "metadata": metadata(true),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": NAME},
        "subjects": subjects(),
    })
}

fn service_account(binding: &WorkloadBinding) -> Value {
    let mut m = metadata(true);
    for (k, v) in &binding.service_account_labels {
        m["labels"][k] = json!(v);
    }
    m["annotations"] = json!(binding.service_account_annotations);
    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": m})
}

/// One replica (it elects a leader anyway), hardened: non-root, read-only root
/// filesystem, no privilege escalation, no capabilities, the runtime's seccomp
/// profile; `system-cluster-critical` so it is not evicted by the pods it scales for.
fn deployment(image: &str, cloud_args: &[String], binding: &WorkloadBinding) -> Value {
    let mut command = vec![
        "./cluster-autoscaler".to_string(),
        "--v=4".into(),
        "--stderrthreshold=info".into(),
    ];
    command.extend(cloud_args.iter().cloned());
    command.extend([
        "--expander=least-waste".to_string(),
        "--balance-similar-node-groups".into(),
        "--skip-nodes-with-system-pods=false".into(),
    ]);
    let selector = json!({APP_LABEL: NAME});
    let mut pod_labels = selector.clone();
    for (k, v) in &binding.pod_labels {
        pod_labels[k] = json!(v);
    }
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata(true),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": pod_labels},
                "spec": {
                    "serviceAccountName": NAME,
                    "priorityClassName": "system-cluster-critical",
                    "securityContext": {
                        "runAsNonRoot": true,
                        "runAsUser": 65534,
                        "runAsGroup": 65534,
                        "fsGroup": 65534,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [{
                        "name": NAME,
                        "image": image,
                        "command": command,
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "600Mi"},
                            "limits": {"memory": "600Mi"},
                        },
                        "securityContext": {
                            "allowPrivilegeEscalation": false,
                            "readOnlyRootFilesystem": true,
                            "capabilities": {"drop": ["ALL"]},
                        },
                    }],
                },
            },
        },
    })
}

/// Everything the autoscaler needs in the cluster, in the order it is applied.
pub fn manifests(
    cluster: &ClusterState,
    cloud_args: &[String],
    binding: &WorkloadBinding,
) -> Vec<Value> {
    vec![
        service_account(binding),
        cluster_role(),
        cluster_role_binding(),
        role(),
        role_binding(),
        deployment(&image(&cluster.kubernetes_version), cloud_args, binding),
    ]
}

fn failed(what: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        format!("Cannot {what} the cluster autoscaler"),
        format!("{e}. Without the Kubernetes cluster autoscaler the pool's `autoscaling` bounds are never acted on (a pool at min = 0 never gets a node)."),
    )
    .at(AttributePath::attr("autoscaling"))
}

/// Makes sure `cluster_id` runs the autoscaler (identity, then objects).
pub async fn ensure(clouds: &Clouds, cloud: Cloud, cluster_id: &str) -> Result<(), Diagnostic> {
    let (cluster, connection) = clouds.cluster_connection(cloud, cluster_id).await?;
    let access = clouds.cluster_access(cloud).await?;
    let binding = access
        .ensure_autoscaler_identity(&cluster)
        .await
        .map_err(|e| failed("set up the identity of", e))?;
    let client = crate::kube::client(&connection).map_err(|e| failed("apply", e))?;
    for object in manifests(&cluster, &access.autoscaler_args(&cluster), &binding) {
        let key = ObjectKey::of(&object).map_err(|e| failed("apply", e))?;
        objects::apply(&client, FIELD_MANAGER, &object)
            .await
            .map_err(|e| failed(&format!("apply the {key} of"), e))?;
    }
    Ok(())
}

/// Once `pool` is gone (or no longer autoscaled): removes the autoscaler when no
/// other pool of the cluster is autoscaled; nothing to do when the cluster is gone.
pub async fn release(
    clouds: &Clouds,
    cloud: Cloud,
    cluster_id: &str,
    pool: &str,
) -> Result<(), Diagnostic> {
    let Some(cluster) = clouds.find_cluster(cloud, cluster_id).await? else {
        return Ok(());
    };
    let access = clouds.cluster_access(cloud).await?;
    let others = access
        .autoscaled_pools(&cluster)
        .await
        .map_err(|e| failed("check who else needs", e))?;
    if others.iter().any(|p| p != pool) {
        return Ok(());
    }
    let connection = clouds.connect_to(cloud, &cluster).await?;
    let client = crate::kube::client(&connection).map_err(|e| failed("delete", e))?;
    // The Deployment first, so nothing acts with a role about to go.
    for object in manifests(&cluster, &[], &WorkloadBinding::default())
        .into_iter()
        .rev()
    {
        let key = ObjectKey::of(&object).map_err(|e| failed("delete", e))?;
        objects::delete(&client, &key)
            .await
            .map_err(|e| failed(&format!("delete the {key} of"), e))?;
    }
    access
        .remove_autoscaler_identity(&cluster)
        .await
        .map_err(|e| failed("delete the identity of", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_follows_the_clusters_minor() {
        assert_eq!(image("1.31"), format!("{REPOSITORY}:v1.31.4"));
        assert_eq!(image("v1.33.2"), format!("{REPOSITORY}:v1.33.3"));
        assert_eq!(image("1.20"), format!("{REPOSITORY}:v1.29.5"));
        assert_eq!(image("1.99"), format!("{REPOSITORY}:v1.34.2"));
    }

    #[test]
    fn the_deployment_is_hardened_and_bound_to_its_identity() {
        let binding = WorkloadBinding {
            service_account_annotations: [(
                "eks.amazonaws.com/role-arn".to_string(),
                "arn:r".to_string(),
            )]
            .into(),
            ..Default::default()
        };
        let args = vec!["--cloud-provider=aws".to_string()];
        let d = deployment("img", &args, &binding);
        let pod = &d["spec"]["template"]["spec"];
        assert_eq!(pod["priorityClassName"], "system-cluster-critical");
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
        assert_eq!(
            pod["securityContext"]["seccompProfile"]["type"],
            "RuntimeDefault"
        );
        let c = &pod["containers"][0];
        assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
        assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
        assert_eq!(c["securityContext"]["capabilities"]["drop"], json!(["ALL"]));
        assert!(
            c["command"]
                .as_array()
                .unwrap()
                .contains(&json!("--cloud-provider=aws"))
        );
        let sa = service_account(&binding);
        assert_eq!(
            sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
            "arn:r"
        );
    }
}
