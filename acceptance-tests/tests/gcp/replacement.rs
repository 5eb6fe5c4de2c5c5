//! A change GKE cannot make in place: the GPU pool's accelerators per node (one L4 on
//! g2-standard-4 to two on g2-standard-24, a different machine type). The plan says
//! the pool must be replaced because
//! of its resolved machine type, apply replaces it (the rest of the stack stays), and
//! the next plan is empty.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult};

use crate::stack::{STACK, count, gke_pool, module, records, workdir};

acceptance_tests::scenarios_on_terraform_1_15!(more_accelerators_per_node_replace_the_pool);

fn more_accelerators_per_node_replace_the_pool(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = workdir(terraform, &emulator, STACK)?;
    workdir.apply()?;
    let before = records(&emulator)?;
    let created = gke_pool(&before, "gpu").expect("the GPU pool").clone();
    assert_eq!(
        created["config"]["machineType"], "g2-standard-4",
        "{created}"
    );

    let two = STACK.replacen(
        "    type = \"nvidia-l4\"\n",
        "    type  = \"nvidia-l4\"\n    count = 2\n",
        1,
    );
    assert_ne!(two, STACK);
    workdir.write("main.tf", &module(&emulator, &two))?;
    workdir
        .plan()?
        .assert_stdout_contains("# mlcloud_node_pool.gpu must be replaced")
        .assert_stdout_contains("\"g2-standard-4\" -> \"g2-standard-24\" # forces replacement")
        .assert_stdout_contains("Plan: 1 to add, 0 to change, 1 to destroy.");
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 1 added, 0 changed, 1 destroyed.");

    let after = records(&emulator)?;
    let replaced = gke_pool(&after, "gpu").expect("the new GPU pool");
    assert_eq!(
        replaced["config"]["machineType"], "g2-standard-24",
        "{replaced}"
    );
    assert_eq!(
        replaced["config"]["accelerators"][0]["acceleratorCount"], "2",
        "{replaced}"
    );
    assert_eq!(count(&after, "clusters"), 1);
    assert_eq!(count(&after, "node_pools"), 3, "{after:#}");
    workdir.assert_no_changes()?;
    Ok(())
}
