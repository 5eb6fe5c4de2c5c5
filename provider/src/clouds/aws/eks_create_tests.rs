//! CreateCluster's idempotency token: fresh for each create, the same for the retries
//! of one create while IAM or KMS catch up (so a lost answer is answered with this
//! create's cluster, and a later create of the same spec is a new request).

use super::stub_backend::{backend, calls};
use super::stub_server::{Reply, Seen, StubServer};
use crate::clouds::ObjectBackend;
use crate::clouds::model::{
    AwsClusterSettings, ClusterSpec, ClusterState, EndpointAccess, Machine, Op, PerCloud,
    SystemPoolSpec,
};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const CREATE: &str = "POST /clusters";
const DESCRIBE: &str = "GET /clusters/ml";

fn spec() -> ClusterSpec {
    ClusterSpec {
        name: "ml".into(),
        location: "us-east-1".into(),
        kubernetes_version: None,
        endpoint_access: EndpointAccess::Private,
        authorized_cidrs: BTreeSet::new(),
        encryption_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
        identity_id: Some("arn:aws:iam::123456789012:role/ml-cluster".into()),
        system_pool: SystemPoolSpec {
            machine: Machine {
                machine_type: "m6i.large".into(),
                ..Default::default()
            },
            node_count: 2,
            node_identity_id: Some("arn:aws:iam::123456789012:role/ml-node".into()),
        },
        admin_principals: BTreeSet::new(),
        logging: BTreeSet::new(),
        cloud: PerCloud::Aws(AwsClusterSettings {
            subnet_ids: ["subnet-1".to_string(), "subnet-2".to_string()].into(),
            security_group_ids: BTreeSet::new(),
        }),
        tags: Default::default(),
    }
}

fn token(seen: &Seen) -> String {
    let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap_or_default();
    body["clientRequestToken"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// One create: EKS does not know the new role at first, then accepts; the cluster then
/// fails (the test is about the requests, not the wait).
async fn one_create() -> Vec<String> {
    let cluster = |status: &str| {
        Reply::json(json!({"cluster": {
            "name": "ml",
            "arn": "arn:aws:eks:us-east-1:123456789012:cluster/ml",
            "status": status,
        }}))
    };
    let stub = StubServer::routed(vec![
        // The cluster role's grant on the key, written before the cluster.
        ("PutRolePolicy", vec![Reply::query("PutRolePolicy", "")]),
        // Not a role mlcloud made: its trust is left as it is (cluster_trust.rs).
        (
            "GetRole",
            vec![Reply::query_error(
                404,
                "NoSuchEntity",
                "The role with name ml-cluster cannot be found.",
            )],
        ),
        (
            CREATE,
            vec![
                Reply::aws_error(
                    400,
                    "InvalidParameterException",
                    "Role with arn: arn:aws:iam::123456789012:role/ml-cluster could not be \
                     assumed because it does not exist or the trusted entity is not correct",
                ),
                cluster("CREATING"),
            ],
        ),
        (DESCRIBE, vec![cluster("FAILED")]),
    ])
    .await;
    let op = Op::new(Duration::from_secs(20), CancellationToken::new());
    let failure =
        ObjectBackend::<ClusterSpec, ClusterState>::create(&backend(&stub, 1).await, &spec(), &op)
            .await
            .expect_err("the cluster fails");
    assert_eq!(
        failure.created.map(|c| c.id).as_deref(),
        Some("arn:aws:eks:us-east-1:123456789012:cluster/ml"),
        "the cluster EKS made is kept"
    );
    calls(&stub.seen(), CREATE).into_iter().map(token).collect()
}

#[tokio::test]
async fn create_cluster_retries_resend_the_token_and_each_create_draws_its_own() {
    let first = one_create().await;
    assert_eq!(first.len(), 2, "one retry while the role propagates");
    assert_eq!(first[0], first[1], "the retry resends this create's token");
    assert!(first[0].starts_with("mlcloud-") && first[0].len() <= 64);
    let second = one_create().await;
    assert_ne!(
        first[0], second[0],
        "a new create of the same spec is a new request"
    );
}
