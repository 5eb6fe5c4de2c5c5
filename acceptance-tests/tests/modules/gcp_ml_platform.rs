//! `modules/gcp-ml-platform`: its `terraform test` files pass against
//! `mlcloud-emulator` (each file on an emulator of its own, with no operation delay, so
//! a suite takes seconds), and the emulator holds nothing of the applied platforms
//! afterwards: `terraform test` destroyed them. The module and its complete example
//! validate.

use acceptance_tests::{HarnessError, MlcloudEmulator, Terraform, TestResult};
use serde_json::Value;

use crate::module_tests::{
    assert_all_passed, assert_module_and_example_validate, gcp_variables, module_path,
    module_workdir, run_test_file,
};

const MODULE: &str = "gcp-ml-platform";

acceptance_tests::scenarios_on_terraform_1_15!(
    a_gpu_and_tpu_platform_applies_and_its_smoke_inference_passes,
    without_gpu_pools_the_endpoint_serves_from_a_cpu_pool,
    the_defaults_are_secure_and_each_weakening_is_named,
    every_invalid_input_fails_its_validation,
    the_module_and_its_complete_example_validate
);

/// Runs `tests/FILE` and checks its summary; then that nothing it applied is left.
/// The emulator, for what else a story reads from it.
fn suite(terraform: &Terraform, file: &str, runs: usize) -> Result<MlcloudEmulator, HarnessError> {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = module_workdir(terraform, MODULE)?;
    let output = run_test_file(&workdir, file, &gcp_variables(&emulator))?;
    assert_all_passed(&output, runs);
    assert_nothing_left(&emulator.records()?);
    Ok(emulator)
}

fn assert_nothing_left(records: &Value) {
    let gcp = &records["gcp"];
    for kind in ["clusters", "node_pools", "service_accounts"] {
        let left = gcp[kind].as_array().map_or(0, Vec::len);
        assert_eq!(left, 0, "{kind} left after terraform test: {gcp:#}");
    }
    let clusters = &records["kubernetes"]["clusters"];
    assert!(
        clusters.as_object().is_none_or(|c| c.is_empty()),
        "Kubernetes API servers left: {clusters:#}"
    );
}

fn a_gpu_and_tpu_platform_applies_and_its_smoke_inference_passes(
    terraform: &Terraform,
) -> TestResult {
    let emulator = suite(terraform, "platform.tftest.hcl", 2)?;
    // Cloud KMS keeps a destroyed key with its versions scheduled for destruction: what
    // the module asked for is still readable there.
    let gcp = &emulator.records()?["gcp"];
    let key = gcp["crypto_keys"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|k| {
            k["name"]
                .as_str()
                .is_some_and(|n| n.ends_with("/cryptoKeys/mlp-gpu-etcd"))
        })
        .unwrap_or_else(|| panic!("the platform's key in {gcp:#}"));
    assert_eq!(key["versionTemplate"]["protectionLevel"], "HSM", "{key:#}");
    assert_eq!(key["rotationPeriod"], "7776000s", "90 days: {key:#}");
    assert_eq!(
        key["destroyScheduledDuration"], "2592000s",
        "30 days: {key:#}"
    );
    for version in key["versions"].as_array().into_iter().flatten() {
        assert_eq!(version["state"], "DESTROY_SCHEDULED", "{key:#}");
    }
    Ok(())
}

fn without_gpu_pools_the_endpoint_serves_from_a_cpu_pool(terraform: &Terraform) -> TestResult {
    suite(terraform, "cpu_serving.tftest.hcl", 1).map(drop)
}

fn the_defaults_are_secure_and_each_weakening_is_named(terraform: &Terraform) -> TestResult {
    suite(terraform, "defaults.tftest.hcl", 6).map(drop)
}

fn every_invalid_input_fails_its_validation(terraform: &Terraform) -> TestResult {
    let runs = std::fs::read_to_string(module_path(MODULE).join("tests/validation.tftest.hcl"))
        .expect("the validation tests")
        .matches("\nrun \"")
        .count();
    suite(terraform, "validation.tftest.hcl", runs).map(drop)
}

fn the_module_and_its_complete_example_validate(terraform: &Terraform) -> TestResult {
    assert_module_and_example_validate(terraform, MODULE)
}
