use super::*;
use crate::clouds::cluster_access::test_cluster;
use crate::clouds::model::{
    CapacityType, IdentityCloud, NodePoolCloud, Scaling, Taint, TaintEffect,
    WorkloadBinding as Trust,
};
use serde_json::json;

fn pool(machine_type: &str, taints: &[(&str, &str)]) -> NodePoolState {
    NodePoolState {
        id: "pool-id".into(),
        cluster_id: "arn:aws:eks:us-east-1:1:cluster/ml".into(),
        name: "gpu".into(),
        location: None,
        machine_type: machine_type.into(),
        scaling: Scaling::Fixed(1),
        capacity_type: CapacityType::OnDemand,
        taints: taints
            .iter()
            .map(|(key, value)| Taint {
                key: (*key).into(),
                value: (*value).into(),
                effect: TaintEffect::NoSchedule,
            })
            .collect(),
        labels: Default::default(),
        disk_size_gb: 100,
        zones: Default::default(),
        spans_cluster: true,
        node_identity_id: None,
        kubernetes_version: "1.33".into(),
        disk_encryption_key_id: None,
        tags: Default::default(),
        status: "ACTIVE".into(),
        tpu_topology: None,
        cloud: NodePoolCloud::Aws(Default::default()),
    }
}

#[test]
fn pods_select_the_pools_nodes_and_tolerate_its_taints() {
    let p = placement(
        "eks.amazonaws.com/nodegroup",
        &pool("g6.xlarge", &[("nvidia.com/gpu", "present"), ("team", "")]),
    );
    assert_eq!(
        p.node_selector,
        [("eks.amazonaws.com/nodegroup".to_string(), "gpu".to_string())].into()
    );
    assert!(p.tolerations.contains(&Toleration {
        key: "nvidia.com/gpu".into(),
        value: Some("present".into()),
        effect: "NoSchedule".into(),
    }));
    // An empty taint value is tolerated with `Exists`, whatever the value is.
    assert!(
        p.tolerations
            .iter()
            .any(|t| t.key == "team" && t.value.is_none())
    );
}

#[test]
fn tpu_machines_take_tpu_chips_and_everything_else_gpus() {
    let tpu = pool("ct5lp-hightpu-4t", &[]);
    assert_eq!(
        accelerator_resource(Cloud::Gcp, Some(&tpu)),
        "google.com/tpu"
    );
    let gpu = pool("g2-standard-4", &[]);
    assert_eq!(
        accelerator_resource(Cloud::Gcp, Some(&gpu)),
        "nvidia.com/gpu"
    );
    assert_eq!(accelerator_resource(Cloud::Aws, None), "nvidia.com/gpu");
}

fn identity(trusted: Option<(&str, &str, &str)>) -> IdentityState {
    IdentityState {
        id: "arn:aws:iam::1:role/serving".into(),
        principal: "arn:aws:iam::1:role/serving".into(),
        client_id: "AROA1".into(),
        name: "serving".into(),
        location: None,
        purpose: Purpose::Workload,
        workload: trusted.map(|(cluster, ns, sa)| Trust {
            cluster_id: cluster.into(),
            namespace: ns.into(),
            service_account: sa.into(),
        }),
        grants: Vec::new(),
        policy_drift: Default::default(),
        tags: Default::default(),
        cloud: IdentityCloud::Aws(Default::default()),
    }
}

#[test]
fn an_identity_must_trust_the_endpoints_own_service_account() {
    let cluster = test_cluster("arn:aws:eks:us-east-1:1:cluster/ml", "ml");
    let spec = EndpointConfig {
        name: Some("iris".into()),
        ..EndpointConfig::default()
    }
    .neutral_spec();
    let ok = identity(Some((&cluster.id, "ml-serving", "iris")));
    assert!(check_identity_trusts(&ok, &cluster, &spec).is_ok());
    let other = identity(Some((&cluster.id, "ml-serving", "other")));
    let err = check_identity_trusts(&other, &cluster, &spec).unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("ml-serving/other"), "{text}");
    assert!(text.contains("service_account = \\\"iris\\\""), "{text}");
}

