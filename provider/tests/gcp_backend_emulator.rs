//! The Google Cloud backend against the `gcp` part of `mlcloud-emulator`: create,
//! read, update and delete each resource's cloud objects through `GcpBackend`, with
//! the provider's real credential path (the emulator's generated service-account key,
//! signed JWTs) and the official clients, asserting what the emulator holds through
//! its admin route. Each test starts its own emulator and stops it at the end.

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

struct Emulator {
    server: MlcloudEmulator,
}

impl Emulator {
    fn start(args: &[&str]) -> Emulator {
        Emulator {
            server: MlcloudEmulator::start(args).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    fn gcp(&self) -> &Value {
        &self.server.ready()["gcp"]
    }

    fn project(&self) -> String {
        self.gcp()["project"].as_str().expect("project").to_string()
    }

    fn provider_block(&self) -> GcpConfig {
        let url = self.gcp()["endpoint"]
            .as_str()
            .expect("endpoint")
            .to_string();
        let endpoints = [
            "container",
            "cloudkms",
            "iam",
            "resourcemanager",
            "compute",
            "oauth2",
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

    async fn backend(&self) -> Arc<GcpBackend> {
        let options = ClientOptions {
            initial_backoff: Duration::from_millis(10),
        };
        Arc::new(
            GcpBackend::connect(&self.provider_block(), options)
                .await
                .expect("connect to the emulator")
                .with_poll_interval(Duration::from_millis(10), Duration::from_millis(50)),
        )
    }

    fn records(&self) -> Value {
        self.server.records().expect("records")["gcp"].clone()
    }

    fn fault(&self, rule: Value) {
        self.server.add_fault(rule).expect("fault");
    }
}

fn op() -> Op {
    Op::new(Duration::from_secs(60), CancellationToken::new())
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn key_spec(name: &str) -> KeySpec {
    KeySpec {
        name: name.into(),
        location: LOCATION.into(),
        description: "etcd".into(),
        rotation_period_days: 90,
        deletion_window_days: 30,
        tags: tags(&[("team", "ml")]),
        cloud: PerCloud::Gcp(GcpKeySettings::default()),
    }
}

fn identity_spec(name: &str, purpose: Purpose, grants: Vec<Grant>) -> IdentitySpec {
    IdentitySpec {
        name: name.into(),
        location: LOCATION.into(),
        purpose,
        workload: None,
        grants,
        tags: tags(&[("team", "ml")]),
        cloud: PerCloud::Gcp(GcpIdentitySettings::default()),
    }
}

/// The members bound to `role` in the IAM policy the emulator holds for `resource`.
fn members(records: &Value, resource: &str, role: &str) -> Vec<String> {
    let text = records.to_string();
    let all: Value = serde_json::from_str(&text).unwrap();
    let mut found = Vec::new();
    collect_members(&all, resource, role, &mut found);
    found
}

/// Walks the records for a policy attached to `resource` (whatever the part's record
/// layout, a policy is an object with `bindings` next to or under the resource name).
fn collect_members(v: &Value, resource: &str, role: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            let names_it =
                m.values().any(|x| x.as_str() == Some(resource)) || m.contains_key(resource);
            if names_it {
                let policy = m.get(resource).unwrap_or(v);
                collect_bindings(policy, role, out);
            }
            for x in m.values() {
                collect_members(x, resource, role, out);
            }
        }
        Value::Array(a) => a
            .iter()
            .for_each(|x| collect_members(x, resource, role, out)),
        _ => {}
    }
}

fn collect_bindings(v: &Value, role: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if m.get("role").and_then(Value::as_str) == Some(role)
                && let Some(ms) = m.get("members").and_then(Value::as_array)
            {
                for x in ms.iter().filter_map(Value::as_str) {
                    if !out.iter().any(|o| o == x) {
                        out.push(x.to_string());
                    }
                }
            }
            m.values().for_each(|x| collect_bindings(x, role, out));
        }
        Value::Array(a) => a.iter().for_each(|x| collect_bindings(x, role, out)),
        _ => {}
    }
}

#[tokio::test]
async fn a_key_is_created_in_its_ring_updated_in_place_and_destroyed_version_by_version() {
    let emulator = Emulator::start(&[]);
    let backend = emulator.backend().await;
    let project = emulator.project();

    let spec = key_spec("etcd");
    let made = ObjectBackend::<KeySpec, KeyState>::create(backend.as_ref(), &spec, &op())
        .await
        .unwrap_or_else(|e| panic!("{}", e.error));
    let name =
        format!("projects/{project}/locations/{LOCATION}/keyRings/etcd-ring/cryptoKeys/etcd");
    assert_eq!(made.id, name);
    assert_eq!(made.key_ref, name);
    assert_eq!(made.rotation_period_days, Some(90));
    assert_eq!(made.tags, spec.tags);

    let read = ObjectBackend::<KeySpec, KeyState>::read(backend.as_ref(), &name)
        .await
        .unwrap()
        .expect("exists");
    assert_eq!(read.tags, spec.tags);
    assert_eq!(read.cloud.gcp(), Some(&GcpKeySettings::default()));

    let mut changed = spec.clone();
    changed.rotation_period_days = 30;
    changed.tags = tags(&[("team", "platform")]);
    let updated =
        ObjectBackend::<KeySpec, KeyState>::update(backend.as_ref(), &name, &read, &changed, &op())
            .await
            .unwrap_or_else(|e| panic!("{}", e.error));
    assert_eq!(updated.rotation_period_days, Some(30));
    let read = ObjectBackend::<KeySpec, KeyState>::read(backend.as_ref(), &name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.tags, changed.tags);
    assert_eq!(read.rotation_period_days, Some(30));

    ObjectBackend::<KeySpec, KeyState>::delete(backend.as_ref(), &name, &changed, &op())
        .await
        .unwrap();
    assert!(
        ObjectBackend::<KeySpec, KeyState>::read(backend.as_ref(), &name)
            .await
            .unwrap()
            .is_none(),
        "a key whose versions are scheduled for destruction reads as gone"
    );
    let records = emulator.records().to_string();
    assert!(
        records.contains("DESTROY_SCHEDULED") || records.contains("destroy"),
        "{records}"
    );
    assert!(
        records.contains("etcd-ring"),
        "the key ring stays: {records}"
    );
    // Deleting again is not an error.
    ObjectBackend::<KeySpec, KeyState>::delete(backend.as_ref(), &name, &changed, &op())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_create_whose_response_was_lost_adopts_its_own_key_and_account() {
    let emulator = Emulator::start(&[]);
    let backend = emulator.backend().await;
    emulator.fault(json!({"part": "gcp", "operation": "cloudkms.cryptoKeys.create", "action": "drop_response"}));
    emulator.fault(json!({"part": "gcp", "operation": "iam.serviceAccounts.create", "action": "drop_response"}));

    let key =
        ObjectBackend::<KeySpec, KeyState>::create(backend.as_ref(), &key_spec("etcd"), &op())
            .await;
    // A dropped response is a transport error to the client; the provider's retry
    // (Terraform's next apply, or the resource's own) then adopts the key.
    let key = match key {
        Ok(k) => k,
        Err(_) => {
            ObjectBackend::<KeySpec, KeyState>::create(backend.as_ref(), &key_spec("etcd"), &op())
                .await
                .unwrap_or_else(|e| panic!("{}", e.error))
        }
    };
    assert!(key.id.ends_with("/cryptoKeys/etcd"));

    let spec = identity_spec("ml-nodes", Purpose::Node, vec![]);
    let made =
        match ObjectBackend::<IdentitySpec, IdentityState>::create(backend.as_ref(), &spec, &op())
            .await
        {
            Ok(s) => s,
            Err(_) => {
                ObjectBackend::<IdentitySpec, IdentityState>::create(backend.as_ref(), &spec, &op())
                    .await
                    .unwrap_or_else(|e| panic!("{}", e.error))
            }
        };
    assert_eq!(
        made.principal,
        format!("ml-nodes@{}.iam.gserviceaccount.com", emulator.project())
    );

    // The retries adopted what the dropped creates had made: one key, one account,
    // and the only 2xx creates are the ones whose responses were dropped.
    let requests = emulator.server.requests("gcp").expect("request log");
    for op in ["cloudkms.cryptoKeys.create", "iam.serviceAccounts.create"] {
        let answered: Vec<_> = requests
            .iter()
            .filter(|r| r["operation"] == op && r["status"].as_u64().is_some_and(|s| s < 300))
            .collect();
        assert!(answered.is_empty(), "{op} answered again: {answered:?}");
    }
    let records = emulator.records().to_string();
    assert_eq!(records.matches("\"ml-nodes@").count(), 1, "{records}");
}

#[tokio::test]
async fn identities_bind_exactly_and_parallel_grants_on_one_key_both_land() {
    let emulator = Emulator::start(&[]);
    let backend = emulator.backend().await;
    let project = emulator.project();
    let key =
        ObjectBackend::<KeySpec, KeyState>::create(backend.as_ref(), &key_spec("models"), &op())
            .await
            .unwrap_or_else(|e| panic!("{}", e.error));
    let grant = |action| Grant {
        action,
        target: key.key_ref.clone(),
    };

    let a = identity_spec(
        "ml-reader-a",
        Purpose::Workload,
        vec![grant(GrantAction::KmsDecrypt)],
    );
    let mut b = identity_spec(
        "ml-reader-b",
        Purpose::Workload,
        vec![grant(GrantAction::KmsDecrypt)],
    );
    b.workload = Some(WorkloadBinding {
        cluster_id: format!("projects/{project}/locations/{LOCATION}/clusters/ml"),
        namespace: "ml-serving".into(),
        service_account: "llama".into(),
    });
    let (op_a, op_b) = (op(), op());
    let (ra, rb) = tokio::join!(
        ObjectBackend::<IdentitySpec, IdentityState>::create(backend.as_ref(), &a, &op_a),
        ObjectBackend::<IdentitySpec, IdentityState>::create(backend.as_ref(), &b, &op_b),
    );
    let ra = ra.unwrap_or_else(|e| panic!("{}", e.error));
    let rb = rb.unwrap_or_else(|e| panic!("{}", e.error));

    let records = emulator.records();
    let bound = members(&records, &key.key_ref, "roles/cloudkms.cryptoKeyDecrypter");
    for who in [&ra.principal, &rb.principal] {
        assert!(
            bound.contains(&format!("serviceAccount:{who}")),
            "{who} not in {bound:?}: {records}"
        );
    }

    let read = ObjectBackend::<IdentitySpec, IdentityState>::read(backend.as_ref(), &rb.id)
        .await
        .unwrap()
        .expect("exists");
    assert_eq!(read.grants, b.grants);
    assert_eq!(read.workload, b.workload);
    assert_eq!(read.purpose, Purpose::Workload);
    assert_eq!(read.tags, b.tags);
    let trusted = members(&records, &rb.id, "roles/iam.workloadIdentityUser");
    assert_eq!(
        trusted,
        [format!(
            "serviceAccount:{project}.svc.id.goog[ml-serving/llama]"
        )],
        "{records}"
    );

    // Dropping the grant removes exactly that binding.
    let mut fewer = a.clone();
    fewer.grants.clear();
    ObjectBackend::<IdentitySpec, IdentityState>::update(
        backend.as_ref(),
        &ra.id,
        &ra,
        &fewer,
        &op(),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", e.error));
    let bound = members(
        &emulator.records(),
        &key.key_ref,
        "roles/cloudkms.cryptoKeyDecrypter",
    );
    assert!(
        !bound.contains(&format!("serviceAccount:{}", ra.principal)),
        "{bound:?}"
    );
    assert!(
        bound.contains(&format!("serviceAccount:{}", rb.principal)),
        "{bound:?}"
    );

    for (id, spec) in [(&ra.id, &fewer), (&rb.id, &b)] {
        ObjectBackend::<IdentitySpec, IdentityState>::delete(backend.as_ref(), id, spec, &op())
            .await
            .unwrap();
        assert!(
            ObjectBackend::<IdentitySpec, IdentityState>::read(backend.as_ref(), id)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn a_node_identity_gets_only_the_writer_roles_on_its_project() {
    let emulator = Emulator::start(&[]);
    let backend = emulator.backend().await;
    let project = emulator.project();
    let spec = identity_spec("ml-nodes", Purpose::Node, vec![]);
    let made = ObjectBackend::<IdentitySpec, IdentityState>::create(backend.as_ref(), &spec, &op())
        .await
        .unwrap_or_else(|e| panic!("{}", e.error));
    let records = emulator.records();
    let member = format!("serviceAccount:{}", made.principal);
    for role in ["roles/logging.logWriter", "roles/monitoring.metricWriter"] {
        assert!(
            members(&records, &format!("projects/{project}"), role).contains(&member),
            "{role}: {records}"
        );
    }
    ObjectBackend::<IdentitySpec, IdentityState>::delete(backend.as_ref(), &made.id, &spec, &op())
        .await
        .unwrap();
    let records = emulator.records();
    assert!(
        !members(
            &records,
            &format!("projects/{project}"),
            "roles/logging.logWriter"
        )
        .contains(&member)
    );
}

#[tokio::test]
async fn an_unknown_caller_is_refused_with_googles_status() {
    let emulator = Emulator::start(&[]);
    let mut block = emulator.provider_block();
    block.credentials = None;
    block.access_token = Some("not-a-token-the-emulator-issued".into());
    let backend = GcpBackend::connect(
        &block,
        ClientOptions {
            initial_backoff: Duration::from_millis(10),
        },
    )
    .await
    .unwrap();
    let error = ObjectBackend::<KeySpec, KeyState>::read(
        &backend,
        &format!(
            "projects/{}/locations/{LOCATION}/keyRings/r/cryptoKeys/k",
            emulator.project()
        ),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, CloudError::PermissionDenied { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("UNAUTHENTICATED"), "{error}");
}

#[tokio::test]
async fn a_cluster_and_a_gpu_pool_and_a_tpu_slice_run_on_the_node_identity() {
    let emulator = Emulator::start(&["--operation-delay-ms", "300"]);
    let backend = emulator.backend().await;
    let project = emulator.project();
    let key =
        ObjectBackend::<KeySpec, KeyState>::create(backend.as_ref(), &key_spec("etcd"), &op())
            .await
            .unwrap_or_else(|e| panic!("{}", e.error));
    let nodes = ObjectBackend::<IdentitySpec, IdentityState>::create(
        backend.as_ref(),
        &identity_spec("ml-nodes", Purpose::Node, vec![]),
        &op(),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", e.error));

    let cluster = ClusterSpec {
        admin_principals: Default::default(),
        name: "ml".into(),
        location: LOCATION.into(),
        kubernetes_version: None,
        endpoint_access: EndpointAccess::Private,
        authorized_cidrs: BTreeSet::new(),
        encryption_key_id: Some(key.key_ref.clone()),
        identity_id: None,
        system_pool: SystemPoolSpec {
            machine: Machine {
                machine_type: "e2-standard-4".into(),
                ..Machine::default()
            },
            node_count: 1,
            node_identity_id: Some(nodes.id.clone()),
        },
        logging: ["SYSTEM_COMPONENTS", "APISERVER"].map(String::from).into(),
        tags: tags(&[("team", "ml")]),
        cloud: PerCloud::Gcp(GcpClusterSettings::default()),
    };
    let made =
        ObjectBackend::<ClusterSpec, ClusterState>::create(backend.as_ref(), &cluster, &op())
            .await
            .unwrap_or_else(|e| panic!("{}", e.error));
    assert_eq!(
        made.id,
        format!("projects/{project}/locations/{LOCATION}/clusters/ml")
    );
    assert_eq!(made.status, "RUNNING");
    assert_eq!(
        made.encryption_key_id.as_deref(),
        Some(key.key_ref.as_str())
    );
    assert_eq!(
        made.system_pool.node_identity_id.as_deref(),
        Some(nodes.id.as_str())
    );
    let records = emulator.records();
    let number = emulator.gcp()["project_number"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        members(
            &records,
            &key.key_ref,
            "roles/cloudkms.cryptoKeyEncrypterDecrypter"
        )
        .contains(&format!(
            "serviceAccount:service-{number}@container-engine-robot.iam.gserviceaccount.com"
        )),
        "{records}"
    );

    let gpu = NodePoolSpec {
        kubernetes_version: None,
        disk_encryption_key_id: None,
        cluster_id: made.id.clone(),
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
        scaling: Scaling::Auto { min: 0, max: 2 },
        capacity_type: CapacityType::OnDemand,
        taints: BTreeSet::from([Taint {
            key: "nvidia.com/gpu".into(),
            value: "present".into(),
            effect: TaintEffect::NoSchedule,
        }]),
        labels: BTreeMap::new(),
        disk_size_gb: 100,
        zones: BTreeSet::new(),
        node_identity_id: Some(nodes.id.clone()),
        tpu_topology: None,
        tags: tags(&[("team", "ml")]),
        cloud: PerCloud::Gcp(GcpNodePoolSettings::default()),
    };
    let pool = ObjectBackend::<NodePoolSpec, NodePoolState>::create(backend.as_ref(), &gpu, &op())
        .await
        .unwrap_or_else(|e| panic!("{}", e.error));
    assert_eq!(pool.scaling, gpu.scaling);
    assert_eq!(pool.taints, gpu.taints);

    let mut bigger = gpu.clone();
    bigger.scaling = Scaling::Auto { min: 1, max: 4 };
    let resized = ObjectBackend::<NodePoolSpec, NodePoolState>::update(
        backend.as_ref(),
        &pool.id,
        &pool,
        &bigger,
        &op(),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", e.error));
    assert_eq!(resized.scaling, bigger.scaling);

    let mut tpu = gpu.clone();
    tpu.name = "tpu".into();
    tpu.machine = Machine {
        machine_type: "ct5lp-hightpu-4t".into(),
        accelerator: Some(MachineAccelerator {
            name: "tpu-v5e".into(),
            per_node: 4,
            family: AcceleratorFamily::Tpu,
        }),
        ..Machine::default()
    };
    tpu.tpu_topology = Some("2x4".into());
    tpu.scaling = Scaling::Fixed(2);
    tpu.taints = BTreeSet::new();
    let slice = ObjectBackend::<NodePoolSpec, NodePoolState>::create(backend.as_ref(), &tpu, &op())
        .await
        .unwrap_or_else(|e| panic!("{}", e.error));
    assert_eq!(slice.scaling, Scaling::Fixed(2));

    let listed = ObjectBackend::<NodePoolSpec, NodePoolState>::list(
        backend.as_ref(),
        &ListScope {
            location: None,
            parent_id: Some(made.id.clone()),
        },
    )
    .await
    .unwrap();
    let names: BTreeSet<_> = listed.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["gpu", "tpu"]));
    let clusters = ObjectBackend::<ClusterSpec, ClusterState>::list(
        backend.as_ref(),
        &ListScope {
            location: Some(LOCATION.into()),
            parent_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(clusters.len(), 1);

    for p in [(&pool.id, &bigger), (&slice.id, &tpu)] {
        ObjectBackend::<NodePoolSpec, NodePoolState>::delete(backend.as_ref(), p.0, p.1, &op())
            .await
            .unwrap();
    }
    ObjectBackend::<ClusterSpec, ClusterState>::delete(backend.as_ref(), &made.id, &cluster, &op())
        .await
        .unwrap();
    assert!(
        ObjectBackend::<ClusterSpec, ClusterState>::read(backend.as_ref(), &made.id)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_workload_with_the_longest_kubernetes_names_fits_its_description_and_reads_back() {
    let emulator = Emulator::start(&[]);
    let backend = emulator.backend().await;
    let project = emulator.project();
    let mut spec = identity_spec("ml-long-names", Purpose::Workload, vec![]);
    // Kubernetes allows 63-character namespaces and 253-character service accounts:
    // recorded whole, the description would pass IAM's 256 bytes.
    spec.workload = Some(WorkloadBinding {
        cluster_id: format!("projects/{project}/locations/{LOCATION}/clusters/ml"),
        namespace: "n".repeat(63),
        service_account: "k".repeat(253),
    });
    let made = ObjectBackend::<IdentitySpec, IdentityState>::create(backend.as_ref(), &spec, &op())
        .await
        .unwrap_or_else(|e| panic!("{}", e.error));
    let records = emulator.records();
    let account = records["service_accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["email"] == made.principal.as_str())
        .unwrap_or_else(|| panic!("no account: {records}"));
    let description = account["description"].as_str().unwrap_or_default();
    assert!(description.len() <= 256, "{description}");
    let read = ObjectBackend::<IdentitySpec, IdentityState>::read(backend.as_ref(), &made.id)
        .await
        .unwrap()
        .expect("exists");
    assert_eq!(read.workload, spec.workload);
}
