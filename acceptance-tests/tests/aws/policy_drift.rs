//! Policies changed behind Terraform's back: a principal added to the cluster role's
//! trust, a statement added to the workload role's grants, an inline policy and a
//! managed policy attached to the node role. Each shows in the plan (`policy_drift`),
//! apply removes it, and the next plan is empty.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::expect::resource;
use crate::records::{Records, statements};
use crate::stack::{
    CLUSTER_IDENTITY, CLUSTER_ROLE, NODE_IDENTITY, NODE_ROLE, Stack, WORKLOAD_IDENTITY,
    WORKLOAD_ROLE,
};

acceptance_tests::scenarios_on_terraform_1_15!(policies_changed_out_of_band_are_planned_away);

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn policies_changed_out_of_band_are_planned_away(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &Stack::new(&network).main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;
    workdir.assert_no_changes()?;

    let sdk = moto.sdk();
    // Someone else may now assume the cluster role.
    let mut trust = records.trust_policy(CLUSTER_ROLE)?;
    if let Some(trusted) = trust["Statement"].as_array_mut() {
        trusted.push(json!({"Sid": "Backdoor", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"}));
    }
    sdk.call(
        "iam UpdateAssumeRolePolicy",
        sdk.iam
            .update_assume_role_policy()
            .role_name(CLUSTER_ROLE)
            .policy_document(trust.to_string())
            .send(),
    )?;
    // The workload's grants reach every bucket.
    let mut grants = records.inline_policy(WORKLOAD_ROLE, "mlcloud-grants")?;
    if let Some(granted) = grants["Statement"].as_array_mut() {
        granted.push(json!({"Sid": "Everything", "Effect": "Allow",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"}));
    }
    sdk.call(
        "iam PutRolePolicy",
        sdk.iam
            .put_role_policy()
            .role_name(WORKLOAD_ROLE)
            .policy_name("mlcloud-grants")
            .policy_document(grants.to_string())
            .send(),
    )?;
    // The node role gets an inline policy and administrator rights.
    sdk.call(
        "iam PutRolePolicy",
        sdk.iam
            .put_role_policy()
            .role_name(NODE_ROLE)
            .policy_name("debugging")
            .policy_document(
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Action": "ec2:DescribeInstances", "Resource": "*"}]})
                .to_string(),
            )
            .send(),
    )?;
    sdk.call(
        "iam AttachRolePolicy",
        sdk.iam
            .attach_role_policy()
            .role_name(NODE_ROLE)
            .policy_arn(ADMIN)
            .send(),
    )?;

    let plan = workdir.plan()?;
    plan.assert_stdout_contains("Plan: 0 to add, 3 to change, 0 to destroy.")
        .assert_stdout_contains("Backdoor")
        .assert_stdout_contains("Everything")
        .assert_stdout_contains("inline policy debugging was not written by mlcloud")
        .assert_stdout_contains("AdministratorAccess");
    workdir.apply()?;
    workdir.assert_no_changes()?;

    let trust = records.trust_policy(CLUSTER_ROLE)?;
    assert_eq!(statements(&trust).len(), 1, "{trust}");
    let grants = records.inline_policy(WORKLOAD_ROLE, "mlcloud-grants")?;
    assert!(!grants.to_string().contains("Everything"), "{grants}");
    assert_eq!(
        records.inline_policy_names(NODE_ROLE)?,
        Vec::<String>::new()
    );
    assert!(!records.attached_policy_arns(NODE_ROLE)?.contains(ADMIN));
    let state = workdir.state_json()?;
    for address in [CLUSTER_IDENTITY, NODE_IDENTITY, WORKLOAD_IDENTITY] {
        assert_eq!(
            resource(&state, address)["policy_drift"],
            json!([]),
            "{address}"
        );
    }
    Ok(())
}
