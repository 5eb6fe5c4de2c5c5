//! Someone changes the stack behind Terraform's back with Google's own client: the TPU
//! slice is deleted and the fixed-size GPU pool set to autoscale. The next plan shows
//! both (the slice to be created again, the autoscaling going away), apply repairs
//! them, and the plan after that is empty. Then the GPU pool is resized with `setSize`
//! (GKE keeps its `initialNodeCount`; the provider reads the size from the pool's
//! instance groups): the plan shows the size going back, and apply restores it.

use std::process::Command;
use std::time::Duration;

use acceptance_tests::paths::repo_root;
use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, run_with_timeout};
use serde_json::json;

use crate::stack::{STACK, gke_pool, pool_record, records, workdir};

// On 1.0.3 too: Terraform before 1.3 proposes the prior `autoscaling` block when the
// configuration has none, and refused our plan that kept it ("planned for existence
// but config wants absence"); tfplug now plans a left-out single block absent.
acceptance_tests::scenarios_on_every_terraform!(out_of_band_changes_are_planned_back);

const SCRIPT: &str = "acceptance-tests/tests/gcp/out_of_band.py";

/// Runs `out_of_band.py` with `args` against `emulator`'s gcp part.
fn out_of_band(emulator: &MlcloudEmulator, args: &[&str]) -> TestResult {
    let mut command = Command::new(repo_root().join(".venv/bin/python"));
    command
        .current_dir(repo_root())
        .arg(SCRIPT)
        .arg(emulator.ready().to_string())
        .args(args);
    let output = run_with_timeout(command, Duration::from_secs(120))?;
    assert_eq!(output.code, 0, "{SCRIPT} {args:?} failed\n{output}");
    Ok(())
}

fn out_of_band_changes_are_planned_back(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = workdir(terraform, &emulator, STACK)?;
    workdir.apply()?;

    out_of_band(&emulator, &["delete-pool", "ml-main", "tpu"])?;
    out_of_band(&emulator, &["set-autoscaling", "ml-main", "gpu", "1", "4"])?;
    let changed = records(&emulator)?;
    assert!(pool_record(&changed, "tpu").is_none(), "{changed:#}");
    let gpu = gke_pool(&changed, "gpu").expect("the GPU pool");
    assert_eq!(gpu["autoscaling"]["enabled"], true, "{gpu}");

    workdir
        .plan()?
        .assert_stdout_contains("mlcloud_node_pool.tpu will be created")
        .assert_stdout_contains("mlcloud_node_pool.gpu will be updated in-place")
        .assert_stdout_contains("- autoscaling {")
        .assert_stdout_contains("Plan: 1 to add, 1 to change, 0 to destroy.");
    workdir.apply()?;
    let repaired = records(&emulator)?;
    assert_eq!(
        pool_record(&repaired, "tpu").map(|p| &p["size"]),
        Some(&json!(2)),
        "{repaired:#}"
    );
    let gpu = gke_pool(&repaired, "gpu").expect("the GPU pool");
    assert_ne!(gpu["autoscaling"]["enabled"], true, "{gpu}");
    assert_eq!(
        pool_record(&repaired, "gpu").map(|p| &p["size"]),
        Some(&json!(1)),
        "{repaired:#}"
    );
    workdir.assert_no_changes()?;

    out_of_band(&emulator, &["set-size", "ml-main", "gpu", "3"])?;
    let resized = records(&emulator)?;
    assert_eq!(
        pool_record(&resized, "gpu").map(|p| &p["size"]),
        Some(&json!(3)),
        "{resized:#}"
    );
    workdir
        .plan()?
        .assert_stdout_contains("mlcloud_node_pool.gpu will be updated in-place")
        .assert_stdout_contains("~ node_count ")
        .assert_stdout_contains("3 -> 1")
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");
    workdir.apply()?;
    let restored = records(&emulator)?;
    assert_eq!(
        pool_record(&restored, "gpu").map(|p| &p["size"]),
        Some(&json!(1)),
        "{restored:#}"
    );
    workdir.assert_no_changes()?;
    Ok(())
}
