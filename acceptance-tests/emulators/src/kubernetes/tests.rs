//! One API server driven through its HTTP handler, as the kube crate and kubectl
//! call it.

use std::sync::{Arc, RwLock};

use bytes::Bytes;
use http::{Request, StatusCode};
use serde_json::{Value, json};

use super::api::ClusterApi;
use super::gate::AnyBearer;
use super::settings::Settings;
use crate::part::Part;

pub(crate) struct Client {
    pub api: ClusterApi,
}

impl Client {
    pub fn new() -> Self {
        Self::with(Settings::default())
    }

    pub fn with(settings: Settings) -> Self {
        Self {
            api: ClusterApi::new(
                "test",
                Arc::new(RwLock::new(settings)),
                Arc::new(AnyBearer),
                super::smoke::find_binary(None),
            ),
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", "Bearer t")
            .header("content-type", content_type)
            .header("user-agent", "kubectl/v1.31.0 (linux/amd64)")
            .body(if body.is_null() {
                Bytes::new()
            } else {
                Bytes::from(body.to_string())
            })
            .unwrap();
        let response = self.api.handle(request).await;
        let status = response.status();
        let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call("GET", path, "application/json", Value::Null)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", path, "application/json", body).await
    }

    pub async fn apply(
        &self,
        path: &str,
        manager: &str,
        force: bool,
        body: Value,
    ) -> (StatusCode, Value) {
        let path = format!("{path}?fieldManager={manager}&force={force}");
        self.call("PATCH", &path, "application/apply-patch+yaml", body)
            .await
    }

    pub async fn namespace(&self, name: &str) {
        let (status, _) = self
            .post("/api/v1/namespaces", json!({"metadata": {"name": name}}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
}

pub(crate) fn deployment(name: &str, replicas: u32, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "server", "image": image,
                    "ports": [{"containerPort": 8080}],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}
            }
        }
    })
}

#[tokio::test]
async fn without_a_token_the_api_answers_401_but_version_is_public() {
    let client = Client::new();
    let request = Request::builder()
        .uri("/api/v1/namespaces")
        .body(Bytes::new())
        .unwrap();
    let response = client.api.handle(request).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["reason"], "Unauthorized");
    let request = Request::builder()
        .uri("/version")
        .body(Bytes::new())
        .unwrap();
    assert_eq!(client.api.handle(request).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_fresh_cluster_has_the_system_namespaces_and_discovery() {
    let client = Client::new();
    let (_, list) = client.get("/api/v1/namespaces").await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["default", "kube-node-lease", "kube-public", "kube-system"]
    );
    assert_eq!(list["kind"], "NamespaceList");
    let (status, resources) = client.get("/apis/apps/v1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        resources["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "deployments/status")
    );
    let (_, groups) = client.get("/apis").await;
    let groups: Vec<&str> = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups,
        [
            "apps",
            "autoscaling",
            "policy",
            "networking.k8s.io",
            "rbac.authorization.k8s.io"
        ]
    );
    assert_eq!(client.api.records(), json!({"objects": [], "nodes": []}));
}

