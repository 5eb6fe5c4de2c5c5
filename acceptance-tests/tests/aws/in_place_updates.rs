//! Day two: the team scales the GPU pool and the system pool, retaints the GPU pool,
//! rotates the key less often and retags. All of that is an in-place update that
//! reaches moto; changing the pool's capacity type or disk replaces the pool.

use acceptance_tests::{CommandOutput, Moto, Terraform, TestResult, Workdir, providers};

use crate::expect::{assert_tags_all, resource, rotation_periods_sent};
use crate::records::{Records, eks_tags, scaling_of, taints_of, user_tags};
use crate::stack::{CLUSTER, CLUSTER_NAME, GPU_POOL, KEY, POOL_NAME, Stack, Taint};

acceptance_tests::scenarios_on_terraform_1_15!(update_in_place_then_replace_what_eks_cannot_change);

fn update_in_place_then_replace_what_eks_cannot_change(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let mut stack = Stack::new(&network);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;
    let created = workdir.state_json()?;
    let key_arn = resource(&created, KEY)["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let pool_arn = resource(&created, GPU_POOL)["id"].clone();

    // In place: the key, the cluster and the GPU pool each change, nothing is replaced.
    stack.rotation_period_days = Some(365);
    stack.key_tags.insert("owner", "ml-platform");
    stack.cluster_tags.insert("env", "staging");
    stack.system_node_count = 3;
    stack.pool_node_count = 2;
    stack.pool_taints = Some(vec![Taint {
        key: "team",
        value: "ml",
        effect: "NoSchedule",
    }]);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir
        .plan()?
        .assert_stdout_contains("mlcloud_kms_key.etcd will be updated in-place")
        .assert_stdout_contains("mlcloud_cluster.main will be updated in-place")
        .assert_stdout_contains("mlcloud_node_pool.gpu will be updated in-place")
        .assert_stdout_contains("Plan: 0 to add, 3 to change, 0 to destroy.");
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 0 added, 3 changed, 0 destroyed.");

    let updated = workdir.state_json()?;
    assert_eq!(resource(&updated, KEY)["rotation_period_days"], 365);
    assert_eq!(rotation_periods_sent(&moto)?.last(), Some(&365));
    assert!(records.key_rotation_enabled(&key_arn)?);
    let key_tags = assert_tags_all(
        &updated,
        KEY,
        &[("purpose", "etcd"), ("owner", "ml-platform")],
    );
    assert_eq!(user_tags(records.key_tags(&key_arn)?), key_tags);

    let cluster_tags = assert_tags_all(&updated, CLUSTER, &[("env", "staging")]);
    let cluster = records.cluster(CLUSTER_NAME)?;
    assert_eq!(
        user_tags(eks_tags(cluster.tags())).get("env"),
        cluster_tags.get("env")
    );
    assert_eq!(
        scaling_of(&records.node_group(CLUSTER_NAME, "system")?),
        (3, 3, 3)
    );

    let pool = resource(&updated, GPU_POOL);
    assert_eq!(pool["id"], pool_arn, "updated, not replaced");
    assert_eq!(
        pool["taints"],
        serde_json::json!([{ "key": "team", "value": "ml", "effect": "NoSchedule" }])
    );
    let group = records.node_group(CLUSTER_NAME, POOL_NAME)?;
    assert_eq!(scaling_of(&group), (2, 2, 2));
    assert_eq!(
        taints_of(&group),
        [("team".into(), "ml".into(), "NO_SCHEDULE".into())],
        "the explicit taints replace the GPU default"
    );
    workdir.assert_no_changes()?;

    // EKS cannot change a node group's capacity type: the pool is replaced.
    stack.pool_capacity_type = "on_demand";
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    let plan = workdir.plan()?;
    assert_replaces_pool_for(&plan, "capacity_type");
    workdir.apply()?;
    let group = records.node_group(CLUSTER_NAME, POOL_NAME)?;
    assert_eq!(group.capacity_type().map(|c| c.as_str()), Some("ON_DEMAND"));
    assert_ne!(group.nodegroup_arn(), pool_arn.as_str(), "a new node group");
    assert_eq!(
        resource(&workdir.state_json()?, GPU_POOL)["id"].as_str(),
        group.nodegroup_arn()
    );
    workdir.assert_no_changes()?;

    // Nor its disk size (planned only: the replacement itself was shown above).
    stack.pool_disk_size_gb = 300;
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    assert_replaces_pool_for(&workdir.plan()?, "disk_size_gb");
    Ok(())
}

#[track_caller]
fn assert_replaces_pool_for(plan: &CommandOutput, attribute: &str) {
    plan.assert_stdout_contains("mlcloud_node_pool.gpu must be replaced")
        .assert_stdout_contains("Plan: 1 to add, 0 to change, 1 to destroy.");
    assert!(
        plan.stdout
            .lines()
            .any(|line| line.contains(attribute) && line.contains("# forces replacement")),
        "{attribute} should force the replacement\n{plan}"
    );
}
