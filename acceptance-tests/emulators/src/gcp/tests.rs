//! The gcp part as a client meets it: authenticated requests in, Google's JSON out
//! (enums as numbers under `enum-encoding=int`, google.rpc.Status errors), operations
//! that take the configured delay, the failure switch, records and reset.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, StatusCode};
use serde_json::{Value, json};

use super::auth::tests::{now, sign};
use super::*;
use crate::options::Options;
use crate::tls::TestCa;

const INT_ENUMS: &str = "%24alt=json%3Benum-encoding%3Dint";
const PARENT: &str = "/v1/projects/mlcloud-emulator/locations/us-central1";

struct Client {
    part: GcpPart,
    token: String,
    _dir: tempfile::TempDir,
}

impl Client {
    fn new(delay: Duration) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ca = Arc::new(TestCa::create(dir.path()).unwrap());
        let part = GcpPart::new(PartContext {
            url: "http://127.0.0.1:9".into(),
            options: Options {
                operation_delay: delay,
                ..Options::default()
            },
            data_dir: dir.path().to_path_buf(),
            clusters: Arc::new(crate::kubernetes::clusters::Clusters::new(
                ca.clone(),
                Default::default(),
            )),
            ca,
        })
        .unwrap();
        let token = sign(
            &part.auth,
            &json!({
                "iss": part.auth.client_email, "sub": part.auth.client_email,
                "scope": "https://www.googleapis.com/auth/cloud-platform",
                "iat": now(), "exp": now() + 3600,
            }),
        );
        Self {
            part,
            token,
            _dir: dir,
        }
    }

    fn send(&self, method: &str, uri: &str, body: Value) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {}", self.token))
            .body(Bytes::from(body.to_string()))
            .unwrap();
        let response = routes::handle(&self.part, &GcpRequest::from_http(&request));
        let status = response.status();
        (
            status,
            serde_json::from_slice(response.body()).unwrap_or(Value::Null),
        )
    }

    fn ok(&self, method: &str, uri: &str, body: Value) -> Value {
        let (status, answer) = self.send(method, uri, body);
        assert_eq!(status, StatusCode::OK, "{method} {uri}: {answer}");
        answer
    }

    fn refused(&self, method: &str, uri: &str, body: Value, expected: &str) -> String {
        let (_, answer) = self.send(method, uri, body);
        assert_eq!(
            answer["error"]["status"], expected,
            "{method} {uri}: {answer}"
        );
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn records(&self) -> Value {
        self.part.records()
    }
}

fn cluster(name: &str) -> Value {
    json!({"cluster": {"name": name, "nodePools": [{"name": "system", "initialNodeCount": 1}]}})
}

