//! A team that writes GKE's defaults out: the GPU pool with
//! `gcp { gpu_driver_version = "DEFAULT" }` (GKE reads it back as unset) applies and
//! the next plan is empty. Leaving it out afterwards keeps the pool (an in-place
//! change of the state only), and `LATEST` replaces it, as GKE installs the driver
//! when it makes nodes.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult};

use crate::stack::{STACK, gke_pool, module, records, workdir};

acceptance_tests::scenarios_on_terraform_1_15!(spelling_out_the_gpu_driver_default_is_no_change);

const GPU_POOL: &str = "  accelerator {\n    type = \"nvidia-l4\"\n  }\n";

/// The stack with `block` written inside the GPU pool.
fn with_gpu_pool_block(block: &str) -> String {
    assert!(STACK.contains(GPU_POOL));
    STACK.replacen(GPU_POOL, &format!("{GPU_POOL}{block}"), 1)
}

fn driver(emulator: &MlcloudEmulator) -> Result<(String, String), acceptance_tests::HarnessError> {
    let now = records(emulator)?;
    let gpu = gke_pool(&now, "gpu").expect("the GPU pool");
    let version =
        gpu["config"]["accelerators"][0]["gpuDriverInstallationConfig"]["gpuDriverVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    Ok((
        gpu["etag"].as_str().unwrap_or_default().to_string(),
        version,
    ))
}

fn spelling_out_the_gpu_driver_default_is_no_change(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let spelled = with_gpu_pool_block("  gcp {\n    gpu_driver_version = \"DEFAULT\"\n  }\n");
    let workdir = workdir(terraform, &emulator, &spelled)?;
    workdir.apply()?;
    let (made, version) = driver(&emulator)?;
    assert_eq!(version, "DEFAULT");
    let state = workdir.state_json()?;
    let pool = state
        .resource("mlcloud_node_pool.gpu")
        .expect("the GPU pool");
    assert_eq!(pool["gcp"]["gpu_driver_version"], "DEFAULT", "{pool}");
    workdir.assert_no_changes()?;

    // Left out: the same driver, the same pool.
    workdir.write("main.tf", &module(&emulator, STACK))?;
    let planned = workdir.plan()?;
    assert!(!planned.stdout.contains("must be replaced"), "{planned}");
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    assert_eq!(driver(&emulator)?, (made, "DEFAULT".to_string()));
    workdir.assert_no_changes()?;

    // Another driver: a new pool.
    let latest = with_gpu_pool_block("  gcp {\n    gpu_driver_version = \"LATEST\"\n  }\n");
    workdir.write("main.tf", &module(&emulator, &latest))?;
    workdir
        .plan()?
        .assert_stdout_contains("mlcloud_node_pool.gpu must be replaced")
        .assert_stdout_contains("# forces replacement");
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 1 added, 0 changed, 1 destroyed.");
    assert_eq!(driver(&emulator)?.1, "LATEST");
    workdir.assert_no_changes()?;
    Ok(())
}
