//! GPU pools must really give GPUs: AKS installs the NVIDIA driver on a GPU pool but
//! not the device plugin, so the pool brings it. After apply the pool's nodes
//! advertise `nvidia.com/gpu` because a DaemonSet `nvidia-device-plugin-<pool>` in
//! `kube-system`, applied by the provider, selects them and tolerates their taint;
//! `gpu_device_plugin = false` (the GPU Operator's users) removes it and the GPUs
//! with it; destroying the pool deletes its DaemonSet.

use acceptance_tests::azure_arm::AzureArm;
use acceptance_tests::{KubeApi, MlcloudEmulator, Terraform, TestResult, Workdir, providers};
use serde_json::{Value, json};

use crate::arm::Arm;
use crate::bad_input::{TERRAFORM_BLOCK, provider_block};
use crate::stack::GROUP;

acceptance_tests::scenarios_on_terraform_1_15!(a_gpu_pool_brings_the_nvidia_device_plugin);

const PLUGIN_IMAGE_REPOSITORY: &str = "nvcr.io/nvidia/k8s-device-plugin";
const DAEMONSET: &str = "/apis/apps/v1/namespaces/kube-system/daemonsets/nvidia-device-plugin-gpu";
const AKS_SERVER_SCOPE: &str = "6dae42f8-4368-4678-94ff-3960e28e3630%2F.default";

const CLUSTER: &str = r#"
resource "mlcloud_kms_key" "etcd" {
  cloud    = "azure"
  name     = "etcd"
  location = "westeurope"
  azure {
    resource_group_name = "ml"
  }
}

resource "mlcloud_identity" "cluster" {
  cloud    = "azure"
  name     = "ml-cluster"
  location = "westeurope"
  purpose  = "cluster"
  azure {
    resource_group_name = "ml"
  }
}

resource "mlcloud_cluster" "main" {
  cloud             = "azure"
  name              = "ml-main"
  location          = "westeurope"
  encryption_key_id = mlcloud_kms_key.etcd.key_ref
  identity_id       = mlcloud_identity.cluster.id
  system_pool {
    node_count = 1
  }
  azure {
    resource_group_name = "ml"
  }
}
"#;

/// Two T4 nodes, with `extra` inside the pool.
fn gpu_pool(extra: &str) -> String {
    format!(
        r#"
resource "mlcloud_node_pool" "gpu" {{
  cloud      = "azure"
  cluster_id = mlcloud_cluster.main.id
  name       = "gpu"
  location   = "westeurope"
  node_count = 2
  accelerator {{
    type = "nvidia-t4"
  }}
  {extra}
}}
"#
    )
}

fn write(workdir: &Workdir, emulator: &MlcloudEmulator, pool: &str) -> TestResult {
    let parts = [TERRAFORM_BLOCK, &provider_block(emulator), CLUSTER, pool];
    workdir.write("main.tf", &parts.join("\n"))?;
    Ok(())
}

/// The AKS cluster's API, with an Entra token for AKS's server application.
fn cluster_api(emulator: &MlcloudEmulator) -> Result<KubeApi, acceptance_tests::HarnessError> {
    let records = emulator.records()?;
    let clusters = records["kubernetes"]["clusters"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(clusters.len(), 1, "{records}");
    let endpoint = clusters
        .values()
        .next()
        .and_then(|c| c["endpoint"].as_str())
        .unwrap_or_default()
        .to_string();
    let endpoint = if endpoint.starts_with("https://") {
        endpoint
    } else {
        format!("https://{endpoint}")
    };
    let token = AzureArm::for_emulator(emulator)?.client_token(emulator, AKS_SERVER_SCOPE)?;
    let ca_file = emulator.ready()["ca_file"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Ok(KubeApi::new(
        &endpoint,
        std::path::Path::new(&ca_file),
        move || Ok(token.clone()),
    )?)
}

/// `nvidia.com/gpu` allocatable on each node of the pool `gpu`.
fn pool_gpus(api: &KubeApi) -> Result<Vec<Option<String>>, acceptance_tests::HarnessError> {
    Ok(api
        .list("/api/v1/nodes?labelSelector=kubernetes.azure.com/agentpool%3Dgpu")?
        .iter()
        .map(|n| {
            n["status"]["allocatable"]["nvidia.com/gpu"]
                .as_str()
                .map(str::to_string)
        })
        .collect())
}

fn a_gpu_pool_brings_the_nvidia_device_plugin(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    emulator.configure(
        "kubernetes",
        json!({"pullable_images": ["ghcr.io/mlcloud/mlcloud-smoke", PLUGIN_IMAGE_REPOSITORY]}),
    )?;
    Arm::new(&emulator).create_group(GROUP);
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    write(&workdir, &emulator, &gpu_pool(""))?;
    workdir.init()?;
    workdir.apply()?;
    let state = workdir.state_json()?;
    let pool = state
        .resource("mlcloud_node_pool.gpu")
        .cloned()
        .unwrap_or_default();
    assert_eq!(pool["gpu_device_plugin"], json!(true), "the default");

    let api = cluster_api(&emulator)?;
    let plugin = api.get(DAEMONSET)?;
    let spec = &plugin["spec"]["template"]["spec"];
    assert_eq!(
        spec["nodeSelector"],
        json!({"kubernetes.azure.com/agentpool": "gpu"})
    );
    let image = spec["containers"][0]["image"].as_str().unwrap_or_default();
    assert!(
        image.starts_with(&format!("{PLUGIN_IMAGE_REPOSITORY}:v0.17.")),
        "{image}"
    );
    let tolerations = spec["tolerations"].as_array().cloned().unwrap_or_default();
    assert!(
        tolerations
            .iter()
            .any(|t| t["key"] == "nvidia.com/gpu" && t["effect"] == "NoSchedule"),
        "tolerates the GPU pool's taint: {tolerations:?}"
    );
    let managers: Vec<&Value> = plugin["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| &f["manager"])
        .collect();
    assert!(managers.contains(&&json!("mlcloud")), "{managers:?}");
    assert_eq!(
        pool_gpus(&api)?,
        [Some("1".to_string()), Some("1".to_string())],
        "both T4 nodes advertise their GPU"
    );
    assert_eq!(
        plugin["status"]["numberReady"],
        json!(2),
        "a plugin pod ready on each GPU node: {plugin}"
    );
    workdir.assert_no_changes()?;

    // For the GPU Operator: no plugin of ours, no GPU until the operator brings one.
    write(&workdir, &emulator, &gpu_pool("gpu_device_plugin = false"))?;
    workdir
        .plan()?
        .assert_stdout_contains("gpu_device_plugin")
        .assert_stdout_contains("true -> false")
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");
    workdir.apply()?;
    assert!(api.find(DAEMONSET)?.is_none(), "the pool's plugin is gone");
    assert_eq!(pool_gpus(&api)?, [None, None]);
    workdir.assert_no_changes()?;

    // Back on, then the pool destroyed: the DaemonSet goes with it, the cluster stays.
    write(&workdir, &emulator, &gpu_pool(""))?;
    workdir.apply()?;
    assert!(api.find(DAEMONSET)?.is_some());
    write(&workdir, &emulator, "")?;
    workdir.apply()?;
    assert!(api.find(DAEMONSET)?.is_none(), "deleted with the pool");
    assert!(pool_gpus(&api)?.is_empty(), "the pool's nodes are gone");
    workdir.destroy()?;
    let records = emulator.records()?;
    assert_eq!(records["kubernetes"]["clusters"], json!({}), "{records}");
    Ok(())
}
