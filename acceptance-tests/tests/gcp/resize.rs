//! The team grows a fixed-size GPU pool and the cluster's system pool: `node_count`
//! 1 → 3 and `system_pool { node_count }` 1 → 2 apply in place (`setSize`), the state
//! holds the new sizes and the next plan is empty. GKE's NodePool keeps its
//! `initialNodeCount` (1): the provider reads the size from the pools' Compute Engine
//! instance group managers (`targetSize`), as the google provider does.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult};

use crate::stack::{CLUSTER, GPU_POOL, STACK, gke_pool, module, pool_record, records, workdir};

acceptance_tests::scenarios_on_terraform_1_15!(a_fixed_size_pool_grows_in_place);

fn a_fixed_size_pool_grows_in_place(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = workdir(terraform, &emulator, STACK)?;
    workdir.apply()?;

    let gpu_pool = "  node_count       = 1\n  accelerator {\n    type = \"nvidia-l4\"";
    let system_pool = "  system_pool {\n    node_count       = 1\n";
    assert!(STACK.contains(gpu_pool) && STACK.contains(system_pool));
    let grown = STACK
        .replacen(
            gpu_pool,
            "  node_count       = 3\n  accelerator {\n    type = \"nvidia-l4\"",
            1,
        )
        .replacen(
            system_pool,
            "  system_pool {\n    node_count       = 2\n",
            1,
        );
    workdir.write("main.tf", &module(&emulator, &grown))?;
    workdir
        .plan()?
        .assert_stdout_contains("mlcloud_node_pool.gpu will be updated in-place")
        .assert_stdout_contains("~ node_count ")
        .assert_stdout_contains("1 -> 3")
        .assert_stdout_contains("mlcloud_cluster.main will be updated in-place")
        .assert_stdout_contains("Plan: 0 to add, 2 to change, 0 to destroy.");
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 0 added, 2 changed, 0 destroyed.");

    let now = records(&emulator)?;
    assert_eq!(
        pool_record(&now, "gpu").map(|p| &p["size"]),
        Some(&3.into()),
        "{now:#}"
    );
    assert_eq!(
        pool_record(&now, "system").map(|p| &p["size"]),
        Some(&2.into()),
        "{now:#}"
    );
    let gpu = gke_pool(&now, "gpu").expect("the GPU pool");
    assert_eq!(
        gpu["initialNodeCount"], 1,
        "GKE keeps the initial count: {gpu}"
    );

    let state = workdir.state_json()?;
    let pool = state.resource(GPU_POOL).expect("the GPU pool in state");
    assert_eq!(pool["node_count"], 3, "{pool}");
    let cluster = state.resource(CLUSTER).expect("the cluster in state");
    assert_eq!(cluster["system_pool"]["node_count"], 2, "{cluster}");
    workdir.assert_no_changes()?;
    Ok(())
}
