//! The Azure backend against `mlcloud-emulator`'s azure part (a faithful ARM, Key
//! Vault and Entra ID over https with its own test CA): the ARM client, the
//! credentials and the key and identity backends, end to end, asserting what the
//! emulator holds through its records. Needs `cargo build -p mlcloud-emulator`.

use acceptance_tests::MlcloudEmulator;
use mlcloud_provider::clouds::azure::AzureBackend;
use mlcloud_provider::clouds::model::*;
use mlcloud_provider::clouds::{CloudError, ObjectBackend};
use mlcloud_provider::config::azure::AzureConfig;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const GROUP: &str = "ml";
const LOCATION: &str = "westeurope";

struct Azure {
    emulator: MlcloudEmulator,
}

impl Azure {
    fn start() -> Azure {
        let emulator = MlcloudEmulator::start(&["--operation-delay-ms", "300"])
            .unwrap_or_else(|e| panic!("{e}"));
        Azure { emulator }
    }

    fn ready(&self, field: &str) -> String {
        self.emulator.ready()["azure"][field]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The provider block a user would write for the emulator.
    fn block(&self) -> AzureConfig {
        let endpoints = [
            ("resource_manager", self.ready("resource_manager")),
            ("active_directory", self.ready("active_directory")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Some(v)))
        .collect();
        AzureConfig {
            subscription_id: Some(self.ready("subscription_id")),
            tenant_id: Some(self.ready("tenant_id")),
            client_id: Some(self.ready("client_id")),
            client_secret: Some(self.ready("client_secret")),
            ca_certificate_file: Some(self.ready("ca_file")),
            endpoints: Some(endpoints),
            ..AzureConfig::default()
        }
    }

    fn backend(&self, block: &AzureConfig) -> AzureBackend {
        AzureBackend::connect(block)
            .expect("connect")
            .with_poll_interval(Duration::from_millis(50), Duration::from_millis(400))
    }

    /// The resource group the stack goes into (the provider does not own groups):
    /// created with the same token a user's tooling would get.
    async fn create_group(&self) {
        let (http, token) = self.user_client().await;
        let status = http
            .put(format!(
                "{}/subscriptions/{}/resourcegroups/{GROUP}?api-version=2021-04-01",
                self.ready("resource_manager"),
                self.ready("subscription_id")
            ))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(json!({"location": LOCATION}).to_string())
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success(), "resource group: {status}");
    }

