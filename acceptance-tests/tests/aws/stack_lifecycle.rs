//! A platform team applies the ML stack in one go: a KMS key, the cluster, node and
//! workload identities, an EKS cluster and a GPU node pool. Everything the contract
//! promises is in moto, the state agrees with it, and a second plan is clean.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};

use crate::stack::Stack;
use crate::stack_checks::{
    cluster_matches_moto, gpu_pool_matches_moto, key_matches_moto, service_roles_match_moto,
    workload_identity_matches_moto,
};

acceptance_tests::scenarios_on_terraform_1_15!(apply_the_ml_stack_then_plan_is_clean);

fn apply_the_ml_stack_then_plan_is_clean(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &Stack::new(&network).main_tf(&moto))?;
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
    Ok(())
}
