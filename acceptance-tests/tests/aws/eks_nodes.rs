//! An EKS cluster's nodes, as its kubelets register them with the override API: the
//! stack's system pool and spot GPU pool come up as Nodes carrying what EKS puts on
//! them (node group, capacity type, instance type, zone, arch, the pool's labels and
//! taints, the instance's CPU, memory and pods). The GPU nodes advertise no GPU until
//! an NVIDIA device-plugin DaemonSet that tolerates their taint runs there, then one
//! each; a resized pool gets (or loses) nodes on the next sync, and a destroyed
//! cluster's nodes go.

use acceptance_tests::{EksKubelets, Terraform, TestResult, Workdir, providers};
use serde_json::{Value, json};

use crate::stack::{CLUSTER_NAME, POOL_NAME, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(
    the_kubelets_register_the_node_groups_and_gpus_need_the_device_plugin
);

const NODEGROUP: &str = "eks.amazonaws.com/nodegroup";

fn the_kubelets_register_the_node_groups_and_gpus_need_the_device_plugin(
    terraform: &Terraform,
) -> TestResult {
    let moto = acceptance_tests::Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let mut stack = Stack::new(&network);
    // The story deploys the device plugin itself, as a user of the GPU Operator would.
    stack.gpu_device_plugin = Some(false);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;

    let kubelets = EksKubelets::new(&moto, CLUSTER_NAME)?;
    let registered = kubelets.sync()?;
    assert_eq!(registered.len(), 3, "two system nodes and one GPU node");
    let nodes = kubelets.nodes()?;
    assert_eq!(names(&nodes), registered);
    let gpu_nodes = in_group(&nodes, POOL_NAME);
    let system_nodes = in_group(&nodes, "system");
    assert_eq!((gpu_nodes.len(), system_nodes.len()), (1, 2), "{nodes:?}");

    // What EKS puts on a node of the spot GPU pool.
    let gpu = gpu_nodes[0];
    let labels = &gpu["metadata"]["labels"];
    assert_eq!(labels["eks.amazonaws.com/capacityType"], "SPOT");
    assert_eq!(labels["node.kubernetes.io/instance-type"], "g6.xlarge");
    assert_eq!(labels["kubernetes.io/arch"], "amd64");
    assert_eq!(labels["workload"], "inference", "the pool's own label");
    let zone = labels["topology.kubernetes.io/zone"]
        .as_str()
        .unwrap_or_default();
    let zones = subnet_zones(&moto, &network.subnet_ids)?;
    assert!(zones.iter().any(|z| z == zone), "{zone} not in {zones:?}");
    assert_eq!(
        gpu["spec"]["taints"],
        json!([{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]),
        "the GPU pool's default taint, as Kubernetes writes it"
    );
    let status = &gpu["status"];
    assert_eq!(status["capacity"]["cpu"], "4");
    assert_eq!(
        status["capacity"]["memory"],
        format!("{}Ki", 16 * 1024 * 1024)
    );
    assert_eq!(status["capacity"]["pods"], "58");
    assert_eq!(status["allocatable"]["cpu"], "3920m");
    assert_eq!(ready(gpu), "True");
    assert_eq!(
        gpus(gpu),
        (None, None),
        "no GPU before the device plugin runs"
    );

    let system = system_nodes[0];
    assert_eq!(
        system["metadata"]["labels"]["eks.amazonaws.com/capacityType"],
        "ON_DEMAND"
    );
    assert_eq!(
        system["metadata"]["labels"]["node.kubernetes.io/instance-type"],
        "m6i.large"
    );
    assert_eq!(system["status"]["capacity"]["pods"], "29");
    assert!(system["spec"].get("taints").is_none(), "{system}");

    // The NVIDIA device plugin, as a user (or the provider) deploys it: the GPU node
    // advertises its GPU; the system nodes, which it does not select, none.
    let api = kubelets.api();
    api.create(
        "/apis/apps/v1/namespaces/kube-system/daemonsets",
        device_plugin(POOL_NAME),
    )?;
    let nodes = kubelets.nodes()?;
    for node in in_group(&nodes, POOL_NAME) {
        assert_eq!(gpus(node), (Some("1"), Some("1")), "{node}");
    }
    for node in in_group(&nodes, "system") {
        assert_eq!(gpus(node), (None, None), "{node}");
    }

    // Resized to three: two more nodes on the next sync, served by the plugin too.
    stack.pool_node_count = 3;
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.apply()?;
    let registered = kubelets.sync()?;
    assert_eq!(registered.len(), 5);
    let nodes = kubelets.nodes()?;
    let gpu_nodes = in_group(&nodes, POOL_NAME);
    assert_eq!(gpu_nodes.len(), 3, "{nodes:?}");
    for node in &gpu_nodes {
        assert_eq!(ready(node), "True");
        assert_eq!(gpus(node), (Some("1"), Some("1")), "{node}");
    }
    // ... and down to two: one goes.
    stack.pool_node_count = 2;
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.apply()?;
    kubelets.sync()?;
    assert_eq!(in_group(&kubelets.nodes()?, POOL_NAME).len(), 2);

    // The plugin removed: the GPUs are no longer allocatable.
    api.delete("/apis/apps/v1/namespaces/kube-system/daemonsets/nvidia-device-plugin")?;
    for node in in_group(&kubelets.nodes()?, POOL_NAME) {
        assert_eq!(gpus(node), (None, None), "{node}");
    }

    // All instances gone at once, then back from the node groups.
    kubelets.remove_all()?;
    assert!(kubelets.nodes()?.is_empty());
    assert_eq!(kubelets.sync()?.len(), 4);

    // A destroyed cluster's nodes go with its node groups.
    workdir.destroy()?;
    assert!(kubelets.sync()?.is_empty());
    assert!(kubelets.nodes()?.is_empty());
    let records = moto.emulator().records()?;
    assert_eq!(
        records["kubernetes"]["override"]["nodes"],
        json!([]),
        "{records}"
    );
    Ok(())
}

/// A DaemonSet of the NVIDIA device plugin on the nodes of `pool`, tolerating their
/// GPU taint.
fn device_plugin(pool: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "nvidia-device-plugin", "namespace": "kube-system"},
        "spec": {
            "selector": {"matchLabels": {"app": "nvidia-device-plugin"}},
            "template": {
                "metadata": {"labels": {"app": "nvidia-device-plugin"}},
                "spec": {
                    "nodeSelector": {NODEGROUP: pool},
                    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                    "containers": [{"name": "nvidia-device-plugin", "image": "nvcr.io/nvidia/k8s-device-plugin:v0.17.4"}],
                },
            },
        },
    })
}

