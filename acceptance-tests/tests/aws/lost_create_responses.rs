//! Each create whose response is lost (the emulator forwards it to moto, which
//! applies it, then closes the connection without an answer): the apply succeeds, or
//! fails saying what went wrong; another apply completes it; AWS holds exactly one of
//! each object, state holds them, and a further plan is empty.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::emulator_log::{assert_stack_exactly_once, fault, statuses};
use crate::stack::Stack;

acceptance_tests::scenarios_on_terraform_1_15!(
    lost_create_key,
    lost_create_alias,
    lost_create_role,
    lost_put_role_policy,
    lost_create_cluster,
    lost_create_nodegroup,
    lost_create_launch_template,
    lost_create_access_entry,
);

fn lost_create_key(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateKey").map(drop)
}

fn lost_create_alias(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateAlias").map(drop)
}

fn lost_create_role(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateRole").map(drop)
}

fn lost_put_role_policy(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "PutRolePolicy").map(drop)
}

fn lost_create_cluster(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateCluster").map(drop)
}

fn lost_create_nodegroup(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateNodegroup").map(drop)
}

fn lost_create_launch_template(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateLaunchTemplate").map(drop)
}

/// The caller's admin access entry: its retry meets the entry it made, which is ours.
fn lost_create_access_entry(terraform: &Terraform) -> TestResult {
    let moto = create_with_lost_response(terraform, "CreateAccessEntry")?;
    let records = moto.emulator().records()?;
    let entries = &records["aws"]["eks"]["clusters"][crate::stack::CLUSTER_NAME]["accessEntries"];
    let principals: Vec<&str> = entries
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["principalArn"].as_str())
        .collect();
    assert_eq!(
        principals,
        ["arn:aws:iam::123456789012:user/moto"],
        "one access entry, the caller's: {entries}"
    );
    Ok(())
}

/// Runs the story with `operation`'s first response dropped; hands back the emulators
/// for checks of their own.
fn create_with_lost_response(
    terraform: &Terraform,
    operation: &str,
) -> Result<Moto, acceptance_tests::HarnessError> {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &Stack::new(&network).main_tf(&moto))?;
    workdir.init()?;
    fault(
        &moto,
        json!({"operation": operation, "action": "drop_response"}),
    )?;

    let first = workdir.run(&["apply", "-auto-approve", "-input=false", "-no-color"])?;
    // Requests are logged as they finish, and creates run in parallel: any one.
    assert!(
        statuses(&moto, operation)?.contains(&None),
        "the {operation} response was dropped"
    );
    if first.code != 0 {
        // Failing is allowed, but clearly: an error naming what went wrong.
        assert!(
            first.stderr.contains("Error:"),
            "a failed apply says why:\n{first}"
        );
        workdir.apply()?;
    }
    assert_stack_exactly_once(&moto, &workdir.state_json()?)?;
    workdir.assert_no_changes()?;
    Ok(moto)
}
