//! Kubernetes versions at plan time: a node pool follows its cluster; an upgrade
//! moves one minor version and never back; a pool is never newer than its cluster.
//! Each refusal is an error on `kubernetes_version` before anything reaches AWS.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, assert_error_points_at, providers};

use crate::expect::resource;
use crate::stack::{CLUSTER, GPU_POOL, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(versions_follow_the_cluster_one_minor_at_a_time);

fn versions_follow_the_cluster_one_minor_at_a_time(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let mut stack = Stack::new(&network);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;
    let state = workdir.state_json()?;
    assert_eq!(resource(&state, CLUSTER)["kubernetes_version"], "1.31");
    assert_eq!(
        resource(&state, GPU_POOL)["kubernetes_version"],
        "1.31",
        "a pool without a version runs its cluster's"
    );
    workdir.assert_no_changes()?;

    // The one error, on the `kubernetes_version = "<at>"` line, says `says`.
    let refused = |stack: &Stack, at: &str, says: &[&str]| -> TestResult {
        workdir.write("main.tf", &stack.main_tf(&moto))?;
        let diagnostics = workdir.failed_plan_diagnostics()?;
        let errors = diagnostics.iter().filter(|d| d.severity == "error").count();
        assert_eq!(errors, 1, "{diagnostics:#?}");
        assert_error_points_at(
            &diagnostics,
            "kubernetes_version",
            says,
            &format!("kubernetes_version = \"{at}\""),
        );
        Ok(())
    };

    stack.cluster_version = "1.33";
    refused(
        &stack,
        "1.33",
        &["the cluster runs Kubernetes 1.31", "Set 1.32, apply"],
    )?;
    stack.cluster_version = "1.30";
    refused(
        &stack,
        "1.30",
        &[
            "the cluster runs Kubernetes 1.31",
            "cannot be downgraded to 1.30",
        ],
    )?;
    stack.cluster_version = "1.31";
    stack.pool_version = Some("1.33");
    refused(
        &stack,
        "1.33",
        &["the node pool runs Kubernetes 1.31", "Set 1.32, apply"],
    )?;
    stack.pool_version = Some("1.30");
    refused(
        &stack,
        "1.30",
        &[
            "the node pool runs Kubernetes 1.31",
            "cannot be downgraded to 1.30",
        ],
    )?;

    // One minor ahead of the cluster is possible only if the cluster goes first: a
    // warning on the attribute, which plans.
    stack.pool_version = Some("1.32");
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir
        .plan()?
        .assert_stdout_contains("Warning: The node pool would be newer than its cluster")
        .assert_stdout_contains(r#"kubernetes_version = "1.32""#)
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");

    // Back to what runs: nothing to do, nothing was sent.
    stack.pool_version = Some("1.31");
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.assert_no_changes()?;
    Ok(())
}
