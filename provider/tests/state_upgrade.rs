//! State written by schema version 0 (lists where order is not the user's) upgrades to
//! version 1 (sets): what Terraform does with a state file from an earlier release.

use mlcloud_provider::provider::MlcloudProvider;
use std::sync::Arc;
use tfplug::{Provider, Resource, Value};

fn resource(type_name: &str) -> Arc<dyn Resource> {
    MlcloudProvider::new()
        .resources()
        .into_iter()
        .find(|r| r.type_name() == type_name)
        .expect("resource exists")
}

fn strings(v: &Value) -> Vec<&str> {
    let mut all: Vec<&str> = v
        .as_elements()
        .expect("a collection")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    all.sort_unstable();
    all
}

#[test]
fn a_version_0_cluster_state_upgrades_lists_to_sets() {
    let cluster = resource("mlcloud_cluster");
    assert_eq!(cluster.schema().version, 1);
    let v0 = serde_json::json!({
        "id": "arn:aws:eks:us-east-1:123456789012:cluster/ml",
        "cloud": "aws",
        "name": "ml",
        "location": "us-east-1",
        "logging": ["scheduler", "api", "audit", "api"],
        "authorized_cidrs": ["203.0.113.0/24"],
        "encryption_key_id": "arn:aws:kms:us-east-1:123456789012:key/k",
        "system_pool": {"machine_type": "m6i.large", "node_count": 2, "node_identity_id": null},
        "aws": {"subnet_ids": ["subnet-b", "subnet-a"], "security_group_ids": null},
        "tags_all": {}
    });
    let upgraded = cluster
        .upgrade_state(0, &serde_json::to_vec(&v0).unwrap())
        .expect("upgrades");
    let logging = upgraded.attr("logging").unwrap();
    assert!(matches!(logging, Value::Set(_)), "{logging:?}");
    assert_eq!(strings(logging), ["api", "audit", "scheduler"]);
    let subnets = upgraded.attr("aws").unwrap().attr("subnet_ids").unwrap();
    assert!(matches!(subnets, Value::Set(_)));
    assert_eq!(strings(subnets), ["subnet-a", "subnet-b"]);
    assert_eq!(
        upgraded.attr("name").and_then(Value::as_str),
        Some("ml"),
        "the rest is kept"
    );
}

#[test]
fn a_version_0_node_pool_state_upgrades_taints_and_zones() {
    let pool = resource("mlcloud_node_pool");
    let v0 = serde_json::json!({
        "id": "arn:aws:eks:us-east-1:123456789012:nodegroup/ml/gpu/x",
        "cloud": "aws",
        "name": "gpu",
        "cluster_id": "arn:aws:eks:us-east-1:123456789012:cluster/ml",
        "taints": [
            {"key": "team", "value": "ml", "effect": "NoSchedule"},
            {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
        ],
        "zones": ["us-east-1b", "us-east-1a"]
    });
    let upgraded = pool
        .upgrade_state(0, &serde_json::to_vec(&v0).unwrap())
        .expect("upgrades");
    assert!(matches!(upgraded.attr("taints"), Some(Value::Set(t)) if t.len() == 2));
    assert_eq!(
        strings(upgraded.attr("zones").unwrap()),
        ["us-east-1a", "us-east-1b"]
    );
}

#[test]
fn state_from_a_newer_provider_is_refused() {
    let refused = resource("mlcloud_cluster")
        .upgrade_state(2, b"{}")
        .unwrap_err();
    assert!(refused.to_string().contains("newer"), "{refused}");
}
