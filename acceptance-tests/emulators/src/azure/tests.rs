//! The azure part through its own `handle`, as the server calls it (TLS and the
//! shared server are covered by the crate's framework tests and by the SDK contract
//! test in acceptance-tests).

use std::sync::Arc;
use std::time::Duration;

use ::http::{Method, Request, StatusCode};
use bytes::Bytes;
use serde_json::{Value, json};

use super::*;

struct Client {
    azure: Arc<Azure>,
    token: String,
    subscription: String,
}

impl Client {
    async fn new(delay_ms: u64) -> Self {
        let azure = Arc::new(Azure::new(
            "https://127.0.0.1:1".into(),
            Duration::from_millis(delay_ms),
            "/nonexistent/ca.pem".into(),
        ));
        let ready = azure.ready();
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default",
            ready["client_id"].as_str().unwrap(),
            ready["client_secret"].as_str().unwrap()
        );
        let tenant = ready["tenant_id"].as_str().unwrap().to_string();
        let response = azure
            .handle(
                Request::post(format!("/{tenant}/oauth2/v2.0/token"))
                    .body(Bytes::from(form))
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        Self {
            azure,
            token: body["access_token"].as_str().unwrap().to_string(),
            subscription: ready["subscription_id"].as_str().unwrap().to_string(),
        }
    }

    async fn call(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let path = path.replace("{sub}", &self.subscription);
        let body = if body.is_null() {
            Bytes::new()
        } else {
            Bytes::from(body.to_string())
        };
        let response = self
            .azure
            .handle(
                Request::builder()
                    .method(method)
                    .uri(path)
                    .header("authorization", format!("Bearer {}", self.token))
                    .body(body)
                    .unwrap(),
            )
            .await;
        let status = response.status();
        let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
        (status, body)
    }

