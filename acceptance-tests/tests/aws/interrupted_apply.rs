//! A user interrupts `terraform apply` (Ctrl-C: SIGINT to terraform and the provider)
//! while the EKS cluster is being created and AWS answers slowly; applying again
//! completes the stack with no duplicate and nothing orphaned.

use std::time::{Duration, Instant};

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::emulator_log::{answered, assert_stack_exactly_once, fault};
use crate::stack::Stack;

acceptance_tests::scenarios_on_terraform_1_15!(
    interrupted_while_the_cluster_is_created,
    interrupted_while_the_cluster_create_is_in_flight,
);

/// How long each slowed answer takes: long enough that the interrupt lands while
/// the provider waits, short enough that a provider ignoring it still finishes.
const SLOW_MS: u64 = 4000;

/// The cluster exists in AWS (CreateCluster answered) and the provider waits for it
/// to become ACTIVE through slow DescribeCluster answers when the user interrupts.
fn interrupted_while_the_cluster_is_created(terraform: &Terraform) -> TestResult {
    interrupted_apply(terraform, "DescribeCluster", |moto| {
        answered(moto, "CreateCluster", 200)
    })
}

/// The CreateCluster request itself is slow to answer (held before it reaches moto)
/// when the user interrupts.
fn interrupted_while_the_cluster_create_is_in_flight(terraform: &Terraform) -> TestResult {
    interrupted_apply(terraform, "CreateCluster", started_cluster_create)
}

/// The emulator holds a CreateCluster (the slow fault has matched one).
fn started_cluster_create(moto: &Moto) -> bool {
    moto.emulator().faults().is_ok_and(|faults| {
        faults
            .as_array()
            .into_iter()
            .flatten()
            .any(|rule| rule["operation"] == "CreateCluster" && rule["matched"].as_u64() >= Some(1))
    })
}

fn interrupted_apply(
    terraform: &Terraform,
    slow_operation: &str,
    interrupt_when: impl Fn(&Moto) -> bool,
) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &Stack::new(&network).main_tf(&moto))?;
    workdir.init()?;
    fault(
        &moto,
        json!({"operation": slow_operation, "times": 3, "action": {"delay": {"ms": SLOW_MS}}}),
    )?;

    let mut interrupted_at = None;
    let interrupted = workdir.run_interrupted(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        || {
            let now = interrupt_when(&moto);
            if now {
                interrupted_at = Some(Instant::now());
            }
            now
        },
    )?;
    let interrupted_at =
        interrupted_at.unwrap_or_else(|| panic!("never interrupted:\n{interrupted}"));
    assert!(
        format!("{}{}", interrupted.stdout, interrupted.stderr).contains("Interrupt received"),
        "terraform saw the interrupt:\n{interrupted}"
    );
    assert!(
        interrupted_at.elapsed() < Duration::from_secs(120),
        "the interrupted apply ended"
    );

    moto.emulator().clear_faults()?;
    workdir.apply()?;
    assert_stack_exactly_once(&moto, &workdir.state_json()?)?;
    workdir.assert_no_changes()?;
    Ok(())
}
