//! Throttling and server errors, on reads and on writes, are absorbed by the
//! provider's retries: the apply succeeds, and the emulator's request log shows the
//! extra attempts each fault cost.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::emulator_log::{assert_stack_exactly_once, fault, statuses};
use crate::stack::Stack;

acceptance_tests::scenarios_on_terraform_1_15!(throttling_and_server_errors_are_retried);

fn throttling_and_server_errors_are_retried(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &Stack::new(&network).main_tf(&moto))?;
    workdir.init()?;
    // Writes: KMS, IAM, EKS, EC2 each throttled or failing before they apply.
    fault(
        &moto,
        json!({"operation": "CreateKey", "times": 2,
               "action": {"throttle": {"retry_after_seconds": 1}}}),
    )?;
    fault(
        &moto,
        json!({"operation": "CreateRole", "action": {"throttle": {"retry_after_seconds": 1}}}),
    )?;
    fault(
        &moto,
        json!({"operation": "CreateNodegroup", "action": {"server_error": {"status": 500}}}),
    )?;
    fault(
        &moto,
        json!({"operation": "CreateLaunchTemplate",
               "action": {"throttle": {"retry_after_seconds": 1}}}),
    )?;
    // Reads: the cluster waiter's poll and a KMS read.
    fault(
        &moto,
        json!({"operation": "DescribeCluster", "action": {"server_error": {"status": 503}}}),
    )?;
    fault(
        &moto,
        json!({"operation": "DescribeKey", "action": {"throttle": {"retry_after_seconds": 1}}}),
    )?;
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed.");

    assert_eq!(
        statuses(&moto, "CreateKey")?,
        [Some(400), Some(400), Some(200)],
        "two throttled attempts, then the key"
    );
    assert_eq!(
        statuses(&moto, "CreateRole")?[..2],
        [Some(400), Some(200)],
        "the throttled role, then it again"
    );
    assert_eq!(
        statuses(&moto, "CreateNodegroup")?[..2],
        [Some(500), Some(200)]
    );
    assert_eq!(
        statuses(&moto, "CreateLaunchTemplate")?[..2],
        [Some(503), Some(200)],
        "EC2 throttles with 503 RequestLimitExceeded"
    );
    assert_eq!(
        statuses(&moto, "DescribeCluster")?[..2],
        [Some(503), Some(200)]
    );
    // The first DescribeKey (the provider's look for a key under its alias) is
    // throttled and sent again; moto then answers it (NotFoundException, also a 400).
    let describe_key: Vec<_> = moto
        .emulator()
        .requests("aws")?
        .into_iter()
        .filter(|request| request["operation"] == "DescribeKey")
        .collect();
    assert!(describe_key[0]["fault"].is_string(), "{describe_key:?}");
    assert!(
        describe_key.len() >= 2 && describe_key[1]["fault"].is_null(),
        "the throttled read was sent again: {describe_key:?}"
    );
    let faults = moto.emulator().faults()?;
    for rule in faults.as_array().into_iter().flatten() {
        assert!(
            rule["fired"].as_u64() >= Some(1),
            "every fault fired: {rule}"
        );
    }

    assert_stack_exactly_once(&moto, &workdir.state_json()?)?;
    workdir.assert_no_changes()?;
    Ok(())
}