    async fn group(&self) {
        let (status, _) = self
            .call(
                Method::PUT,
                "/subscriptions/{sub}/resourcegroups/rg?api-version=2025-04-01",
                json!({"location": "eastus"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
}

const IDENTITY: &str = "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/wl-identity?api-version=2024-11-30";
const CLUSTER: &str = "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1?api-version=2025-10-01";

fn cluster_body() -> Value {
    json!({
        "location": "eastus",
        "properties": {
            "dnsPrefix": "aks1",
            "agentPoolProfiles": [{"name": "system", "count": 1, "mode": "System", "vmSize": "Standard_D4ds_v5"}],
        },
    })
}

#[tokio::test]
async fn arm_refuses_calls_without_a_token_it_issued() {
    let client = Client::new(0).await;
    let response = client
        .azure
        .handle(
            Request::get("/subscriptions/x/resourcegroups/rg?api-version=2025-04-01")
                .header("authorization", "Bearer forged")
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert!(response.headers().contains_key("www-authenticate"));
}

#[tokio::test]
async fn api_versions_are_required_and_checked_per_resource_type() {
    let client = Client::new(0).await;
    client.group().await;
    let (status, body) = client
        .call(
            Method::GET,
            "/subscriptions/{sub}/resourcegroups/rg",
            Value::Null,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("MissingApiVersionParameter"))
    );
    let (status, body) = client
        .call(
            Method::GET,
            &CLUSTER.replace("2025-10-01", "2022-09-02-preview"),
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "NoRegisteredProviderFound");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2025-10-01")
    );
}

#[tokio::test]
async fn a_cluster_is_creating_until_the_delay_has_passed_and_deletes_through_202() {
    let client = Client::new(100).await;
    let (status, _) = client.call(Method::PUT, CLUSTER, cluster_body()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no resource group yet");
    client.group().await;
    let response = client
        .azure
        .handle(
            Request::put(CLUSTER.replace("{sub}", &client.subscription))
                .header("authorization", format!("Bearer {}", client.token))
                .body(Bytes::from(cluster_body().to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers().contains_key("azure-asyncoperation"));
    assert!(response.headers().contains_key("retry-after"));
    let (_, body) = client.call(Method::GET, CLUSTER, Value::Null).await;
    assert_eq!(body["properties"]["provisioningState"], "Creating");
    let (status, body) = client.call(Method::PUT, CLUSTER, cluster_body()).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("OperationNotAllowed"))
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    let (_, body) = client.call(Method::GET, CLUSTER, Value::Null).await;
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(body["properties"]["agentPoolProfiles"][0]["name"], "system");
    let (status, body) = client
        .call(Method::PATCH, CLUSTER, json!({"tags": {"team": "ml"}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            body["tags"]["team"].clone(),
            body["properties"]["provisioningState"].clone()
        ),
        (json!("ml"), json!("Updating"))
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    let (status, _) = client.call(Method::DELETE, CLUSTER, Value::Null).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_millis(120)).await;
    let (status, _) = client.call(Method::DELETE, CLUSTER, Value::Null).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(client.azure.records()["agent_pools"], json!([]));
}

#[tokio::test]
async fn pools_are_refused_as_aks_refuses_them() {
    let client = Client::new(0).await;
    client.group().await;
    let pool = CLUSTER.replace("aks1?", "aks1/agentPools/gpu?");
    let (status, body) = client
        .call(Method::PUT, &pool, json!({"properties": {"count": 1}}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("ParentResourceNotFound"))
    );
    client.call(Method::PUT, CLUSTER, cluster_body()).await;
    for (properties, target) in [
        (
            json!({"scaleSetPriority": "spot", "mode": "System", "vmSize": "Standard_NC6s_v3"}),
            "properties.scaleSetPriority",
        ),
        (
            json!({"gpuProfile": {"driver": "Install"}, "vmSize": "Standard_D4ds_v5"}),
            "properties.gpuProfile",
        ),
        (
            json!({"gpuProfile": {"driver": "Maybe"}, "vmSize": "Standard_NC6s_v3"}),
            "properties.gpuProfile.driver",
        ),
        (json!({"nodeTaints": ["gpu=true"]}), "properties.nodeTaints"),
        (
            json!({"enableAutoScaling": true, "minCount": 3, "maxCount": 1}),
            "properties.minCount",
        ),
    ] {
        let (status, body) = client
            .call(Method::PUT, &pool, json!({ "properties": properties }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], "InvalidParameter", "{body}");
        assert_eq!(body["error"]["target"], target, "{body}");
    }
    let (status, body) = client
        .call(Method::PUT, &pool, json!({"properties": {"scaleSetPriority": "spot", "vmSize": "Standard_NC6s_v3", "gpuProfile": {"driver": "none"}}}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["properties"]["scaleSetPriority"], "Spot",
        "enums are stored canonically"
    );
    assert_eq!(body["properties"]["scaleSetEvictionPolicy"], "Delete");
    assert_eq!(body["properties"]["gpuProfile"]["driver"], "None");
    let (status, body) = client
        .call(Method::PUT, &pool, json!({"properties": {"scaleSetPriority": "Spot", "vmSize": "Standard_NC24ads_A100_v4"}}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("PropertyChangeNotAllowed"))
    );
}

#[tokio::test]
async fn concurrent_federated_credential_writes_on_one_identity_conflict() {
    let client = Arc::new(Client::new(0).await);
    client.group().await;
    let (status, _) = client
        .call(Method::PUT, IDENTITY, json!({"location": "eastus"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let write = |name: &'static str| {
        let client = client.clone();
        async move {
            let path = IDENTITY.replace(
                "wl-identity?",
                &format!("wl-identity/federatedIdentityCredentials/{name}?"),
            );
            client
                .call(
                    Method::PUT,
                    &path,
                    json!({"properties": {"issuer": "https://issuer.example/", "subject": format!("system:serviceaccount:ml:{name}"), "audiences": ["api://AzureADTokenExchange"]}}),
                )
                .await
        }
    };
    let (first, second) = tokio::join!(write("fic-a"), write("fic-b"));
    let mut codes = vec![first.0, second.0];
    codes.sort();
    assert_eq!(codes, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let conflict = if first.0 == StatusCode::CONFLICT {
        first.1
    } else {
        second.1
    };
    assert_eq!(
        conflict["error"]["code"],
        "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity"
    );
    let (status, _) = write("fic-b").await;
    assert_eq!(status, StatusCode::CREATED, "one after the other is fine");
}

#[tokio::test]
async fn role_assignments_refuse_duplicates_and_unreplicated_principals() {
    let client = Client::new(0).await;
    client.group().await;
    let (_, identity) = client
        .call(Method::PUT, IDENTITY, json!({"location": "eastus"}))
        .await;
    let principal = identity["properties"]["principalId"].clone();
    let assignment = |name: &str| {
        format!(
            "/subscriptions/{{sub}}/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/{name}?api-version=2022-04-01"
        )
    };
    let body = json!({"properties": {
        "roleDefinitionId": format!("/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", client.subscription),
        "principalId": principal,
    }});
    client
        .azure
        .configure(json!({"principal_replication_delay_seconds": 30}))
        .unwrap();
    let (status, answer) = client
        .call(
            Method::PUT,
            &assignment("3f1b2c4d-0000-4000-8000-000000000001"),
            body.clone(),
        )
        .await;
    assert_eq!(
        (status, answer["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("PrincipalNotFound"))
    );
    client.azure.configure(json!({})).unwrap();
    let (status, answer) = client
        .call(
            Method::PUT,
            &assignment("3f1b2c4d-0000-4000-8000-000000000001"),
            body.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["properties"]["principalType"], "ServicePrincipal");
    let (status, answer) = client
        .call(
            Method::PUT,
            &assignment("3f1b2c4d-0000-4000-8000-000000000002"),
            body,
        )
        .await;
    assert_eq!(
        (status, answer["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("RoleAssignmentExists"))
    );
    assert!(
        client
            .azure
            .configure(json!({"no_such_switch": 1}))
            .is_err()
    );
}

#[tokio::test]
async fn faults_render_arm_errors() {
    let client = Client::new(0).await;
    let request = Request::get("/").body(Bytes::new()).unwrap();
    let response = client.azure.fault_response(
        NativeFault::Throttled {
            retry_after: Duration::from_secs(7),
        },
        &request,
    );
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["error"]["code"], "TooManyRequests");
    let response = client.azure.fault_response(
        NativeFault::ServerError {
            status: StatusCode::SERVICE_UNAVAILABLE,
        },
        &request,
    );
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["error"]["code"], "ServiceUnavailable");
    let put = Request::put(CLUSTER.replace("aks1?", "aks1/agentPools/gpu?"))
        .body(Bytes::new())
        .unwrap();
    assert_eq!(
        client.azure.operation(&put).as_deref(),
        Some("agentPools.put")
    );
    let list = Request::post("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/listClusterUserCredential")
        .body(Bytes::new())
        .unwrap();
    assert_eq!(
        client.azure.operation(&list).as_deref(),
        Some("managedClusters.listClusterUserCredential")
    );
}

#[tokio::test]
async fn versions_read_back_as_asked_and_pools_never_pass_their_control_plane() {
    let client = Client::new(0).await;
    client.group().await;
    let mut body = cluster_body();
    body["properties"]["kubernetesVersion"] = json!("1.33");
    let (status, created) = client.call(Method::PUT, CLUSTER, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["properties"]["kubernetesVersion"], "1.33");
    assert_eq!(created["properties"]["currentKubernetesVersion"], "1.33.5");

    let pool = CLUSTER.replace("aks1?", "aks1/agentPools/gpu?");
    let gpu = |version: &str, driver: &str| {
        json!({"properties": {"vmSize": "Standard_NC6s_v3", "orchestratorVersion": version,
            "gpuProfile": {"driver": driver}}})
    };
    let (status, made) = client.call(Method::PUT, &pool, gpu("1.33", "None")).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["properties"]["orchestratorVersion"], "1.33");
    assert_eq!(made["properties"]["currentOrchestratorVersion"], "1.33.5");

    let (status, refused) = client.call(Method::PUT, &pool, gpu("1.34", "None")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"]["code"], "NodePoolMcVersionIncompatible");
    // The driver is set when nodes are made: AKS refuses to change it.
    let (_, refused) = client
        .call(Method::PUT, &pool, gpu("1.33", "Install"))
        .await;
    assert_eq!(
        refused["error"]["code"], "PropertyChangeNotAllowed",
        "{refused}"
    );

    // A version AKS does not offer is refused; the next minor is fine, the system
    // pool moving with it.
    body["properties"]["kubernetesVersion"] = json!("1.35");
    let (_, refused) = client.call(Method::PUT, CLUSTER, body.clone()).await;
    assert_eq!(
        refused["error"]["code"], "K8sVersionNotSupported",
        "{refused}"
    );
    body["properties"]["kubernetesVersion"] = json!("1.34");
    body["properties"]["agentPoolProfiles"][0]["orchestratorVersion"] = json!("1.34");
    let (status, upgraded) = client.call(Method::PUT, CLUSTER, body).await;
    assert_eq!(status, StatusCode::OK, "{upgraded}");
    assert_eq!(upgraded["properties"]["kubernetesVersion"], "1.34");
    assert_eq!(upgraded["properties"]["currentKubernetesVersion"], "1.34.1");
    let system = CLUSTER.replace("aks1?", "aks1/agentPools/system?");
    let (_, system) = client.call(Method::GET, &system, Value::Null).await;
    assert_eq!(
        system["properties"]["orchestratorVersion"], "1.34",
        "{system}"
    );
    let (_, gpu_pool) = client.call(Method::GET, &pool, Value::Null).await;
    assert_eq!(
        gpu_pool["properties"]["currentOrchestratorVersion"], "1.33.5",
        "a user pool waits for its own upgrade"
    );
    let (status, upgraded) = client.call(Method::PUT, &pool, gpu("1.34", "None")).await;
    assert_eq!(status, StatusCode::OK, "{upgraded}");
    assert_eq!(
        upgraded["properties"]["currentOrchestratorVersion"],
        "1.34.1"
    );
}
