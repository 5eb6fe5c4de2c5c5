//! A multi-host TPU slice written without `node_count`: its size follows from the
//! topology (a 2x4 v5e slice on 4-chip VMs is two nodes), so the plan already shows
//! `node_count = 2`, apply makes the two-node slice and the next plan is empty. A
//! count that does not fit the topology is refused at plan, on `node_count`.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult};

use crate::stack::{STACK, TPU_POOL, module, pool_record, records, workdir};

acceptance_tests::scenarios_on_terraform_1_15!(
    a_tpu_slice_without_node_count_is_sized_by_its_topology
);

const COUNTED: &str = "  node_count       = 2\n  accelerator {\n    type  = \"tpu-v5e\"";

fn a_tpu_slice_without_node_count_is_sized_by_its_topology(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    assert!(STACK.contains(COUNTED));
    let uncounted = STACK.replacen(COUNTED, "  accelerator {\n    type  = \"tpu-v5e\"", 1);
    let workdir = workdir(terraform, &emulator, &uncounted)?;
    let planned = workdir.plan()?;
    let tpu_plan = planned
        .stdout
        .split("# mlcloud_node_pool.tpu will be created")
        .nth(1)
        .expect("the slice is planned");
    assert!(tpu_plan.contains("+ node_count "), "{planned}");
    assert!(
        tpu_plan
            .lines()
            .any(|l| l.contains("+ node_count ") && l.trim_end().ends_with("= 2")),
        "known at plan: {planned}"
    );
    workdir.apply()?;
    let made = records(&emulator)?;
    assert_eq!(
        pool_record(&made, "tpu").map(|p| &p["size"]),
        Some(&2.into()),
        "{made:#}"
    );
    let state = workdir.state_json()?;
    let slice = state.resource(TPU_POOL).expect("the slice in state");
    assert_eq!(slice["node_count"], 2, "{slice}");
    workdir.assert_no_changes()?;

    // A count that is not the topology's is refused before anything changes.
    let wrong = STACK.replacen(COUNTED, &COUNTED.replace("= 2", "= 3"), 1);
    workdir.write("main.tf", &module(&emulator, &wrong))?;
    let refused = workdir.plan_expect_error()?;
    // Terraform wraps the message: compared with single spaces.
    let said = refused
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains("is 2 node(s); set node_count = 2 or leave it out"),
        "{refused}"
    );
    assert!(
        refused.stderr.contains("node_count       = 3"),
        "on the attribute: {refused}"
    );
    Ok(())
}