fn names(nodes: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = nodes
        .iter()
        .filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

/// The nodes of the node group `group` (`system` matches the rotated `system-N`).
fn in_group<'a>(nodes: &'a [Value], group: &str) -> Vec<&'a Value> {
    nodes
        .iter()
        .filter(|n| {
            n["metadata"]["labels"][NODEGROUP]
                .as_str()
                .is_some_and(|g| g == group || g.starts_with(&format!("{group}-")))
        })
        .collect()
}

/// `nvidia.com/gpu` in (capacity, allocatable).
fn gpus(node: &Value) -> (Option<&str>, Option<&str>) {
    (
        node["status"]["capacity"]["nvidia.com/gpu"].as_str(),
        node["status"]["allocatable"]["nvidia.com/gpu"].as_str(),
    )
}

fn ready(node: &Value) -> &str {
    node["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Ready")
        .and_then(|c| c["status"].as_str())
        .unwrap_or_default()
}

fn subnet_zones(
    moto: &acceptance_tests::Moto,
    subnets: &[String],
) -> Result<Vec<String>, acceptance_tests::MotoError> {
    let sdk = moto.sdk();
    let answer = sdk.call(
        "ec2 DescribeSubnets",
        sdk.ec2
            .describe_subnets()
            .set_subnet_ids(Some(subnets.to_vec()))
            .send(),
    )?;
    Ok(answer
        .subnets()
        .iter()
        .filter_map(|s| s.availability_zone().map(str::to_string))
        .collect())
}