#[test]
fn the_ready_line_names_a_key_file_whose_token_uri_is_the_part() {
    let client = Client::new(Duration::ZERO);
    let ready = client.part.ready();
    assert_eq!(ready["project_number"], PROJECT_NUMBER);
    let key: Value = serde_json::from_str(
        &std::fs::read_to_string(ready["credentials_file"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(key["type"], "service_account");
    assert_eq!(key["token_uri"], "http://127.0.0.1:9/token");
    assert!(
        key["private_key"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    let unsigned = Request::builder()
        .uri("/v3/projects/mlcloud-emulator")
        .body(Bytes::new())
        .unwrap();
    let response = routes::handle(&client.part, &GcpRequest::from_http(&unsigned));
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn enums_come_back_as_numbers_when_the_sdk_asks() {
    let client = Client::new(Duration::ZERO);
    let operation = client.ok(
        "POST",
        &format!("{PARENT}/clusters?{INT_ENUMS}"),
        cluster("ml"),
    );
    assert_eq!(operation["status"], 1, "PENDING: {operation}");
    assert_eq!(operation["operationType"], 1, "CREATE_CLUSTER: {operation}");
    let named = client.ok(
        "GET",
        &format!(
            "{PARENT}/operations/{}",
            operation["name"].as_str().unwrap()
        ),
        json!({}),
    );
    assert_eq!(named["status"], "DONE");
    let numbered = client.ok(
        "GET",
        &format!("{PARENT}/clusters/ml?{INT_ENUMS}&projectId=&zone=&clusterId="),
        json!({}),
    );
    assert_eq!(numbered["status"], 2, "RUNNING");
    assert_eq!(numbered["nodePools"][0]["status"], 2);
    // A request with enums as numbers is understood.
    let pool = json!({"nodePool": {"name": "t", "initialNodeCount": 1, "config": {
        "taints": [{"key": "k", "value": "v", "effect": 3}]}}});
    client.ok(
        "POST",
        &format!("{PARENT}/clusters/ml/nodePools?{INT_ENUMS}"),
        pool,
    );
    let read = client.ok(
        "GET",
        &format!("{PARENT}/clusters/ml/nodePools/t"),
        json!({}),
    );
    assert_eq!(read["config"]["taints"][0]["effect"], "NO_EXECUTE");
}

#[test]
fn one_operation_at_a_time_per_cluster_and_the_failure_switch() {
    let client = Client::new(Duration::from_millis(200));
    client.ok("POST", &format!("{PARENT}/clusters"), cluster("ml"));
    let message = client.refused(
        "POST",
        &format!("{PARENT}/clusters/ml/nodePools"),
        json!({"nodePool": {"name": "gpu", "initialNodeCount": 1}}),
        "FAILED_PRECONDITION",
    );
    assert!(message.contains("incompatible operation"), "{message}");
    std::thread::sleep(Duration::from_millis(250));
    let switch = Request::builder()
        .method("POST")
        .uri("/_emulator/failNextOperation")
        .body(Bytes::from(r#"{"operationType": "CREATE_NODE_POOL", "code": "RESOURCE_EXHAUSTED", "message": "no L4 capacity"}"#))
        .unwrap();
    assert_eq!(
        routes::handle(&client.part, &GcpRequest::from_http(&switch)).status(),
        StatusCode::OK
    );
    let pool = json!({"nodePool": {"name": "gpu", "initialNodeCount": 1, "config": {
        "machineType": "g2-standard-8", "accelerators": [{"acceleratorType": "nvidia-l4", "acceleratorCount": "1"}]}}});
    let operation = client.ok("POST", &format!("{PARENT}/clusters/ml/nodePools"), pool);
    std::thread::sleep(Duration::from_millis(250));
    let done = client.ok(
        "GET",
        &format!(
            "{PARENT}/operations/{}",
            operation["name"].as_str().unwrap()
        ),
        json!({}),
    );
    assert_eq!(done["status"], "DONE");
    assert_eq!(
        done["error"],
        json!({"code": 8, "message": "no L4 capacity"})
    );
    let pool = client.ok(
        "GET",
        &format!("{PARENT}/clusters/ml/nodePools/gpu"),
        json!({}),
    );
    assert_eq!(pool["status"], "ERROR");
    assert_eq!(
        pool["config"]["accelerators"][0]["acceleratorCount"], "1",
        "int64 as a string"
    );
}

#[test]
fn database_encryption_needs_the_gke_agent_on_the_key() {
    let client = Client::new(Duration::ZERO);
    client.ok(
        "POST",
        &format!("{PARENT}/keyRings?keyRingId=ml"),
        json!({}),
    );
    let key = client.ok(
        "POST",
        &format!(
            "{PARENT}/keyRings/ml/cryptoKeys?cryptoKeyId=etcd&skipInitialVersionCreation=false"
        ),
        json!({"purpose": 1}),
    );
    let key_name = key["name"].as_str().unwrap().to_string();
    let mut encrypted = cluster("ml");
    encrypted["cluster"]["databaseEncryption"] = json!({"state": "ENCRYPTED", "keyName": key_name});
    let message = client.refused(
        "POST",
        &format!("{PARENT}/clusters"),
        encrypted.clone(),
        "FAILED_PRECONDITION",
    );
    assert!(
        message.contains("service-123456789012@container-engine-robot"),
        "{message}"
    );
    let policy = client.ok("GET", &format!("/v1/{key_name}:getIamPolicy"), json!({}));
    let binding = json!({"role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "members": [
        "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com"]});
    client.ok(
        "POST",
        &format!("/v1/{key_name}:setIamPolicy"),
        json!({"policy": {"bindings": [binding], "etag": policy["etag"]}}),
    );
    client.ok("POST", &format!("{PARENT}/clusters"), encrypted);
    assert_eq!(
        client.records()["clusters"][0]["databaseEncryption"]["state"],
        "ENCRYPTED"
    );
}

#[test]
fn faults_are_rendered_as_google_errors_and_reset_empties_the_part() {
    let client = Client::new(Duration::ZERO);
    let request = Request::builder().uri("/v1/x").body(Bytes::new()).unwrap();
    let throttled = client.part.fault_response(
        NativeFault::Throttled {
            retry_after: Duration::from_secs(2),
        },
        &request,
    );
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers()["retry-after"], "2");
    let body: Value = serde_json::from_slice(throttled.body()).unwrap();
    assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
    let unavailable = client.part.fault_response(
        NativeFault::ServerError {
            status: StatusCode::SERVICE_UNAVAILABLE,
        },
        &request,
    );
    let body: Value = serde_json::from_slice(unavailable.body()).unwrap();
    assert_eq!(body["error"]["status"], "UNAVAILABLE");

    client.ok(
        "POST",
        "/v1/projects/mlcloud-emulator/serviceAccounts",
        json!({"accountId": "trainer"}),
    );
    client.ok("POST", &format!("{PARENT}/clusters"), cluster("ml"));
    assert_eq!(
        client.records()["service_accounts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    client.part.reset();
    let records = client.records();
    assert_eq!(records["service_accounts"], json!([]));
    assert_eq!(records["clusters"], json!([]));
    client.refused(
        "GET",
        "/v1/projects/other/serviceAccounts",
        json!({}),
        "PERMISSION_DENIED",
    );
}

#[test]
fn bucket_policies_speak_cloud_storages_json_api() {
    let client = Client::new(Duration::ZERO);
    let (status, _) = client.send(
        "POST",
        "/storage/v1/b?project=mlcloud-emulator",
        json!({"name": "models"}),
    );
    assert_eq!(status, StatusCode::OK);
    let policy = client.ok("GET", "/storage/v1/b/models/iam", json!({}));
    assert_eq!(policy["resourceId"], "projects/_/buckets/models");
    let reader = json!({"role": "roles/storage.objectViewer", "members": ["serviceAccount:nobody@mlcloud-emulator.iam.gserviceaccount.com"]});
    let mut asked = policy.clone();
    asked["bindings"].as_array_mut().unwrap().push(reader);
    let (status, answer) = client.send("PUT", "/storage/v1/b/models/iam", asked.clone());
    assert_eq!(status, StatusCode::BAD_REQUEST, "no such account: {answer}");
    client.ok(
        "POST",
        "/v1/projects/mlcloud-emulator/serviceAccounts",
        json!({"accountId": "nobody"}),
    );
    client.ok("PUT", "/storage/v1/b/models/iam", asked.clone());
    let (status, answer) = client.send("PUT", "/storage/v1/b/models/iam", asked);
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(answer["error"]["errors"][0]["reason"], "conditionNotMet");
    let (status, _) = client.send("DELETE", "/storage/v1/b/models", json!({}));
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, answer) = client.send("GET", "/storage/v1/b/models/iam", json!({}));
    assert_eq!(
        (status, &answer["error"]["errors"][0]["reason"]),
        (StatusCode::NOT_FOUND, &json!("notFound"))
    );
    assert_eq!(client.records()["buckets"], json!([]));
}

#[test]
fn versions_move_one_minor_at_a_time_and_nodes_never_pass_the_control_plane() {
    let client = Client::new(Duration::ZERO);
    let mut asked = cluster("ml");
    asked["cluster"]["initialClusterVersion"] = json!("1.30");
    client.ok("POST", &format!("{PARENT}/clusters"), asked);
    let made = client.ok("GET", &format!("{PARENT}/clusters/ml"), json!({}));
    assert_eq!(made["currentMasterVersion"], "1.30.11-gke.1157000");
    assert_eq!(made["nodePools"][0]["version"], "1.30.11-gke.1157000");
    let ahead = client.refused(
        "POST",
        &format!("{PARENT}/clusters/ml/nodePools"),
        json!({"nodePool": {"name": "gpu", "initialNodeCount": 1, "version": "1.31"}}),
        "INVALID_ARGUMENT",
    );
    assert!(
        ahead.contains("must not be newer than the master"),
        "{ahead}"
    );
    let skip = client.refused(
        "PUT",
        &format!("{PARENT}/clusters/ml"),
        json!({"update": {"desiredMasterVersion": "1.32"}}),
        "INVALID_ARGUMENT",
    );
    assert!(skip.contains("one minor version at a time"), "{skip}");
    client.refused(
        "PUT",
        &format!("{PARENT}/clusters/ml"),
        json!({"update": {"desiredMasterVersion": "1.29"}}),
        "INVALID_ARGUMENT",
    );
    let upgrade = client.ok(
        "PUT",
        &format!("{PARENT}/clusters/ml"),
        json!({"update": {"desiredMasterVersion": "1.31"}}),
    );
    assert_eq!(upgrade["operationType"], "UPGRADE_MASTER");
    client.refused(
        "PUT",
        &format!("{PARENT}/clusters/ml/nodePools/system"),
        json!({"nodeVersion": "1.32"}),
        "INVALID_ARGUMENT",
    );
    let nodes = client.ok(
        "PUT",
        &format!("{PARENT}/clusters/ml/nodePools/system"),
        json!({"nodeVersion": "1.31"}),
    );
    assert_eq!(nodes["operationType"], "UPGRADE_NODES");
    let pool = client.ok(
        "GET",
        &format!("{PARENT}/clusters/ml/nodePools/system"),
        json!({}),
    );
    assert_eq!(pool["version"], "1.31.6-gke.1020000");
    client.refused(
        "PUT",
        &format!("{PARENT}/clusters/ml"),
        json!({"update": {"desiredMasterVersion": "1.99"}}),
        "INVALID_ARGUMENT",
    );
}

#[test]
fn a_boot_disk_key_must_be_usable_by_the_compute_engine_agent() {
    let client = Client::new(Duration::ZERO);
    client.ok("POST", &format!("{PARENT}/clusters"), cluster("ml"));
    client.ok(
        "POST",
        &format!("{PARENT}/keyRings?keyRingId=ring"),
        json!({}),
    );
    client.ok(
        "POST",
        &format!("{PARENT}/keyRings/ring/cryptoKeys?cryptoKeyId=disks"),
        json!({"purpose": "ENCRYPT_DECRYPT"}),
    );
    let key = "projects/mlcloud-emulator/locations/us-central1/keyRings/ring/cryptoKeys/disks";
    let pool = json!({"nodePool": {"name": "gpu", "initialNodeCount": 1,
        "config": {"bootDiskKmsKey": key}}});
    let refused = client.refused(
        "POST",
        &format!("{PARENT}/clusters/ml/nodePools"),
        pool.clone(),
        "FAILED_PRECONDITION",
    );
    let agent = format!("service-{PROJECT_NUMBER}@compute-system.iam.gserviceaccount.com");
    assert!(refused.contains(&agent), "{refused}");
    let policy = client.ok("GET", &format!("/v1/{key}:getIamPolicy"), json!({}));
    client.ok(
        "POST",
        &format!("/v1/{key}:setIamPolicy"),
        json!({"policy": {"etag": policy["etag"], "bindings": [
            {"role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "members": [format!("serviceAccount:{agent}")]}
        ]}}),
    );
    client.ok("POST", &format!("{PARENT}/clusters/ml/nodePools"), pool);
    let read = client.ok(
        "GET",
        &format!("{PARENT}/clusters/ml/nodePools/gpu"),
        json!({}),
    );
    assert_eq!(read["config"]["bootDiskKmsKey"], key);
}

#[test]
fn tokeninfo_names_the_account_of_an_issued_token_only() {
    let client = Client::new(Duration::ZERO);
    let issue = Request::builder()
        .method("POST")
        .uri("/_emulator/accessToken")
        .body(Bytes::new())
        .unwrap();
    let response = routes::handle(&client.part, &GcpRequest::from_http(&issue));
    let issued: Value = serde_json::from_slice(response.body()).unwrap();
    let token = issued["access_token"].as_str().unwrap();
    let info = |body: String| {
        let request = Request::builder()
            .method("POST")
            .uri("/tokeninfo")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from(body))
            .unwrap();
        let response = routes::handle(&client.part, &GcpRequest::from_http(&request));
        let status = response.status();
        (
            status,
            serde_json::from_slice::<Value>(response.body()).unwrap(),
        )
    };
    let (status, known) = info(format!("access_token={token}"));
    assert_eq!(status, StatusCode::OK, "{known}");
    assert_eq!(known["email"], json!(client.part.auth.client_email));
    let (status, unknown) = info("access_token=ya29.forged".into());
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown["error"], "invalid_token");
    // An issued token works as a bearer too.
    let request = Request::builder()
        .uri("/v3/projects/mlcloud-emulator")
        .header("authorization", format!("Bearer {token}"))
        .body(Bytes::new())
        .unwrap();
    let response = routes::handle(&client.part, &GcpRequest::from_http(&request));
    assert_eq!(response.status(), StatusCode::OK);
}

#[test]
fn conditional_bucket_bindings_need_version_3_and_uniform_access() {
    let client = Client::new(Duration::ZERO);
    for (name, uniform) in [("legacy", false), ("models", true)] {
        client.ok(
            "POST",
            "/storage/v1/b?project=mlcloud-emulator",
            json!({"name": name, "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": uniform}}}),
        );
    }
    let conditional = |etag: &Value, version: i64| {
        json!({"version": version, "etag": etag, "bindings": [{
            "role": "roles/storage.objectViewer",
            "members": ["projectViewer:mlcloud-emulator"],
            "condition": {"title": "llama", "expression": "resource.name.startsWith(\"projects/_/buckets/models/objects/llama/\")"},
        }]})
    };
    let legacy = client.ok("GET", "/storage/v1/b/legacy/iam", json!({}));
    let (status, answer) = client.send(
        "PUT",
        "/storage/v1/b/legacy/iam",
        conditional(&legacy["etag"], 3),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("uniform bucket-level access")
    );
    let models = client.ok("GET", "/storage/v1/b/models/iam", json!({}));
    let (status, _) = client.send(
        "PUT",
        "/storage/v1/b/models/iam",
        conditional(&models["etag"], 1),
    );
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "version 1 with a condition"
    );
    let written = client.ok(
        "PUT",
        "/storage/v1/b/models/iam",
        conditional(&models["etag"], 3),
    );
    assert_eq!(written["version"], 3);
    let (status, _) = client.send("GET", "/storage/v1/b/models/iam", json!({}));
    assert_eq!(status, StatusCode::BAD_REQUEST, "read as version 1");
    let read = client.ok(
        "GET",
        "/storage/v1/b/models/iam?optionsRequestedPolicyVersion=3",
        json!({}),
    );
    assert_eq!(read["bindings"][0]["condition"]["title"], "llama");
}

#[test]
fn a_pools_instance_group_managers_show_its_nodes_per_zone_after_set_size() {
    let client = Client::new(Duration::ZERO);
    client.ok("POST", &format!("{PARENT}/clusters"), cluster("ml"));
    let pool = json!({"nodePool": {"name": "cpu", "initialNodeCount": 1,
        "locations": ["us-central1-a", "us-central1-b"]}});
    client.ok("POST", &format!("{PARENT}/clusters/ml/nodePools"), pool);
    let pool_path = format!("{PARENT}/clusters/ml/nodePools/cpu");
    let listed = client.ok("GET", &pool_path, json!({}));
    let urls: Vec<String> = listed["instanceGroupUrls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect();
    assert_eq!(urls.len(), 2, "one manager per zone: {listed}");
    let path_of = |url: &str| {
        url.strip_prefix("https://www.googleapis.com")
            .unwrap()
            .to_string()
    };
    let sizes = |client: &Client| -> Vec<Value> {
        urls.iter()
            .map(|u| client.ok("GET", &path_of(u), json!({}))["targetSize"].clone())
            .collect()
    };
    assert_eq!(sizes(&client), [json!(1), json!(1)]);

    client.ok(
        "POST",
        &format!("{pool_path}:setSize"),
        json!({"nodeCount": 3}),
    );
    assert_eq!(sizes(&client), [json!(3), json!(3)]);
    let after = client.ok("GET", &pool_path, json!({}));
    assert_eq!(after["initialNodeCount"], 1, "GKE keeps the initial count");
    let manager = client.ok("GET", &path_of(&urls[1]), json!({}));
    assert_eq!(manager["kind"], "compute#instanceGroupManager");
    assert_eq!(
        manager["zone"],
        "https://www.googleapis.com/compute/v1/projects/mlcloud-emulator/zones/us-central1-b"
    );

    // Gone with its pool, in Compute Engine's error shape (no status string).
    client.ok("DELETE", &pool_path, json!({}));
    let (status, answer) = client.send("GET", &path_of(&urls[0]), json!({}));
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(
        answer["error"]["errors"][0]["reason"], "notFound",
        "{answer}"
    );
    assert!(answer["error"].get("status").is_none(), "{answer}");
    let (status, answer) = client.send(
        "GET",
        "/compute/v1/projects/someone-else/zones/us-central1-a/instanceGroupManagers/x",
        json!({}),
    );
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
}
