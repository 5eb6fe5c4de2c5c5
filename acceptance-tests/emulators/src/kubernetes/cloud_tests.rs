//! Cloud clusters' API servers, through the parts that make the clusters: a GKE
//! cluster created in the gcp part gets its own API (its `endpoint` says where),
//! whose Nodes follow the node pools and which only the gcp part's tokens open;
//! deleting the cluster stops it.

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, StatusCode};
use serde_json::{Value, json};

use super::clusters::Clusters;
use crate::gcp::GcpPart;
use crate::gcp::auth::tests::{now, sign};
use crate::options::Options;
use crate::part::{Part, PartContext};
use crate::tls::TestCa;

const PARENT: &str = "/v1/projects/mlcloud-emulator/locations/us-central1";
const CLUSTER: &str = "projects/mlcloud-emulator/locations/us-central1/clusters/ml";

struct Gke {
    part: GcpPart,
    clusters: Arc<Clusters>,
    token: String,
    _dir: tempfile::TempDir,
}

impl Gke {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ca = Arc::new(TestCa::create(dir.path()).unwrap());
        let clusters = Arc::new(Clusters::new(ca.clone(), Default::default()));
        let part = GcpPart::new(PartContext {
            url: "http://127.0.0.1:9".into(),
            options: Options::default(),
            data_dir: dir.path().to_path_buf(),
            clusters: clusters.clone(),
            ca,
        })
        .unwrap();
        let token = sign(
            &part.auth,
            &json!({"iss": part.auth.client_email, "sub": part.auth.client_email,
                "scope": "https://www.googleapis.com/auth/cloud-platform", "iat": now(), "exp": now() + 3600}),
        );
        Self {
            part,
            clusters,
            token,
            _dir: dir,
        }
    }

    async fn gcp(&self, method: &str, uri: &str, body: Value) -> Value {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {}", self.token))
            .body(Bytes::from(body.to_string()))
            .unwrap();
        let response = self.part.handle(request).await;
        assert!(
            response.status().is_success(),
            "{method} {uri}: {:?}",
            response.body()
        );
        serde_json::from_slice(response.body()).unwrap()
    }

    async fn kube(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let api = self.clusters.api(CLUSTER).expect("the cluster's API runs");
        let request = Request::builder()
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .body(Bytes::new())
            .unwrap();
        let response = api.handle(request).await;
        (
            response.status(),
            serde_json::from_slice(response.body()).unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn a_gke_cluster_gets_its_own_api_whose_nodes_follow_its_pools() {
    let gke = Gke::new();
    gke.gcp(
        "POST",
        &format!("{PARENT}/clusters"),
        json!({"cluster": {"name": "ml", "nodePools": [{"name": "system", "initialNodeCount": 1,
            "config": {"machineType": "e2-standard-4"}}]}}),
    )
    .await;
    let cluster = gke
        .gcp("GET", &format!("{PARENT}/clusters/ml"), json!({}))
        .await;
    let endpoint = cluster["endpoint"].as_str().unwrap();
    let served = gke.clusters.records()[CLUSTER]["endpoint"].clone();
    assert_eq!(
        served,
        json!(format!("https://{endpoint}")),
        "the endpoint is the API server's"
    );
    assert!(endpoint.starts_with("127.0.0.1:"));

    let (status, nodes) = gke.kube(&gke.token, "/api/v1/nodes").await;
    assert_eq!(status, StatusCode::OK, "{nodes}");
    let node = &nodes["items"][0];
    let name = node["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("gke-ml-system-"), "{name}");
    assert_eq!(
        node["metadata"]["labels"]["cloud.google.com/gke-nodepool"],
        "system"
    );
    assert_eq!(
        node["metadata"]["labels"]["node.kubernetes.io/instance-type"],
        "e2-standard-4"
    );
    assert_eq!(node["status"]["capacity"]["cpu"], "4");

    // A GPU pool brings GPU nodes with their label, capacity and taint.
    gke.gcp("POST", &format!("{PARENT}/clusters/ml/nodePools"),
        json!({"nodePool": {"name": "gpu", "initialNodeCount": 2, "config": {
            "machineType": "g2-standard-8", "accelerators": [{"acceleratorType": "nvidia-l4", "acceleratorCount": "1"}]}}})).await;
    gke.gcp("GET", &format!("{PARENT}/clusters/ml"), json!({}))
        .await;
    let (_, gpu_nodes) = gke
        .kube(
            &gke.token,
            "/api/v1/nodes?labelSelector=cloud.google.com%2Fgke-nodepool%3Dgpu",
        )
        .await;
    let gpu_nodes = gpu_nodes["items"].as_array().unwrap();
    assert_eq!(
        gpu_nodes.len(),
        2,
        "{:#}",
        gke.kube(&gke.token, "/api/v1/nodes").await.1
    );
    assert_eq!(
        gpu_nodes[0]["metadata"]["labels"]["cloud.google.com/gke-accelerator"],
        "nvidia-l4"
    );
    assert_eq!(gpu_nodes[0]["status"]["allocatable"]["nvidia.com/gpu"], "1");
    assert_eq!(gpu_nodes[0]["spec"]["taints"][0]["key"], "nvidia.com/gpu");

    // Resizing follows; only the gcp part's tokens open the API.
    gke.gcp(
        "POST",
        &format!("{PARENT}/clusters/ml/nodePools/gpu:setSize"),
        json!({"nodeCount": 1}),
    )
    .await;
    gke.gcp("GET", &format!("{PARENT}/clusters/ml"), json!({}))
        .await;
    let (_, nodes) = gke.kube(&gke.token, "/api/v1/nodes").await;
    assert_eq!(nodes["items"].as_array().unwrap().len(), 2, "{nodes}");
    let (status, refused) = gke.kube("not-a-google-token", "/api/v1/nodes").await;
    assert_eq!(
        (status, refused["reason"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("Unauthorized"))
    );

    // Deleting the cluster stops its API.
    gke.gcp("DELETE", &format!("{PARENT}/clusters/ml"), json!({}))
        .await;
    gke.gcp("GET", &format!("{PARENT}/clusters"), json!({}))
        .await;
    assert!(gke.clusters.api(CLUSTER).is_none());
    assert_eq!(gke.clusters.records(), json!({}));
}
