//! After [`Stack::new`](crate::stack::Stack::new) is applied: each resource's state
//! agrees with what moto holds, and what moto holds is what the contract promises.

use std::collections::BTreeSet;

use acceptance_tests::moto::{ACCOUNT_ID, REGION};
use acceptance_tests::{Moto, Network, State, TestResult};
use aws_sdk_ec2::types::LaunchTemplateHttpTokensState;
use serde_json::{Value, json};

use crate::expect::{assert_tags_all, resource, rotation_periods_sent};
use crate::records::{
    Records, assert_marked, eks_tags, principals, scaling_of, statements, strings, taints_of,
    user_tags,
};
use crate::stack::*;

const CLUSTER_POLICY: &str = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy";
const NODE_POLICIES: [&str; 3] = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];
const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// The symmetric key with its alias, rotation and a policy that trusts only the
/// account root. Returns the key ARN.
pub fn key_matches_moto(
    moto: &Moto,
    state: &State,
) -> Result<String, acceptance_tests::HarnessError> {
    let records = Records::of(moto);
    let values = resource(state, KEY);
    let arn = text(values, "id");
    assert_eq!(values["key_ref"], arn.as_str(), "key_ref is the key ARN");
    assert_eq!(values["location"], REGION);
    assert_eq!(values["rotation_period_days"], 180);
    assert_eq!(values["deletion_window_days"], 7);

    let key = records.key(&arn)?;
    assert_eq!(key.arn(), Some(arn.as_str()));
    assert_eq!(key.key_state().map(|s| s.as_str()), Some("Enabled"));
    assert_eq!(
        key.key_spec().map(|s| s.as_str()),
        Some("SYMMETRIC_DEFAULT")
    );
    assert_eq!(key.description(), Some("etcd secrets"));
    let key_id = key.key_id().to_owned();
    assert_eq!(records.aliases_of(&key_id)?, [format!("alias/{KEY_NAME}")]);
    assert!(records.key_rotation_enabled(&key_id)?, "rotation is on");
    let periods = rotation_periods_sent(moto)?;
    assert!(
        !periods.is_empty() && periods.iter().all(|days| *days == 180),
        "EnableKeyRotation carried RotationPeriodInDays = 180: {periods:?}"
    );
    let policy = records.key_policy(&key_id)?;
    let root = format!("arn:aws:iam::{ACCOUNT_ID}:root");
    let autoscaling = format!(
        "arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    );
    assert_eq!(
        principals(&policy),
        [
            ("AWS".to_owned(), root),
            ("AWS".to_owned(), autoscaling.clone()),
            ("AWS".to_owned(), autoscaling),
        ],
        "the account root, and Auto Scaling for the nodes' EBS volumes: {policy}"
    );
    let tags_all = assert_tags_all(state, KEY, &[("purpose", "etcd")]);
    let on_key = records.key_tags(&key_id)?;
    assert_eq!(user_tags(on_key.clone()), tags_all, "the key's tags in KMS");
    assert_marked(&on_key, "ml-etcd");
    Ok(arn)
}

/// The cluster and node roles trust their AWS service and carry the managed policies
/// of their purpose.
pub fn service_roles_match_moto(moto: &Moto, state: &State) -> TestResult {
    let records = Records::of(moto);
    let node_policies: BTreeSet<String> = NODE_POLICIES.iter().map(|p| p.to_string()).collect();
    for (address, role_name, service, policies) in [
        (
            CLUSTER_IDENTITY,
            CLUSTER_ROLE,
            "eks.amazonaws.com",
            BTreeSet::from([CLUSTER_POLICY.to_owned()]),
        ),
        (NODE_IDENTITY, NODE_ROLE, "ec2.amazonaws.com", node_policies),
    ] {
        let role = records.role(role_name)?;
        role_state_matches(state, address, &role);
        let trust = records.trust_policy(role_name)?;
        assert_eq!(
            principals(&trust),
            [("Service".to_owned(), service.to_owned())],
            "{role_name} trusts {service} only: {trust}"
        );
        assert_eq!(actions(&trust), ["sts:AssumeRole"], "{trust}");
        // EKS may assume the cluster role only on behalf of this account (the
        // confused-deputy pin); node roles carry none, as EC2 does not document it.
        let source_accounts: Vec<String> = statements(&trust)
            .into_iter()
            .flat_map(|statement| {
                strings(&statement["Condition"]["StringEquals"]["aws:SourceAccount"])
            })
            .collect();
        let pinned: &[&str] = if role_name == CLUSTER_ROLE {
            &[ACCOUNT_ID]
        } else {
            &[]
        };
        assert_eq!(source_accounts, pinned, "{role_name}: {trust}");
        assert_eq!(
            records.attached_policy_arns(role_name)?,
            policies,
            "{role_name}"
        );
        let tags_all = assert_tags_all(state, address, &[]);
        let on_role = records.role_tags(role_name)?;
        assert_eq!(
            user_tags(on_role.clone()),
            tags_all,
            "{role_name}'s tags in IAM"
        );
        assert_marked(&on_role, role_name);
    }
    Ok(())
}

/// The workload role trusts the cluster's OIDC provider for exactly one service
/// account, and its one inline policy grants exactly the two grants.
pub fn workload_identity_matches_moto(moto: &Moto, state: &State, key_arn: &str) -> TestResult {
    let records = Records::of(moto);
    let role = records.role(WORKLOAD_ROLE)?;
    role_state_matches(state, WORKLOAD_IDENTITY, &role);
    assert_eq!(
        role.permissions_boundary()
            .and_then(|boundary| boundary.permissions_boundary_arn()),
        Some(PERMISSIONS_BOUNDARY)
    );

    let issuer = records
        .cluster(CLUSTER_NAME)?
        .identity()
        .and_then(|identity| identity.oidc())
        .and_then(|oidc| oidc.issuer())
        .expect("the cluster has an OIDC issuer")
        .to_owned();
    let issuer_host = issuer.trim_start_matches("https://");
    let provider_arn = format!("arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{issuer_host}");
    assert!(
        records.oidc_provider_arns()?.contains(&provider_arn),
        "an IAM OIDC provider for {issuer}"
    );
    let (client_ids, provider_tags) = records.oidc_provider(&provider_arn)?;
    assert_eq!(client_ids, ["sts.amazonaws.com"]);
    assert!(
        provider_tags
            .iter()
            .any(|(key, value)| key.contains(CLUSTER_NAME) || value.contains(CLUSTER_NAME)),
        "the OIDC provider is tagged with its cluster: {provider_tags:?}"
    );

    let trust = records.trust_policy(WORKLOAD_ROLE)?;
    assert_eq!(
        principals(&trust),
        [("Federated".to_owned(), provider_arn)],
        "{trust}"
    );
    assert_eq!(
        actions(&trust),
        ["sts:AssumeRoleWithWebIdentity"],
        "{trust}"
    );
    // Exact matches (StringEquals), one service account and one audience.
    let conditions = &statements(&trust)[0]["Condition"]["StringEquals"];
    assert_eq!(
        strings(&conditions[format!("{issuer_host}:sub")]),
        [format!(
            "system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT}"
        )],
        "{trust}"
    );
    assert_eq!(
        strings(&conditions[format!("{issuer_host}:aud")]),
        ["sts.amazonaws.com"],
        "{trust}"
    );

    assert!(records.attached_policy_arns(WORKLOAD_ROLE)?.is_empty());
    assert_eq!(
        records.inline_policy_names(WORKLOAD_ROLE)?,
        ["mlcloud-grants"]
    );
    grants_are_exact(
        &records.inline_policy(WORKLOAD_ROLE, "mlcloud-grants")?,
        key_arn,
    );
    Ok(())
}

/// `kms_decrypt` on the key and `model_store_read` on `s3://models-bucket/llama/`,
/// and nothing else: no wildcard action, no `*` resource.
fn grants_are_exact(policy: &Value, key_arn: &str) {
    let mut granted = BTreeSet::new();
    for statement in statements(policy) {
        assert_eq!(statement["Effect"], "Allow", "{policy}");
        let actions = strings(&statement["Action"]);
        assert!(
            actions.iter().all(|action| !action.contains('*')),
            "no wildcard action: {policy}"
        );
        assert!(
            strings(&statement["Resource"]).iter().all(|r| r != "*"),
            "no `*` resource: {policy}"
        );
        granted.extend(actions);
    }
    let expected: BTreeSet<String> = [
        "kms:Decrypt",
        "kms:DescribeKey",
        "s3:GetObject",
        "s3:ListBucket",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(granted, expected, "{policy}");

    // Every S3 statement reaches only buckets this account owns.
    for statement in statements(policy) {
        if strings(&statement["Action"])
            .iter()
            .any(|a| a.starts_with("s3:"))
        {
            assert_eq!(
                strings(&statement["Condition"]["StringEquals"]["s3:ResourceAccount"]),
                [ACCOUNT_ID],
                "{policy}"
            );
        }
    }

    let resources_of = |action: &str| {
        let statement = statements(policy)
            .into_iter()
            .find(|statement| strings(&statement["Action"]).iter().any(|a| a == action))
            .expect("granted above");
        (
            strings(&statement["Resource"]),
            statement["Condition"].clone(),
        )
    };
    assert_eq!(resources_of("kms:Decrypt").0, [key_arn]);
    assert_eq!(resources_of("kms:DescribeKey").0, [key_arn]);
    assert_eq!(
        resources_of("s3:GetObject").0,
        ["arn:aws:s3:::models-bucket/llama/*"]
    );
    let (bucket, condition) = resources_of("s3:ListBucket");
    assert_eq!(bucket, ["arn:aws:s3:::models-bucket"]);
    let prefixes: Vec<String> = condition
        .as_object()
        .into_iter()
        .flat_map(|operators| operators.values())
        .flat_map(|keys| strings(&keys["s3:prefix"]))
        .collect();
    assert!(
        !prefixes.is_empty() && prefixes.iter().all(|p| p.starts_with("llama/")),
        "ListBucket is limited to the llama/ prefix: {policy}"
    );
}

/// EKS with secrets encrypted by the key, a private endpoint, every log type, the
/// cluster role, and the system node group. Returns the cluster ARN.
pub fn cluster_matches_moto(
    moto: &Moto,
    state: &State,
    network: &Network,
    key_arn: &str,
) -> Result<String, acceptance_tests::HarnessError> {
    let records = Records::of(moto);
    let values = resource(state, CLUSTER);
    let cluster = records.cluster(CLUSTER_NAME)?;
    let arn = text(values, "id");
    assert_eq!(cluster.arn(), Some(arn.as_str()));
    assert_eq!(values["location"], REGION);
    assert_eq!(values["endpoint"].as_str(), cluster.endpoint());
    assert_eq!(
        values["oidc_issuer_url"].as_str(),
        cluster
            .identity()
            .and_then(|i| i.oidc())
            .and_then(|o| o.issuer())
    );
    assert_eq!(values["status"], "ACTIVE");
    assert_eq!(values["kubernetes_version"], "1.31");
    assert_eq!(cluster.version(), Some("1.31"));
    assert_eq!(
        cluster.role_arn(),
        Some(text(resource(state, CLUSTER_IDENTITY), "id").as_str())
    );

    let encryption = cluster.encryption_config();
    assert_eq!(encryption.len(), 1, "{encryption:?}");
    // Deprecated in the SDK (EKS now encrypts all API data), still what the
    // contract sends and what the API echoes.
    #[allow(deprecated)]
    let encrypted = encryption[0].resources();
    assert_eq!(encrypted, ["secrets"]);
    assert_eq!(
        encryption[0].provider().and_then(|p| p.key_arn()),
        Some(key_arn)
    );

    let vpc = cluster.resources_vpc_config().expect("a VPC config");
    assert!(vpc.endpoint_private_access(), "private endpoint");
    assert!(!vpc.endpoint_public_access(), "no public endpoint");
    assert_eq!(sorted(vpc.subnet_ids()), sorted(&network.subnet_ids));
    assert!(
        vpc.security_group_ids()
            .contains(&network.security_group_id)
    );

    let logged: BTreeSet<&str> = cluster
        .logging()
        .into_iter()
        .flat_map(|logging| logging.cluster_logging())
        .filter(|setup| setup.enabled() == Some(true))
        .flat_map(|setup| setup.types())
        .map(|log_type| log_type.as_str())
        .collect();
    assert_eq!(logged, BTreeSet::from(LOG_TYPES));
    assert_eq!(values["logging"], json!(LOG_TYPES));

    let tags_all = assert_tags_all(state, CLUSTER, &[("env", "test")]);
    assert_eq!(
        user_tags(eks_tags(cluster.tags())),
        tags_all,
        "the cluster's tags in EKS"
    );
    assert_marked(&eks_tags(cluster.tags()), CLUSTER_NAME);

    let system = records.node_group(CLUSTER_NAME, "system")?;
    assert_eq!(
        system.node_role(),
        Some(text(resource(state, NODE_IDENTITY), "id").as_str())
    );
    assert_eq!(system.instance_types(), ["m6i.large"]);
    assert_eq!(scaling_of(&system), (2, 2, 2));
    assert_eq!(sorted(system.subnets()), sorted(&network.subnet_ids));
    Ok(arn)
}

/// The managed node group for one L4 per node: NVIDIA AMI, spot, the GPU taint by
/// default, labels, size, and a launch template that requires IMDSv2.
pub fn gpu_pool_matches_moto(moto: &Moto, state: &State, network: &Network) -> TestResult {
    let records = Records::of(moto);
    let values = resource(state, GPU_POOL);
    let group = records.node_group(CLUSTER_NAME, POOL_NAME)?;
    assert_eq!(group.nodegroup_arn(), Some(text(values, "id").as_str()));
    assert_eq!(values["resolved_machine_type"], "g6.xlarge");
    assert_eq!(values["accelerators_per_node"], 1);
    assert_eq!(values["status"], "ACTIVE");
    assert_eq!(
        values["taints"],
        json!([{ "key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule" }])
    );

    assert_eq!(group.instance_types(), ["g6.xlarge"]);
    assert_eq!(
        group.ami_type().map(|t| t.as_str()),
        Some("AL2023_x86_64_NVIDIA")
    );
    assert_eq!(group.capacity_type().map(|t| t.as_str()), Some("SPOT"));
    assert_eq!(
        taints_of(&group),
        [(
            "nvidia.com/gpu".into(),
            "present".into(),
            "NO_SCHEDULE".into()
        )]
    );
    assert_eq!(
        group
            .labels()
            .and_then(|labels| labels.get("workload"))
            .map(String::as_str),
        Some("inference")
    );
    assert_eq!(scaling_of(&group), (1, 1, 1));
    assert_eq!(
        group.node_role(),
        Some(text(resource(state, NODE_IDENTITY), "id").as_str())
    );
    assert_eq!(sorted(group.subnets()), sorted(&network.subnet_ids));
    let tags_all = assert_tags_all(state, GPU_POOL, &[("pool", "gpu")]);
    assert_eq!(
        user_tags(eks_tags(group.tags())),
        tags_all,
        "the node group's tags in EKS"
    );

    assert_eq!(
        group.launch_template().and_then(|template| template.name()),
        Some(POOL_LAUNCH_TEMPLATE)
    );
    launch_template_requires_imdsv2(&records, 200)
}

/// IMDSv2 only, one hop (pods cannot reach the node's credentials), and the disk size.
pub fn launch_template_requires_imdsv2(records: &Records, disk_size_gb: i32) -> TestResult {
    let version = records.launch_template(POOL_LAUNCH_TEMPLATE)?;
    let data = version
        .launch_template_data()
        .expect("launch template data");
    let metadata = data.metadata_options().expect("metadata options");
    assert_eq!(
        metadata.http_tokens(),
        Some(&LaunchTemplateHttpTokensState::Required)
    );
    assert_eq!(metadata.http_put_response_hop_limit(), Some(1));
    let sizes: Vec<Option<i32>> = data
        .block_device_mappings()
        .iter()
        .map(|mapping| mapping.ebs().and_then(|ebs| ebs.volume_size()))
        .collect();
    assert_eq!(sizes, [Some(disk_size_gb)], "the root volume");
    Ok(())
}

/// An identity's state names its role: `id` and `principal` are the ARN, `client_id`
/// the role id.
fn role_state_matches(state: &State, address: &str, role: &aws_sdk_iam::types::Role) {
    let values = resource(state, address);
    assert_eq!(values["id"], role.arn(), "{address}");
    assert_eq!(values["principal"], role.arn(), "{address}");
    assert_eq!(values["client_id"], role.role_id(), "{address}");
    assert_eq!(role.path(), "/");
}

fn actions(document: &Value) -> Vec<String> {
    statements(document)
        .into_iter()
        .flat_map(|statement| strings(&statement["Action"]))
        .collect()
}

#[track_caller]
fn text(values: &Value, attribute: &str) -> String {
    values[attribute]
        .as_str()
        .unwrap_or_else(|| panic!("{attribute} should be a string: {values}"))
        .to_owned()
}

fn sorted(items: &[String]) -> Vec<String> {
    let mut items = items.to_vec();
    items.sort();
    items
}
