//! The oldest Terraform the provider supports (1.0.3, protocol 6.0) runs the whole
//! life of the stack: create, a clean plan, an in-place update, destroy.

use acceptance_tests::{Moto, Terraform, TerraformRelease, TestResult, Workdir, providers};

use crate::destroy_leaves_nothing::assert_moto_holds_nothing;
use crate::records::{Records, scaling_of};
use crate::stack::{CLUSTER_NAME, POOL_NAME, Stack};
use crate::stack_checks::{
    cluster_matches_moto, gpu_pool_matches_moto, key_matches_moto, service_roles_match_moto,
    workload_identity_matches_moto,
};

#[test]
fn lifecycle_on_terraform_1_0_3() -> TestResult {
    create_update_destroy(&Terraform::locate(TerraformRelease::V1_0_3)?)
}

fn create_update_destroy(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let mut stack = Stack::new(&network);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed.");
    let state = workdir.state_json()?;
    let key_arn = key_matches_moto(&moto, &state)?;
    service_roles_match_moto(&moto, &state)?;
    cluster_matches_moto(&moto, &state, &network, &key_arn)?;
    workload_identity_matches_moto(&moto, &state, &key_arn)?;
    gpu_pool_matches_moto(&moto, &state, &network)?;
    workdir.assert_no_changes()?;

    stack.pool_node_count = 2;
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir
        .plan()?
        .assert_stdout_contains("mlcloud_node_pool.gpu will be updated in-place")
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");
    workdir.apply()?;
    let group = Records::of(&moto).node_group(CLUSTER_NAME, POOL_NAME)?;
    assert_eq!(scaling_of(&group), (2, 2, 2));
    workdir.assert_no_changes()?;

    workdir
        .destroy()?
        .assert_stdout_contains("Destroy complete! Resources: 6 destroyed.");
    assert_moto_holds_nothing(&moto, &key_arn, 7)
}
