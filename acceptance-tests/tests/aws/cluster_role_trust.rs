//! The cluster role trusts EKS only for the cluster that uses it: before CreateCluster
//! the cluster backend adds the exact ARN the cluster will get as `aws:SourceArn`
//! (next to the `aws:SourceAccount` pin the identity writes), so EKS can assume the
//! role while it creates the cluster; the identity keeps it when it rewrites its
//! trust; and destroying the cluster takes it out again.

use acceptance_tests::moto::ACCOUNT_ID;
use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};
use serde_json::{Value, json};

use crate::expect::resource;
use crate::records::{Records, statements, strings};
use crate::stack::{CLUSTER, CLUSTER_NAME, CLUSTER_ROLE, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(the_cluster_role_trusts_eks_for_its_cluster_only);

/// The conditions of the cluster role's one trust statement.
fn trust_condition(records: &Records) -> Result<Value, acceptance_tests::MotoError> {
    let trust = records.trust_policy(CLUSTER_ROLE)?;
    let all = statements(&trust);
    assert_eq!(all.len(), 1, "{trust}");
    Ok(all[0]["Condition"].clone())
}

fn source_arns(condition: &Value) -> Vec<String> {
    strings(&condition["ArnLike"]["aws:SourceArn"])
}

fn source_accounts(condition: &Value) -> Vec<String> {
    strings(&condition["StringEquals"]["aws:SourceAccount"])
}

fn the_cluster_role_trusts_eks_for_its_cluster_only(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &Stack::new(&network).main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;

    let state = workdir.state_json()?;
    let cluster_arn = resource(&state, CLUSTER)["id"]
        .as_str()
        .expect("the cluster's id")
        .to_owned();
    assert_eq!(
        cluster_arn,
        format!("arn:aws:eks:us-east-1:{ACCOUNT_ID}:cluster/{CLUSTER_NAME}"),
        "the ARN admitted before CreateCluster is the one EKS gave"
    );
    let condition = trust_condition(&records)?;
    assert_eq!(
        source_arns(&condition),
        std::slice::from_ref(&cluster_arn),
        "{condition}"
    );
    assert_eq!(source_accounts(&condition), [ACCOUNT_ID], "{condition}");

    // The trust admitted the cluster before EKS was asked to create it.
    let operations: Vec<String> = moto
        .emulator()
        .requests("aws")?
        .iter()
        .filter_map(|request| request["operation"].as_str().map(str::to_owned))
        .collect();
    let position = |operation: &str| {
        operations
            .iter()
            .position(|o| o == operation)
            .unwrap_or_else(|| panic!("no {operation} in {operations:?}"))
    };
    assert!(
        position("UpdateAssumeRolePolicy") < position("CreateCluster"),
        "{operations:?}"
    );
    workdir.assert_no_changes()?;

    // A statement added out of band makes the identity rewrite its trust: the
    // cluster stays admitted, and the narrowing itself is never drift.
    let mut trust = records.trust_policy(CLUSTER_ROLE)?;
    if let Some(trusted) = trust["Statement"].as_array_mut() {
        trusted.push(json!({"Sid": "Backdoor", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"}));
    }
    let sdk = moto.sdk();
    sdk.call(
        "iam UpdateAssumeRolePolicy",
        sdk.iam
            .update_assume_role_policy()
            .role_name(CLUSTER_ROLE)
            .policy_document(trust.to_string())
            .send(),
    )?;
    workdir
        .plan()?
        .assert_stdout_contains("Backdoor")
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");
    workdir.apply()?;
    let condition = trust_condition(&records)?;
    assert_eq!(
        source_arns(&condition),
        std::slice::from_ref(&cluster_arn),
        "{condition}"
    );
    assert_eq!(source_accounts(&condition), [ACCOUNT_ID], "{condition}");
    workdir.assert_no_changes()?;

    // Without its cluster the role trusts EKS for the account again, and only that.
    workdir.succeed(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-target={CLUSTER}"),
    ])?;
    let condition = trust_condition(&records)?;
    assert_eq!(
        condition,
        json!({"StringEquals": {"aws:SourceAccount": [ACCOUNT_ID]}})
    );

    workdir.destroy()?;
    assert!(
        !records.role_names()?.contains(&CLUSTER_ROLE.to_owned()),
        "the role went with its identity"
    );
    Ok(())
}
