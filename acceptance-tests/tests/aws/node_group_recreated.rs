//! Someone deletes the GPU node group and makes a new one of the same name by hand:
//! same name, new ARN. That is not the group Terraform made, so the plan shows the
//! pool to be created; the apply then meets the stranger's group and fails naming it
//! and the import that would take it over (never managing, and later deleting, a group
//! Terraform did not make). Importing it makes it the pool's.

use acceptance_tests::{Moto, PlanChanges, Terraform, TestResult, Workdir, providers};

use crate::expect::resource;
use crate::records::Records;
use crate::stack::{CLUSTER_NAME, GPU_POOL, NODE_IDENTITY, POOL_NAME, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(a_node_group_recreated_out_of_band_is_not_ours);

fn a_node_group_recreated_out_of_band_is_not_ours(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &Stack::new(&network).main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;
    let state = workdir.state_json()?;
    let ours = resource(&state, GPU_POOL)["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let node_role = resource(&state, NODE_IDENTITY)["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    records.delete_node_group_out_of_band(CLUSTER_NAME, POOL_NAME)?;
    let sdk = records.sdk();
    sdk.call(
        "eks CreateNodegroup",
        sdk.eks
            .create_nodegroup()
            .cluster_name(CLUSTER_NAME)
            .nodegroup_name(POOL_NAME)
            .node_role(&node_role)
            .set_subnets(Some(network.subnet_ids.clone()))
            .send(),
    )?;
    let theirs = records
        .node_group(CLUSTER_NAME, POOL_NAME)?
        .nodegroup_arn()
        .unwrap_or_default()
        .to_owned();
    assert_ne!(theirs, ours, "moto gives the new group a new ARN");

    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{plan}");
    plan.assert_stdout_contains("mlcloud_node_pool.gpu will be created");

    let failed = workdir.apply_expect_error()?;
    let said = failed
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let expected = format!(
        "a node group named {POOL_NAME} in EKS cluster {CLUSTER_NAME} already exists ({theirs}); \
         import it with `terraform import mlcloud_node_pool.<resource name> {theirs}` or choose \
         another name"
    );
    assert!(
        said.contains(&expected),
        "expected {expected:?} in\n{failed}"
    );
    assert_eq!(
        records
            .node_group(CLUSTER_NAME, POOL_NAME)?
            .nodegroup_arn()
            .unwrap_or_default(),
        theirs,
        "the stranger's group is left alone"
    );

    workdir.import(GPU_POOL, &theirs)?;
    assert_eq!(
        resource(&workdir.state_json()?, GPU_POOL)["id"].as_str(),
        Some(theirs.as_str())
    );
    Ok(())
}
