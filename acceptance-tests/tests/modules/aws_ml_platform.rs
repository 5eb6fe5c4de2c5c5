//! `modules/aws-ml-platform`: its `terraform test` files pass against moto (behind
//! `mlcloud-emulator`'s aws part, with a VPC and two subnets made there), and the
//! module and its complete example validate. The applying file reaches the EKS
//! cluster's Kubernetes API at the emulator's override API, where the harness's
//! kubelets register the node groups' nodes while `terraform test` runs; afterwards
//! moto holds no cluster and the API no endpoint: `terraform test` destroyed them.

use acceptance_tests::{EksKubelets, HarnessError, Moto, Terraform, TestResult};

use crate::module_tests::{assert_module_and_example_validate, module_path, run_aws_test_file};

const MODULE: &str = "aws-ml-platform";

acceptance_tests::scenarios_on_terraform_1_15!(
    a_gpu_platform_applies_and_its_smoke_inference_passes,
    the_defaults_are_secure_and_each_weakening_is_named,
    every_invalid_input_fails_its_validation,
    the_module_and_its_complete_example_validate
);

/// The cluster `platform.tftest.hcl` names.
const APPLIED_CLUSTER: &str = "mlp-apply";

fn suite(terraform: &Terraform, file: &str, runs: usize) -> Result<Moto, HarnessError> {
    run_aws_test_file(terraform, MODULE, file, APPLIED_CLUSTER, runs)
}

fn a_gpu_platform_applies_and_its_smoke_inference_passes(terraform: &Terraform) -> TestResult {
    let moto = suite(terraform, "platform.tftest.hcl", 2)?;
    let sdk = moto.sdk();
    let clusters = sdk.call("eks ListClusters", sdk.eks.list_clusters().send())?;
    assert!(
        clusters.clusters().is_empty(),
        "clusters left after terraform test: {:?}",
        clusters.clusters()
    );
    let kubelets = EksKubelets::new(&moto, APPLIED_CLUSTER)?;
    for path in [
        "/apis/apps/v1/namespaces/ml-serving/deployments/inference",
        "/api/v1/namespaces/ml-serving",
        "/apis/apps/v1/namespaces/kube-system/daemonsets/nvidia-device-plugin-l4",
    ] {
        assert!(kubelets.api().find(path)?.is_none(), "{path} is left");
    }
    Ok(())
}

fn the_defaults_are_secure_and_each_weakening_is_named(terraform: &Terraform) -> TestResult {
    suite(terraform, "defaults.tftest.hcl", 4)?;
    Ok(())
}

fn every_invalid_input_fails_its_validation(terraform: &Terraform) -> TestResult {
    let runs = std::fs::read_to_string(module_path(MODULE).join("tests/validation.tftest.hcl"))
        .expect("the validation tests")
        .matches("\nrun \"")
        .count();
    suite(terraform, "validation.tftest.hcl", runs)?;
    Ok(())
}

fn the_module_and_its_complete_example_validate(terraform: &Terraform) -> TestResult {
    assert_module_and_example_validate(terraform, MODULE)
}