    /// An ARM resource as a user's tooling would GET it (what the emulator holds).
    async fn arm_get(&self, id: &str, api_version: &str) -> Value {
        let (http, token) = self.user_client().await;
        let body = http
            .get(format!(
                "{}{id}?api-version={api_version}",
                self.ready("resource_manager")
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// An https client trusting the emulator's CA, and an ARM token.
    async fn user_client(&self) -> (reqwest::Client, String) {
        let ca = std::fs::read(self.ready("ca_file")).unwrap();
        let http = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
            .build()
            .unwrap();
        let token = http
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                self.ready("active_directory"),
                self.ready("tenant_id")
            ))
            .body(format!(
                "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default",
                self.ready("client_id"),
                self.ready("client_secret")
            ))
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let token: Value = serde_json::from_slice(&token).unwrap();
        let token = token["access_token"].as_str().unwrap().to_string();
        (http, token)
    }

    fn records(&self) -> Value {
        self.emulator.records().unwrap()["azure"].clone()
    }
}

fn op() -> Op {
    Op::new(Duration::from_secs(60), CancellationToken::new())
}

fn key_spec() -> KeySpec {
    KeySpec {
        name: "etcd".into(),
        location: LOCATION.into(),
        description: "etcd secrets".into(),
        rotation_period_days: 90,
        deletion_window_days: 30,
        tags: Tags::from([("team".into(), "ml".into())]),
        cloud: PerCloud::Azure(AzureKeySettings {
            resource_group_name: Some(GROUP.into()),
            key_vault_id: None,
        }),
    }
}

fn identity_spec(key_ref: &str) -> IdentitySpec {
    IdentitySpec {
        name: "ml-cluster".into(),
        location: LOCATION.into(),
        purpose: Purpose::Cluster,
        workload: None,
        grants: vec![Grant {
            action: GrantAction::KmsDecrypt,
            target: key_ref.into(),
        }],
        tags: Tags::from([("team".into(), "ml".into())]),
        cloud: PerCloud::Azure(AzureIdentitySettings {
            resource_group_name: Some(GROUP.into()),
        }),
    }
}

fn count(records: &Value, kind: &str) -> usize {
    records[kind].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_key_in_its_dedicated_vault_and_an_identity_that_may_use_it() {
    let azure = Azure::start();
    azure.create_group().await;
    let backend = azure.backend(&azure.block());

    let key = ObjectBackend::<KeySpec, KeyState>::create(&backend, &key_spec(), &op())
        .await
        .unwrap_or_else(|e| panic!("{:?}\n{}", e.error, azure.emulator.log()));
    assert!(
        key.id.contains("/providers/Microsoft.KeyVault/vaults/"),
        "{}",
        key.id
    );
    assert!(key.key_ref.ends_with("/keys/etcd"), "{}", key.key_ref);
    assert_eq!(key.rotation_period_days, Some(90));
    assert_eq!(key.description, "etcd secrets");
    assert_eq!(key.tags, key_spec().tags);
    assert_eq!(
        key.cloud.azure().unwrap().key_vault_id,
        None,
        "a dedicated vault is not shown as the user's"
    );
    let records = azure.records();
    assert_eq!(count(&records, "vaults"), 1, "{records}");
    assert_eq!(count(&records, "keys"), 1, "{records}");

    // Creating again (a lost answer) adopts the same vault and key.
    let again = ObjectBackend::<KeySpec, KeyState>::create(&backend, &key_spec(), &op())
        .await
        .map_err(|e| e.error)
        .unwrap();
    assert_eq!(again.id, key.id);
    assert_eq!(count(&azure.records(), "vaults"), 1);

    let identity = ObjectBackend::<IdentitySpec, IdentityState>::create(
        &backend,
        &identity_spec(&key.key_ref),
        &op(),
    )
    .await
    .unwrap_or_else(|e| panic!("{:?}", e.error));
    assert!(!identity.principal.is_empty() && !identity.client_id.is_empty());
    assert_eq!(identity.purpose, Purpose::Cluster);
    assert_eq!(identity.grants, identity_spec(&key.key_ref).grants);
    assert_eq!(identity.tags, identity_spec("").tags);
    assert_eq!(count(&azure.records(), "role_assignments"), 1);

    // Read back, unchanged.
    let read = ObjectBackend::<IdentitySpec, IdentityState>::read(&backend, &identity.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read, identity);

    // Taking the grant away removes the assignment.
    let mut bare = identity_spec(&key.key_ref);
    bare.grants.clear();
    let updated = ObjectBackend::<IdentitySpec, IdentityState>::update(
        &backend,
        &identity.id,
        &identity,
        &bare,
        &op(),
    )
    .await
    .map_err(|e| e.error)
    .unwrap();
    assert!(updated.grants.is_empty());
    assert_eq!(count(&azure.records(), "role_assignments"), 0);

    ObjectBackend::<IdentitySpec, IdentityState>::delete(&backend, &identity.id, &bare, &op())
        .await
        .unwrap();
    ObjectBackend::<KeySpec, KeyState>::delete(&backend, &key.id, &key_spec(), &op())
        .await
        .unwrap();
    assert!(
        ObjectBackend::<KeySpec, KeyState>::read(&backend, &key.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        ObjectBackend::<IdentitySpec, IdentityState>::read(&backend, &identity.id)
            .await
            .unwrap()
            .is_none()
    );
    let records = azure.records();
    for kind in ["vaults", "keys", "identities", "role_assignments"] {
        assert_eq!(count(&records, kind), 0, "{kind} left: {records}");
    }
    // The vault waits in soft delete with purge protection, as in Azure.
    assert_eq!(
        records["deleted_vaults"][0]["purge_protection"], true,
        "{records}"
    );
}

#[tokio::test]
async fn a_grant_to_a_principal_entra_has_not_replicated_yet_is_retried() {
    let azure = Azure::start();
    azure
        .emulator
        .configure("azure", json!({"principal_replication_delay_seconds": 2}))
        .unwrap();
    azure.create_group().await;
    let backend = azure.backend(&azure.block());
    let key = ObjectBackend::<KeySpec, KeyState>::create(&backend, &key_spec(), &op())
        .await
        .map_err(|e| e.error)
        .unwrap();
    let started = Instant::now();
    let identity = ObjectBackend::<IdentitySpec, IdentityState>::create(
        &backend,
        &identity_spec(&key.key_ref),
        &op(),
    )
    .await
    .map_err(|e| e.error)
    .unwrap();
    assert_eq!(identity.grants.len(), 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "PrincipalNotFound was never seen"
    );
    let refused = azure
        .emulator
        .requests("azure")
        .unwrap()
        .iter()
        .filter(|r| r["operation"] == "roleAssignments.put" && r["status"] == 400)
        .count();
    assert!(refused >= 1, "no PrincipalNotFound answer was retried");
}

#[tokio::test]
async fn arm_refusals_reach_the_user_with_their_code() {
    let azure = Azure::start();
    // No resource group: ARM's own error.
    let backend = azure.backend(&azure.block());
    let err = ObjectBackend::<IdentitySpec, IdentityState>::create(
        &backend,
        &identity_spec("https://x/keys/k"),
        &op(),
    )
    .await
    .unwrap_err()
    .error;
    assert!(err.to_string().contains("ResourceGroupNotFound"), "{err}");
}

#[tokio::test]
async fn a_wrong_secret_gets_entras_own_answer_and_is_never_printed() {
    let azure = Azure::start();
    let mut block = azure.block();
    block.client_secret = Some("not-the-secret".into());
    let backend = azure.backend(&block);
    let err = ObjectBackend::<KeySpec, KeyState>::read(
        &backend,
        &format!(
            "/subscriptions/{}/resourceGroups/ml/providers/Microsoft.KeyVault/vaults/v/keys/k",
            azure.ready("subscription_id")
        ),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, CloudError::Transport(_)), "{err:?}");
    // azure_identity quotes Entra's error description (AADSTS7000215 for a wrong secret).
    assert!(err.to_string().contains("AADSTS7000215"), "{err}");
    assert!(!err.to_string().contains("not-the-secret"), "{err}");
}

#[tokio::test]
async fn without_the_ca_the_emulator_is_refused_at_once_naming_its_host() {
    let azure = Azure::start();
    let mut block = azure.block();
    block.ca_certificate_file = None;
    let backend = azure.backend(&block);
    let started = Instant::now();
    let err = ObjectBackend::<KeySpec, KeyState>::read(
        &backend,
        "/subscriptions/s/resourceGroups/ml/providers/Microsoft.KeyVault/vaults/v/keys/k",
    )
    .await
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    let text = err.to_string();
    assert!(
        text.contains("127.0.0.1") && text.contains("ca_certificate_file"),
        "{text}"
    );
}

fn cluster_spec(identity_id: &str, key_ref: &str) -> ClusterSpec {
    ClusterSpec {
        admin_principals: Default::default(),
        name: "ml-main".into(),
        location: LOCATION.into(),
        kubernetes_version: None,
        endpoint_access: EndpointAccess::Private,
        authorized_cidrs: Default::default(),
        encryption_key_id: Some(key_ref.into()),
        identity_id: Some(identity_id.into()),
        system_pool: SystemPoolSpec {
            machine: Machine {
                machine_type: "Standard_D4ds_v5".into(),
                ..Default::default()
            },
            node_count: 2,
            node_identity_id: None,
        },
        logging: Default::default(),
        tags: Tags::from([("team".into(), "ml".into())]),
        cloud: PerCloud::Azure(AzureClusterSettings {
            resource_group_name: Some(GROUP.into()),
            subnet_id: None,
        }),
    }
}

fn gpu_pool_spec(cluster_id: &str) -> NodePoolSpec {
    NodePoolSpec {
        kubernetes_version: None,
        disk_encryption_key_id: None,
        cluster_id: cluster_id.into(),
        name: "gpu".into(),
        machine: Machine {
            machine_type: "Standard_NC4as_T4_v3".into(),
            accelerator: Some(MachineAccelerator {
                name: "nvidia-t4".into(),
                per_node: 1,
                family: AcceleratorFamily::Gpu,
            }),
            ..Default::default()
        },
        scaling: Scaling::Fixed(1),
        capacity_type: CapacityType::Spot,
        taints: [Taint {
            key: "nvidia.com/gpu".into(),
            value: "present".into(),
            effect: TaintEffect::NoSchedule,
        }]
        .into(),
        labels: [("team".to_string(), "ml".to_string())].into(),
        disk_size_gb: 128,
        zones: Default::default(),
        node_identity_id: None,
        tpu_topology: None,
        tags: Tags::new(),
        cloud: PerCloud::Azure(AzureNodePoolSettings::default()),
    }
}

#[tokio::test]
async fn a_kms_encrypted_private_cluster_with_a_spot_gpu_pool_and_a_workload_identity() {
    let azure = Azure::start();
    azure.create_group().await;
    let backend = azure.backend(&azure.block());

    let key = ObjectBackend::<KeySpec, KeyState>::create(&backend, &key_spec(), &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    let mut cluster_identity = identity_spec(&key.key_ref);
    cluster_identity.grants.clear();
    let cluster_identity =
        ObjectBackend::<IdentitySpec, IdentityState>::create(&backend, &cluster_identity, &op())
            .await
            .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));

    // The cluster's own use of its key is implied: no grant was written for it.
    let spec = cluster_spec(&cluster_identity.id, &key.key_ref);
    let cluster = ObjectBackend::<ClusterSpec, ClusterState>::create(&backend, &spec, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(cluster.status, "Succeeded");
    assert_eq!(cluster.endpoint_access, EndpointAccess::Private);
    assert_eq!(
        cluster.encryption_key_id.as_deref(),
        Some(key.key_ref.as_str())
    );
    assert!(
        cluster.oidc_issuer_url.starts_with("https://"),
        "{}",
        cluster.oidc_issuer_url
    );
    assert!(
        cluster.endpoint.starts_with("https://"),
        "{}",
        cluster.endpoint
    );
    assert_eq!(cluster.system_pool.node_count, 2);
    assert_eq!(cluster.tags, spec.tags);
    assert_eq!(count(&azure.records(), "role_assignments"), 1);

    let pool_spec = gpu_pool_spec(&cluster.id);
    let pool = ObjectBackend::<NodePoolSpec, NodePoolState>::create(&backend, &pool_spec, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(pool.machine_type, "Standard_NC4as_T4_v3");
    assert_eq!(pool.capacity_type, CapacityType::Spot);
    assert_eq!(
        pool.taints, pool_spec.taints,
        "AKS's own spot taint stays hidden"
    );
    assert_eq!(pool.labels, pool_spec.labels);

    // In place: autoscaling instead of a fixed count.
    let mut scaled = pool_spec.clone();
    scaled.scaling = Scaling::Auto { min: 0, max: 4 };
    let pool = ObjectBackend::<NodePoolSpec, NodePoolState>::update(
        &backend,
        &pool.id,
        &pool,
        &scaled,
        &op(),
    )
    .await
    .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(pool.scaling, Scaling::Auto { min: 0, max: 4 });

    let pools = ObjectBackend::<NodePoolSpec, NodePoolState>::list(
        &backend,
        &ListScope {
            location: None,
            parent_id: Some(cluster.id.clone()),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        pools.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["gpu"]
    );
    let clusters =
        ObjectBackend::<ClusterSpec, ClusterState>::list(&backend, &ListScope::default())
            .await
            .unwrap();
    assert_eq!(clusters.len(), 1);

    // A workload identity trusts the cluster's issuer for one service account.
    let mut workload = identity_spec(&key.key_ref);
    workload.name = "ml-serving".into();
    workload.purpose = Purpose::Workload;
    workload.workload = Some(WorkloadBinding {
        cluster_id: cluster.id.clone(),
        namespace: "serving".into(),
        service_account: "model".into(),
    });
    let workload_state =
        ObjectBackend::<IdentitySpec, IdentityState>::create(&backend, &workload, &op())
            .await
            .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(workload_state.workload, workload.workload);
    assert_eq!(count(&azure.records(), "federated_identity_credentials"), 1);

    ObjectBackend::<IdentitySpec, IdentityState>::delete(
        &backend,
        &workload_state.id,
        &workload,
        &op(),
    )
    .await
    .unwrap();
    ObjectBackend::<NodePoolSpec, NodePoolState>::delete(&backend, &pool.id, &scaled, &op())
        .await
        .unwrap();
    ObjectBackend::<ClusterSpec, ClusterState>::delete(&backend, &cluster.id, &spec, &op())
        .await
        .unwrap();
    ObjectBackend::<IdentitySpec, IdentityState>::delete(
        &backend,
        &cluster_identity.id,
        &identity_spec(""),
        &op(),
    )
    .await
    .unwrap();
    ObjectBackend::<KeySpec, KeyState>::delete(&backend, &key.id, &key_spec(), &op())
        .await
        .unwrap();
    let records = azure.records();
    for kind in [
        "managed_clusters",
        "agent_pools",
        "vaults",
        "keys",
        "identities",
        "federated_identity_credentials",
        "role_assignments",
    ] {
        assert_eq!(count(&records, kind), 0, "{kind} left: {records}");
    }
}

/// Panics with the error and the emulator's log.
fn fail<T>(azure: &Azure, error: String) -> T {
    panic!("{error}\n--- emulator ---\n{}", azure.emulator.log())
}

#[tokio::test]
async fn every_create_survives_a_dropped_response_and_throttling_without_a_duplicate() {
    let azure = Azure::start();
    azure.create_group().await;
    // The first write of each kind is applied, then its answer is lost; the next
    // one is throttled with a Retry-After.
    for operation in [
        "vaults.put",
        "keys.put",
        "userAssignedIdentities.put",
        "roleAssignments.put",
        "managedClusters.put",
        "agentPools.put",
    ] {
        azure
            .emulator
            .add_fault(json!({"part": "azure", "operation": operation, "action": "drop_response"}))
            .unwrap();
        azure
            .emulator
            .add_fault(json!({"part": "azure", "operation": operation, "nth": 2,
                "action": {"throttle": {"retry_after_seconds": 1}}}))
            .unwrap();
    }
    let backend = azure.backend(&azure.block());
    let key = ObjectBackend::<KeySpec, KeyState>::create(&backend, &key_spec(), &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    let identity = ObjectBackend::<IdentitySpec, IdentityState>::create(
        &backend,
        &identity_spec(&key.key_ref),
        &op(),
    )
    .await
    .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    let mut bare = identity_spec(&key.key_ref);
    bare.name = "ml-control-plane".into();
    bare.grants.clear();
    let control = ObjectBackend::<IdentitySpec, IdentityState>::create(&backend, &bare, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    let cluster = ObjectBackend::<ClusterSpec, ClusterState>::create(
        &backend,
        &cluster_spec(&control.id, &key.key_ref),
        &op(),
    )
    .await
    .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    ObjectBackend::<NodePoolSpec, NodePoolState>::create(
        &backend,
        &gpu_pool_spec(&cluster.id),
        &op(),
    )
    .await
    .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(identity.grants.len(), 1);

    let records = azure.records();
    for (kind, n) in [
        ("vaults", 1),
        ("keys", 1),
        ("identities", 2),
        ("role_assignments", 2),
        ("managed_clusters", 1),
        ("agent_pools", 2),
    ] {
        assert_eq!(count(&records, kind), n, "{kind}: {records}");
    }
    let faults = azure.emulator.faults().unwrap();
    let fired: u64 = faults
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["fired"].as_u64().unwrap_or_default())
        .sum();
    assert!(fired >= 12, "every fault should have fired: {faults}");
}

#[tokio::test]
async fn a_key_created_again_after_destroy_recovers_its_soft_deleted_vault() {
    let azure = Azure::start();
    azure.create_group().await;
    let backend = azure.backend(&azure.block());
    let first = ObjectBackend::<KeySpec, KeyState>::create(&backend, &key_spec(), &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    ObjectBackend::<KeySpec, KeyState>::delete(&backend, &first.id, &key_spec(), &op())
        .await
        .unwrap();
    assert_eq!(count(&azure.records(), "deleted_vaults"), 1);
    let again = ObjectBackend::<KeySpec, KeyState>::create(&backend, &key_spec(), &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(again.id, first.id);
    assert_eq!(again.key_ref, first.key_ref);
    let records = azure.records();
    assert_eq!(count(&records, "deleted_vaults"), 0, "{records}");
    assert_eq!(count(&records, "vaults"), 1, "{records}");
}

const AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
const AKS_API: &str = "2025-10-01";

/// The roles and principals of the role assignments at exactly `scope`.
async fn assignments_at(azure: &Azure, scope: &str) -> Vec<(String, String)> {
    let listed = azure
        .arm_get(
            &format!("{scope}/providers/Microsoft.Authorization/roleAssignments"),
            "2022-04-01",
        )
        .await;
    let mut found: Vec<(String, String)> = listed["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| {
            a["properties"]["scope"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(scope))
        })
        .map(|a| {
            let role = a["properties"]["roleDefinitionId"]
                .as_str()
                .unwrap_or_default();
            (
                role.rsplit('/').next().unwrap_or_default().to_string(),
                a["properties"]["principalId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn cluster_admins_are_rbac_assignments_at_the_cluster_and_the_caller_is_the_tokens_oid() {
    use mlcloud_provider::clouds::Caller;
    let azure = Azure::start();
    azure.create_group().await;
    let backend = azure.backend(&azure.block());
    let caller = backend.principal().await.unwrap();
    assert_eq!(caller, azure.ready("object_id"), "the token's oid");

    let mut control = identity_spec("");
    control.grants.clear();
    let control = ObjectBackend::<IdentitySpec, IdentityState>::create(&backend, &control, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    let mut spec = cluster_spec(&control.id, "");
    spec.encryption_key_id = None;
    spec.admin_principals = [caller.clone(), control.principal.clone()].into();
    let cluster = ObjectBackend::<ClusterSpec, ClusterState>::create(&backend, &spec, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(cluster.admin_principals, spec.admin_principals);
    let mut expected = vec![
        (AKS_RBAC_CLUSTER_ADMIN.to_string(), caller.clone()),
        (
            AKS_RBAC_CLUSTER_ADMIN.to_string(),
            control.principal.clone(),
        ),
    ];
    expected.sort();
    assert_eq!(assignments_at(&azure, &cluster.id).await, expected);

    // Removing one admin deletes only that assignment.
    let mut fewer = spec.clone();
    fewer.admin_principals = [caller.clone()].into();
    let updated = ObjectBackend::<ClusterSpec, ClusterState>::update(
        &backend,
        &cluster.id,
        &cluster,
        &fewer,
        &op(),
    )
    .await
    .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(updated.admin_principals, fewer.admin_principals);
    assert_eq!(
        assignments_at(&azure, &cluster.id).await,
        [(AKS_RBAC_CLUSTER_ADMIN.to_string(), caller.clone())]
    );
    let read = ObjectBackend::<ClusterSpec, ClusterState>::read(&backend, &cluster.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.admin_principals, fewer.admin_principals);

    // Destroy leaves no assignment behind.
    ObjectBackend::<ClusterSpec, ClusterState>::delete(&backend, &cluster.id, &fewer, &op())
        .await
        .unwrap();
    let records = azure.records();
    assert_eq!(count(&records, "role_assignments"), 0, "{records}");
    assert_eq!(count(&records, "managed_clusters"), 0, "{records}");
}

#[tokio::test]
async fn versions_move_a_minor_at_a_time_and_a_pool_never_passes_its_control_plane() {
    let azure = Azure::start();
    azure.create_group().await;
    let backend = azure.backend(&azure.block());
    let mut control = identity_spec("");
    control.grants.clear();
    let control = ObjectBackend::<IdentitySpec, IdentityState>::create(&backend, &control, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    let mut spec = cluster_spec(&control.id, "");
    spec.encryption_key_id = None;
    spec.kubernetes_version = Some("1.33".into());
    let cluster = ObjectBackend::<ClusterSpec, ClusterState>::create(&backend, &spec, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(
        cluster.kubernetes_version, "1.33",
        "as asked, not AKS's patch"
    );
    let mut pool_spec = gpu_pool_spec(&cluster.id);
    pool_spec.kubernetes_version = Some("1.33".into());
    let pool = ObjectBackend::<NodePoolSpec, NodePoolState>::create(&backend, &pool_spec, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(pool.kubernetes_version, "1.33");

    // A pool ahead of its control plane: AKS's own refusal, the pool unchanged.
    let mut ahead = pool_spec.clone();
    ahead.kubernetes_version = Some("1.34".into());
    let refused = ObjectBackend::<NodePoolSpec, NodePoolState>::update(
        &backend,
        &pool.id,
        &pool,
        &ahead,
        &op(),
    )
    .await
    .map(|_| ())
    .unwrap_err();
    let text = refused.error.to_string();
    assert!(text.contains("NodePoolMcVersionIncompatible"), "{text}");
    assert_eq!(refused.created.unwrap().kubernetes_version, "1.33");

    // The control plane first: the system pool moves with it in the same write.
    let mut upgraded = spec.clone();
    upgraded.kubernetes_version = Some("1.34".into());
    let cluster = ObjectBackend::<ClusterSpec, ClusterState>::update(
        &backend,
        &cluster.id,
        &cluster,
        &upgraded,
        &op(),
    )
    .await
    .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(cluster.kubernetes_version, "1.34");
    let body = azure.arm_get(&cluster.id, AKS_API).await;
    assert!(
        body["properties"]["currentKubernetesVersion"]
            .as_str()
            .unwrap()
            .starts_with("1.34."),
        "{body}"
    );
    let system = azure
        .arm_get(&format!("{}/agentPools/system", cluster.id), AKS_API)
        .await;
    assert_eq!(
        system["properties"]["orchestratorVersion"], "1.34",
        "{system}"
    );

    // Then the user pool, in place.
    let pool = ObjectBackend::<NodePoolSpec, NodePoolState>::update(
        &backend,
        &pool.id,
        &pool,
        &ahead,
        &op(),
    )
    .await
    .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(pool.kubernetes_version, "1.34");
    let body = azure.arm_get(&pool.id, AKS_API).await;
    assert!(
        body["properties"]["currentOrchestratorVersion"]
            .as_str()
            .unwrap()
            .starts_with("1.34."),
        "{body}"
    );
    assert_eq!(
        count(&azure.records(), "agent_pools"),
        2,
        "upgraded, not replaced"
    );
}

#[tokio::test]
async fn a_gpu_pool_without_akss_driver_for_the_gpu_operator() {
    let azure = Azure::start();
    azure.create_group().await;
    let backend = azure.backend(&azure.block());
    let mut control = identity_spec("");
    control.grants.clear();
    let control = ObjectBackend::<IdentitySpec, IdentityState>::create(&backend, &control, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    let mut spec = cluster_spec(&control.id, "");
    spec.encryption_key_id = None;
    let cluster = ObjectBackend::<ClusterSpec, ClusterState>::create(&backend, &spec, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));

    let mut operator = gpu_pool_spec(&cluster.id);
    operator.cloud = PerCloud::Azure(AzureNodePoolSettings {
        gpu_driver: Some("None".into()),
    });
    let pool = ObjectBackend::<NodePoolSpec, NodePoolState>::create(&backend, &operator, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(pool.cloud, operator.cloud);
    let body = azure.arm_get(&pool.id, AKS_API).await;
    assert_eq!(body["properties"]["gpuProfile"]["driver"], "None", "{body}");

    // The default pool: AKS installs the driver, and it reads back as unset.
    let mut default = gpu_pool_spec(&cluster.id);
    default.name = "gpu2".into();
    let pool = ObjectBackend::<NodePoolSpec, NodePoolState>::create(&backend, &default, &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    assert_eq!(
        pool.cloud,
        PerCloud::Azure(AzureNodePoolSettings::default())
    );
    let body = azure.arm_get(&pool.id, AKS_API).await;
    assert_eq!(
        body["properties"]["gpuProfile"]["driver"], "Install",
        "{body}"
    );
}

#[tokio::test]
async fn a_rotation_change_on_a_private_vault_fails_saying_what_to_do() {
    let azure = Azure::start();
    azure.create_group().await;
    let backend = azure.backend(&azure.block());
    let key = ObjectBackend::<KeySpec, KeyState>::create(&backend, &key_spec(), &op())
        .await
        .unwrap_or_else(|e| fail(&azure, format!("{:?}", e.error)));
    let mut longer = key_spec();
    longer.rotation_period_days = 180;
    let refused =
        ObjectBackend::<KeySpec, KeyState>::update(&backend, &key.id, &key, &longer, &op())
            .await
            .map(|_| ())
            .unwrap_err();
    let text = refused.error.to_string();
    assert!(text.contains("ForbiddenByConnection"), "{text}");
    assert!(text.contains("private endpoint"), "{text}");
    // Nothing changed: the state the apply keeps is the key as it is.
    assert_eq!(refused.created.unwrap().rotation_period_days, Some(90));
}
