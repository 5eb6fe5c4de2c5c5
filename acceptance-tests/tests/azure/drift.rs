//! Someone changes the Azure stack behind Terraform's back: the GPU agent pool deleted
//! through ARM is planned for creation again; a pool scaled by hand and a cluster tag
//! changed by hand are planned back in place; each apply repairs what it showed, and
//! then the plan is empty.

use acceptance_tests::{PlanChanges, Terraform, TestResult};
use serde_json::json;

use crate::arm::CONTAINER_SERVICE;
use crate::stack::{Applied, CLUSTER, GPU_POOL, STACK, count, id_of};

acceptance_tests::scenarios_on_every_terraform!(out_of_band_changes_are_planned_back);

fn out_of_band_changes_are_planned_back(terraform: &Terraform) -> TestResult {
    let Applied {
        emulator,
        arm,
        provider: _provider,
        workdir,
    } = Applied::start(terraform, &[], STACK)?;
    let state = workdir.state_json()?;
    let pool_id = id_of(&state, GPU_POOL);
    let cluster_id = id_of(&state, CLUSTER);

    // The GPU pool is deleted through ARM.
    arm.delete(&pool_id, CONTAINER_SERVICE);
    assert_eq!(
        count(&emulator.records()?, "agent_pools"),
        1,
        "only the system pool is left"
    );
    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{plan}");
    plan.assert_stdout_contains("mlcloud_node_pool.gpu will be created")
        .assert_stdout_contains("Plan: 1 to add, 0 to change, 0 to destroy.");
    workdir.apply()?;
    assert_eq!(id_of(&workdir.state_json()?, GPU_POOL), pool_id);
    assert_eq!(
        arm.get(&pool_id, CONTAINER_SERVICE)["properties"]["count"],
        1
    );
    workdir.assert_no_changes()?;

    // The pool is scaled to 3 and the cluster's team tag changed, both by hand.
    let mut pool = arm.get(&pool_id, CONTAINER_SERVICE);
    pool["properties"]["count"] = json!(3);
    let body = json!({"properties": pool["properties"]});
    let answer = arm.call("PUT", &pool_id, CONTAINER_SERVICE, Some(&body));
    assert!(answer.status < 300, "{answer:?}");
    arm.until(&pool_id, CONTAINER_SERVICE, |_, body| {
        body["properties"]["provisioningState"] == "Succeeded"
    });
    let mut tags = arm.get(&cluster_id, CONTAINER_SERVICE)["tags"].clone();
    tags["team"] = json!("tampered");
    let answer = arm.call(
        "PATCH",
        &cluster_id,
        CONTAINER_SERVICE,
        Some(&json!({"tags": tags})),
    );
    assert!(answer.status < 300, "{answer:?}");
    arm.until(&cluster_id, CONTAINER_SERVICE, |_, body| {
        body["properties"]["provisioningState"] == "Succeeded"
    });

    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{plan}");
    plan.assert_stdout_contains("mlcloud_node_pool.gpu will be updated in-place")
        .assert_stdout_contains("node_count")
        .assert_stdout_contains("3 -> 1")
        .assert_stdout_contains("mlcloud_cluster.main will be updated in-place")
        .assert_stdout_contains(r#""tampered" -> "ml""#)
        .assert_stdout_contains("Plan: 0 to add, 2 to change, 0 to destroy.");
    workdir.apply()?;
    assert_eq!(
        arm.get(&pool_id, CONTAINER_SERVICE)["properties"]["count"],
        1
    );
    assert_eq!(
        arm.get(&cluster_id, CONTAINER_SERVICE)["tags"]["team"],
        "ml"
    );
    workdir.assert_no_changes()?;
    Ok(())
}
