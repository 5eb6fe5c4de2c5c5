//! The aws part in front of a real moto (`acceptance-tests/moto/serve.py` from the
//! project's venv), driven with the official AWS SDKs the provider uses: what they
//! send passes through, faults come back in shapes they classify as the real ones,
//! and the EKS routes moto lacks answer as EKS does.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use crate::Emulator;
use crate::options::Options;

/// moto in server mode on a free port, killed when dropped.
struct MotoServer {
    child: Child,
    url: String,
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

async fn start_moto() -> MotoServer {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let python = repo_root().join(".venv/bin/python");
    let child = Command::new(&python)
        .arg(repo_root().join("acceptance-tests/moto/serve.py"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("{}: {error} (run scripts/setup)", python.display()));
    let server = MotoServer {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(&format!("{}/moto-api/", server.url)).await.is_none() {
        assert!(Instant::now() < deadline, "moto did not start on {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server
}

async fn request(method: &str, url: &str, body: &str) -> Option<(u16, String)> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let response = client.request(request).await.ok()?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.ok()?.to_bytes();
    Some((status, String::from_utf8_lossy(&body).into_owned()))
}

async fn get(url: &str) -> Option<(u16, String)> {
    request("GET", url, "").await
}

struct Setup {
    emulator: Emulator,
    _moto: MotoServer,
}

impl Setup {
    async fn start(delay: Duration) -> Setup {
        let moto = start_moto().await;
        let emulator = Emulator::start(Options {
            moto: Some(moto.url.clone()),
            operation_delay: delay,
            ..Options::default()
        })
        .await
        .unwrap();
        Setup {
            emulator,
            _moto: moto,
        }
    }

    fn endpoint(&self) -> String {
        self.emulator.ready()["aws"]["endpoint"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn admin(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.emulator.ready()["admin"].as_str().unwrap());
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let (status, answer) = request(method, &url, &body).await.unwrap();
        assert!(status < 300, "{method} {path}: {status} {answer}");
        serde_json::from_str(&answer).unwrap()
    }

    async fn fault(&self, rule: Value) {
        self.admin("POST", "/faults", rule).await;
    }

    /// (operation, status) of every aws request, in order.
    async fn log(&self) -> Vec<(String, Option<u16>)> {
        self.admin("GET", "/requests?part=aws", Value::Null)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|record| {
                (
                    record["operation"].as_str().unwrap_or("?").to_string(),
                    record["status"].as_u64().map(|status| status as u16),
                )
            })
            .collect()
    }

    async fn statuses_of(&self, operation: &str) -> Vec<Option<u16>> {
        self.log()
            .await
            .into_iter()
            .filter(|(name, _)| name == operation)
            .map(|(_, status)| status)
            .collect()
    }

    async fn eks_records(&self) -> Value {
        self.admin("GET", "/records", Value::Null).await["aws"]["eks"].clone()
    }
}

macro_rules! client {
    ($sdk:ident, $endpoint:expr) => {{
        use $sdk::config::{BehaviorVersion, Credentials, Region};
        $sdk::Client::from_conf(
            $sdk::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
                .endpoint_url($endpoint)
                .build(),
        )
    }};
}

async fn create_cluster(eks: &aws_sdk_eks::Client, name: &str, version: &str, api: bool) {
    use aws_sdk_eks::types::{AuthenticationMode, CreateAccessConfigRequest, VpcConfigRequest};
    let mut request = eks
        .create_cluster()
        .name(name)
        .version(version)
        .role_arn("arn:aws:iam::123456789012:role/cluster")
        .resources_vpc_config(
            VpcConfigRequest::builder()
                .subnet_ids("subnet-1")
                .subnet_ids("subnet-2")
                .build(),
        );
    if api {
        request = request.access_config(
            CreateAccessConfigRequest::builder()
                .authentication_mode(AuthenticationMode::Api)
                .bootstrap_cluster_creator_admin_permissions(true)
                .build(),
        );
    }
    request.send().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn sdk_requests_pass_through_to_moto_and_are_named_by_operation() {
    let setup = Setup::start(Duration::ZERO).await;
    let kms = client!(aws_sdk_kms, setup.endpoint());
    let iam = client!(aws_sdk_iam, setup.endpoint());
    let eks = client!(aws_sdk_eks, setup.endpoint());

    let key = kms.create_key().send().await.unwrap();
    let key_id = key.key_metadata().unwrap().key_id().to_string();
    let described = kms.describe_key().key_id(&key_id).send().await.unwrap();
    assert_eq!(described.key_metadata().unwrap().key_id(), key_id);
    iam.create_role()
        .role_name("cluster")
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .unwrap();
    create_cluster(&eks, "ml", "1.29", true).await;
    let cluster = eks.describe_cluster().name("ml").send().await.unwrap();
    let access = cluster.cluster().unwrap().access_config().unwrap();
    assert_eq!(access.authentication_mode().unwrap().as_str(), "API");
    assert_eq!(
        access.bootstrap_cluster_creator_admin_permissions(),
        Some(true)
    );
    // EKS makes the creator an access entry; the caller is moto's default identity.
    let entries = eks
        .list_access_entries()
        .cluster_name("ml")
        .send()
        .await
        .unwrap();
    assert_eq!(entries.access_entries().len(), 1, "{entries:?}");

    let operations: Vec<String> = setup
        .log()
        .await
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        operations,
        [
            "CreateKey",
            "DescribeKey",
            "CreateRole",
            "CreateCluster",
            "DescribeCluster",
            "ListAccessEntries"
        ]
    );
    let missing = eks
        .describe_cluster()
        .name("nope")
        .send()
        .await
        .unwrap_err();
    assert!(
        missing
            .into_service_error()
            .is_resource_not_found_exception(),
        "moto's own error passes through"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_and_server_errors_are_retried_by_the_sdk_and_a_dropped_write_is_applied() {
    let setup = Setup::start(Duration::ZERO).await;
    let kms = client!(aws_sdk_kms, setup.endpoint());
    let iam = client!(aws_sdk_iam, setup.endpoint());
    let eks = client!(aws_sdk_eks, setup.endpoint());
    setup
        .fault(json!({"part": "aws", "operation": "CreateKey", "times": 2,
                      "action": {"throttle": {"retry_after_seconds": 0}}}))
        .await;
    setup
        .fault(json!({"operation": "CreateRole", "action": {"throttle": {}}}))
        .await;
    setup
        .fault(json!({"operation": "DescribeCluster", "action": {"server_error": {"status": 503}}}))
        .await;
    setup
        .fault(json!({"operation": "ListKeys", "times": 0, "action": {"throttle": {}}}))
        .await;

    kms.create_key().send().await.unwrap();
    assert_eq!(
        setup.statuses_of("CreateKey").await,
        [Some(400), Some(400), Some(200)]
    );
    iam.create_role()
        .role_name("r")
        .assume_role_policy_document("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        setup.statuses_of("CreateRole").await,
        [Some(400), Some(200)]
    );
    create_cluster(&eks, "ml", "1.29", false).await;
    eks.describe_cluster().name("ml").send().await.unwrap();
    assert_eq!(
        setup.statuses_of("DescribeCluster").await,
        [Some(503), Some(200)]
    );
    // Throttled for good: the SDK gives up after its attempts with the service's code.
    let error = kms.list_keys().send().await.unwrap_err();
    assert_eq!(
        aws_sdk_kms::error::ProvideErrorMetadata::code(&error),
        Some("ThrottlingException")
    );
    assert_eq!(setup.statuses_of("ListKeys").await.len(), 3);

    // The write is applied, the answer lost: the SDK's retry finds the role there.
    setup
        .fault(json!({"operation": "CreateRole", "action": "drop_response"}))
        .await;
    let error = iam
        .create_role()
        .role_name("lost")
        .assume_role_policy_document("{}")
        .send()
        .await
        .unwrap_err();
    assert!(
        error
            .into_service_error()
            .is_entity_already_exists_exception(),
        "the dropped create was applied"
    );
    iam.get_role().role_name("lost").send().await.unwrap();

    // EKS keeps the token of a create: the SDK's retry (same token) gets the cluster
    // the lost answer would have named, as on EKS; moto alone would refuse it.
    setup
        .fault(json!({"operation": "CreateCluster", "action": "drop_response"}))
        .await;
    let created = eks
        .create_cluster()
        .name("retried")
        .role_arn("arn:aws:iam::123456789012:role/cluster")
        .resources_vpc_config(
            aws_sdk_eks::types::VpcConfigRequest::builder()
                .subnet_ids("subnet-1")
                .build(),
        )
        .client_request_token("create-retried-1")
        .send()
        .await
        .unwrap();
    assert_eq!(created.cluster().unwrap().name(), Some("retried"));
    assert_eq!(
        setup.statuses_of("CreateCluster").await[1..],
        [None, Some(200)],
        "dropped, then answered from the token"
    );
    let again = eks
        .create_cluster()
        .name("retried")
        .role_arn("arn:aws:iam::123456789012:role/cluster")
        .resources_vpc_config(
            aws_sdk_eks::types::VpcConfigRequest::builder()
                .subnet_ids("subnet-1")
                .build(),
        )
        .client_request_token("create-retried-2")
        .send()
        .await
        .unwrap_err();
    assert!(
        again.into_service_error().is_resource_in_use_exception(),
        "a new token is a new create"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn versions_and_updates_follow_eks_through_describe_update() {
    use aws_sdk_eks::types::{LogSetup, LogType, Logging, NodegroupScalingConfig, UpdateStatus};
    let setup = Setup::start(Duration::from_millis(300)).await;
    let eks = client!(aws_sdk_eks, setup.endpoint());
    create_cluster(&eks, "ml", "1.29", true).await;
    eks.create_nodegroup()
        .cluster_name("ml")
        .nodegroup_name("system")
        .node_role("arn:aws:iam::123456789012:role/node")
        .subnets("subnet-1")
        .scaling_config(NodegroupScalingConfig::builder().desired_size(1).build())
        .send()
        .await
        .unwrap();
    let nodegroup = eks
        .describe_nodegroup()
        .cluster_name("ml")
        .nodegroup_name("system")
        .send()
        .await
        .unwrap();
    assert_eq!(
        nodegroup.nodegroup().unwrap().version(),
        Some("1.29"),
        "a node group runs its cluster's version"
    );

    let skip = eks
        .update_cluster_version()
        .name("ml")
        .version("1.31")
        .send()
        .await
        .unwrap_err();
    assert!(skip.into_service_error().is_invalid_parameter_exception());
    let started = eks
        .update_cluster_version()
        .name("ml")
        .version("1.30")
        .send()
        .await
        .unwrap();
    let update = started.update().unwrap();
    assert_eq!(update.status(), Some(&UpdateStatus::InProgress));
    let id = update.id().unwrap().to_string();
    let cluster = eks.describe_cluster().name("ml").send().await.unwrap();
    assert_eq!(
        cluster.cluster().unwrap().status().map(|s| s.as_str()),
        Some("UPDATING")
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let done = eks
        .describe_update()
        .name("ml")
        .update_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.update().unwrap().status(),
        Some(&UpdateStatus::Successful)
    );
    let cluster = eks.describe_cluster().name("ml").send().await.unwrap();
    assert_eq!(cluster.cluster().unwrap().version(), Some("1.30"));

    let started = eks
        .update_nodegroup_version()
        .cluster_name("ml")
        .nodegroup_name("system")
        .send()
        .await
        .unwrap();
    let id = started.update().unwrap().id().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let done = eks
        .describe_update()
        .name("ml")
        .nodegroup_name("system")
        .update_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.update().unwrap().status(),
        Some(&UpdateStatus::Successful)
    );
    let nodegroup = eks
        .describe_nodegroup()
        .cluster_name("ml")
        .nodegroup_name("system")
        .send()
        .await
        .unwrap();
    assert_eq!(nodegroup.nodegroup().unwrap().version(), Some("1.30"));

    // One kind of change per UpdateClusterConfig; moto's answer becomes an update.
    let logging = Logging::builder()
        .cluster_logging(
            LogSetup::builder()
                .types(LogType::Api)
                .enabled(true)
                .build(),
        )
        .build();
    let two = eks
        .update_cluster_config()
        .name("ml")
        .logging(logging.clone())
        .resources_vpc_config(
            aws_sdk_eks::types::VpcConfigRequest::builder()
                .endpoint_public_access(false)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(two.into_service_error().is_invalid_parameter_exception());
    let started = eks
        .update_cluster_config()
        .name("ml")
        .logging(logging)
        .send()
        .await
        .unwrap();
    let update = started.update().expect("EKS answers with the update");
    assert_eq!(update.r#type().map(|t| t.as_str()), Some("LoggingUpdate"));

    let records = setup.eks_records().await;
    assert_eq!(records["updates"].as_array().unwrap().len(), 3, "{records}");
    assert_eq!(
        records["clusters"]["ml"]["nodegroupVersions"]["system"],
        "1.29"
    );

    eks.delete_nodegroup()
        .cluster_name("ml")
        .nodegroup_name("system")
        .send()
        .await
        .unwrap();
    eks.delete_cluster().name("ml").send().await.unwrap();
    assert_eq!(
        setup.eks_records().await,
        json!({"clusters": {}, "updates": []})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn access_entries_policies_and_pod_identities_through_the_sdk() {
    use aws_sdk_eks::types::{AccessScope, AccessScopeType};
    let setup = Setup::start(Duration::ZERO).await;
    let eks = client!(aws_sdk_eks, setup.endpoint());
    create_cluster(&eks, "config-map", "1.29", false).await;
    let refused = eks
        .create_access_entry()
        .cluster_name("config-map")
        .principal_arn("arn:aws:iam::123456789012:role/ops")
        .send()
        .await
        .unwrap_err();
    assert!(refused.into_service_error().is_invalid_request_exception());

    create_cluster(&eks, "ml", "1.29", true).await;
    let principal = "arn:aws:iam::123456789012:role/ops";
    let created = eks
        .create_access_entry()
        .cluster_name("ml")
        .principal_arn(principal)
        .kubernetes_groups("ml-admins")
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.access_entry().unwrap().username(),
        Some("arn:aws:sts::123456789012:assumed-role/ops/{{SessionName}}")
    );
    let again = eks
        .create_access_entry()
        .cluster_name("ml")
        .principal_arn(principal)
        .send()
        .await
        .unwrap_err();
    assert!(again.into_service_error().is_resource_in_use_exception());
    let policies = eks.list_access_policies().send().await.unwrap();
    let admin = policies
        .access_policies()
        .iter()
        .find(|policy| policy.name() == Some("AmazonEKSClusterAdminPolicy"))
        .and_then(|policy| policy.arn())
        .unwrap()
        .to_string();
    eks.associate_access_policy()
        .cluster_name("ml")
        .principal_arn(principal)
        .policy_arn(&admin)
        .access_scope(
            AccessScope::builder()
                .r#type(AccessScopeType::Cluster)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let associated = eks
        .list_associated_access_policies()
        .cluster_name("ml")
        .principal_arn(principal)
        .send()
        .await
        .unwrap();
    assert_eq!(associated.associated_access_policies().len(), 1);
    let admins = eks
        .list_access_entries()
        .cluster_name("ml")
        .associated_policy_arn(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(admins.access_entries().len(), 2, "the creator and ops");
    eks.disassociate_access_policy()
        .cluster_name("ml")
        .principal_arn(principal)
        .policy_arn(&admin)
        .send()
        .await
        .unwrap();
    eks.delete_access_entry()
        .cluster_name("ml")
        .principal_arn(principal)
        .send()
        .await
        .unwrap();
    let gone = eks
        .describe_access_entry()
        .cluster_name("ml")
        .principal_arn(principal)
        .send()
        .await
        .unwrap_err();
    assert!(gone.into_service_error().is_resource_not_found_exception());

    let association = eks
        .create_pod_identity_association()
        .cluster_name("ml")
        .namespace("ml")
        .service_account("trainer")
        .role_arn("arn:aws:iam::123456789012:role/trainer")
        .send()
        .await
        .unwrap();
    let id = association
        .association()
        .unwrap()
        .association_id()
        .unwrap()
        .to_string();
    let listed = eks
        .list_pod_identity_associations()
        .cluster_name("ml")
        .namespace("ml")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.associations().len(), 1);
    eks.describe_pod_identity_association()
        .cluster_name("ml")
        .association_id(&id)
        .send()
        .await
        .unwrap();
    eks.delete_pod_identity_association()
        .cluster_name("ml")
        .association_id(&id)
        .send()
        .await
        .unwrap();
    let unknown = eks
        .create_access_entry()
        .cluster_name("nope")
        .principal_arn(principal)
        .send()
        .await
        .unwrap_err();
    assert!(
        unknown
            .into_service_error()
            .is_resource_not_found_exception()
    );
}