#[tokio::test]
async fn create_get_and_the_errors_clients_branch_on() {
    let client = Client::new();
    let (status, error) = client
        .post(
            "/apis/apps/v1/namespaces/ml/deployments",
            deployment("web", 1, "x"),
        )
        .await;
    assert_eq!(
        (status, error["reason"].as_str()),
        (StatusCode::NOT_FOUND, Some("NotFound"))
    );
    assert_eq!(error["message"], "namespaces \"ml\" not found");
    client.namespace("ml").await;
    let (status, created) = client
        .post(
            "/apis/apps/v1/namespaces/ml/deployments",
            deployment("web", 1, "x"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["metadata"]["generation"], 1);
    assert_eq!(created["metadata"]["namespace"], "ml");
    assert!(created["metadata"]["uid"].as_str().unwrap().len() == 36);
    assert_eq!(created["spec"]["strategy"]["type"], "RollingUpdate");
    let (status, again) = client
        .post(
            "/apis/apps/v1/namespaces/ml/deployments",
            deployment("web", 1, "x"),
        )
        .await;
    assert_eq!(
        (status, again["reason"].as_str()),
        (StatusCode::CONFLICT, Some("AlreadyExists"))
    );
    let (status, missing) = client
        .get("/apis/apps/v1/namespaces/ml/deployments/nope")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing["details"],
        json!({"name": "nope", "group": "apps", "kind": "deployments"})
    );
    let (status, invalid) = client
        .post(
            "/api/v1/namespaces/ml/services",
            json!({"metadata": {"name": "Web"}, "spec": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid["reason"], "Invalid");
    let fields: Vec<&str> = invalid["details"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["metadata.name", "spec.ports"]);
    let (status, forbidden) = client
        .post(
            "/api/v1/namespaces/ml/pods",
            json!({"metadata": {"name": "p"}, "spec": {}}),
        )
        .await;
    assert_eq!(
        (status, forbidden["reason"].as_str()),
        (StatusCode::FORBIDDEN, Some("Forbidden"))
    );
    let (status, _) = client
        .call(
            "POST",
            "/apis/apps/v1/namespaces/ml/deployments/web",
            "application/json",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, unknown) = client.get("/apis/batch/v1/jobs").await;
    assert_eq!(
        (status, unknown["reason"].as_str()),
        (StatusCode::NOT_FOUND, Some("NotFound"))
    );
}

#[tokio::test]
async fn replace_with_a_stale_resource_version_is_a_conflict() {
    let client = Client::new();
    client.namespace("ml").await;
    client
        .post(
            "/apis/apps/v1/namespaces/ml/deployments",
            deployment("web", 1, "x"),
        )
        .await;
    // Read it back: the controller has written its status since the create.
    let (_, created) = client
        .get("/apis/apps/v1/namespaces/ml/deployments/web")
        .await;
    let mut changed = created.clone();
    changed["spec"]["replicas"] = json!(3);
    let (status, replaced) = client
        .call(
            "PUT",
            "/apis/apps/v1/namespaces/ml/deployments/web",
            "application/json",
            changed.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replaced["metadata"]["generation"], 2);
    assert_ne!(
        replaced["metadata"]["resourceVersion"],
        created["metadata"]["resourceVersion"]
    );
    let (status, conflict) = client
        .call(
            "PUT",
            "/apis/apps/v1/namespaces/ml/deployments/web",
            "application/json",
            changed,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict["reason"], "Conflict");
    assert!(
        conflict["message"]
            .as_str()
            .unwrap()
            .starts_with("Operation cannot be fulfilled on deployments.apps \"web\"")
    );
}

#[tokio::test]
async fn merge_patch_changes_labels_and_status_stays_the_servers() {
    let client = Client::new();
    client.namespace("ml").await;
    client
        .post(
            "/apis/apps/v1/namespaces/ml/deployments",
            deployment("web", 1, "x"),
        )
        .await;
    let (status, patched) = client
        .call(
            "PATCH",
            "/apis/apps/v1/namespaces/ml/deployments/web",
            "application/merge-patch+json",
            json!({"metadata": {"labels": {"tier": "gold"}}, "status": {"replicas": 99}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        patched["metadata"]["labels"],
        json!({"app": "web", "tier": "gold"})
    );
    assert_ne!(patched["status"]["replicas"], 99);
    assert_eq!(patched["metadata"]["generation"], 1, "labels are not spec");
    let (status, _) = client
        .call(
            "PATCH",
            "/apis/apps/v1/namespaces/ml/deployments/web",
            "text/plain",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn server_side_apply_creates_owns_fields_and_conflicts_without_force() {
    let client = Client::new();
    client.namespace("ml").await;
    let path = "/apis/apps/v1/namespaces/ml/deployments/web";
    let (status, created) = client
        .apply(path, "mlcloud", true, deployment("web", 2, "x"))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        created["metadata"]["managedFields"][0]["manager"],
        "mlcloud"
    );
    assert_eq!(
        created["metadata"]["managedFields"][0]["operation"],
        "Apply"
    );
    assert!(
        created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:replicas"].is_object()
    );
    // Someone scales by hand; our next apply without force conflicts on replicas.
    client
        .call(
            "PATCH",
            path,
            "application/merge-patch+json",
            json!({"spec": {"replicas": 5}}),
        )
        .await;
    let (status, conflict) = client
        .apply(path, "mlcloud", false, deployment("web", 2, "x"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        conflict["details"]["causes"][0]["reason"],
        "FieldManagerConflict"
    );
    assert_eq!(conflict["details"]["causes"][0]["field"], ".spec.replicas");
    assert!(
        conflict["message"]
            .as_str()
            .unwrap()
            .contains("conflict with \"kubectl\""),
        "{conflict}"
    );
    let (status, forced) = client
        .apply(path, "mlcloud", true, deployment("web", 2, "x"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(forced["spec"]["replicas"], 2);
    // A label we stop applying goes away.
    let mut fewer = deployment("web", 2, "x");
    fewer["metadata"]["labels"] = json!({});
    let (_, applied) = client.apply(path, "mlcloud", true, fewer).await;
    assert!(
        applied["metadata"]["labels"].get("app").is_none(),
        "{applied}"
    );
    let (status, _) = client
        .call(
            "PATCH",
            path,
            "application/apply-patch+yaml",
            deployment("web", 2, "x"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "apply needs a fieldManager"
    );
}

#[tokio::test]
async fn list_filters_by_label_selector() {
    let client = Client::new();
    client.namespace("ml").await;
    for (name, tier) in [("a", "gold"), ("b", "silver")] {
        client
            .post(
                "/api/v1/namespaces/ml/serviceaccounts",
                json!({"metadata": {"name": name, "labels": {"tier": tier}}}),
            )
            .await;
    }
    let (_, list) = client
        .get("/api/v1/namespaces/ml/serviceaccounts?labelSelector=tier%3Dgold")
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["metadata"]["name"], "a");
    assert!(list["items"][0].get("kind").is_none());
    let (_, all) = client.get("/api/v1/serviceaccounts").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn deleting_a_namespace_terminates_it_then_it_and_its_objects_vanish() {
    let client = Client::new();
    client.namespace("ml").await;
    client
        .post(
            "/api/v1/namespaces/ml/serviceaccounts",
            json!({"metadata": {"name": "a"}}),
        )
        .await;
    let (status, deleted) = client
        .call(
            "DELETE",
            "/api/v1/namespaces/ml",
            "application/json",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(deleted["status"]["phase"], "Terminating");
    let (status, _) = client.get("/api/v1/namespaces/ml").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, all) = client.get("/api/v1/serviceaccounts").await;
    assert_eq!(all["items"], json!([]));
    let (status, answer) = client
        .call(
            "DELETE",
            "/api/v1/namespaces/default/serviceaccounts/none",
            "application/json",
            json!({}),
        )
        .await;
    assert_eq!(
        (status, answer["reason"].as_str()),
        (StatusCode::NOT_FOUND, Some("NotFound"))
    );
}

#[tokio::test]
async fn deleting_an_object_answers_a_success_status_and_node_status_is_a_subresource() {
    let client = Client::new();
    let node = json!({"metadata": {"name": "n1", "labels": {"a": "b"}},
        "status": {"capacity": {"cpu": "4"}, "allocatable": {"cpu": "4"}}});
    let (status, created) = client.post("/api/v1/nodes", node).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        created["status"]["capacity"]["cpu"], "4",
        "kubelets register with their status"
    );
    let (status, patched) = client
        .call("PATCH", "/api/v1/nodes/n1/status", "application/merge-patch+json",
            json!({"status": {"capacity": {"nvidia.com/gpu": "1"}}, "metadata": {"labels": {"x": "y"}}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(patched["status"]["capacity"]["nvidia.com/gpu"], "1");
    assert!(
        patched["metadata"]["labels"].get("x").is_none(),
        "/status changes only status"
    );
    let (status, gone) = client
        .call("DELETE", "/api/v1/nodes/n1", "application/json", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(gone["kind"], "Status");
    assert_eq!(gone["status"], "Success");
    assert_eq!(gone["details"]["name"], "n1");
}
