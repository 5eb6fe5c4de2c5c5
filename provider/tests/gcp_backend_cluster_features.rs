//! The Google Cloud backend's cluster access, upgrades, disk keys and model store
//! grants against the `gcp` part of `mlcloud-emulator`: `admin_principals` as
//! project bindings (the caller by default, from the key file or `tokeninfo`),
//! Kubernetes upgrades of the control plane, the system pool and node pools, boot
//! disks on the customer's key, and bucket bindings limited to a prefix. What the
//! emulator holds is read back over its own HTTP API with an access token it issued.

use acceptance_tests::MlcloudEmulator;
use mlcloud_provider::clouds::gcp::{ClientOptions, GcpBackend};
use mlcloud_provider::clouds::model::*;
use mlcloud_provider::clouds::{CloudError, ObjectBackend};
use mlcloud_provider::config::gcp::GcpConfig;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const LOCATION: &str = "us-central1";
const ADMIN: &str = "roles/container.admin";
const KEY_USER: &str = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

struct Emulator {
    server: MlcloudEmulator,
    http: reqwest::Client,
}

impl Emulator {
    fn start() -> Emulator {
        Emulator {
            server: MlcloudEmulator::start(&[]).unwrap_or_else(|e| panic!("{e}")),
            http: reqwest::Client::new(),
        }
    }

    fn gcp(&self) -> &Value {
        &self.server.ready()["gcp"]
    }

    fn url(&self) -> String {
        self.gcp()["endpoint"].as_str().expect("endpoint").into()
    }

    fn project(&self) -> String {
        self.gcp()["project"].as_str().expect("project").into()
    }

    fn number(&self) -> String {
        self.gcp()["project_number"]
            .as_str()
            .expect("number")
            .into()
    }

    /// The key file's account, as an IAM member.
    fn caller(&self) -> String {
        let path = self.gcp()["credentials_file"].as_str().expect("key file");
        let key: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        format!("serviceAccount:{}", key["client_email"].as_str().unwrap())
    }

    fn provider_block(&self) -> GcpConfig {
        let url = self.url();
        let endpoints = [
            "container",
            "cloudkms",
            "iam",
            "resourcemanager",
            "compute",
            "oauth2",
            "storage",
        ]
        .into_iter()
        .map(|s| (s.to_string(), Some(url.clone())))
        .collect();
        GcpConfig {
            project: Some(self.project()),
            region: Some(LOCATION.into()),
            credentials: self.gcp()["credentials_file"].as_str().map(str::to_string),
            endpoints: Some(endpoints),
            ..GcpConfig::default()
        }
    }

    async fn connect(&self, block: &GcpConfig) -> Arc<GcpBackend> {
        let options = ClientOptions {
            initial_backoff: Duration::from_millis(10),
        };
        Arc::new(
            GcpBackend::connect(block, options)
                .await
                .expect("connect to the emulator")
                .with_poll_interval(Duration::from_millis(10), Duration::from_millis(50)),
        )
    }

    async fn backend(&self) -> Arc<GcpBackend> {
        self.connect(&self.provider_block()).await
    }

    /// An access token the emulator issued (as `gcloud auth print-access-token`).
    async fn token(&self) -> String {
        let issued: Value = self
            .http
            .post(format!("{}/_emulator/accessToken", self.url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        issued["access_token"].as_str().unwrap().to_string()
    }

    /// One authenticated call to the emulator's Google API; its status and body.
    async fn call(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let answer = self
            .http
            .request(method, format!("{}{path}", self.url()))
            .bearer_auth(self.token().await)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        (status, answer.json().await.unwrap_or(Value::Null))
    }

    async fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, answer) = self.call(method, path, body).await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
        answer
    }

    /// Members of `role` in the project's policy.
    async fn project_members(&self, role: &str) -> BTreeSet<String> {
        let policy = self
            .ok(
                "POST",
                &format!("/v3/projects/{}:getIamPolicy", self.project()),
                json!({}),
            )
            .await;
        members(&policy, role, None)
    }

