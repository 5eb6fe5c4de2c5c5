//! `autoscaling { min = 0 }` must scale up on EKS too: an autoscaled pool brings the
//! Kubernetes cluster autoscaler into its cluster (read back here through the
//! emulator's Kubernetes API) with an IAM role of its own whose writes are limited to
//! the cluster's tagged groups (read back from moto), and its node group carries the
//! discovery and scale-from-zero tags. The autoscaler is shared: destroying one of two
//! autoscaled pools keeps it, destroying the last removes it and its role.

use acceptance_tests::{EksKubelets, Moto, Terraform, TestResult, Workdir, providers};
use serde_json::{Value, json};

use crate::records::Records;
use crate::stack::{CLUSTER_NAME, Stack, resource};

acceptance_tests::scenarios_on_terraform_1_15!(autoscaled_pools_share_the_cluster_autoscaler);

const ROLE: &str = "ml-main-cluster-autoscaler";
const DEPLOYMENT: &str = "/apis/apps/v1/namespaces/kube-system/deployments/cluster-autoscaler";
const SERVICE_ACCOUNT: &str = "/api/v1/namespaces/kube-system/serviceaccounts/cluster-autoscaler";
const RBAC: [&str; 4] = [
    "/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-autoscaler",
    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-autoscaler",
    "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/roles/cluster-autoscaler",
    "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings/cluster-autoscaler",
];

/// An autoscaled pool named `name` (a GPU one scales from zero).
fn autoscaled_pool(name: &str, accelerator: bool) -> String {
    let machine = if accelerator {
        "accelerator {\n  type = \"nvidia-l4\"\n}".to_string()
    } else {
        "machine_type = \"m6i.large\"".to_string()
    };
    resource(
        "mlcloud_node_pool",
        &name.replace('-', "_"),
        &format!(
            r#"cloud      = "aws"
cluster_id = mlcloud_cluster.main.id
name       = "{name}"
{machine}
autoscaling {{
  min = 0
  max = 3
}}
labels           = {{ workload = "burst" }}
node_identity_id = mlcloud_identity.node.id"#
        ),
    )
}

fn autoscaled_pools_share_the_cluster_autoscaler(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    moto.emulator().configure(
        "kubernetes",
        json!({"pullable_images": ["nvcr.io/nvidia/k8s-device-plugin", "registry.k8s.io/autoscaling/cluster-autoscaler"]}),
    )?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let stack = Stack::new(&network).main_tf(&moto);
    workdir.write(
        "main.tf",
        &[stack.clone(), autoscaled_pool("burst-gpu", true)].join("\n"),
    )?;
    workdir.init()?;
    workdir.apply()?;

    let records = Records::of(&moto);
    let kubelets = EksKubelets::new(&moto, CLUSTER_NAME)?;
    let api = kubelets.api();
    let deployment = api.get(DEPLOYMENT)?;
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(
        container["image"], "registry.k8s.io/autoscaling/cluster-autoscaler:v1.31.4",
        "the release of the cluster's minor (1.31)"
    );
    let command: Vec<&str> = container["command"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(command.contains(&"--cloud-provider=aws"), "{command:?}");
    assert!(
        command.contains(&"--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/ml-main"),
        "{command:?}"
    );
    assert_eq!(pod["serviceAccountName"], "cluster-autoscaler");
    assert_eq!(pod["priorityClassName"], "system-cluster-critical");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(
        container["securityContext"]["allowPrivilegeEscalation"],
        false
    );
    assert_eq!(
        container["securityContext"]["capabilities"]["drop"],
        json!(["ALL"])
    );

    let role = records.role(ROLE)?;
    let account = api.get(SERVICE_ACCOUNT)?;
    assert_eq!(
        account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
        role.arn(),
        "{account}"
    );
    for path in RBAC {
        let object = api.get(path)?;
        if path.contains("bindings") {
            assert_eq!(
                object["subjects"],
                json!([{"kind": "ServiceAccount", "name": "cluster-autoscaler", "namespace": "kube-system"}])
            );
        } else {
            assert!(!object["rules"].as_array().unwrap().is_empty(), "{object}");
        }
    }
    // IRSA: only the autoscaler's service account may take the role.
    let trust = records.trust_policy(ROLE)?.to_string();
    assert!(
        trust.contains("system:serviceaccount:kube-system:cluster-autoscaler"),
        "{trust}"
    );
    let policy = records.inline_policy(ROLE, "mlcloud-cluster-autoscaler")?;
    let scaling = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s.to_string().contains("autoscaling:SetDesiredCapacity"))
        .expect("a statement allowing SetDesiredCapacity")
        .clone();
    assert_eq!(
        scaling["Condition"]["StringEquals"]["aws:ResourceTag/k8s.io/cluster-autoscaler/ml-main"],
        json!(["owned"]),
        "{policy}"
    );

    let group = records.node_group(CLUSTER_NAME, "burst-gpu")?;
    let tags = group.tags().cloned().unwrap_or_default();
    for (key, value) in [
        ("k8s.io/cluster-autoscaler/enabled", "true"),
        ("k8s.io/cluster-autoscaler/ml-main", "owned"),
        (
            "k8s.io/cluster-autoscaler/node-template/label/workload",
            "burst",
        ),
        (
            "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu",
            "present:NoSchedule",
        ),
        (
            "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu",
            "1",
        ),
    ] {
        assert_eq!(
            tags.get(key).map(String::as_str),
            Some(value),
            "{key} in {tags:?}"
        );
    }
    // The fixed-size pool is not discovered.
    let fixed = records.node_group(CLUSTER_NAME, crate::stack::POOL_NAME)?;
    assert!(
        !fixed
            .tags()
            .into_iter()
            .flatten()
            .any(|(k, _)| k.starts_with("k8s.io/cluster-autoscaler/")),
        "{fixed:?}"
    );
    workdir.assert_no_changes()?;

    // A second autoscaled pool; then the first goes: the autoscaler stays.
    workdir.write(
        "main.tf",
        &[
            stack.clone(),
            autoscaled_pool("burst-gpu", true),
            autoscaled_pool("burst-cpu", false),
        ]
        .join("\n"),
    )?;
    workdir.apply()?;
    workdir.write(
        "main.tf",
        &[stack.clone(), autoscaled_pool("burst-cpu", false)].join("\n"),
    )?;
    workdir.apply()?;
    assert!(api.find(DEPLOYMENT)?.is_some(), "burst-cpu still needs it");
    assert_eq!(records.role(ROLE)?.arn(), role.arn());
    workdir.assert_no_changes()?;

    // The last autoscaled pool goes: so do the autoscaler, its RBAC and its role.
    workdir.write("main.tf", &stack)?;
    workdir.apply()?;
    assert!(
        api.find(DEPLOYMENT)?.is_none(),
        "gone with the last autoscaled pool"
    );
    assert!(api.find(SERVICE_ACCOUNT)?.is_none());
    for path in RBAC {
        assert!(api.find(path)?.is_none(), "{path}");
    }
    assert!(!records.role_names()?.contains(&ROLE.to_string()));
    workdir.destroy()?;
    Ok(())
}
