//! Someone changes the stack behind Terraform's back: a GPU node group deleted in
//! the console is planned for creation again, and a retagged key is planned back.

use acceptance_tests::{Moto, PlanChanges, Terraform, TestResult, Workdir, providers};

use crate::expect::resource;
use crate::records::Records;
use crate::stack::{CLUSTER_NAME, KEY, POOL_NAME, Stack};

acceptance_tests::scenarios_on_every_terraform!(out_of_band_changes_are_planned_back);

fn out_of_band_changes_are_planned_back(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &Stack::new(&network).main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;

    // The GPU node group is deleted out of band (its launch template stays behind,
    // as it would in AWS).
    records.delete_node_group_out_of_band(CLUSTER_NAME, POOL_NAME)?;
    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{plan}");
    plan.assert_stdout_contains("mlcloud_node_pool.gpu will be created")
        .assert_stdout_contains("Plan: 1 to add, 0 to change, 0 to destroy.");
    workdir.apply()?;
    let group = records.node_group(CLUSTER_NAME, POOL_NAME)?;
    assert_eq!(
        resource(&workdir.state_json()?, "mlcloud_node_pool.gpu")["id"].as_str(),
        group.nodegroup_arn(),
        "the recreated node group is the one in state"
    );
    workdir.assert_no_changes()?;

    // A tag on the key is changed out of band.
    let key_arn = resource(&workdir.state_json()?, KEY)["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let sdk = records.sdk();
    sdk.call(
        "kms TagResource",
        sdk.kms
            .tag_resource()
            .key_id(&key_arn)
            .tags(
                aws_sdk_kms::types::Tag::builder()
                    .tag_key("purpose")
                    .tag_value("tampered")
                    .build()
                    .expect("key and value are set"),
            )
            .send(),
    )?;
    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{plan}");
    plan.assert_stdout_contains("mlcloud_kms_key.etcd will be updated in-place")
        .assert_stdout_contains(r#""tampered" -> "etcd""#)
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");
    workdir.apply()?;
    assert_eq!(
        records
            .key_tags(&key_arn)?
            .get("purpose")
            .map(String::as_str),
        Some("etcd")
    );
    workdir.assert_no_changes()?;
    Ok(())
}
