//! The system pool is part of the cluster but never a reason to replace it: a new
//! machine type rotates it (a new node group, then the old one removed), and a system
//! group deleted out of band comes back in place. The EKS cluster stays the same.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};

use crate::expect::arn_of;
use crate::records::Records;
use crate::stack::{CLUSTER, CLUSTER_NAME, POOL_NAME, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(the_system_pool_rotates_and_comes_back_in_place);

fn the_system_pool_rotates_and_comes_back_in_place(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let mut stack = Stack::new(&network);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;
    let cluster_arn = arn_of(&workdir.state_json()?, CLUSTER);
    let mut groups = records.node_group_names(CLUSTER_NAME)?;
    groups.sort();
    assert_eq!(groups, [POOL_NAME, "system"]);

    // A bigger machine: a new system group, then the old one removed.
    stack.system_machine_type = "m6i.xlarge";
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir
        .plan()?
        .assert_stdout_contains("mlcloud_cluster.main will be updated in-place")
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");
    workdir.apply()?;
    workdir.assert_no_changes()?;
    let mut groups = records.node_group_names(CLUSTER_NAME)?;
    groups.sort();
    assert_eq!(groups, [POOL_NAME, "system-2"], "rotated");
    let rotated = records.node_group(CLUSTER_NAME, "system-2")?;
    assert_eq!(rotated.instance_types(), ["m6i.xlarge"]);
    assert_eq!(arn_of(&workdir.state_json()?, CLUSTER), cluster_arn);

    // Deleted behind Terraform's back: back in place, the cluster untouched.
    records.delete_node_group_out_of_band(CLUSTER_NAME, "system-2")?;
    workdir
        .plan()?
        .assert_stdout_contains("mlcloud_cluster.main will be updated in-place")
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");
    workdir.apply()?;
    workdir.assert_no_changes()?;
    let system: Vec<String> = records
        .node_group_names(CLUSTER_NAME)?
        .into_iter()
        .filter(|name| name.starts_with("system"))
        .collect();
    assert_eq!(system.len(), 1, "{system:?}");
    let back = records.node_group(CLUSTER_NAME, &system[0])?;
    assert_eq!(back.instance_types(), ["m6i.xlarge"]);
    assert_eq!(arn_of(&workdir.state_json()?, CLUSTER), cluster_arn);
    Ok(())
}
