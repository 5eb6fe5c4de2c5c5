//! Plan-time diagnostics of the four cloud resources, through the protocol in-process:
//! each bad input is reported on its exact attribute path before any cloud call.

use mlcloud_provider::clouds::{RuleBook, aws};
use mlcloud_provider::provider::MlcloudProvider;
use tfplug::testkit::TestClient;
use tfplug::{AttributePath, Diagnostics, Value};

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
}

fn set(items: &[&str]) -> Value {
    Value::Set(items.iter().map(|s| Value::from(*s)).collect())
}

async fn validate(resource: &str, config: Value) -> Diagnostics {
    let client = TestClient::new(MlcloudProvider::new());
    let full = client.config_for(resource, config);
    client.validate_resource(resource, &full).await
}

fn assert_error_at(d: &Diagnostics, path: &str, needle: &str) {
    assert_error_on(d, AttributePath::parse(path), needle);
}

/// For a map key with '.' in it, which `AttributePath::parse` would split.
fn assert_error_on(d: &Diagnostics, want: AttributePath, needle: &str) {
    let path = want.to_string();
    let hit = d
        .iter()
        .find(|d| d.attribute.as_ref() == Some(&want))
        .unwrap_or_else(|| panic!("no diagnostic at {path}: {d}"));
    assert!(hit.detail.contains(needle), "at {path}: {}", hit.detail);
}

#[tokio::test]
async fn deletion_window_outside_7_to_30() {
    let d = validate(
        "mlcloud_kms_key",
        obj(&[
            ("cloud", "aws".into()),
            ("name", "k".into()),
            ("deletion_window_days", 3i64.into()),
        ]),
    )
    .await;
    assert_error_at(&d, "deletion_window_days", "between 7 and 30, got 3");
}

#[tokio::test]
async fn rotation_period_outside_aws_range() {
    let d = validate(
        "mlcloud_kms_key",
        obj(&[
            ("cloud", "aws".into()),
            ("name", "k".into()),
            ("rotation_period_days", 30i64.into()),
        ]),
    )
    .await;
    assert_error_at(&d, "rotation_period_days", "between 90 and 2560, got 30");
}

#[tokio::test]
async fn another_clouds_block_on_an_aws_resource() {
    let d = validate(
        "mlcloud_kms_key",
        obj(&[
            ("cloud", "aws".into()),
            ("name", "k".into()),
            (
                "gcp",
                obj(&[
                    ("project", "p".into()),
                    ("key_ring", Value::Null),
                    ("protection_level", Value::Null),
                ]),
            ),
        ]),
    )
    .await;
    assert_error_at(&d, "gcp", "would be ignored");
}

#[tokio::test]
async fn workload_identity_needs_its_service_account() {
    let d = validate(
        "mlcloud_identity",
        obj(&[
            ("cloud", "aws".into()),
            ("name", "w".into()),
            ("purpose", "workload".into()),
        ]),
    )
    .await;
    assert_error_at(&d, "workload", "workload {");
}

#[tokio::test]
async fn grant_targets_must_name_what_they_act_on() {
    let grant = |a: &str, t: &str| obj(&[("action", a.into()), ("target", t.into())]);
    let d = validate(
        "mlcloud_identity",
        obj(&[
            ("cloud", "aws".into()),
            ("name", "n".into()),
            ("purpose", "node".into()),
            (
                "grants",
                Value::List(vec![
                    grant("kms_decrypt", "not-an-arn"),
                    grant("model_store_read", "s3://b/"),
                    grant("launch_missiles", "x"),
                ]),
            ),
        ]),
    )
    .await;
    assert_error_at(&d, "grants[0].target", "KMS key ARN");
    assert_error_at(&d, "grants[1].target", "S3 location");
    assert_error_at(&d, "grants[2].action", "kms_decrypt");
}

