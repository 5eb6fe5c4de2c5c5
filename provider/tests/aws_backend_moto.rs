//! The AWS backend against moto in server mode: create, read, update and delete each
//! of the four resources' cloud objects through `AwsBackend`, asserting what moto holds
//! with the AWS SDK itself. Each test starts its own moto on a free port (from the
//! project's `.venv`, which `scripts/setup` installs) and stops it at the end.
//!
//! moto sits behind `mlcloud-emulator`'s aws part, which serves the EKS routes moto
//! lacks (access entries, `UpdateClusterVersion`, `UpdateNodegroupVersion`,
//! `DescribeUpdate`). What neither shows is asserted as such: EKS objects are ACTIVE
//! at once (the waiters' state machine is unit-tested against a stub), and node group
//! ARNs cannot be tagged.

use acceptance_tests::emulator::EmulatorProcess;
use aws_config::BehaviorVersion;
use aws_sdk_eks::config::{Credentials, Region};
use mlcloud_provider::clouds::ObjectBackend;
use mlcloud_provider::clouds::aws::AwsBackend;
use mlcloud_provider::clouds::model::*;
use mlcloud_provider::config::aws::AwsConfig;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const REGION: &str = "us-east-1";

/// A moto server for one test, started by the acceptance harness's launcher
/// (free port, readiness probe, log in errors), behind `mlcloud-emulator`'s aws part
/// (the EKS routes moto lacks: access entries, updates, versions); both killed when
/// dropped.
struct Moto {
    // The emulator first: it stops before the server it forwards to.
    _emulator: acceptance_tests::MlcloudEmulator,
    _server: EmulatorProcess,
    url: String,
}

impl Moto {
    fn start() -> Moto {
        let server = acceptance_tests::moto::server_command()
            .start()
            .unwrap_or_else(|error| panic!("{error}"));
        // Always set: moto is told its port.
        let moto = format!("http://127.0.0.1:{}", server.port().unwrap_or_default());
        let emulator = acceptance_tests::MlcloudEmulator::start(&["--moto", &moto])
            .unwrap_or_else(|error| panic!("{error}"));
        let url = emulator.ready()["aws"]["endpoint"]
            .as_str()
            .unwrap_or_else(|| panic!("no aws endpoint in {}", emulator.ready()))
            .to_string();
        Moto {
            _emulator: emulator,
            _server: server,
            url,
        }
    }

    fn provider_block(&self) -> AwsConfig {
        let endpoints = ["eks", "kms", "iam", "sts", "ec2"]
            .into_iter()
            .map(|s| (s.to_string(), Some(self.url.clone())))
            .collect();
        AwsConfig {
            region: Some(REGION.into()),
            access_key: Some("testing".into()),
            secret_key: Some("testing".into()),
            endpoints: Some(endpoints),
            ..AwsConfig::default()
        }
    }

    async fn backend(&self) -> AwsBackend {
        AwsBackend::connect(&self.provider_block())
            .await
            .expect("connect to moto")
            .with_poll_interval(Duration::from_millis(10), Duration::from_millis(50))
    }

    /// SDK clients for reading back what moto holds.
    async fn sdk(&self) -> aws_config::SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .endpoint_url(&self.url)
            .load()
            .await
    }
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The AWS backend as the seam sees it, one kind of object at a time.
/// Two subnets of a new VPC, in us-east-1a and us-east-1b: what EKS asks for.
async fn subnets_in_two_zones(ec2: &aws_sdk_ec2::Client) -> BTreeSet<String> {
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.42.0.0/16")
        .send()
        .await
        .expect("create VPC");
    let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).expect("VPC id");
    let mut subnets = BTreeSet::new();
    for (cidr, zone) in [
        ("10.42.1.0/24", "us-east-1a"),
        ("10.42.2.0/24", "us-east-1b"),
    ] {
        let subnet = ec2
            .create_subnet()
            .vpc_id(vpc_id)
            .cidr_block(cidr)
            .availability_zone(zone)
            .send()
            .await
            .expect("create subnet");
        subnets.insert(
            subnet
                .subnet()
                .and_then(|s| s.subnet_id())
                .expect("subnet id")
                .to_string(),
        );
    }
    subnets
}

