//! `modules/aws-ml-platform`: its plan-only `terraform test` files pass against moto
//! (behind `mlcloud-emulator`'s aws part, with a VPC and two subnets made there), and
//! the module and its complete example validate. No apply: the serving endpoint needs
//! nodes in the EKS cluster's Kubernetes API, and the harness does not register moto's
//! node groups as nodes yet.

use acceptance_tests::moto::CREDENTIALS_ENV;
use acceptance_tests::{Moto, Terraform, TestResult};

use crate::module_tests::{
    assert_all_passed, assert_module_and_example_validate, module_path, module_workdir,
    run_test_file,
};

const MODULE: &str = "aws-ml-platform";

acceptance_tests::scenarios_on_terraform_1_15!(
    the_defaults_are_secure_and_each_weakening_is_named,
    every_invalid_input_fails_its_validation,
    the_module_and_its_complete_example_validate
);

/// Runs `tests/FILE` against moto and checks its summary.
fn suite(terraform: &Terraform, file: &str, runs: usize) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let mut workdir = module_workdir(terraform, MODULE)?;
    for (name, value) in CREDENTIALS_ENV {
        workdir.set_env(name, value);
    }
    let subnets = serde_json::to_string(&network.subnet_ids).expect("a list of strings is JSON");
    let variables = [
        ("aws_endpoint", moto.endpoint().to_string()),
        ("aws_subnet_ids", subnets),
    ];
    let output = run_test_file(&workdir, file, &variables)?;
    assert_all_passed(&output, runs);
    Ok(())
}

fn the_defaults_are_secure_and_each_weakening_is_named(terraform: &Terraform) -> TestResult {
    suite(terraform, "defaults.tftest.hcl", 4)
}

fn every_invalid_input_fails_its_validation(terraform: &Terraform) -> TestResult {
    let runs = std::fs::read_to_string(module_path(MODULE).join("tests/validation.tftest.hcl"))
        .expect("the validation tests")
        .matches("\nrun \"")
        .count();
    suite(terraform, "validation.tftest.hcl", runs)
}

fn the_module_and_its_complete_example_validate(terraform: &Terraform) -> TestResult {
    assert_module_and_example_validate(terraform, MODULE)
}