#[tokio::test]
async fn reserved_tag_keys_are_refused() {
    let tags = Value::Map(
        [("mlcloud:name".to_string(), Value::from("x"))]
            .into_iter()
            .collect(),
    );
    let d = validate(
        "mlcloud_identity",
        obj(&[
            ("cloud", "aws".into()),
            ("name", "n".into()),
            ("purpose", "node".into()),
            ("tags", tags),
        ]),
    )
    .await;
    assert_error_at(&d, r#"tags["mlcloud:name"]"#, "reserved");

    let tags = Value::Map(
        [
            ("mlcloud-managed".to_string(), Value::from("x")),
            ("aws:created-by".to_string(), Value::from("x")),
        ]
        .into_iter()
        .collect(),
    );
    let d = validate(
        "mlcloud_identity",
        obj(&[
            ("cloud", "aws".into()),
            ("name", "n".into()),
            ("purpose", "node".into()),
            ("tags", tags),
        ]),
    )
    .await;
    assert_error_at(&d, r#"tags["mlcloud-managed"]"#, "reserved");
    assert_error_at(&d, r#"tags["aws:created-by"]"#, "reserved by AWS");
}

#[tokio::test]
async fn names_follow_the_clouds_rules() {
    let d = validate(
        "mlcloud_kms_key",
        obj(&[("cloud", "aws".into()), ("name", "aws/ebs".into())]),
    )
    .await;
    assert_error_at(&d, "name", "reserved by AWS");
    let d = validate("mlcloud_cluster", cluster(&[("name", "-ml".into())])).await;
    assert_error_at(
        &d,
        "name",
        "On aws, a cluster name must start with a letter or digit",
    );
}

#[tokio::test]
async fn log_types_are_the_clouds() {
    let d = validate(
        "mlcloud_cluster",
        cluster(&[("logging", set(&["audit", "kubelet"]))]),
    )
    .await;
    assert_error_at(
        &d,
        "logging",
        "\"kubelet\" is not a control-plane log type on aws",
    );
    let ok = validate(
        "mlcloud_cluster",
        cluster(&[("logging", set(&["scheduler", "audit", "api"]))]),
    )
    .await;
    assert!(!ok.has_errors(), "{ok}");
}

#[tokio::test]
async fn clouds_this_build_was_not_given_fail_on_cloud() {
    let only_aws =
        MlcloudProvider::with_clouds(RuleBook::new(vec![aws::rules()]), vec![aws::plugin()]);
    let client = TestClient::new(only_aws);
    let config = client.config_for(
        "mlcloud_kms_key",
        obj(&[("cloud", "azure".into()), ("name", "k".into())]),
    );
    let d = client.validate_resource("mlcloud_kms_key", &config).await;
    assert_error_at(
        &d,
        "cloud",
        "manages resources on aws only; azure support is planned",
    );
}

fn cluster(extra: &[(&str, Value)]) -> Value {
    let mut pairs: Vec<(&str, Value)> = vec![
        ("cloud", "aws".into()),
        ("name", "c".into()),
        ("encryption_key_id", "arn:aws:kms:us-east-1:1:key/k".into()),
        ("identity_id", "arn:aws:iam::1:role/c".into()),
        (
            "system_pool",
            obj(&[
                ("machine_type", Value::Null),
                ("node_count", Value::Null),
                ("node_identity_id", "arn:aws:iam::1:role/n".into()),
            ]),
        ),
        (
            "aws",
            obj(&[
                ("subnet_ids", set(&["subnet-1", "subnet-2"])),
                ("security_group_ids", Value::Null),
            ]),
        ),
    ];
    pairs.extend(extra.iter().cloned());
    obj(&pairs)
}

#[tokio::test]
async fn cluster_cidrs_and_public_endpoint_rules() {
    let d = validate(
        "mlcloud_cluster",
        cluster(&[
            ("endpoint_access", "public".into()),
            ("authorized_cidrs", set(&["10.0.0.0/33"])),
        ]),
    )
    .await;
    assert_error_at(&d, "authorized_cidrs[0]", "CIDR");
    let d = validate(
        "mlcloud_cluster",
        cluster(&[("endpoint_access", "public".into())]),
    )
    .await;
    assert_error_at(&d, "authorized_cidrs", "needs authorized_cidrs");
    let ok = validate("mlcloud_cluster", cluster(&[])).await;
    assert!(!ok.has_errors(), "{ok}");
}

fn pool(extra: &[(&str, Value)]) -> Value {
    let mut pairs: Vec<(&str, Value)> = vec![
        ("cloud", "aws".into()),
        ("name", "gpu".into()),
        ("cluster_id", "arn:aws:eks:us-east-1:1:cluster/c".into()),
        ("node_identity_id", "arn:aws:iam::1:role/n".into()),
        ("node_count", 1i64.into()),
    ];
    pairs.extend(extra.iter().cloned());
    obj(&pairs)
}

#[tokio::test]
async fn tpu_on_aws_lists_what_aws_offers() {
    let acc = obj(&[("type", "tpu-v5e".into()), ("count", 1i64.into())]);
    let d = validate("mlcloud_node_pool", pool(&[("accelerator", acc)])).await;
    assert_error_at(&d, "accelerator.type", "aws offers: nvidia-t4");
}

#[tokio::test]
async fn accelerator_count_the_cloud_has_no_machine_for() {
    let acc = obj(&[("type", "nvidia-h100-80gb".into()), ("count", 3i64.into())]);
    let d = validate("mlcloud_node_pool", pool(&[("accelerator", acc)])).await;
    assert_error_at(&d, "accelerator.count", "available counts");
}

#[tokio::test]
async fn node_pool_machine_choice_and_scaling_rules() {
    let d = validate("mlcloud_node_pool", pool(&[])).await;
    assert_error_at(&d, "accelerator", "machine_type");
    let scaling = obj(&[("min", 3i64.into()), ("max", 3i64.into())]);
    let d = validate(
        "mlcloud_node_pool",
        pool(&[
            ("machine_type", "m6i.large".into()),
            ("autoscaling", scaling),
        ]),
    )
    .await;
    assert_error_at(&d, "autoscaling", "not both");
    assert_error_at(&d, "autoscaling.min", "less than max");
}

/// A module's pool (`for_each` over a map input, `dynamic "autoscaling"`) under
/// `terraform validate`: every input is unknown, and none of them is a conflict yet.
#[tokio::test]
async fn unknown_sizes_and_machines_are_not_a_conflict_at_validate() {
    let d = validate(
        "mlcloud_node_pool",
        pool(&[
            ("node_count", Value::Unknown),
            ("autoscaling", Value::Unknown),
            ("accelerator", Value::Unknown),
        ]),
    )
    .await;
    assert_no_error_at(&d, "autoscaling");
    assert_no_error_at(&d, "accelerator");
    assert_no_error_at(&d, "machine_type");
    // Known on both sides, the conflict is still reported.
    let scaling = obj(&[("min", 1i64.into()), ("max", 3i64.into())]);
    let d = validate(
        "mlcloud_node_pool",
        pool(&[("machine_type", Value::Unknown), ("autoscaling", scaling)]),
    )
    .await;
    assert_error_at(&d, "autoscaling", "not both");
}

#[tokio::test]
async fn missing_aws_provider_block_fails_the_plan_on_cloud() {
    let client = TestClient::new(MlcloudProvider::new());
    client
        .configure(obj(&[
            ("default_tags", Value::Null),
            ("aws", Value::Null),
            ("azure", Value::Null),
            ("gcp", Value::Null),
        ]))
        .await
        .unwrap();
    let config = client.config_for(
        "mlcloud_identity",
        obj(&[
            ("cloud", "aws".into()),
            ("name", "n".into()),
            ("purpose", "node".into()),
        ]),
    );
    let plan = client.plan("mlcloud_identity", None, &config).await;
    assert_error_at(&plan.diagnostics, "cloud", "no aws block");
}

#[tokio::test]
async fn gpu_pool_plan_resolves_machine_type_and_default_taint() {
    let client = TestClient::new(MlcloudProvider::new());
    let aws = obj(&[("region", "us-east-1".into())]);
    client.configure(obj(&[("aws", aws)])).await.unwrap();
    let acc = obj(&[("type", "nvidia-l4".into()), ("count", 1i64.into())]);
    let config = client.config_for("mlcloud_node_pool", pool(&[("accelerator", acc)]));
    let plan = client.plan("mlcloud_node_pool", None, &config).await;
    assert!(!plan.diagnostics.has_errors(), "{}", plan.diagnostics);
    let p = &plan.planned;
    assert_eq!(
        p.attr("resolved_machine_type"),
        Some(&Value::from("g6.xlarge"))
    );
    assert_eq!(p.attr("accelerators_per_node"), Some(&Value::from(1i64)));
    assert_eq!(p.attr("location"), Some(&Value::from("us-east-1")));
    let taint = &p.attr("taints").unwrap().as_elements().unwrap()[0];
    assert_eq!(taint.attr("key"), Some(&Value::from("nvidia.com/gpu")));
    assert_eq!(taint.attr("effect"), Some(&Value::from("NoSchedule")));
}

#[tokio::test]
async fn import_recognises_each_clouds_exact_id_form() {
    let provider = MlcloudProvider::new();
    let cluster = tfplug::Provider::resources(&provider)
        .into_iter()
        .find(|r| r.type_name() == "mlcloud_cluster")
        .unwrap();
    let imported = cluster
        .import(
            &tfplug::Context::for_tests(None),
            tfplug::ImportRequest::by_id("arn:aws:eks:eu-west-1:123456789012:cluster/ml-main"),
        )
        .await;
    assert!(
        !imported.diagnostics.has_errors(),
        "{}",
        imported.diagnostics
    );
    assert_eq!(imported.state.attr("cloud"), Some(&Value::from("aws")));

    // By identity, with a cloud that contradicts the id: refused.
    let identity = obj(&[
        (
            "id",
            "arn:aws:eks:eu-west-1:123456789012:cluster/ml-main".into(),
        ),
        ("cloud", "gcp".into()),
    ]);
    let refused = cluster
        .import(
            &tfplug::Context::for_tests(None),
            tfplug::ImportRequest::by_identity(identity),
        )
        .await;
    assert!(
        refused.diagnostics.to_string().contains("an id on aws"),
        "{}",
        refused.diagnostics
    );

    let client = TestClient::new(MlcloudProvider::new());
    // A node group ARN is not a cluster id, and a bare name is no id at all.
    for id in [
        "arn:aws:eks:eu-west-1:123456789012:nodegroup/ml-main/gpu/0ac2d5a4",
        "ml-main",
    ] {
        let refused = client.import("mlcloud_cluster", id).await.unwrap_err();
        let text = refused.to_string();
        assert!(
            text.contains("arn:aws:eks:REGION:ACCOUNT:cluster/NAME"),
            "{text}"
        );
    }
}

fn map(pairs: &[(&str, &str)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect(),
    )
}

fn assert_no_error_at(d: &Diagnostics, path: &str) {
    assert_no_error_on(d, AttributePath::parse(path));
}

fn assert_no_error_on(d: &Diagnostics, want: AttributePath) {
    let path = want.to_string();
    let hit = d.iter().find(|d| d.attribute.as_ref() == Some(&want));
    assert!(hit.is_none(), "unexpected diagnostic at {path}: {d}");
}

#[tokio::test]
async fn workload_namespace_and_service_account_follow_kubernetes() {
    let workload = |ns: &str, sa: &str| {
        obj(&[
            ("cloud", "aws".into()),
            ("name", "w".into()),
            ("purpose", "workload".into()),
            (
                "workload",
                obj(&[
                    ("cluster_id", "arn:aws:eks:us-east-1:1:cluster/c".into()),
                    ("namespace", ns.into()),
                    ("service_account", sa.into()),
                ]),
            ),
        ])
    };
    let d = validate("mlcloud_identity", workload("ML_Serving", "Trainer..x")).await;
    assert_error_at(&d, "workload.namespace", "lowercase letters, digits or '-'");
    assert_error_at(&d, "workload.namespace", "\"ML_Serving\"");
    assert_error_at(&d, "workload.service_account", "'.'-separated part");
    let d = validate("mlcloud_identity", workload("ml-serving", "trainer.v2")).await;
    assert_no_error_at(&d, "workload.namespace");
    assert_no_error_at(&d, "workload.service_account");
}

#[tokio::test]
async fn aws_tags_stop_at_50_counting_the_markers() {
    let keys: Vec<String> = (0..49).map(|i| format!("k{i}")).collect();
    let tags = |n: usize| {
        Value::Map(
            keys[..n]
                .iter()
                .map(|k| (k.clone(), Value::from("v")))
                .collect(),
        )
    };
    let key = |n: usize| {
        obj(&[
            ("cloud", "aws".into()),
            ("name", "k".into()),
            ("tags", tags(n)),
        ])
    };
    let d = validate("mlcloud_kms_key", key(46)).await;
    assert_error_at(&d, "tags", "at most 45; this block has 46");
    assert_error_at(&d, "tags", "mlcloud adds up to 5");
    let d = validate("mlcloud_kms_key", key(45)).await;
    assert_no_error_at(&d, "tags");
}

#[tokio::test]
async fn node_labels_follow_kubernetes_syntax_and_reserved_prefixes() {
    let labels = map(&[
        ("kubernetes.io/role", "gpu"),
        ("example.com/gpu type", "a100"),
        ("team", "-ml"),
        ("node.kubernetes.io/pool", "gpu"),
        ("example.com/gpu-type", ""),
    ]);
    let d = validate(
        "mlcloud_node_pool",
        pool(&[("machine_type", "m6i.large".into()), ("labels", labels)]),
    )
    .await;
    let label = |key: &str| AttributePath::attr("labels").push_key(key);
    assert_error_on(&d, label("kubernetes.io/role"), "reserves");
    assert_error_on(&d, label("example.com/gpu type"), "its name");
    assert_error_on(&d, label("team"), "invalid value \"-ml\"");
    assert_no_error_on(&d, label("node.kubernetes.io/pool"));
    assert_no_error_on(&d, label("example.com/gpu-type"));
}

#[tokio::test]
async fn taint_keys_and_values_follow_label_syntax() {
    let taint = |key: &str, value: &str| {
        obj(&[
            ("key", key.into()),
            ("value", value.into()),
            ("effect", "NoSchedule".into()),
        ])
    };
    let d = validate(
        "mlcloud_node_pool",
        pool(&[
            ("machine_type", "m6i.large".into()),
            (
                "taints",
                Value::Set(vec![taint("Example.com/gpu", "x"), taint("gpu", "a b")]),
            ),
        ]),
    )
    .await;
    assert_error_at(&d, "taints", "The taint key \"Example.com/gpu\"");
    let value = d.iter().any(|x| {
        x.detail
            .contains("The taint \"gpu\" has an invalid value \"a b\"")
    });
    assert!(value, "{d}");
    let d = validate(
        "mlcloud_node_pool",
        pool(&[
            ("machine_type", "m6i.large".into()),
            (
                "taints",
                Value::Set(vec![taint("nvidia.com/gpu", "present")]),
            ),
        ]),
    )
    .await;
    assert_no_error_at(&d, "taints");
}

#[tokio::test]
async fn an_attribute_a_cloud_does_not_honour_is_refused_with_its_reason() {
    // Every cloud upgrades pools now; Azure still cannot give a pool's disks a key.
    let on_azure = pool(&[
        ("cloud", "azure".into()),
        ("machine_type", "Standard_D4s_v5".into()),
        (
            "disk_encryption_key_id",
            "https://kv.vault.azure.net/keys/disks".into(),
        ),
    ]);
    let d = validate("mlcloud_node_pool", on_azure).await;
    assert_error_at(
        &d,
        "disk_encryption_key_id",
        "disk_encryption_key_id is not supported on azure: AKS encrypts node disks with a customer key only through a Disk Encryption Set",
    );
    let on_gcp = pool(&[
        ("cloud", "gcp".into()),
        ("machine_type", "n2-standard-4".into()),
        ("kubernetes_version", "1.31".into()),
    ]);
    let d = validate("mlcloud_node_pool", on_gcp).await;
    assert_no_error_at(&d, "kubernetes_version");
}
