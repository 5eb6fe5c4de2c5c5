//! The cluster's own access, as EKS needs it and as the user asked for it:
//! - its role may use the secrets key (EKS refuses envelope encryption otherwise):
//!   exactly `kms:Encrypt`, `kms:Decrypt`, `kms:ListGrants` and `kms:DescribeKey` on
//!   exactly that key, as an inline policy named after the cluster, removed with it;
//! - the nodes' disks are encrypted with the cluster's key unless a pool names its
//!   own, and the key policy lets Auto Scaling (which makes the volumes) use it;
//! - a public endpoint made private drops its CIDRs, so the next plan is empty.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::expect::{arn_of, resource};
use crate::records::{Records, statements, strings};
use crate::stack::{
    CLUSTER, CLUSTER_NAME, CLUSTER_ROLE, GPU_POOL, KEY, POOL_LAUNCH_TEMPLATE, Stack,
};

acceptance_tests::scenarios_on_terraform_1_15!(
    the_cluster_role_can_use_its_key_and_private_means_private
);

const ENCRYPTION_POLICY: &str = "mlcloud-cluster-encryption-ml-main";

fn the_cluster_role_can_use_its_key_and_private_means_private(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let mut stack = Stack::new(&network);
    stack.public_cidrs = Some(vec!["203.0.113.0/24"]);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;
    let state = workdir.state_json()?;
    let key_arn = arn_of(&state, KEY);

    let grant = records.inline_policy(CLUSTER_ROLE, ENCRYPTION_POLICY)?;
    let grant_statements = statements(&grant);
    assert_eq!(grant_statements.len(), 1, "{grant}");
    let mut actions = strings(&grant_statements[0]["Action"]);
    actions.sort();
    assert_eq!(
        actions,
        [
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:ListGrants"
        ],
        "{grant}"
    );
    assert_eq!(
        strings(&grant_statements[0]["Resource"]),
        std::slice::from_ref(&key_arn)
    );

    // The nodes' disks: encrypted with the cluster's key by default, which lets Auto
    // Scaling make EBS volumes with it.
    assert_eq!(
        resource(&state, GPU_POOL)["disk_encryption_key_id"],
        json!(key_arn)
    );
    let template = records.launch_template(POOL_LAUNCH_TEMPLATE)?;
    let root = template
        .launch_template_data()
        .map(|d| d.block_device_mappings())
        .unwrap_or_default()
        .first()
        .and_then(|m| m.ebs())
        .expect("a root volume");
    assert_eq!(root.encrypted(), Some(true));
    assert_eq!(root.kms_key_id(), Some(key_arn.as_str()));
    let key_policy = records.key_policy(&key_arn)?;
    assert!(
        statements(&key_policy)
            .iter()
            .any(|s| s["Principal"]["AWS"].to_string().contains(
                "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
            )),
        "{key_policy}"
    );

    let cluster = records.cluster(CLUSTER_NAME)?;
    let vpc = cluster.resources_vpc_config().expect("a VPC configuration");
    assert!(vpc.endpoint_public_access());
    assert_eq!(vpc.public_access_cidrs(), ["203.0.113.0/24"]);
    assert_eq!(
        resource(&state, CLUSTER)["authorized_cidrs"],
        json!(["203.0.113.0/24"])
    );

    stack.public_cidrs = None;
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    workdir.assert_no_changes()?;
    let cluster = records.cluster(CLUSTER_NAME)?;
    let vpc = cluster.resources_vpc_config().expect("a VPC configuration");
    assert!(!vpc.endpoint_public_access());
    assert!(
        !vpc.public_access_cidrs()
            .iter()
            .any(|c| c == "203.0.113.0/24"),
        "the public CIDRs are gone: {:?}",
        vpc.public_access_cidrs()
    );
    let state = workdir.state_json()?;
    assert_eq!(resource(&state, CLUSTER)["endpoint_access"], "private");
    assert!(resource(&state, CLUSTER)["authorized_cidrs"].is_null());

    // The cluster goes (with what needs it), and with it its grant; the role stays.
    workdir.succeed(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-target={CLUSTER}"),
    ])?;
    assert!(records.role(CLUSTER_ROLE).is_ok(), "the cluster role stays");
    assert!(records.cluster_names()?.is_empty());
    assert!(
        !records
            .inline_policy_names(CLUSTER_ROLE)?
            .iter()
            .any(|name| name == ENCRYPTION_POLICY),
        "the grant goes with the cluster"
    );
    Ok(())
}
