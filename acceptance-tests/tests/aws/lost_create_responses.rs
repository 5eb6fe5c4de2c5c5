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
);

fn lost_create_key(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateKey")
}

fn lost_create_alias(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateAlias")
}

fn lost_create_role(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateRole")
}

fn lost_put_role_policy(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "PutRolePolicy")
}

fn lost_create_cluster(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateCluster")
}

fn lost_create_nodegroup(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateNodegroup")
}

fn lost_create_launch_template(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "CreateLaunchTemplate")
}

fn create_with_lost_response(terraform: &Terraform, operation: &str) -> TestResult {
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
    Ok(())
}
