//! The plan rules against configurations as Terraform sends them.

use super::*;

fn config(attrs: Vec<(&str, Value)>) -> Value {
    let mut all = vec![("cloud", Value::from("gcp"))];
    all.extend(attrs);
    Value::object(all)
}

fn accelerator(ty: &str, count: i64) -> Value {
    Value::object([("type", Value::from(ty)), ("count", Value::from(count))])
}

fn tpu(topology: &str) -> Value {
    Value::object([("topology", Value::from(topology))])
}

const CLUSTER: &str = "projects/ml-proj/locations/us-central1/clusters/ml";

fn pool_diags(attrs: Vec<(&str, Value)>) -> Vec<(AttributePath, String)> {
    let mut all = vec![
        ("cluster_id", Value::from(CLUSTER)),
        (
            "node_identity_id",
            Value::from(
                "projects/ml-proj/serviceAccounts/ml-nodes@ml-proj.iam.gserviceaccount.com",
            ),
        ),
    ];
    all.extend(attrs);
    let mut diags = Diagnostics::new();
    GcpRules.check_node_pool(&config(all), &mut diags);
    diags
        .iter()
        .map(|d| (d.attribute.clone().expect("on a path"), d.detail.clone()))
        .collect()
}

#[test]
fn service_account_names_follow_the_account_id_rules() {
    let r = GcpRules;
    assert!(r.check_name(ObjectKind::Identity, "ml-nodes").is_ok());
    for bad in [
        "short",
        "Ml-nodes",
        "1ml-nodes",
        "ml-nodes-",
        "ml_nodes",
        &"a".repeat(31),
    ] {
        let why = r.check_name(ObjectKind::Identity, bad).unwrap_err();
        assert!(why.contains("6 to 30"), "{bad}: {why}");
    }
    assert!(r.check_name(ObjectKind::Cluster, "ml-cluster").is_ok());
    assert!(r.check_name(ObjectKind::NodePool, "GPU").is_err());
    assert!(r.check_name(ObjectKind::Key, "etcd_Key-1").is_ok());
    assert!(r.check_name(ObjectKind::Key, "etcd/key").is_err());
    assert!(
        r.check_name(ObjectKind::Key, &"k".repeat(59)).is_err(),
        "no room for -ring"
    );
}

#[test]
fn tags_must_be_labels() {
    let r = GcpRules;
    assert!(r.check_tag("team", "ml").is_ok());
    assert!(r.check_tag("Team", "ml").is_err());
    assert!(r.check_tag("team", "ML Platform").is_err());
    assert_eq!(r.max_tags(), Some(64));
}

#[test]
fn ids_are_resource_names_and_carry_their_location() {
    let r = GcpRules;
    let key = "projects/ml-proj/locations/us-central1/keyRings/ring/cryptoKeys/etcd";
    assert!(r.is_object_id(ObjectKind::Key, key));
    assert!(!r.is_object_id(ObjectKind::Cluster, key));
    assert!(r.is_object_id(ObjectKind::Cluster, CLUSTER));
    assert!(r.is_object_id(ObjectKind::NodePool, &format!("{CLUSTER}/nodePools/gpu")));
    assert!(r.is_object_id(
        ObjectKind::Identity,
        "projects/ml-proj/serviceAccounts/ml-nodes@ml-proj.iam.gserviceaccount.com"
    ));
    assert!(!r.is_object_id(
        ObjectKind::Identity,
        "ml-nodes@ml-proj.iam.gserviceaccount.com"
    ));
    assert_eq!(r.location_in_id(key).as_deref(), Some("us-central1"));
}

