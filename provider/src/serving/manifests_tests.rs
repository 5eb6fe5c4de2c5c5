use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::serving::spec::{
    Accelerators, ControlPlanePeer, EndpointSpec, Placement, PodResources, Replicas, Toleration,
    WorkloadBinding,
};

fn spec() -> EndpointSpec {
    EndpointSpec {
        name: "iris".into(),
        namespace: "ml-serving".into(),
        image: "ghcr.io/mlcloud/mlcloud-smoke:0.1.0".into(),
        model_name: "iris".into(),
        model_uri: None,
        port: 8080,
        replicas: Replicas::Fixed(2),
        resources: PodResources {
            cpu: "1".into(),
            memory: "2Gi".into(),
            accelerators: Some(Accelerators {
                resource: "nvidia.com/gpu".into(),
                count: 1,
            }),
        },
        placement: Placement {
            node_selector: BTreeMap::from([("eks.amazonaws.com/nodegroup".into(), "gpu".into())]),
            tolerations: vec![
                Toleration {
                    key: "nvidia.com/gpu".into(),
                    value: Some("present".into()),
                    effect: "NoSchedule".into(),
                },
                Toleration {
                    key: "nvidia.com/gpu".into(),
                    value: Some("present".into()),
                    effect: "NoSchedule".into(),
                },
            ],
        },
        binding: WorkloadBinding {
            service_account_annotations: BTreeMap::from([(
                "eks.amazonaws.com/role-arn".into(),
                "arn:aws:iam::123456789012:role/iris".into(),
            )]),
            ..WorkloadBinding::default()
        },
        allowed_namespaces: vec!["apps".into(), "ml-serving".into()],
        control_plane: vec![ControlPlanePeer::Cidr("10.0.0.0/28".into())],
        startup_seconds: 600,
        deployment_annotations: BTreeMap::new(),
    }
}

#[test]
fn objects_come_in_dependency_order_and_the_hpa_only_with_autoscaling() {
    let kinds = |s: &EndpointSpec| -> Vec<String> {
        all(s)
            .iter()
            .map(|o| o["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        kinds(&spec()),
        [
            "Namespace",
            "ServiceAccount",
            "NetworkPolicy",
            "Service",
            "Deployment",
            "PodDisruptionBudget"
        ]
    );
    let mut autoscaled = spec();
    autoscaled.replicas = Replicas::Autoscaling {
        min: 1,
        max: 4,
        target_cpu_percent: 70,
    };
    assert_eq!(
        kinds(&autoscaled).last().unwrap(),
        "HorizontalPodAutoscaler"
    );
}

#[test]
fn the_container_is_locked_down() {
    let deployment = deployment(&spec());
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], json!(true));
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        json!("RuntimeDefault")
    );
    assert_eq!(pod["automountServiceAccountToken"], json!(false));
    let container = &pod["containers"][0]["securityContext"];
    assert_eq!(container["allowPrivilegeEscalation"], json!(false));
    assert_eq!(container["readOnlyRootFilesystem"], json!(true));
    assert_eq!(container["capabilities"]["drop"], json!(["ALL"]));
}

#[test]
fn accelerators_are_requested_whole_with_requests_equal_to_limits() {
    let deployment = deployment(&spec());
    let resources = &deployment["spec"]["template"]["spec"]["containers"][0]["resources"];
    assert_eq!(resources["limits"]["nvidia.com/gpu"], json!("1"));
    assert_eq!(resources["requests"], resources["limits"]);
}

#[test]
fn a_gpu_rollout_has_no_surge_pod_and_a_cpu_one_keeps_capacity() {
    let gpu = deployment(&spec());
    assert_eq!(
        gpu["spec"]["strategy"]["rollingUpdate"],
        json!({ "maxSurge": 0, "maxUnavailable": 1 })
    );
    let mut cpu_spec = spec();
    cpu_spec.resources.accelerators = None;
    let cpu = deployment(&cpu_spec);
    assert_eq!(
        cpu["spec"]["strategy"]["rollingUpdate"],
        json!({ "maxSurge": 1, "maxUnavailable": 0 })
    );
}

#[test]
fn probes_cover_startup_readiness_and_liveness() {
    let deployment = deployment(&spec());
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        container["readinessProbe"]["httpGet"]["path"],
        json!("/v2/health/ready")
    );
    assert_eq!(
        container["livenessProbe"]["httpGet"]["path"],
        json!("/v2/health/live")
    );
    // 600 s of model loading at one probe every 10 s.
    assert_eq!(container["startupProbe"]["failureThreshold"], json!(60));
}

#[test]
fn placement_and_duplicate_tolerations() {
    let deployment = deployment(&spec());
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(
        pod["nodeSelector"],
        json!({ "eks.amazonaws.com/nodegroup": "gpu" })
    );
    assert_eq!(
        pod["tolerations"],
        json!([{ "key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule" }])
    );
}

#[test]
fn replicas_are_left_to_the_hpa_when_autoscaling() {
    assert_eq!(deployment(&spec())["spec"]["replicas"], json!(2));
    let mut autoscaled = spec();
    autoscaled.replicas = Replicas::Autoscaling {
        min: 1,
        max: 4,
        target_cpu_percent: 70,
    };
    assert!(deployment(&autoscaled)["spec"].get("replicas").is_none());
    let hpa = horizontal_pod_autoscaler(&autoscaled).unwrap();
    assert_eq!(hpa["spec"]["minReplicas"], json!(1));
    assert_eq!(hpa["spec"]["maxReplicas"], json!(4));
    assert_eq!(
        hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        json!(70)
    );
}

#[test]
fn the_policy_admits_allowed_namespaces_and_the_control_plane_on_the_model_port() {
    let policy = network_policy(&spec());
    let rule = &policy["spec"]["ingress"][0];
    assert_eq!(
        rule["from"],
        json!([
            { "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": "apps" } } },
            { "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": "ml-serving" } } },
            { "ipBlock": { "cidr": "10.0.0.0/28" } },
        ])
    );
    assert_eq!(rule["ports"], json!([{ "protocol": "TCP", "port": 8080 }]));
    assert_eq!(policy["spec"]["policyTypes"], json!(["Ingress"]));
}

#[test]
fn konnectivity_agents_are_admitted_by_namespace_and_labels() {
    let mut aks = spec();
    aks.control_plane = vec![ControlPlanePeer::Pods {
        namespace: "kube-system".into(),
        labels: BTreeMap::from([("app".into(), "konnectivity-agent".into())]),
    }];
    let policy = network_policy(&aks);
    assert_eq!(
        policy["spec"]["ingress"][0]["from"][2],
        json!({
            "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": "kube-system" } },
            "podSelector": { "matchLabels": { "app": "konnectivity-agent" } },
        })
    );
}

#[test]
fn the_service_account_carries_the_identity_binding() {
    let account = service_account(&spec());
    assert_eq!(
        account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
        json!("arn:aws:iam::123456789012:role/iris")
    );
    assert_eq!(account["automountServiceAccountToken"], json!(false));
}

#[test]
fn a_model_uri_reaches_the_server_environment() {
    let mut with_uri = spec();
    with_uri.model_uri = Some("s3://models/iris".into());
    let deployment = deployment(&with_uri);
    let env = &deployment["spec"]["template"]["spec"]["containers"][0]["env"];
    assert!(
        env.as_array()
            .unwrap()
            .contains(&json!({ "name": "MODEL_URI", "value": "s3://models/iris" }))
    );
}