#[test]
fn a_refresh_shows_image_and_replica_drift_and_keeps_the_rest() {
    let state = Value::object([
        ("name", Value::from("iris")),
        ("namespace", Value::from("ml-serving")),
        ("port", Value::from(8080i64)),
        ("image", Value::from("ghcr.io/mlcloud/mlcloud-smoke:1")),
        ("replicas", Value::from(2i64)),
    ]);
    let deployment = json!({
        "spec": {
            "replicas": 5,
            "template": { "spec": { "containers": [{ "image": "evil/image:latest" }] } },
        },
        "status": { "readyReplicas": 4 },
    });
    let after = refreshed(state, &deployment, None);
    assert_eq!(
        after.attr("image").and_then(Value::as_str),
        Some("evil/image:latest")
    );
    assert_eq!(after.attr("replicas").and_then(Value::as_i64), Some(5));
    assert_eq!(
        after.attr("ready_replicas").and_then(Value::as_i64),
        Some(4)
    );
    assert_eq!(after.attr("port").and_then(Value::as_i64), Some(8080));
}

#[test]
fn an_import_reads_its_inputs_back_from_the_container() {
    let state = Value::object([
        ("name", Value::from("iris")),
        ("namespace", Value::from("ml-serving")),
    ]);
    let deployment = json!({
        "spec": {
            "replicas": 1,
            "template": { "spec": { "containers": [{
                "image": "ghcr.io/mlcloud/mlcloud-smoke:1",
                "ports": [{ "containerPort": 9000 }],
                "env": [{ "name": "MODEL_NAME", "value": "flowers" }],
                "resources": { "requests": { "cpu": "1", "memory": "2Gi", "nvidia.com/gpu": "1" } },
            }] } },
        },
    });
    let after = refreshed(state, &deployment, None);
    assert_eq!(after.attr("port").and_then(Value::as_i64), Some(9000));
    let model = after.attr("model").unwrap();
    assert_eq!(model.attr("name").and_then(Value::as_str), Some("flowers"));
    let resources = after.attr("resources").unwrap();
    assert_eq!(resources.attr("gpu").and_then(Value::as_i64), Some(1));
    assert_eq!(
        resources.attr("memory").and_then(Value::as_str),
        Some("2Gi")
    );
    assert_eq!(
        after.attr("internal_url").and_then(Value::as_str),
        Some("http://iris.ml-serving.svc.cluster.local:9000")
    );
}

#[test]
fn an_import_of_an_autoscaled_endpoint_reads_its_hpa_and_leaves_replicas_to_it() {
    let state = Value::object([
        ("name", Value::from("iris")),
        ("namespace", Value::from("ml-serving")),
    ]);
    let deployment = json!({
        "spec": {
            "replicas": 3,
            "template": { "spec": { "containers": [{ "image": "ghcr.io/mlcloud/mlcloud-smoke:1" }] } },
        },
    });
    let hpa = json!({
        "spec": {
            "minReplicas": 2,
            "maxReplicas": 6,
            "metrics": [{ "type": "Resource", "resource": { "name": "cpu", "target": { "type": "Utilization", "averageUtilization": 55 } } }],
        },
    });
    let after = refreshed(state, &deployment, Some(&hpa));
    let autoscaling = after.attr("autoscaling").unwrap();
    assert_eq!(autoscaling.attr("min").and_then(Value::as_i64), Some(2));
    assert_eq!(autoscaling.attr("max").and_then(Value::as_i64), Some(6));
    assert_eq!(
        autoscaling
            .attr("target_cpu_percent")
            .and_then(Value::as_i64),
        Some(55)
    );
    assert!(
        after.attr("replicas").is_none_or(Value::is_null),
        "the HPA owns the count: {after:?}"
    );
}

#[test]
fn a_refresh_of_a_managed_endpoint_ignores_an_hpa_it_does_not_own() {
    let state = Value::object([
        ("name", Value::from("iris")),
        ("namespace", Value::from("ml-serving")),
        ("port", Value::from(8080i64)),
        ("replicas", Value::from(1i64)),
    ]);
    let deployment =
        json!({ "spec": { "replicas": 1, "template": { "spec": { "containers": [{}] } } } });
    let hpa = json!({ "spec": { "minReplicas": 2, "maxReplicas": 6 } });
    let after = refreshed(state, &deployment, Some(&hpa));
    assert!(after.attr("autoscaling").is_none_or(Value::is_null));
    assert_eq!(after.attr("replicas").and_then(Value::as_i64), Some(1));
}

#[test]
fn only_inputs_count_as_a_change() {
    let a = Value::object([
        ("replicas", Value::from(1i64)),
        ("ready_replicas", Value::from(1i64)),
    ]);
    let b = Value::object([
        ("replicas", Value::from(1i64)),
        ("ready_replicas", Value::from(0i64)),
    ]);
    let c = Value::object([
        ("replicas", Value::from(2i64)),
        ("ready_replicas", Value::from(1i64)),
    ]);
    assert!(!inputs_differ(&a, &b));
    assert!(inputs_differ(&a, &c));
}
