//! Day two on Azure: the GPU pool moves from a fixed size to autoscaling, in place
//! (`stack_lifecycle` covers node count, labels and tags); a new accelerator is a new
//! VM size, which AKS cannot change on an agent pool, so the plan replaces the pool
//! on `resolved_machine_type` and the apply leaves one pool of the new size.

use acceptance_tests::{Terraform, TestResult};

use crate::arm::CONTAINER_SERVICE;
use crate::stack::{Applied, GPU_POOL, STACK, count, id_of, main_tf};

acceptance_tests::scenarios_on_terraform_1_15!(autoscale_in_place_then_replace_the_vm_size);

fn autoscale_in_place_then_replace_the_vm_size(terraform: &Terraform) -> TestResult {
    let Applied {
        emulator,
        arm,
        provider: _provider,
        workdir,
    } = Applied::start(terraform, &[], STACK)?;
    let pool_id = id_of(&workdir.state_json()?, GPU_POOL);

    let autoscaled = STACK.replace(
        "  node_count = 1\n  tags       = { team = \"ml\" }\n",
        "  tags       = { team = \"ml\" }\n  autoscaling {\n    min = 1\n    max = 3\n  }\n",
    );
    assert_ne!(autoscaled, STACK);
    workdir.write("main.tf", &main_tf(&emulator, &autoscaled))?;
    workdir
        .plan()?
        .assert_stdout_contains("mlcloud_node_pool.gpu will be updated in-place")
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    let pool = arm.get(&pool_id, CONTAINER_SERVICE);
    assert_eq!(pool["properties"]["enableAutoScaling"], true, "{pool}");
    assert_eq!(pool["properties"]["minCount"], 1, "{pool}");
    assert_eq!(pool["properties"]["maxCount"], 3, "{pool}");
    workdir.assert_no_changes()?;

    let bigger = autoscaled.replace("type = \"nvidia-t4\"", "type = \"nvidia-a100-80gb\"");
    assert_ne!(bigger, autoscaled);
    workdir.write("main.tf", &main_tf(&emulator, &bigger))?;
    let plan = workdir.plan()?;
    plan.assert_stdout_contains("mlcloud_node_pool.gpu must be replaced")
        .assert_stdout_contains("Plan: 1 to add, 0 to change, 1 to destroy.");
    assert!(
        plan.stdout
            .lines()
            .any(|line| line.contains("resolved_machine_type")
                && line.contains("\"Standard_NC4as_T4_v3\" -> \"Standard_NC24ads_A100_v4\"")
                && line.contains("# forces replacement")),
        "the VM size forces the replacement\n{plan}"
    );
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 1 added, 0 changed, 1 destroyed.");
    let pool = arm.get(&pool_id, CONTAINER_SERVICE);
    assert_eq!(
        pool["properties"]["vmSize"], "Standard_NC24ads_A100_v4",
        "{pool}"
    );
    assert_eq!(
        count(&emulator.records()?, "agent_pools"),
        2,
        "system and gpu"
    );
    workdir.assert_no_changes()?;
    Ok(())
}
