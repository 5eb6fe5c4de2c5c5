//! `modules/azure-ml-platform`: its `terraform test` files pass against
//! `mlcloud-emulator`'s azure part (each file on an emulator of its own, with the
//! resource group `ml-platform` the files name), and the emulator holds nothing of the
//! applied platform afterwards but what Key Vault keeps. The module and its complete
//! example validate.

use acceptance_tests::azure_arm::AzureArm;
use acceptance_tests::{HarnessError, MlcloudEmulator, Terraform, TestResult};
use serde_json::Value;

use crate::module_tests::{
    assert_all_passed, assert_module_and_example_validate, azure_variables, module_path,
    module_workdir, run_test_file,
};

const MODULE: &str = "azure-ml-platform";

acceptance_tests::scenarios_on_terraform_1_15!(
    the_platform_applies_and_its_smoke_inference_passes,
    the_defaults_are_secure_and_each_weakening_is_named,
    every_invalid_input_fails_its_validation,
    the_module_and_its_complete_example_validate
);

/// Runs `tests/FILE` and checks its summary; then that nothing it applied is left.
fn suite(terraform: &Terraform, file: &str, runs: usize) -> Result<MlcloudEmulator, HarnessError> {
    let emulator = MlcloudEmulator::start(&[])?;
    AzureArm::for_emulator(&emulator)?.create_group("ml-platform", "westeurope")?;
    let workdir = module_workdir(terraform, MODULE)?;
    let output = run_test_file(&workdir, file, &azure_variables(&emulator))?;
    assert_all_passed(&output, runs);
    assert_nothing_left(&emulator.records()?);
    Ok(emulator)
}

fn assert_nothing_left(records: &Value) {
    let clusters = &records["kubernetes"]["clusters"];
    assert!(
        clusters.as_object().is_none_or(|c| c.is_empty()),
        "Kubernetes API servers left: {clusters:#}"
    );
}

fn the_platform_applies_and_its_smoke_inference_passes(terraform: &Terraform) -> TestResult {
    let emulator = suite(terraform, "platform.tftest.hcl", 2)?;
    let azure = &emulator.records()?["azure"];
    for kind in [
        "managed_clusters",
        "agent_pools",
        "vaults",
        "keys",
        "identities",
        "federated_identity_credentials",
        "role_assignments",
    ] {
        let left = azure[kind].as_array().map_or(0, Vec::len);
        assert_eq!(left, 0, "{kind} left after terraform test: {azure:#}");
    }
    // The key's dedicated vault was made with purge protection: Key Vault keeps it
    // soft-deleted.
    let vault = azure["deleted_vaults"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| {
            v["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("mlp-cpu-etcd-"))
        })
        .unwrap_or_else(|| panic!("the key's vault, soft-deleted: {azure:#}"));
    assert_eq!(vault["purge_protection"], true, "{vault}");
    Ok(())
}

fn the_defaults_are_secure_and_each_weakening_is_named(terraform: &Terraform) -> TestResult {
    suite(terraform, "defaults.tftest.hcl", 5).map(drop)
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
