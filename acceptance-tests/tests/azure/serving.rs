//! `mlcloud_serving_endpoint` on AKS: a key, the cluster's identity, a private AKS
//! cluster, a node pool and a workload identity for the endpoint's service account;
//! the endpoint rolls out on the emulator's cluster, answers a real inference from the
//! `mlcloud-smoke` server behind the service proxy, its ServiceAccount carries the
//! identity's client id for Azure Workload Identity, a later plan is empty, the
//! `mlcloud_smoke_test` action runs the inference again, replicas change in place,
//! and destroy leaves nothing in the cluster.
//!
//! A GPU endpoint (`gpu = 1`) on a T4 pool: an AKS GPU node advertises
//! `nvidia.com/gpu` only while a device-plugin DaemonSet selects it (emulator README,
//! "Nodes"), which the pool brings (`gpu_device_plugin`, default true) and keeps after
//! the endpoint is gone.

use acceptance_tests::{MlcloudEmulator, PlanChanges, Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::arm::Arm;
use crate::cluster_api;
use crate::stack::{CLUSTER, GROUP, id_of, main_tf};

acceptance_tests::scenarios_on_terraform_1_15!(
    a_gpu_endpoint_answers_is_bound_to_its_identity_scales_in_place_and_leaves_nothing
);

const ENDPOINT: &str = "mlcloud_serving_endpoint.iris";

fn config(replicas: u32) -> String {
    format!(
        r#"
resource "mlcloud_kms_key" "etcd" {{
  cloud    = "azure"
  name     = "etcd"
  location = "westeurope"
  azure {{
    resource_group_name = "{GROUP}"
  }}
}}

resource "mlcloud_identity" "cluster" {{
  cloud    = "azure"
  name     = "ml-cluster"
  location = "westeurope"
  purpose  = "cluster"
  azure {{
    resource_group_name = "{GROUP}"
  }}
}}

resource "mlcloud_cluster" "main" {{
  cloud             = "azure"
  name              = "ml-main"
  location          = "westeurope"
  encryption_key_id = mlcloud_kms_key.etcd.key_ref
  identity_id       = mlcloud_identity.cluster.id
  system_pool {{
    node_count = 1
  }}
  azure {{
    resource_group_name = "{GROUP}"
  }}
}}

resource "mlcloud_node_pool" "gpu" {{
  cloud      = "azure"
  cluster_id = mlcloud_cluster.main.id
  name       = "gpu"
  location   = "westeurope"
  node_count = 2
  accelerator {{
    type = "nvidia-t4"
  }}
}}

resource "mlcloud_identity" "serving" {{
  cloud    = "azure"
  name     = "ml-serving"
  location = "westeurope"
  purpose  = "workload"
  workload {{
    cluster_id      = mlcloud_cluster.main.id
    namespace       = "ml-serving"
    service_account = "iris"
  }}
  azure {{
    resource_group_name = "{GROUP}"
  }}
}}

resource "mlcloud_serving_endpoint" "iris" {{
  cloud        = "azure"
  cluster_id   = mlcloud_cluster.main.id
  name         = "iris"
  node_pool_id = mlcloud_node_pool.gpu.id
  identity_id  = mlcloud_identity.serving.id
  replicas     = {replicas}
  resources {{
    gpu = 1
  }}
}}

output "endpoint" {{
  value = mlcloud_serving_endpoint.iris
}}

output "client_id" {{
  value = mlcloud_identity.serving.client_id
}}

action "mlcloud_smoke_test" "check" {{
  config {{
    cloud       = "azure"
    endpoint_id = mlcloud_serving_endpoint.iris.id
  }}
}}
"#
    )
}

/// The emulator's Kubernetes objects of the AKS cluster `cluster_id` (its records key
/// it by the lowercased ARM id), as `KIND ns/name`.
fn cluster_objects(emulator: &MlcloudEmulator, cluster_id: &str) -> Vec<String> {
    let records = emulator.records().expect("records");
    let cluster = &records["kubernetes"]["clusters"][cluster_id.to_lowercase()];
    assert!(
        cluster.is_object(),
        "the cluster {cluster_id} has an API server: {records}"
    );
    cluster["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            format!(
                "{} {}/{}",
                o["kind"].as_str().unwrap_or_default(),
                o["namespace"].as_str().unwrap_or_default(),
                o["name"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn a_gpu_endpoint_answers_is_bound_to_its_identity_scales_in_place_and_leaves_nothing(
    terraform: &Terraform,
) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    Arm::new(&emulator).create_group(GROUP);
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &main_tf(&emulator, &config(1)))?;
    workdir.init()?;
    workdir.apply()?;

    let outputs = workdir.output_json()?;
    let endpoint = outputs.value("endpoint").clone();
    let result = &endpoint["smoke_test_result"];
    assert_eq!(result["passed"], json!(true), "{endpoint}");
    assert_eq!(result["model"], json!("iris"), "{endpoint}");
    // The device is what the smoke server found where the emulator runs it (the
    // host), so only its presence is checked.
    assert!(result["device"].as_str().is_some(), "{result}");
    assert!(
        result["answer"].as_str().is_some_and(|a| !a.is_empty()),
        "the model's answer: {result}"
    );
    assert_eq!(endpoint["ready_replicas"], json!(1), "{endpoint}");
    assert_eq!(
        endpoint["internal_url"],
        json!("http://iris.ml-serving.svc.cluster.local:8080")
    );
    let cluster_id = id_of(&workdir.state_json()?, CLUSTER);
    assert_eq!(
        endpoint["id"],
        json!(format!("{cluster_id}/namespaces/ml-serving/endpoints/iris"))
    );
    let objects = cluster_objects(&emulator, &cluster_id);
    for expected in [
        "Namespace /ml-serving",
        "ServiceAccount ml-serving/iris",
        "Deployment ml-serving/iris",
        "Service ml-serving/iris",
        "PodDisruptionBudget ml-serving/iris",
        "NetworkPolicy ml-serving/iris",
    ] {
        assert!(
            objects.iter().any(|o| o == expected),
            "{expected} in {objects:?}"
        );
    }

    // Azure Workload Identity: the webhook exchanges the pods' token for the managed
    // identity the ServiceAccount's client-id annotation names.
    let client_id = outputs.string("client_id").to_owned();
    assert!(!client_id.is_empty());
    let (status, account) = cluster_api::get(
        &emulator,
        &cluster_id,
        "/api/v1/namespaces/ml-serving/serviceaccounts/iris",
    );
    assert_eq!(status, 200, "{account}");
    let metadata = &account["metadata"];
    assert_eq!(
        metadata["annotations"]["azure.workload.identity/client-id"],
        json!(client_id),
        "{account}"
    );
    assert_eq!(
        metadata["labels"]["azure.workload.identity/use"],
        json!("true"),
        "{account}"
    );
    // node_pool_id places the pods on the pool's nodes, by AKS's pool label.
    let (status, pods) = cluster_api::get(
        &emulator,
        &cluster_id,
        "/api/v1/namespaces/ml-serving/pods?labelSelector=app.kubernetes.io%2Fname%3Diris",
    );
    assert_eq!(status, 200, "{pods}");
    let pods = pods["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(pods.len(), 1, "{pods:?}");
    for pod in &pods {
        let spec = &pod["spec"];
        assert_eq!(
            spec["nodeSelector"]["kubernetes.azure.com/agentpool"],
            json!("gpu"),
            "{pod}"
        );
        assert!(
            spec["nodeName"]
                .as_str()
                .is_some_and(|n| n.starts_with("aks-gpu-")),
            "on a node of the gpu pool: {pod}"
        );
        assert_eq!(
            spec["containers"][0]["resources"]["limits"]["nvidia.com/gpu"],
            json!("1"),
            "{pod}"
        );
    }
    workdir.assert_no_changes()?;

    // The action runs the same inference again, through an AKS token of its own.
    workdir
        .succeed(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-invoke=action.mlcloud_smoke_test.check",
        ])?
        .assert_stdout_contains(
            "Action action.mlcloud_smoke_test.check (triggered by CLI): passed in",
        )
        .assert_stdout_contains("Actions: 1 invoked.");

    // Scaling is in place: the plan says update, not replace.
    workdir.write("main.tf", &main_tf(&emulator, &config(2)))?;
    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{}", plan.stdout);
    assert!(
        plan.stdout.contains("~ replicas") && plan.stdout.contains("1 to change"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    workdir.apply()?;
    let endpoint = workdir.output_json()?.value("endpoint").clone();
    assert_eq!(endpoint["ready_replicas"], json!(2), "{endpoint}");
    assert_eq!(endpoint["smoke_test_result"]["passed"], json!(true));
    workdir.assert_no_changes()?;

    workdir.succeed(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-target={ENDPOINT}"),
    ])?;
    // Nothing of the endpoint is left; what is in kube-system is the pool's device
    // plugin (its DaemonSet, pods and their events), which stays with the pool.
    let objects = cluster_objects(&emulator, &cluster_id);
    let outside: Vec<&String> = objects
        .iter()
        .filter(|o| !o.contains(" kube-system/"))
        .collect();
    assert!(
        outside.is_empty(),
        "destroy leaves nothing of the endpoint: {objects:?}"
    );
    assert!(
        objects.contains(&"DaemonSet kube-system/nvidia-device-plugin-gpu".to_string()),
        "the pool's device plugin stays: {objects:?}"
    );
    workdir.destroy()?;
    Ok(())
}
