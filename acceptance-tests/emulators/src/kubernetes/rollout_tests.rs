//! The controllers seen through the API: nodes, scheduling, rollouts, image pulls,
//! the NVIDIA device plugin (AKS nodes and registered ones) and the service proxy.

use http::StatusCode;
use serde_json::{Value, json};

use super::settings::{SMOKE_IMAGE, Settings};
use super::tests::{Client, deployment};

const SMOKE: &str = "ghcr.io/mlcloud/mlcloud-smoke:0.1.0";

async fn node(client: &Client, name: &str, labels: Value, allocatable: Value, taints: Value) {
    let (status, body) = client
        .post(
            "/api/v1/nodes",
            json!({"metadata": {"name": name, "labels": labels}, "spec": {"taints": taints},
                "status": {"capacity": allocatable, "allocatable": allocatable,
                    "conditions": [{"type": "Ready", "status": "True"}]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn cpu_node(client: &Client, name: &str) {
    node(
        client,
        name,
        json!({"pool": "cpu"}),
        json!({"cpu": "4", "memory": "16Gi"}),
        json!([]),
    )
    .await;
}

async fn status_of(client: &Client, name: &str) -> Value {
    client
        .get(&format!("/apis/apps/v1/namespaces/ml/deployments/{name}"))
        .await
        .1["status"]
        .clone()
}

async fn pods(client: &Client) -> Vec<Value> {
    client.get("/api/v1/namespaces/ml/pods").await.1["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_deployment_rolls_out_to_ready_pods_on_nodes() {
    let client = Client::new();
    client.namespace("ml").await;
    cpu_node(&client, "n1").await;
    client
        .post(
            "/apis/apps/v1/namespaces/ml/deployments",
            deployment("web", 2, SMOKE),
        )
        .await;
    let status = status_of(&client, "web").await;
    assert_eq!(status["observedGeneration"], 1);
    assert_eq!(
        (
            status["replicas"].as_u64(),
            status["readyReplicas"].as_u64()
        ),
        (Some(2), Some(2)),
        "{status}"
    );
    assert_eq!(status["updatedReplicas"], 2);
    assert_eq!(status["availableReplicas"], 2);
    let reasons: Vec<&str> = status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["MinimumReplicasAvailable", "NewReplicaSetAvailable"]
    );
    let pods = pods(&client).await;
    assert_eq!(pods.len(), 2);
    for pod in &pods {
        assert_eq!(pod["status"]["phase"], "Running");
        assert_eq!(pod["spec"]["nodeName"], "n1");
        let hash = pod["metadata"]["labels"]["pod-template-hash"]
            .as_str()
            .unwrap();
        assert!(
            pod["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with(&format!("web-{hash}-"))
        );
        assert_eq!(pod["metadata"]["ownerReferences"][0]["kind"], "Deployment");
    }
    // Scale in place, then a template change replaces every pod.
    client
        .call(
            "PATCH",
            "/apis/apps/v1/namespaces/ml/deployments/web",
            "application/merge-patch+json",
            json!({"spec": {"replicas": 3}}),
        )
        .await;
    assert_eq!(status_of(&client, "web").await["readyReplicas"], 3);
    let before: Vec<Value> = super::rollout_tests::pods(&client)
        .await
        .iter()
        .map(|p| p["metadata"]["name"].clone())
        .collect();
    client
        .call(
            "PATCH",
            "/apis/apps/v1/namespaces/ml/deployments/web",
            "application/merge-patch+json",
            json!({"spec": {"template": {"metadata": {"annotations": {"restartedAt": "now"}}}}}),
        )
        .await;
    let after = super::rollout_tests::pods(&client).await;
    assert_eq!(after.len(), 3);
    assert!(
        after
            .iter()
            .all(|p| !before.contains(&p["metadata"]["name"])),
        "every pod replaced"
    );
    assert_eq!(status_of(&client, "web").await["observedGeneration"], 3);
    // Deleting the deployment takes its pods.
    client
        .call(
            "DELETE",
            "/apis/apps/v1/namespaces/ml/deployments/web",
            "application/json",
            json!({}),
        )
        .await;
    assert_eq!(
        super::rollout_tests::pods(&client).await,
        Vec::<Value>::new()
    );
}

#[tokio::test]
async fn pods_wait_the_configured_delay_before_ready() {
    let client = Client::with(Settings {
        pod_ready_delay_ms: 60_000,
        ..Settings::default()
    });
    client.namespace("ml").await;
    cpu_node(&client, "n1").await;
    client
        .post(
            "/apis/apps/v1/namespaces/ml/deployments",
            deployment("web", 1, SMOKE),
        )
        .await;
    let pods = pods(&client).await;
    assert_eq!(pods[0]["status"]["phase"], "Pending");
    assert_eq!(
        pods[0]["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
        "ContainerCreating"
    );
    let status = status_of(&client, "web").await;
    assert!(status.get("readyReplicas").is_none(), "{status}");
    assert_eq!(status["unavailableReplicas"], 1);
    assert_eq!(status["conditions"][1]["reason"], "ReplicaSetUpdated");
}

#[tokio::test]
async fn a_gpu_pod_without_gpus_is_unschedulable_with_the_schedulers_message() {
    let client = Client::new();
    client.namespace("ml").await;
    for name in ["n1", "n2", "n3"] {
        cpu_node(&client, name).await;
    }
    let mut gpu = deployment("llm", 1, SMOKE);
    gpu["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] =
        json!({"nvidia.com/gpu": "1"});
    client
        .post("/apis/apps/v1/namespaces/ml/deployments", gpu)
        .await;
    let pod = pods(&client).await.remove(0);
    assert_eq!(pod["status"]["phase"], "Pending");
    let condition = &pod["status"]["conditions"][0];
    assert_eq!(
        (condition["type"].as_str(), condition["reason"].as_str()),
        (Some("PodScheduled"), Some("Unschedulable"))
    );
    let message = condition["message"].as_str().unwrap();
    assert!(
        message.starts_with("0/3 nodes are available: 3 Insufficient nvidia.com/gpu."),
        "{message}"
    );
    let (_, events) = client
        .get("/api/v1/namespaces/ml/events?fieldSelector=reason%3DFailedScheduling")
        .await;
    assert_eq!(events["items"][0]["message"], message);
    assert_eq!(
        events["items"][0]["involvedObject"]["name"],
        pod["metadata"]["name"]
    );
    // A GPU node that tolerates... the pod does not tolerate its taint.
    node(
        &client,
        "g1",
        json!({"pool": "gpu"}),
        json!({"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"}),
        json!([{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]),
    )
    .await;
    let pod = pods(&client).await.remove(0);
    let message = pod["status"]["conditions"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("1 node(s) had untolerated taint {nvidia.com/gpu: present}"),
        "{message}"
    );
}

#[tokio::test]
async fn an_image_the_nodes_cannot_pull_backs_off() {
    let client = Client::new();
    client.namespace("ml").await;
    cpu_node(&client, "n1").await;
    client
        .post(
            "/apis/apps/v1/namespaces/ml/deployments",
            deployment("web", 1, "registry.invalid/nope:1"),
        )
        .await;
    let waiting = |pods: &[Value]| {
        pods[0]["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
            .as_str()
            .map(str::to_string)
    };
    let first = waiting(&pods(&client).await);
    let later = waiting(&pods(&client).await);
    assert_eq!(
        first.as_deref(),
        Some("ErrImagePull"),
        "the first look after binding"
    );
    assert_eq!(later.as_deref(), Some("ImagePullBackOff"));
    let (_, events) = client
        .get("/api/v1/namespaces/ml/events?fieldSelector=reason%3DFailed")
        .await;
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"]
                .as_str()
                .unwrap()
                .contains("Failed to pull image \"registry.invalid/nope:1\"")),
        "{events}"
    );
    // Allowing the image (a setting) lets the same pod run.
    client
        .api
        .settings
        .write()
        .unwrap()
        .pullable_images
        .push("registry.invalid/nope".into());
    assert_eq!(status_of(&client, "web").await["readyReplicas"], 1);
    assert!(
        Settings::default()
            .pullable_images
            .contains(&SMOKE_IMAGE.to_string())
    );
}

#[tokio::test]
async fn a_daemonset_runs_on_matching_nodes_only() {
    let client = Client::new();
    client.namespace("ml").await;
    cpu_node(&client, "n1").await;
    node(
        &client,
        "g1",
        json!({"pool": "gpu"}),
        json!({"cpu": "8", "memory": "32Gi"}),
        json!([{"key": "sku", "value": "gpu", "effect": "NoSchedule"}]),
    )
    .await;
    let daemonset = json!({"metadata": {"name": "plugin"}, "spec": {
        "selector": {"matchLabels": {"app": "plugin"}},
        "template": {"metadata": {"labels": {"app": "plugin"}}, "spec": {
            "nodeSelector": {"pool": "gpu"},
            "tolerations": [{"key": "sku", "operator": "Exists", "effect": "NoSchedule"}],
            "containers": [{"name": "p", "image": SMOKE}]}}}});
    let (status, body) = client
        .post("/apis/apps/v1/namespaces/ml/daemonsets", daemonset)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let pods = pods(&client).await;
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["spec"]["nodeName"], "g1");
    let (_, ds) = client
        .get("/apis/apps/v1/namespaces/ml/daemonsets/plugin")
        .await;
    assert_eq!(
        (
            ds["status"]["desiredNumberScheduled"].as_u64(),
            ds["status"]["numberReady"].as_u64()
        ),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn an_aks_gpu_node_advertises_gpus_only_while_a_device_plugin_runs_there() {
    let client = Client::new();
    let gpu_node = json!({"metadata": {"name": "aks-gpu-1-vmss000000", "labels": {"kubernetes.azure.com/agentpool": "gpu"},
        "annotations": {super::nodes::GPUS_ANNOTATION: "1"}},
        "status": {"capacity": {"cpu": "24"}, "allocatable": {"cpu": "24"}, "conditions": [{"type": "Ready", "status": "True"}]}});
    client.post("/api/v1/nodes", gpu_node).await;
    let gpus = |node: &Value| {
        node["status"]["allocatable"]["nvidia.com/gpu"]
            .as_str()
            .map(str::to_string)
    };
    assert_eq!(
        gpus(&client.get("/api/v1/nodes/aks-gpu-1-vmss000000").await.1),
        None
    );
    let plugin = json!({"metadata": {"name": "nvidia-device-plugin"}, "spec": {
        "selector": {"matchLabels": {"app": "dp"}},
        "template": {"metadata": {"labels": {"app": "dp"}}, "spec": {
            "nodeSelector": {"kubernetes.azure.com/agentpool": "gpu"},
            "containers": [{"name": "dp", "image": "nvcr.io/nvidia/k8s-device-plugin:v0.17.0"}]}}}});
    client
        .post("/apis/apps/v1/namespaces/kube-system/daemonsets", plugin)
        .await;
    assert_eq!(
        gpus(&client.get("/api/v1/nodes/aks-gpu-1-vmss000000").await.1).as_deref(),
        Some("1")
    );
    client
        .call(
            "DELETE",
            "/apis/apps/v1/namespaces/kube-system/daemonsets/nvidia-device-plugin",
            "application/json",
            json!({}),
        )
        .await;
    assert_eq!(
        gpus(&client.get("/api/v1/nodes/aks-gpu-1-vmss000000").await.1),
        None
    );
}

/// A node registered as a kubelet registers it (an EKS GPU node: tainted, its GPUs
/// in the annotation) gets `nvidia.com/gpu` only from a plugin that tolerates its
/// taint, and keeps it across the kubelet's status updates.
#[tokio::test]
async fn a_registered_gpu_node_advertises_gpus_once_a_tolerating_device_plugin_runs_there() {
    let client = Client::new();
    let node = "ip-10-0-1-10.ec2.internal";
    let path = format!("/api/v1/nodes/{node}");
    let (status, _) = client
        .post(
            "/api/v1/nodes",
            json!({"metadata": {"name": node, "labels": {"eks.amazonaws.com/nodegroup": "gpu"},
                "annotations": {super::nodes::GPUS_ANNOTATION: "4"}},
            "spec": {"taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]},
            "status": {"capacity": {"cpu": "48"}, "allocatable": {"cpu": "47810m"},
                "conditions": [{"type": "Ready", "status": "False"}]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let gpus = |node: &Value| {
        (
            node["status"]["capacity"]["nvidia.com/gpu"]
                .as_str()
                .map(str::to_string),
            node["status"]["allocatable"]["nvidia.com/gpu"]
                .as_str()
                .map(str::to_string),
        )
    };
    let plugin = |name: &str, tolerations: Value| {
        json!({"metadata": {"name": name}, "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {
                "nodeSelector": {"eks.amazonaws.com/nodegroup": "gpu"},
                "tolerations": tolerations,
                "containers": [{"name": "dp", "image": "nvcr.io/nvidia/k8s-device-plugin:v0.17.4"}]}}}})
    };
    // A plugin that does not tolerate the GPU taint cannot run there.
    client
        .post(
            "/apis/apps/v1/namespaces/kube-system/daemonsets",
            plugin("intolerant", json!([])),
        )
        .await;
    assert_eq!(gpus(&client.get(&path).await.1), (None, None));
    client
        .post(
            "/apis/apps/v1/namespaces/kube-system/daemonsets",
            plugin(
                "nvidia",
                json!([{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]),
            ),
        )
        .await;
    // Nor on a node whose kubelet has not said Ready yet.
    assert_eq!(gpus(&client.get(&path).await.1), (None, None));
    let kubelet_update = |status: Value| {
        let client = &client;
        let path = format!("{path}/status");
        async move {
            let (code, _) = client
                .call(
                    "PATCH",
                    &path,
                    "application/strategic-merge-patch+json",
                    json!({"status": status}),
                )
                .await;
            assert_eq!(code, StatusCode::OK);
        }
    };
    kubelet_update(json!({"conditions": [{"type": "Ready", "status": "True"}]})).await;
    let four = (Some("4".to_string()), Some("4".to_string()));
    assert_eq!(gpus(&client.get(&path).await.1), four);
    // A status write that drops the GPUs (as a kubelet's full write before the
    // plugin registered would): they are back while the plugin runs.
    kubelet_update(
        json!({"capacity": {"nvidia.com/gpu": null}, "allocatable": {"nvidia.com/gpu": null}}),
    )
    .await;
    assert_eq!(gpus(&client.get(&path).await.1), four);
}

#[tokio::test]
async fn the_service_proxy_reaches_a_real_smoke_server_while_pods_are_ready() {
    let client = Client::new();
    client.namespace("ml").await;
    cpu_node(&client, "n1").await;
    client
        .post(
            "/api/v1/namespaces/ml/services",
            json!({"metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 8080}]}}),
        )
        .await;
    let (status, body) = client
        .get("/api/v1/namespaces/ml/services/web:8080/proxy/v2/health/ready")
        .await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("ServiceUnavailable"))
    );
    assert_eq!(
        body["message"],
        "no endpoints available for service \"web:8080\""
    );
    let (status, _) = client
        .get("/api/v1/namespaces/ml/services/nope:8080/proxy/")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    client
        .post(
            "/apis/apps/v1/namespaces/ml/deployments",
            deployment("web", 1, SMOKE),
        )
        .await;
    if super::smoke::find_binary(None).is_none() {
        // Without the binary the proxy says what to build.
        let (status, body) = client
            .get("/api/v1/namespaces/ml/services/web:8080/proxy/v2/health/ready")
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("cargo build -p mlcloud-smoke"),
            "{body}"
        );
        return;
    }
    let request = http::Request::builder()
        .method("POST")
        .uri("/api/v1/namespaces/ml/services/web:http/proxy/v2/models/iris/infer")
        .header("authorization", "Bearer t")
        .header("content-type", "application/json")
        .body(bytes::Bytes::from(json!({"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 4], "data": [5.1, 3.5, 1.4, 0.2]}]}).to_string()))
        .unwrap();
    let response = crate::part::Part::handle(&client.api, request).await;
    let answer: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    assert_eq!(response.status(), StatusCode::OK, "{answer}");
    let label = answer["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "label")
        .unwrap();
    assert_eq!(label["data"], json!(["setosa"]));
    client
        .call(
            "DELETE",
            "/apis/apps/v1/namespaces/ml/deployments/web",
            "application/json",
            json!({}),
        )
        .await;
    let (status, _) = client
        .get("/api/v1/namespaces/ml/services/web:8080/proxy/v2/health/ready")
        .await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "the process stops with the pods"
    );
}