    /// Adds `member` to `role` on the project, as someone outside mlcloud would.
    async fn bind_on_project(&self, role: &str, member: &str) {
        let path = format!("/v3/projects/{}", self.project());
        let mut policy = self
            .ok("POST", &format!("{path}:getIamPolicy"), json!({}))
            .await;
        policy["bindings"]
            .as_array_mut()
            .unwrap()
            .push(json!({"role": role, "members": [member]}));
        self.ok(
            "POST",
            &format!("{path}:setIamPolicy"),
            json!({"policy": policy}),
        )
        .await;
    }
}

/// Members of `role` whose binding's condition has `expression` (none: unconditional).
fn members(policy: &Value, role: &str, expression: Option<&str>) -> BTreeSet<String> {
    policy["bindings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["role"] == role && b["condition"]["expression"].as_str() == expression)
        .flat_map(|b| b["members"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect()
}

fn op() -> Op {
    Op::new(Duration::from_secs(60), CancellationToken::new())
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn fail<S>(e: mlcloud_provider::clouds::PartialFailure<S>) -> CloudError {
    e.error
}

async fn node_identity(backend: &GcpBackend) -> IdentityState {
    let spec = IdentitySpec {
        name: "ml-nodes".into(),
        location: LOCATION.into(),
        purpose: Purpose::Node,
        workload: None,
        grants: vec![],
        tags: Tags::new(),
        cloud: PerCloud::Gcp(GcpIdentitySettings::default()),
    };
    ObjectBackend::<IdentitySpec, IdentityState>::create(backend, &spec, &op())
        .await
        .unwrap_or_else(|e| panic!("{}", e.error))
}

async fn key(backend: &GcpBackend, name: &str) -> KeyState {
    let spec = KeySpec {
        name: name.into(),
        location: LOCATION.into(),
        description: "disks".into(),
        rotation_period_days: 90,
        deletion_window_days: 30,
        tags: Tags::new(),
        cloud: PerCloud::Gcp(GcpKeySettings::default()),
    };
    ObjectBackend::<KeySpec, KeyState>::create(backend, &spec, &op())
        .await
        .unwrap_or_else(|e| panic!("{}", e.error))
}

fn cluster_spec(name: &str, nodes: &IdentityState, admins: BTreeSet<String>) -> ClusterSpec {
    ClusterSpec {
        admin_principals: admins,
        name: name.into(),
        location: LOCATION.into(),
        kubernetes_version: None,
        endpoint_access: EndpointAccess::Private,
        authorized_cidrs: BTreeSet::new(),
        encryption_key_id: None,
        identity_id: None,
        system_pool: SystemPoolSpec {
            machine: Machine {
                machine_type: "e2-standard-4".into(),
                ..Machine::default()
            },
            node_count: 1,
            node_identity_id: Some(nodes.id.clone()),
        },
        logging: ["SYSTEM_COMPONENTS"].map(String::from).into(),
        tags: Tags::from([("team".to_string(), "ml".to_string())]),
        cloud: PerCloud::Gcp(GcpClusterSettings::default()),
    }
}

fn pool_spec(cluster_id: &str, nodes: &IdentityState) -> NodePoolSpec {
    NodePoolSpec {
        kubernetes_version: None,
        disk_encryption_key_id: None,
        cluster_id: cluster_id.into(),
        name: "gpu".into(),
        machine: Machine {
            machine_type: "g2-standard-4".into(),
            accelerator: Some(MachineAccelerator {
                name: "nvidia-l4".into(),
                per_node: 1,
                family: AcceleratorFamily::Gpu,
            }),
            ..Machine::default()
        },
        scaling: Scaling::Fixed(1),
        capacity_type: CapacityType::OnDemand,
        taints: BTreeSet::new(),
        labels: BTreeMap::new(),
        disk_size_gb: 100,
        zones: BTreeSet::new(),
        node_identity_id: Some(nodes.id.clone()),
        tpu_topology: None,
        tags: Tags::new(),
        cloud: PerCloud::Gcp(GcpNodePoolSettings::default()),
    }
}

type Clusters = dyn ObjectBackend<ClusterSpec, ClusterState>;
type Pools = dyn ObjectBackend<NodePoolSpec, NodePoolState>;

#[tokio::test]
async fn the_caller_is_the_key_files_account_or_whoever_tokeninfo_names() {
    let emulator = Emulator::start();
    let backend = emulator.backend().await;
    let caller = backend.clone().backends().caller().expect("a caller");
    assert_eq!(caller.principal().await.unwrap(), emulator.caller());

    let mut block = emulator.provider_block();
    block.credentials = None;
    block.access_token = Some(emulator.token().await);
    let by_token = emulator.connect(&block).await.backends().caller().unwrap();
    assert_eq!(by_token.principal().await.unwrap(), emulator.caller());

    block.access_token = Some("ya29.not-issued-by-the-emulator".into());
    let forged = emulator.connect(&block).await.backends().caller().unwrap();
    let error = forged.principal().await.unwrap_err();
    assert!(error.to_string().contains("invalid_token"), "{error}");
}

#[tokio::test]
async fn admins_are_project_bindings_the_cluster_records_and_revokes_only_when_its_own() {
    let emulator = Emulator::start();
    let backend = emulator.backend().await;
    let clusters: &Clusters = backend.as_ref();
    let nodes = node_identity(&backend).await;
    // Alice administers the project already, through a binding mlcloud did not write.
    emulator
        .bind_on_project(ADMIN, "user:alice@example.com")
        .await;

    let caller = emulator.caller();
    let spec = cluster_spec("ml", &nodes, set(&[&caller, "user:alice@example.com"]));
    let made = clusters.create(&spec, &op()).await.map_err(fail).unwrap();
    assert_eq!(made.admin_principals, spec.admin_principals);
    assert_eq!(
        emulator.project_members(ADMIN).await,
        set(&[&caller, "user:alice@example.com"])
    );
    let read = clusters.read(&made.id).await.unwrap().unwrap();
    assert_eq!(read.admin_principals, spec.admin_principals);
    assert_eq!(
        read.tags, spec.tags,
        "the admin labels are not the user's tags"
    );

    // Both leave, Bob joins: the caller's binding (ours) goes, Alice's (not ours) stays.
    let mut changed = spec.clone();
    changed.admin_principals = set(&["user:bob@example.com"]);
    let updated = clusters
        .update(&made.id, &read, &changed, &op())
        .await
        .map_err(fail)
        .unwrap();
    assert_eq!(updated.admin_principals, changed.admin_principals);
    assert_eq!(
        emulator.project_members(ADMIN).await,
        set(&["user:alice@example.com", "user:bob@example.com"])
    );

    // A second cluster relies on Bob too: deleting the first keeps his binding.
    let other = cluster_spec("ml-2", &nodes, set(&["user:bob@example.com"]));
    let second = clusters.create(&other, &op()).await.map_err(fail).unwrap();
    clusters.delete(&made.id, &changed, &op()).await.unwrap();
    assert!(
        emulator
            .project_members(ADMIN)
            .await
            .contains("user:bob@example.com")
    );
    assert_eq!(
        clusters
            .read(&second.id)
            .await
            .unwrap()
            .unwrap()
            .admin_principals,
        set(&["user:bob@example.com"])
    );

    // Removed out of band: the read shows it gone (drift), and an update restores it.
    let project = emulator.project();
    let path = format!("/v3/projects/{project}");
    let mut policy = emulator
        .ok("POST", &format!("{path}:getIamPolicy"), json!({}))
        .await;
    for b in policy["bindings"].as_array_mut().unwrap() {
        if b["role"] == ADMIN {
            b["members"] = json!(["user:alice@example.com"]);
        }
    }
    emulator
        .ok(
            "POST",
            &format!("{path}:setIamPolicy"),
            json!({"policy": policy}),
        )
        .await;
    let drifted = clusters.read(&second.id).await.unwrap().unwrap();
    assert!(drifted.admin_principals.is_empty(), "{drifted:?}");
    clusters
        .update(&second.id, &drifted, &other, &op())
        .await
        .map_err(fail)
        .unwrap();
    assert!(
        emulator
            .project_members(ADMIN)
            .await
            .contains("user:bob@example.com")
    );
}

#[tokio::test]
async fn an_upgrade_moves_the_control_plane_then_the_system_pool_and_pools_follow() {
    let emulator = Emulator::start();
    let backend = emulator.backend().await;
    let clusters: &Clusters = backend.as_ref();
    let pools: &Pools = backend.as_ref();
    let nodes = node_identity(&backend).await;
    let mut spec = cluster_spec("ml", &nodes, BTreeSet::new());
    spec.kubernetes_version = Some("1.30".into());
    let made = clusters.create(&spec, &op()).await.map_err(fail).unwrap();
    assert_eq!(made.kubernetes_version, "1.30");
    let mut gpu = pool_spec(&made.id, &nodes);
    gpu.kubernetes_version = Some("1.30".into());
    let pool = pools.create(&gpu, &op()).await.map_err(fail).unwrap();
    assert_eq!(pool.kubernetes_version, "1.30");

    // The pool cannot pass its control plane: GKE refuses, the state keeps 1.30.
    let mut ahead = gpu.clone();
    ahead.kubernetes_version = Some("1.31".into());
    let refused = pools
        .update(&pool.id, &pool, &ahead, &op())
        .await
        .map_err(fail)
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("must not be newer than the master"),
        "{refused}"
    );

    spec.kubernetes_version = Some("1.31".into());
    let upgraded = clusters
        .update(&made.id, &made, &spec, &op())
        .await
        .map_err(fail)
        .unwrap();
    assert_eq!(upgraded.kubernetes_version, "1.31");
    let system = emulator
        .ok(
            "GET",
            &format!("/v1/{}/nodePools/system", made.id),
            json!({}),
        )
        .await;
    assert!(
        system["version"].as_str().unwrap().starts_with("1.31."),
        "{system}"
    );
    let followed = pools
        .update(&pool.id, &pool, &ahead, &op())
        .await
        .map_err(fail)
        .unwrap();
    assert_eq!(followed.kubernetes_version, "1.31");

    // Two minors at once: GKE refuses (the plan says so before it gets here).
    spec.kubernetes_version = Some("1.33".into());
    let skipped = clusters
        .update(&made.id, &upgraded, &spec, &op())
        .await
        .map_err(fail)
        .unwrap_err();
    assert!(
        skipped.to_string().contains("one minor version at a time"),
        "{skipped}"
    );
}

#[tokio::test]
async fn boot_disks_use_the_key_once_compute_engine_may() {
    let emulator = Emulator::start();
    let backend = emulator.backend().await;
    let clusters: &Clusters = backend.as_ref();
    let pools: &Pools = backend.as_ref();
    let nodes = node_identity(&backend).await;
    let etcd = key(&backend, "etcd").await;
    let disks = key(&backend, "disks").await;
    let mut spec = cluster_spec("ml", &nodes, BTreeSet::new());
    spec.encryption_key_id = Some(etcd.key_ref.clone());
    let made = clusters.create(&spec, &op()).await.map_err(fail).unwrap();
    let system = emulator
        .ok(
            "GET",
            &format!("/v1/{}/nodePools/system", made.id),
            json!({}),
        )
        .await;
    assert_eq!(
        system["config"]["bootDiskKmsKey"], etcd.key_ref,
        "the system pool's disks use the cluster's key"
    );

    let mut gpu = pool_spec(&made.id, &nodes);
    gpu.disk_encryption_key_id = Some(disks.key_ref.clone());
    let pool = pools.create(&gpu, &op()).await.map_err(fail).unwrap();
    assert_eq!(
        pool.disk_encryption_key_id.as_deref(),
        Some(disks.key_ref.as_str())
    );
    let agent = format!(
        "serviceAccount:service-{}@compute-system.iam.gserviceaccount.com",
        emulator.number()
    );
    for k in [&etcd, &disks] {
        let policy = emulator
            .ok("GET", &format!("/v1/{}:getIamPolicy", k.key_ref), json!({}))
            .await;
        assert!(
            members(&policy, KEY_USER, None).contains(&agent),
            "{}: {policy}",
            k.key_ref
        );
    }
    let read = pools.read(&pool.id).await.unwrap().unwrap();
    assert_eq!(read.disk_encryption_key_id, pool.disk_encryption_key_id);
}

#[tokio::test]
async fn model_store_grants_bind_on_the_bucket_limited_to_the_prefix() {
    let emulator = Emulator::start();
    let backend = emulator.backend().await;
    let project = emulator.project();
    for (name, uniform) in [("models", true), ("legacy", false)] {
        emulator
            .ok(
                "POST",
                &format!("/storage/v1/b?project={project}"),
                json!({"name": name, "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": uniform}}}),
            )
            .await;
    }
    let spec = IdentitySpec {
        name: "ml-serving".into(),
        location: LOCATION.into(),
        purpose: Purpose::Workload,
        workload: None,
        grants: vec![
            Grant {
                action: GrantAction::ModelStoreRead,
                target: "gs://models/llama/".into(),
            },
            Grant {
                action: GrantAction::ModelStoreWrite,
                target: "gs://models".into(),
            },
        ],
        tags: Tags::new(),
        cloud: PerCloud::Gcp(GcpIdentitySettings::default()),
    };
    let identities: &dyn ObjectBackend<IdentitySpec, IdentityState> = backend.as_ref();
    let made = identities.create(&spec, &op()).await.map_err(fail).unwrap();
    let member = format!("serviceAccount:{}", made.principal);
    let policy = emulator
        .ok(
            "GET",
            "/storage/v1/b/models/iam?optionsRequestedPolicyVersion=3",
            json!({}),
        )
        .await;
    assert_eq!(policy["version"], 3, "{policy}");
    let only_llama = "resource.name.startsWith(\"projects/_/buckets/models/objects/llama/\") || api.getAttribute(\"storage.googleapis.com/objectListPrefix\", \"\").startsWith(\"llama/\")";
    assert!(
        members(&policy, "roles/storage.objectViewer", Some(only_llama)).contains(&member),
        "{policy}"
    );
    assert!(
        members(&policy, "roles/storage.objectUser", None).contains(&member),
        "{policy}"
    );
    assert!(
        members(&policy, "roles/storage.legacyBucketOwner", None).len() == 2,
        "the bucket's own bindings stay: {policy}"
    );
    let read = identities.read(&made.id).await.unwrap().unwrap();
    assert_eq!(read.grants, spec.grants);

    // A prefix on a bucket without uniform access: Cloud Storage's refusal, as is.
    let mut legacy = spec.clone();
    legacy.grants.push(Grant {
        action: GrantAction::ModelStoreRead,
        target: "gs://legacy/llama/".into(),
    });
    let refused = identities
        .update(&made.id, &read, &legacy, &op())
        .await
        .map_err(fail)
        .unwrap_err();
    assert!(
        refused.to_string().contains("uniform bucket-level access"),
        "{refused}"
    );

    identities.delete(&made.id, &spec, &op()).await.unwrap();
    let policy = emulator
        .ok(
            "GET",
            "/storage/v1/b/models/iam?optionsRequestedPolicyVersion=3",
            json!({}),
        )
        .await;
    assert!(!policy.to_string().contains(&member), "{policy}");
}
