//! `modules/ml-platform`, the cloud-neutral module: the same inputs applied on gcp and
//! then, `cloud` switched, on azure (one `mlcloud-emulator` plays both), and on aws
//! (moto, with the node groups' nodes registered in the emulator's Kubernetes API),
//! each with a passed smoke inference; every invalid input fails its validation; the
//! module and its complete example validate.

use acceptance_tests::azure_arm::AzureArm;
use acceptance_tests::{MlcloudEmulator, Terraform, TestResult};

use crate::module_tests::{
    assert_all_passed, assert_module_and_example_validate, azure_variables, gcp_variables,
    module_path, module_workdir, run_aws_test_file, run_test_file,
};

const MODULE: &str = "ml-platform";

acceptance_tests::scenarios_on_terraform_1_15!(
    one_set_of_inputs_serves_on_gcp_then_on_azure,
    the_same_inputs_serve_on_aws,
    every_invalid_input_fails_its_validation,
    the_module_and_its_complete_example_validate
);

fn suite(terraform: &Terraform, file: &str, runs: usize) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    AzureArm::for_emulator(&emulator)?.create_group("ml-platform", "westeurope")?;
    let workdir = module_workdir(terraform, MODULE)?;
    let mut variables = gcp_variables(&emulator);
    variables.extend(azure_variables(&emulator));
    let output = run_test_file(&workdir, file, &variables)?;
    assert_all_passed(&output, runs);
    let records = emulator.records()?;
    for (cloud, kind) in [("gcp", "clusters"), ("azure", "managed_clusters")] {
        let left = records[cloud][kind].as_array().map_or(0, Vec::len);
        assert_eq!(left, 0, "{cloud} {kind} left: {records:#}");
    }
    Ok(())
}

fn one_set_of_inputs_serves_on_gcp_then_on_azure(terraform: &Terraform) -> TestResult {
    suite(terraform, "clouds.tftest.hcl", 2)
}

fn the_same_inputs_serve_on_aws(terraform: &Terraform) -> TestResult {
    // mlp-any: the cluster aws.tftest.hcl names.
    let moto = run_aws_test_file(terraform, MODULE, "aws.tftest.hcl", "mlp-any", 1)?;
    let sdk = moto.sdk();
    let clusters = sdk.call("eks ListClusters", sdk.eks.list_clusters().send())?;
    assert!(
        clusters.clusters().is_empty(),
        "clusters left after terraform test: {:?}",
        clusters.clusters()
    );
    Ok(())
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