#[test]
fn a_multi_host_tpu_slice_needs_a_topology_that_fills_whole_nodes() {
    // ct5lp-hightpu-4t: 2x4 is two nodes.
    assert!(
        pool_diags(vec![
            ("accelerator", accelerator("tpu-v5e", 4)),
            ("tpu", tpu("2x4"))
        ])
        .is_empty()
    );
    assert!(
        pool_diags(vec![
            ("accelerator", accelerator("tpu-v5e", 4)),
            ("tpu", tpu("2x4")),
            ("node_count", Value::from(2i64)),
        ])
        .is_empty()
    );
    // v5p is 3D.
    assert!(
        pool_diags(vec![
            ("accelerator", accelerator("tpu-v5p", 4)),
            ("tpu", tpu("2x2x2"))
        ])
        .is_empty()
    );

    let found = pool_diags(vec![
        ("accelerator", accelerator("tpu-v5e", 4)),
        ("tpu", tpu("3x3")),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, AttributePath::attr("tpu").push_attr("topology"));
    assert!(found[0].1.contains("3x3"), "{}", found[0].1);

    let found = pool_diags(vec![
        ("accelerator", accelerator("tpu-v5e", 4)),
        ("tpu", tpu("4x4")),
        ("node_count", Value::from(2i64)),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, AttributePath::attr("node_count"));
    assert!(found[0].1.contains("node_count = 4"), "{}", found[0].1);

    let found = pool_diags(vec![
        ("accelerator", accelerator("tpu-v5e", 4)),
        ("tpu", tpu("2x4")),
        (
            "autoscaling",
            Value::object([("min", Value::from(0i64)), ("max", Value::from(2i64))]),
        ),
    ]);
    assert_eq!(found[0].0, AttributePath::attr("autoscaling"));
}

#[test]
fn tpu_on_a_gpu_pool_is_refused_on_the_block() {
    let found = pool_diags(vec![
        ("accelerator", accelerator("nvidia-l4", 1)),
        ("tpu", tpu("2x4")),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, AttributePath::attr("tpu"));
    assert!(found[0].1.contains("GPU"), "{}", found[0].1);
    let found = pool_diags(vec![
        ("machine_type", Value::from("e2-standard-4")),
        ("tpu", tpu("2x4")),
    ]);
    assert_eq!(found[0].0, AttributePath::attr("tpu"));
}

#[test]
fn a_tpu_where_the_cluster_has_none_is_refused_on_the_accelerator() {
    let mut diags = Diagnostics::new();
    GcpRules.check_node_pool(
        &config(vec![
            (
                "cluster_id",
                Value::from("projects/ml-proj/locations/us-west1-b/clusters/ml"),
            ),
            ("node_identity_id", Value::from("x")),
            ("accelerator", accelerator("tpu-v5p", 4)),
        ]),
        &mut diags,
    );
    let d: Vec<_> = diags.iter().collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0].attribute,
        Some(AttributePath::attr("accelerator").push_attr("type"))
    );
    assert!(
        d[0].detail.contains("us-west1-b") && d[0].detail.contains("us-central1"),
        "{}",
        d[0].detail
    );
}

#[test]
fn nodes_never_default_to_the_compute_service_account() {
    let mut diags = Diagnostics::new();
    GcpRules.check_node_pool(
        &config(vec![
            ("cluster_id", Value::from(CLUSTER)),
            ("node_identity_id", Value::Null),
            ("machine_type", Value::from("e2-standard-4")),
        ]),
        &mut diags,
    );
    assert_eq!(
        diags.iter().next().and_then(|d| d.attribute.clone()),
        Some(AttributePath::attr("node_identity_id"))
    );
}

#[test]
fn grants_name_crypto_keys_and_buckets() {
    let grants = Value::List(vec![
        Value::object([
            ("action", Value::from("kms_decrypt")),
            (
                "target",
                Value::from("arn:aws:kms:us-east-1:123456789012:key/x"),
            ),
        ]),
        Value::object([
            ("action", Value::from("model_store_read")),
            ("target", Value::from("gs://models/llama/")),
        ]),
        Value::object([
            ("action", Value::from("model_store_write")),
            ("target", Value::from("s3://models")),
        ]),
    ]);
    let mut diags = Diagnostics::new();
    GcpRules.check_identity(&config(vec![("grants", grants)]), &mut diags);
    let paths: Vec<_> = diags.iter().map(|d| d.attribute.clone().unwrap()).collect();
    let details: Vec<_> = diags.iter().map(|d| d.detail.clone()).collect();
    assert!(details[1].contains("gs://"), "{}", details[1]);
    assert_eq!(
        paths,
        vec![
            AttributePath::attr("grants")
                .push_index(0)
                .push_attr("target"),
            AttributePath::attr("grants")
                .push_index(2)
                .push_attr("target"),
        ],
        "a gs:// location is a model store: {details:?}"
    );
}

#[test]
fn admins_are_iam_members_and_fit_in_the_clusters_labels() {
    let admins = |members: &[&str]| Value::Set(members.iter().map(|m| Value::from(*m)).collect());
    let mut diags = Diagnostics::new();
    GcpRules.check_cluster(
        &config(vec![(
            "admin_principals",
            admins(&["user:alice@example.com", "alice@example.com"]),
        )]),
        &mut diags,
    );
    let found: Vec<_> = diags
        .iter()
        .map(|d| (d.attribute.clone(), d.detail.clone()))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, Some(AttributePath::attr("admin_principals")));
    assert!(found[0].1.contains("\"alice@example.com\""), "{found:?}");
    assert!(found[0].1.contains("user:EMAIL"), "{found:?}");

    let many: Vec<String> = (0..63).map(|i| format!("user:u{i}@example.com")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let mut diags = Diagnostics::new();
    GcpRules.check_cluster(
        &config(vec![("admin_principals", admins(&many))]),
        &mut diags,
    );
    assert!(
        diags
            .iter()
            .any(|d| d.detail.contains("at most 62 admin principals")),
        "{diags:?}"
    );
}

#[test]
fn a_disk_key_is_a_crypto_key_name() {
    let mut diags = Diagnostics::new();
    GcpRules.check_node_pool(
        &config(vec![
            (
                "disk_encryption_key_id",
                Value::from("arn:aws:kms:us-east-1:1:key/x"),
            ),
            (
                "node_identity_id",
                Value::from("projects/p/serviceAccounts/n@p.iam.gserviceaccount.com"),
            ),
        ]),
        &mut diags,
    );
    assert_eq!(
        diags.iter().next().and_then(|d| d.attribute.clone()),
        Some(AttributePath::attr("disk_encryption_key_id"))
    );
}

#[test]
fn the_private_control_plane_range_is_a_slash_28() {
    let mut diags = Diagnostics::new();
    GcpRules.check_cluster(
        &config(vec![(
            "gcp",
            Value::object([("master_ipv4_cidr_block", Value::from("172.16.0.0/24"))]),
        )]),
        &mut diags,
    );
    assert_eq!(
        diags.iter().next().and_then(|d| d.attribute.clone()),
        Some(AttributePath::attr("gcp").push_attr("master_ipv4_cidr_block"))
    );
}

#[test]
fn destroying_a_key_says_its_ring_stays() {
    let key = "projects/ml-proj/locations/us-central1/keyRings/etcd-ring/cryptoKeys/etcd";
    let left = GcpRules
        .left_behind_by_delete(ObjectKind::Key, key)
        .unwrap();
    assert!(
        left.contains("projects/ml-proj/locations/us-central1/keyRings/etcd-ring"),
        "{left}"
    );
    assert_eq!(
        GcpRules.left_behind_by_delete(ObjectKind::Cluster, CLUSTER),
        None
    );
}