fn keys(b: &AwsBackend) -> &dyn ObjectBackend<KeySpec, KeyState> {
    b
}
fn identities(b: &AwsBackend) -> &dyn ObjectBackend<IdentitySpec, IdentityState> {
    b
}
fn clusters(b: &AwsBackend) -> &dyn ObjectBackend<ClusterSpec, ClusterState> {
    b
}
fn pools(b: &AwsBackend) -> &dyn ObjectBackend<NodePoolSpec, NodePoolState> {
    b
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
        location: REGION.into(),
        description: "etcd secrets".into(),
        rotation_period_days: 180,
        deletion_window_days: 7,
        tags: tags(&[("team", "ml-platform")]),
        cloud: PerCloud::Aws(AwsKeySettings {}),
    }
}

fn identity_spec(name: &str, purpose: Purpose) -> IdentitySpec {
    IdentitySpec {
        name: name.into(),
        location: REGION.into(),
        purpose,
        workload: None,
        grants: Vec::new(),
        tags: tags(&[("team", "ml-platform")]),
        cloud: PerCloud::Aws(AwsIdentitySettings::default()),
    }
}

async fn role_tags(iam: &aws_sdk_iam::Client, name: &str) -> BTreeMap<String, String> {
    let role = iam
        .get_role()
        .role_name(name)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    role.tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

async fn attached(iam: &aws_sdk_iam::Client, name: &str) -> Vec<String> {
    let out = iam
        .list_attached_role_policies()
        .role_name(name)
        .send()
        .await
        .unwrap();
    let mut arns: Vec<String> = out
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
        .map(str::to_string)
        .collect();
    arns.sort();
    arns
}

fn decode(document: &str) -> serde_json::Value {
    let text = percent_encoding::percent_decode_str(document)
        .decode_utf8()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn kms_key_lifecycle() {
    let moto = Moto::start();
    let backend = moto.backend().await;
    let kms = aws_sdk_kms::Client::new(&moto.sdk().await);

    let created = keys(&backend)
        .create(&key_spec("it-etcd"), &op())
        .await
        .expect("create key");
    assert!(
        created.id.starts_with("arn:aws:kms:us-east-1:"),
        "{}",
        created.id
    );
    assert_eq!(created.key_ref, created.id);
    assert_eq!(
        (created.name.as_str(), created.location.as_str()),
        ("it-etcd", REGION)
    );
    // moto does not report rotation periods (KMS always does); the resource then
    // keeps the one it asked for.
    assert!(
        matches!(created.rotation_period_days, None | Some(180)),
        "{:?}",
        created.rotation_period_days
    );
    assert_eq!(
        created.tags,
        tags(&[("team", "ml-platform")]),
        "internal tags stay hidden"
    );

    // What moto holds: the alias, rotation, the key policy, our tags and markers.
    let by_alias = kms
        .describe_key()
        .key_id("alias/it-etcd")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(by_alias.arn(), Some(created.id.as_str()));
    assert_eq!(by_alias.description(), Some("etcd secrets"));
    let rotation = kms
        .get_key_rotation_status()
        .key_id(&created.id)
        .send()
        .await
        .unwrap();
    assert!(rotation.key_rotation_enabled());
    let policy = kms
        .get_key_policy()
        .key_id(&created.id)
        .policy_name("default")
        .send()
        .await
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    // The account root, and Auto Scaling for the nodes' EBS volumes (its
    // service-linked role made first: KMS refuses a principal that does not exist).
    assert_eq!(policy["Statement"].as_array().unwrap().len(), 3);
    assert_eq!(
        policy["Statement"][0]["Principal"]["AWS"][0],
        "arn:aws:iam::123456789012:root"
    );
    let autoscaling = "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
    assert_eq!(policy["Statement"][1]["Principal"]["AWS"][0], autoscaling);
    assert_eq!(policy["Statement"][2]["Action"][0], "kms:CreateGrant");
    let iam = aws_sdk_iam::Client::new(&moto.sdk().await);
    let role = iam
        .get_role()
        .role_name("AWSServiceRoleForAutoScaling")
        .send()
        .await
        .unwrap();
    assert_eq!(role.role().map(|r| r.arn()), Some(autoscaling));
    let mut on_key: BTreeMap<String, String> = kms
        .list_resource_tags()
        .key_id(&created.id)
        .send()
        .await
        .unwrap()
        .tags()
        .iter()
        .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
        .collect();
    // The create's own token, for recognising the key after a lost answer.
    let token = on_key
        .remove("mlcloud-create-token")
        .expect("a create token tag");
    assert!(token.starts_with("mlcloud-"), "{token}");
    assert_eq!(
        on_key,
        tags(&[
            ("mlcloud-managed", "true"),
            ("mlcloud-name", "it-etcd"),
            ("team", "ml-platform")
        ])
    );

    // Another create of the same name (another state's) never takes this key over.
    let again = keys(&backend)
        .create(&key_spec("it-etcd"), &op())
        .await
        .expect_err("a second create of the name is refused");
    assert!(again.created.is_none());
    assert!(
        again.error.to_string().contains(&format!(
            "a key with alias alias/it-etcd already exists (key ID {}); import it",
            by_alias.key_id()
        )),
        "{}",
        again.error
    );
    let listed = kms.list_keys().send().await.unwrap();
    assert_eq!(listed.keys().len(), 1, "no second key");

    // An alias on a key mlcloud did not make is an error, not an adoption.
    let foreign = kms.create_key().send().await.unwrap().key_metadata.unwrap();
    kms.create_alias()
        .alias_name("alias/it-foreign")
        .target_key_id(foreign.key_id())
        .send()
        .await
        .unwrap();
    let refused = keys(&backend)
        .create(&key_spec("it-foreign"), &op())
        .await
        .unwrap_err();
    assert!(refused.created.is_none());
    assert!(
        refused
            .error
            .to_string()
            .contains("import it with `terraform import"),
        "{}",
        refused.error
    );

    // Update in place: description, rotation period, tags.
    let mut changed = key_spec("it-etcd");
    changed.description = "etcd secrets, rotated".into();
    changed.rotation_period_days = 90;
    changed.tags = tags(&[("team", "ml"), ("env", "test")]);
    let updated = keys(&backend)
        .update(&created.id, &created, &changed, &op())
        .await
        .expect("update key");
    assert_eq!(updated.description, "etcd secrets, rotated");
    assert!(matches!(updated.rotation_period_days, None | Some(90)));
    assert_eq!(updated.tags, changed.tags);
    let rotation = kms
        .get_key_rotation_status()
        .key_id(&created.id)
        .send()
        .await
        .unwrap();
    assert!(rotation.key_rotation_enabled());
    let read = keys(&backend)
        .read(&created.id)
        .await
        .unwrap()
        .expect("key exists");
    assert_eq!(
        (read.description, read.tags),
        (updated.description, updated.tags)
    );

    // Delete schedules deletion with the window, drops the alias, and reads as gone.
    keys(&backend)
        .delete(&created.id, &key_spec("it-etcd"), &op())
        .await
        .expect("delete key");
    let meta = kms
        .describe_key()
        .key_id(&created.id)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(
        meta.key_state().map(|s| s.as_str()),
        Some("PendingDeletion")
    );
    assert!(
        kms.describe_key()
            .key_id("alias/it-etcd")
            .send()
            .await
            .is_err(),
        "alias removed"
    );
    assert_eq!(keys(&backend).read(&created.id).await.unwrap(), None);
    // Deleting again is fine, and the name can be used for a new key at once.
    keys(&backend)
        .delete(&created.id, &key_spec("it-etcd"), &op())
        .await
        .expect("second delete");
    let replacement = keys(&backend)
        .create(&key_spec("it-etcd"), &op())
        .await
        .expect("recreate");
    assert_ne!(replacement.id, created.id);
}

#[tokio::test]
async fn identities_cluster_and_node_pool_lifecycle() {
    let moto = Moto::start();
    let backend = moto.backend().await;
    let sdk = moto.sdk().await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let eks = aws_sdk_eks::Client::new(&sdk);
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let subnets = subnets_in_two_zones(&ec2).await;

    // ------------------------------------------------ identities for the cluster
    let key = keys(&backend)
        .create(&key_spec("it-cluster-key"), &op())
        .await
        .unwrap();
    let cluster_role = identities(&backend)
        .create(&identity_spec("it-cluster", Purpose::Cluster), &op())
        .await
        .expect("cluster role");
    let node_role = identities(&backend)
        .create(&identity_spec("it-node", Purpose::Node), &op())
        .await
        .expect("node role");
    assert_eq!(cluster_role.purpose, Purpose::Cluster);
    assert_eq!(cluster_role.principal, cluster_role.id);
    assert!(
        cluster_role.client_id.starts_with("AROA"),
        "{}",
        cluster_role.client_id
    );
    assert_eq!(
        attached(&iam, "it-cluster").await,
        ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]
    );
    assert_eq!(
        attached(&iam, "it-node").await,
        [
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        ]
    );
    let role = iam
        .get_role()
        .role_name("it-node")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let trust = decode(role.assume_role_policy_document().unwrap());
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"][0],
        "ec2.amazonaws.com"
    );
    // EC2 is not documented to honour aws:SourceAccount for instance profiles.
    assert!(trust["Statement"][0].get("Condition").is_none(), "{trust}");
    // The cluster role lets EKS in only on behalf of this account (confused deputy).
    let role = iam
        .get_role()
        .role_name("it-cluster")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let trust = decode(role.assume_role_policy_document().unwrap());
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"][0],
        "eks.amazonaws.com"
    );
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"][0],
        "123456789012"
    );
    // A role made before the pin (no condition) reads back as the same cluster role,
    // and the next update rewrites its trust policy to the pinned one.
    iam.update_assume_role_policy()
        .role_name("it-cluster")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Sid":"EksControlPlane","Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    let legacy = identities(&backend)
        .read(&cluster_role.id)
        .await
        .unwrap()
        .expect("still there");
    assert_eq!(legacy.purpose, Purpose::Cluster);
    identities(&backend)
        .update(
            &cluster_role.id,
            &legacy,
            &identity_spec("it-cluster", Purpose::Cluster),
            &op(),
        )
        .await
        .expect("converged");
    let role = iam
        .get_role()
        .role_name("it-cluster")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let trust = decode(role.assume_role_policy_document().unwrap());
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"][0], "123456789012",
        "{trust}"
    );

    // ------------------------------------------------ cluster with its system pool
    let cluster_spec = ClusterSpec {
        name: "it-main".into(),
        location: REGION.into(),
        kubernetes_version: Some("1.31".into()),
        endpoint_access: EndpointAccess::Private,
        authorized_cidrs: BTreeSet::new(),
        encryption_key_id: Some(key.key_ref.clone()),
        identity_id: Some(cluster_role.id.clone()),
        system_pool: SystemPoolSpec {
            machine: Machine {
                machine_type: "m6i.large".into(),
                ..Default::default()
            },
            node_count: 2,
            node_identity_id: Some(node_role.id.clone()),
        },
        admin_principals: Default::default(),
        logging: set(&[
            "api",
            "audit",
            "authenticator",
            "controllerManager",
            "scheduler",
        ]),
        cloud: PerCloud::Aws(AwsClusterSettings {
            subnet_ids: subnets.clone(),
            security_group_ids: set(&["sg-1"]),
        }),
        tags: tags(&[("env", "test")]),
    };
    let cluster = clusters(&backend)
        .create(&cluster_spec, &op())
        .await
        .expect("create cluster");
    assert_eq!(
        cluster.id,
        "arn:aws:eks:us-east-1:123456789012:cluster/it-main"
    );
    assert_eq!(cluster.status, "ACTIVE");
    assert_eq!(cluster.kubernetes_version, "1.31");
    assert_eq!(
        cluster.encryption_key_id.as_deref(),
        Some(key.key_ref.as_str())
    );
    assert_eq!(cluster.endpoint_access, EndpointAccess::Private);
    assert_eq!(cluster.logging, cluster_spec.logging);
    assert_eq!(
        cluster.system_pool,
        SystemPool {
            machine_type: "m6i.large".into(),
            node_count: 2,
            node_identity_id: Some(node_role.id.clone()),
        }
    );
    assert!(
        cluster.oidc_issuer_url.starts_with("https://"),
        "{}",
        cluster.oidc_issuer_url
    );

    let described = eks
        .describe_cluster()
        .name("it-main")
        .send()
        .await
        .unwrap()
        .cluster
        .unwrap();
    let vpc = described.resources_vpc_config().unwrap();
    assert!(vpc.endpoint_private_access() && !vpc.endpoint_public_access());
    assert_eq!(
        described.encryption_config()[0]
            .provider()
            .unwrap()
            .key_arn(),
        Some(key.key_ref.as_str())
    );
    assert_eq!(
        described.tags().unwrap().get("env").map(String::as_str),
        Some("test")
    );
    let system = eks
        .describe_nodegroup()
        .cluster_name("it-main")
        .nodegroup_name("system")
        .send()
        .await
        .unwrap()
        .nodegroup
        .unwrap();
    assert_eq!(system.instance_types(), ["m6i.large"]);
    assert_eq!(system.scaling_config().unwrap().desired_size(), Some(2));
    assert_eq!(system.node_role(), Some(node_role.id.as_str()));
    let issuer = cluster
        .oidc_issuer_url
        .trim_start_matches("https://")
        .to_string();
    let provider_arn = format!("arn:aws:iam::123456789012:oidc-provider/{issuer}");
    let provider = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&provider_arn)
        .send()
        .await
        .expect("OIDC provider");
    assert_eq!(provider.client_id_list(), ["sts.amazonaws.com"]);
    assert!(
        provider
            .tags()
            .iter()
            .any(|t| t.key() == "mlcloud-cluster-it-main")
    );

    // ------------------------------------------------ workload identity (IRSA) with grants
    let mut workload = identity_spec("it-inference", Purpose::Workload);
    workload.workload = Some(WorkloadBinding {
        cluster_id: cluster.id.clone(),
        namespace: "ml-serving".into(),
        service_account: "inference".into(),
    });
    workload.grants = vec![
        Grant {
            action: GrantAction::KmsDecrypt,
            target: key.key_ref.clone(),
        },
        Grant {
            action: GrantAction::ModelStoreRead,
            target: "s3://models-bucket/llama/".into(),
        },
    ];
    let inference = identities(&backend)
        .create(&workload, &op())
        .await
        .expect("workload role");
    assert_eq!(inference.workload, workload.workload);
    assert_eq!(inference.grants, workload.grants);
    let role = iam
        .get_role()
        .role_name("it-inference")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let trust = decode(role.assume_role_policy_document().unwrap());
    assert_eq!(
        trust["Statement"][0]["Principal"]["Federated"][0],
        provider_arn.as_str()
    );
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"][format!("{issuer}:sub")][0],
        "system:serviceaccount:ml-serving:inference"
    );
    let inline = iam
        .get_role_policy()
        .role_name("it-inference")
        .policy_name("mlcloud-grants")
        .send()
        .await
        .unwrap();
    let inline = decode(inline.policy_document());
    assert_eq!(inline["Statement"][0]["Resource"][0], key.key_ref.as_str());
    assert_eq!(
        inline["Statement"][1]["Resource"][0],
        "arn:aws:s3:::models-bucket/llama/*"
    );
    // Both S3 statements (objects, list) only reach a bucket this account owns.
    for s3 in [&inline["Statement"][1], &inline["Statement"][2]] {
        assert_eq!(
            s3["Condition"]["StringEquals"]["s3:ResourceAccount"][0], "123456789012",
            "{s3}"
        );
    }

    // Update: another grant, a permissions boundary, a new service account, tags.
    let boundary = iam
        .create_policy()
        .policy_name("it-boundary")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::models-bucket/*"}]}"#)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    workload.grants.push(Grant {
        action: GrantAction::ModelStoreWrite,
        target: "s3://models-bucket/out/".into(),
    });
    workload.cloud = PerCloud::Aws(AwsIdentitySettings {
        permissions_boundary_arn: Some(boundary.clone()),
    });
    workload.workload.as_mut().unwrap().service_account = "batch".into();
    workload.tags = tags(&[("team", "research")]);
    let updated = identities(&backend)
        .update(&inference.id, &inference, &workload, &op())
        .await
        .expect("update workload role");
    assert_eq!(updated.grants, workload.grants);
    assert_eq!(
        updated
            .cloud
            .aws()
            .and_then(|a| a.permissions_boundary_arn.as_deref()),
        Some(boundary.as_str())
    );
    assert_eq!(updated.workload.as_ref().unwrap().service_account, "batch");
    assert_eq!(updated.tags, workload.tags);
    let role_tags = role_tags(&iam, "it-inference").await;
    assert_eq!(role_tags.get("team").map(String::as_str), Some("research"));
    assert_eq!(role_tags.get("mlcloud-workload-cluster"), Some(&cluster.id));
    assert_eq!(
        role_tags.get("mlcloud-name").map(String::as_str),
        Some("it-inference")
    );
    assert_eq!(
        identities(&backend)
            .read(&inference.id)
            .await
            .unwrap()
            .as_ref(),
        Some(&updated)
    );

    // ------------------------------------------------ cluster updates
    let mut cluster_change = cluster_spec.clone();
    cluster_change.logging = set(&["audit", "api"]);
    cluster_change.endpoint_access = EndpointAccess::Public;
    cluster_change.authorized_cidrs = set(&["203.0.113.0/24"]);
    cluster_change.tags = tags(&[("env", "test"), ("cost-center", "42")]);
    cluster_change.system_pool.node_count = 3;
    let changed = clusters(&backend)
        .update(&cluster.id, &cluster, &cluster_change, &op())
        .await
        .expect("update cluster");
    assert_eq!(changed.logging, set(&["api", "audit"]));
    assert_eq!(changed.endpoint_access, EndpointAccess::Public);
    assert_eq!(changed.authorized_cidrs, set(&["203.0.113.0/24"]));
    assert_eq!(changed.tags, cluster_change.tags);
    assert_eq!(changed.system_pool.node_count, 3);
    assert_eq!(
        changed.cloud, cluster_spec.cloud,
        "subnets survive an endpoint update"
    );
    let described = eks
        .describe_cluster()
        .name("it-main")
        .send()
        .await
        .unwrap()
        .cluster
        .unwrap();
    assert!(
        described
            .resources_vpc_config()
            .unwrap()
            .endpoint_public_access()
    );
    assert_eq!(
        described
            .tags()
            .unwrap()
            .get("cost-center")
            .map(String::as_str),
        Some("42")
    );

    // An upgrade (the emulator's EKS versions, moto has none): the control plane, then
    // the system node group, each through its update id.
    let mut newer = cluster_change.clone();
    newer.kubernetes_version = Some("1.32".into());
    let upgraded = clusters(&backend)
        .update(&cluster.id, &changed, &newer, &op())
        .await
        .unwrap_or_else(|failure| panic!("{}", failure.error));
    assert_eq!(upgraded.kubernetes_version, "1.32");
    let system = eks
        .describe_nodegroup()
        .cluster_name("it-main")
        .nodegroup_name("system")
        .send()
        .await
        .unwrap()
        .nodegroup
        .unwrap();
    assert_eq!(system.version(), Some("1.32"), "the system nodes follow");
    // Two minor versions in one step are refused by EKS, and the cluster stays.
    let mut skip = newer.clone();
    skip.kubernetes_version = Some("1.34".into());
    let refused = clusters(&backend)
        .update(&cluster.id, &upgraded, &skip, &op())
        .await
        .unwrap_err();
    assert!(
        refused.error.has_code("InvalidParameterException"),
        "{}",
        refused.error
    );
    assert_eq!(
        refused.created.as_ref().map(|c| c.id.as_str()),
        Some(cluster.id.as_str())
    );

    // ------------------------------------------------ a GPU node pool
    let pool_spec = NodePoolSpec {
        cluster_id: cluster.id.clone(),
        name: "gpu-l4".into(),
        machine: Machine {
            machine_type: "g6.xlarge".into(),
            accelerator: Some(MachineAccelerator {
                name: "nvidia-l4".into(),
                per_node: 1,
                family: AcceleratorFamily::Gpu,
            }),
            architecture: Architecture::X86_64,
        },
        scaling: Scaling::Fixed(1),
        capacity_type: CapacityType::Spot,
        taints: BTreeSet::from([Taint {
            key: "nvidia.com/gpu".into(),
            value: "present".into(),
            effect: TaintEffect::NoSchedule,
        }]),
        labels: BTreeMap::from([("workload".to_string(), "inference".to_string())]),
        disk_size_gb: 200,
        zones: BTreeSet::new(),
        node_identity_id: Some(node_role.id.clone()),
        tpu_topology: None,
        kubernetes_version: None,
        disk_encryption_key_id: Some(key.key_ref.clone()),
        tags: tags(&[("pool", "gpu")]),
        cloud: PerCloud::Aws(AwsNodePoolSettings {}),
    };
    let pool = pools(&backend)
        .create(&pool_spec, &op())
        .await
        .expect("create node pool");
    assert!(
        pool.id
            .starts_with("arn:aws:eks:us-east-1:123456789012:nodegroup/it-main/gpu-l4/"),
        "{}",
        pool.id
    );
    assert_eq!(pool.cluster_id, cluster.id);
    assert_eq!(
        (pool.machine_type.as_str(), pool.scaling, pool.capacity_type),
        ("g6.xlarge", Scaling::Fixed(1), CapacityType::Spot)
    );
    assert_eq!(
        (pool.taints.clone(), pool.labels.clone()),
        (pool_spec.taints.clone(), pool_spec.labels.clone())
    );
    assert_eq!(pool.disk_size_gb, 200);
    assert_eq!(pool.tags, pool_spec.tags);
    let group = eks
        .describe_nodegroup()
        .cluster_name("it-main")
        .nodegroup_name("gpu-l4")
        .send()
        .await
        .unwrap()
        .nodegroup
        .unwrap();
    assert_eq!(
        group.ami_type().map(|a| a.as_str()),
        Some("AL2023_x86_64_NVIDIA")
    );
    assert_eq!(group.capacity_type().map(|c| c.as_str()), Some("SPOT"));
    assert_eq!(
        group.taints()[0].effect().map(|e| e.as_str()),
        Some("NO_SCHEDULE")
    );
    assert_eq!(
        group.subnets().iter().cloned().collect::<BTreeSet<_>>(),
        subnets
    );
    // No `zones`: the pool spans the cluster, whose zones it reports.
    assert!(pool.spans_cluster);
    assert_eq!(pool.zones, set(&["us-east-1a", "us-east-1b"]));
    let template_id = group.launch_template().unwrap().id().unwrap().to_string();
    let versions = ec2
        .describe_launch_template_versions()
        .launch_template_id(&template_id)
        .send()
        .await
        .unwrap();
    let data = versions.launch_template_versions()[0]
        .launch_template_data()
        .unwrap();
    let metadata = data.metadata_options().unwrap();
    assert_eq!(metadata.http_tokens().map(|t| t.as_str()), Some("required"));
    assert_eq!(metadata.http_put_response_hop_limit(), Some(1));
    assert_eq!(
        data.block_device_mappings()[0].ebs().unwrap().volume_size(),
        Some(200)
    );

    // In place: scale, change a taint's value, swap labels.
    let mut pool_change = pool_spec.clone();
    pool_change.scaling = Scaling::Auto { min: 1, max: 4 };
    pool_change.taints = BTreeSet::from([Taint {
        key: "nvidia.com/gpu".into(),
        value: "true".into(),
        effect: TaintEffect::NoSchedule,
    }]);
    pool_change.labels = BTreeMap::from([("tier".to_string(), "gold".to_string())]);
    let resized = pools(&backend)
        .update(&pool.id, &pool, &pool_change, &op())
        .await
        .expect("update node pool");
    assert_eq!(resized.scaling, Scaling::Auto { min: 1, max: 4 });
    assert_eq!(resized.taints, pool_change.taints);
    assert_eq!(resized.labels, pool_change.labels);
    let group = eks
        .describe_nodegroup()
        .cluster_name("it-main")
        .nodegroup_name("gpu-l4")
        .send()
        .await
        .unwrap()
        .nodegroup
        .unwrap();
    let scaling = group.scaling_config().unwrap();
    assert_eq!(
        (
            scaling.min_size(),
            scaling.max_size(),
            scaling.desired_size()
        ),
        (Some(1), Some(4), Some(1))
    );

    // Tags change in place (TagResource/UntagResource on the node group's ARN, which
    // mlcloud-emulator's aws part serves: moto tags clusters only), the autoscaler's
    // discovery tags staying as the scaling wants them.
    let mut retagged = pool_change.clone();
    retagged.tags = tags(&[("pool", "gpu-2")]);
    let retagged_pool = pools(&backend)
        .update(&pool.id, &resized, &retagged, &op())
        .await
        .expect("retag node pool");
    assert_eq!(retagged_pool.tags, retagged.tags);
    let described = eks
        .describe_nodegroup()
        .cluster_name("it-main")
        .nodegroup_name("gpu-l4")
        .send()
        .await
        .unwrap();
    let group_tags = described.nodegroup().unwrap().tags().unwrap();
    assert_eq!(group_tags.get("pool").map(String::as_str), Some("gpu-2"));
    assert!(
        group_tags.contains_key("k8s.io/cluster-autoscaler/enabled"),
        "an autoscaled group carries the discovery tags: {group_tags:?}"
    );

    // Deleted out of band: reads as gone.
    eks.delete_nodegroup()
        .cluster_name("it-main")
        .nodegroup_name("gpu-l4")
        .send()
        .await
        .unwrap();
    assert_eq!(pools(&backend).read(&pool.id).await.unwrap(), None);
    pools(&backend)
        .delete(&pool.id, &pool_spec, &op())
        .await
        .expect("deleting a gone pool is fine");
    ec2.delete_launch_template()
        .launch_template_id(&template_id)
        .send()
        .await
        .unwrap();

    // A second pool, deleted through the backend: group and launch template go.
    let mut cpu = pool_spec.clone();
    cpu.name = "cpu".into();
    cpu.machine = Machine {
        machine_type: "m6i.xlarge".into(),
        ..Default::default()
    };
    cpu.taints = BTreeSet::new();
    let cpu_pool = pools(&backend).create(&cpu, &op()).await.expect("cpu pool");
    let group = eks
        .describe_nodegroup()
        .cluster_name("it-main")
        .nodegroup_name("cpu")
        .send()
        .await
        .unwrap()
        .nodegroup
        .unwrap();
    assert_eq!(
        group.ami_type().map(|a| a.as_str()),
        Some("AL2023_x86_64_STANDARD")
    );
    pools(&backend)
        .delete(&cpu_pool.id, &pool_spec, &op())
        .await
        .expect("delete cpu pool");
    assert!(
        eks.describe_nodegroup()
            .cluster_name("it-main")
            .nodegroup_name("cpu")
            .send()
            .await
            .is_err()
    );

    // ------------------------------------------------ teardown: moto holds nothing of ours
    clusters(&backend)
        .delete(&cluster.id, &cluster_spec, &op())
        .await
        .expect("delete cluster");
    assert!(
        eks.list_clusters()
            .send()
            .await
            .unwrap()
            .clusters()
            .is_empty()
    );
    assert!(
        iam.get_open_id_connect_provider()
            .open_id_connect_provider_arn(&provider_arn)
            .send()
            .await
            .is_err(),
        "OIDC provider deleted"
    );
    assert_eq!(clusters(&backend).read(&cluster.id).await.unwrap(), None);
    for id in [&inference.id, &cluster_role.id, &node_role.id] {
        identities(&backend)
            .delete(id, &identity_spec("any", Purpose::Node), &op())
            .await
            .expect("delete identity");
        assert_eq!(identities(&backend).read(id).await.unwrap(), None);
    }
    let roles = iam.list_roles().send().await.unwrap();
    assert!(
        !roles
            .roles()
            .iter()
            .any(|r| r.role_name().starts_with("it-")),
        "roles left: {:?}",
        roles.roles()
    );
    let templates = ec2.describe_launch_templates().send().await.unwrap();
    assert!(
        templates.launch_templates().is_empty(),
        "launch templates left: {:?}",
        templates.launch_templates()
    );
    keys(&backend)
        .delete(&key.id, &key_spec("it-cluster-key"), &op())
        .await
        .unwrap();
}
