//! RBAC objects through the HTTP handler: every verb clients use, and the errors the
//! API server gives (422 on an invalid rule or a changed roleRef, 404, 409).

use http::StatusCode;
use serde_json::{Value, json};

use super::tests::Client;

const ROLES: &str = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
const BINDINGS: &str = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings";

fn binding(name: &str, role: &str) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"kind": "ServiceAccount", "name": "sa", "namespace": "kube-system"}],
    })
}

#[tokio::test]
async fn rbac_is_discovered_and_roles_go_through_every_verb() {
    let client = Client::new();
    let (status, group) = client.get("/apis/rbac.authorization.k8s.io/v1").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = group["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "clusterroles",
            "clusterrolebindings",
            "roles",
            "rolebindings"
        ]
    );

    let role = json!({"metadata": {"name": "system:reader"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]});
    let (status, created) = client.post(ROLES, role).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["kind"], "ClusterRole");
    let path = format!("{ROLES}/system:reader");
    let (status, _) = client
        .call(
            "PATCH",
            &path,
            "application/merge-patch+json",
            json!({"rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["watch"]}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, read) = client.get(&path).await;
    assert_eq!(read["rules"][0]["resources"], json!(["nodes"]));

    let (status, invalid) = client
        .call(
            "PUT",
            &path,
            "application/json",
            json!({"metadata": {"name": "system:reader"}, "rules": [{"resources": ["pods"]}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid["reason"], "Invalid");
    assert_eq!(invalid["details"]["causes"][0]["field"], "rules[0].verbs");

    let (_, listed) = client.get(ROLES).await;
    assert_eq!(listed["kind"], "ClusterRoleList");
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let (status, _) = client
        .call("DELETE", &path, "application/json", Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, gone) = client.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(gone["reason"], "NotFound");
}

#[tokio::test]
async fn a_bindings_role_ref_cannot_change_and_apply_owns_its_fields() {
    let client = Client::new();
    let path = format!("{BINDINGS}/autoscaler");
    let (status, applied) = client
        .apply(&path, "mlcloud", true, binding("autoscaler", "a"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    // The same apply again changes nothing.
    let (status, again) = client
        .apply(&path, "mlcloud", true, binding("autoscaler", "a"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        again["metadata"]["resourceVersion"],
        applied["metadata"]["resourceVersion"]
    );
    let (status, refused) = client
        .apply(&path, "mlcloud", true, binding("autoscaler", "b"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["details"]["causes"][0]["field"], "roleRef");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .ends_with("cannot change roleRef"),
        "{refused}"
    );
    let (status, taken) = client.post(BINDINGS, binding("autoscaler", "a")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(taken["reason"], "AlreadyExists");

    // Namespaced: a Role and a RoleBinding in kube-system.
    let roles = "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings";
    let mut namespaced = binding("lease", "lease");
    namespaced["kind"] = json!("RoleBinding");
    namespaced["roleRef"]["kind"] = json!("Role");
    let (status, created) = client.post(roles, namespaced).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["metadata"]["namespace"], "kube-system");
    let (status, missing) = client
        .post(roles, json!({"metadata": {"name": "x"}, "subjects": []}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing["details"]["causes"][2]["field"], "roleRef.name");
}
