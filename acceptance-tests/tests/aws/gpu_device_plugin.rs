//! GPU pools must really give GPUs on EKS too: the NVIDIA AMI has the driver, not the
//! device plugin, so the GPU pool applies a DaemonSet `nvidia-device-plugin-<pool>`
//! through the cluster's API (here the emulator's override API, reached with an EKS
//! token). Once the kubelets register the node group's nodes, its GPU node
//! advertises `nvidia.com/gpu`; the system nodes, which it does not select, do not.
//! Destroy deletes the DaemonSet.

use acceptance_tests::{EksKubelets, Moto, PlanChanges, Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::stack::{CLUSTER_NAME, POOL_NAME, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(
    the_gpu_pool_brings_the_nvidia_device_plugin,
    a_device_plugin_deleted_by_hand_is_drift
);

fn the_gpu_pool_brings_the_nvidia_device_plugin(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    moto.emulator().configure(
        "kubernetes",
        json!({"pullable_images": ["ghcr.io/mlcloud/mlcloud-smoke", "nvcr.io/nvidia/k8s-device-plugin"]}),
    )?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let stack = Stack::new(&network);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;

    let kubelets = EksKubelets::new(&moto, CLUSTER_NAME)?;
    let path =
        format!("/apis/apps/v1/namespaces/kube-system/daemonsets/nvidia-device-plugin-{POOL_NAME}");
    let plugin = kubelets.api().get(&path)?;
    let spec = &plugin["spec"]["template"]["spec"];
    assert_eq!(
        spec["nodeSelector"],
        json!({"eks.amazonaws.com/nodegroup": POOL_NAME})
    );
    assert!(
        spec["containers"][0]["image"]
            .as_str()
            .is_some_and(|i| i.starts_with("nvcr.io/nvidia/k8s-device-plugin:v0.17.")),
        "{plugin}"
    );

    kubelets.sync()?;
    for node in kubelets.nodes()? {
        let group = node["metadata"]["labels"]["eks.amazonaws.com/nodegroup"].clone();
        let gpus = node["status"]["allocatable"]["nvidia.com/gpu"].clone();
        if group == POOL_NAME {
            assert_eq!(gpus, json!("1"), "{node}");
        } else {
            assert_eq!(gpus, serde_json::Value::Null, "{node}");
        }
    }
    workdir.assert_no_changes()?;

    workdir.destroy()?;
    assert!(kubelets.api().find(&path)?.is_none(), "gone with the pool");
    // Nothing else of the plugin either (its pods' events linger, as on a cluster,
    // until they expire).
    let records = moto.emulator().records()?;
    let left: Vec<&serde_json::Value> = records["kubernetes"]["override"]["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["kind"] != "Event")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    Ok(())
}

/// Someone deletes the plugin's DaemonSet: the next plan shows the pool's update
/// (`gpu_device_plugin` reads back false), and apply brings the DaemonSet back.
fn a_device_plugin_deleted_by_hand_is_drift(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    moto.emulator().configure(
        "kubernetes",
        json!({"pullable_images": ["nvcr.io/nvidia/k8s-device-plugin"]}),
    )?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &Stack::new(&network).main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;

    let kubelets = EksKubelets::new(&moto, CLUSTER_NAME)?;
    let path =
        format!("/apis/apps/v1/namespaces/kube-system/daemonsets/nvidia-device-plugin-{POOL_NAME}");
    kubelets.api().delete(&path)?;
    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{plan}");
    assert!(
        plan.stdout
            .contains("mlcloud_node_pool.gpu will be updated in-place"),
        "{plan}"
    );
    assert!(
        plan.stdout.contains("~ gpu_device_plugin") && plan.stdout.contains("false -> true"),
        "{plan}"
    );
    workdir.apply()?;
    assert!(kubelets.api().find(&path)?.is_some(), "the plugin is back");
    workdir.assert_no_changes()?;
    workdir.destroy()?;
    Ok(())
}
