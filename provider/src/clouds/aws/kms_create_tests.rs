//! `mlcloud_kms_key` creates under faults moto does not show: a lost CreateKey or
//! CreateAlias answer, a new key KMS does not know yet, an alias taken meanwhile.

use super::stub_backend::{backend, caller, calls, recording_op};
use super::stub_server::{Reply, Seen, StubServer};
use super::tokens::CREATE_TOKEN_TAG;
use crate::clouds::model::{AwsKeySettings, KeySpec, KeyState, Op, PerCloud, Tags};
use crate::clouds::{CloudError, ObjectBackend};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const OURS: &str = "1111aaaa-0000-0000-0000-000000000001";
const THEIRS: &str = "2222bbbb-0000-0000-0000-000000000002";

fn arn(key_id: &str) -> String {
    format!("arn:aws:kms:us-east-1:123456789012:key/{key_id}")
}

fn spec() -> KeySpec {
    KeySpec {
        name: "ml-etcd".into(),
        location: "us-east-1".into(),
        description: "etcd secrets".into(),
        rotation_period_days: 365,
        deletion_window_days: 30,
        tags: Tags::from([("team".to_string(), "ml".to_string())]),
        cloud: PerCloud::Aws(AwsKeySettings {}),
    }
}

fn body(seen: &Seen) -> Value {
    serde_json::from_str(&seen.body).unwrap_or(Value::Null)
}

fn not_found(what: &str) -> Reply {
    Reply::aws_json_error(400, "NotFoundException", &format!("{what} is not found."))
}

fn metadata(key_id: &str) -> Reply {
    Reply::aws_json(json!({"KeyMetadata": {
        "KeyId": key_id,
        "Arn": arn(key_id),
        "Description": "etcd secrets",
        "KeyState": "Enabled",
    }}))
}

/// DescribeKey: the key asked for (by id or ARN); the alias is on `alias_holder`.
fn describe(alias_holder: Option<&'static str>) -> Reply {
    Reply::computed(move |seen| {
        let asked = body(seen.last().unwrap())["KeyId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match (asked.starts_with("alias/"), alias_holder) {
            (true, Some(holder)) => metadata(holder),
            (true, None) => not_found("Alias"),
            (false, _) => metadata(asked.rsplit('/').next().unwrap_or_default()),
        }
    })
}

/// The tags CreateKey was sent (our key), or another create's token (theirs).
fn tags_as_created() -> Reply {
    Reply::computed(|seen| {
        let asked = body(seen.last().unwrap())["KeyId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let tags = if asked.ends_with(OURS) {
            calls(seen, "CreateKey")
                .first()
                .map(|c| body(c)["Tags"].clone())
                .unwrap_or(json!([]))
        } else {
            json!([
                {"TagKey": "mlcloud-name", "TagValue": "ml-etcd"},
                {"TagKey": CREATE_TOKEN_TAG, "TagValue": "mlcloud-another-state"},
            ])
        };
        Reply::aws_json(json!({"Tags": tags, "Truncated": false}))
    })
}

/// Everything a key create calls, each answering as a healthy KMS would; `overrides`
/// replace single routes.
async fn kms(overrides: Vec<(&'static str, Vec<Reply>)>) -> StubServer {
    let mut routes: Vec<(&str, Vec<Reply>)> = vec![
        ("GetCallerIdentity", vec![caller()]),
        // The Auto Scaling service-linked role the key policy names exists.
        (
            "GetRole",
            vec![Reply::query(
                "GetRole",
                "<Role><RoleName>AWSServiceRoleForAutoScaling</RoleName>\
                 <Arn>arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling</Arn>\
                 <Path>/aws-service-role/autoscaling.amazonaws.com/</Path><RoleId>AROAEXAMPLE</RoleId>\
                 <CreateDate>2026-01-01T00:00:00Z</CreateDate></Role>",
            )],
        ),
        ("DescribeKey", vec![describe(None)]),
        ("CreateKey", vec![metadata(OURS)]),
        ("CreateAlias", vec![Reply::aws_json(json!({}))]),
        ("ListResourceTags", vec![tags_as_created()]),
        (
            "GetKeyRotationStatus",
            vec![Reply::aws_json(
                json!({"KeyRotationEnabled": true, "RotationPeriodInDays": 365}),
            )],
        ),
        // The policy CreateKey was sent: no drift.
        (
            "GetKeyPolicy",
            vec![Reply::aws_json(json!({
                "Policy": super::policy::key_policy("aws", "123456789012").to_json(),
                "PolicyName": "default",
            }))],
        ),
        ("EnableKeyRotation", vec![Reply::aws_json(json!({}))]),
        ("TagResource", vec![Reply::aws_json(json!({}))]),
        (
            "ListAliases",
            vec![Reply::aws_json(json!({
                "Aliases": [{"AliasName": "alias/ml-etcd", "TargetKeyId": OURS}],
                "Truncated": false,
            }))],
        ),
        (
            "ListKeys",
            vec![Reply::aws_json(json!({
                "Keys": [{"KeyId": THEIRS}, {"KeyId": OURS}],
                "Truncated": false,
            }))],
        ),
    ];
    for (operation, replies) in overrides {
        routes.retain(|(o, _)| *o != operation);
        routes.push((operation, replies));
    }
    StubServer::routed(routes).await
}

fn key_id(state: &KeyState) -> String {
    state.id.clone()
}

#[tokio::test]
async fn a_lost_create_key_answer_finds_its_own_key_and_makes_no_second() {
    let stub = kms(vec![("CreateKey", vec![Reply::dropped()])]).await;
    let (op, made) = recording_op(key_id);
    let created = backend(&stub, 3).await.create(&spec(), &op).await;

    let state = created.expect("the create recovers its key");
    assert_eq!(state.id, arn(OURS));
    assert_eq!(
        calls(&stub.seen(), "CreateKey").len(),
        1,
        "KMS must not be asked for a second key: {:?}",
        stub.operations()
    );
    assert_eq!(made.lock().unwrap().as_slice(), [arn(OURS)]);
    // The token tag is ours to keep and never shown.
    let sent = body(calls(&stub.seen(), "CreateKey")[0]);
    assert!(sent.to_string().contains(CREATE_TOKEN_TAG), "{sent}");
    assert!(
        !state.tags.contains_key(CREATE_TOKEN_TAG),
        "{:?}",
        state.tags
    );
}

#[tokio::test]
async fn a_lost_create_key_answer_with_no_key_made_sends_create_key_again() {
    let stub = kms(vec![
        ("CreateKey", vec![Reply::dropped(), metadata(OURS)]),
        (
            "ListKeys",
            vec![Reply::aws_json(
                json!({"Keys": [{"KeyId": THEIRS}], "Truncated": false}),
            )],
        ),
    ])
    .await;
    let (op, _) = recording_op(key_id);
    let state = backend(&stub, 3)
        .await
        .create(&spec(), &op)
        .await
        .expect("the second CreateKey makes the key");
    assert_eq!(state.id, arn(OURS));
    let seen = stub.seen();
    let creates = calls(&seen, "CreateKey");
    assert_eq!(creates.len(), 2);
    assert_eq!(
        body(creates[0])["Tags"],
        body(creates[1])["Tags"],
        "the same create token both times"
    );
}

#[tokio::test]
async fn a_new_key_not_yet_visible_to_create_alias_is_waited_for() {
    let stub = kms(vec![(
        "CreateAlias",
        vec![
            not_found("Key"),
            not_found("Key"),
            Reply::aws_json(json!({})),
        ],
    )])
    .await;
    let (op, _) = recording_op(key_id);
    let state = backend(&stub, 1)
        .await
        .create(&spec(), &op)
        .await
        .expect("CreateAlias is retried until KMS knows the key");
    assert_eq!(state.name, "ml-etcd");
    assert_eq!(calls(&stub.seen(), "CreateAlias").len(), 3);
}

#[tokio::test]
async fn a_lost_create_alias_answer_is_our_own_alias() {
    // The SDK's retry of CreateAlias meets the alias its first attempt made.
    let stub = kms(vec![
        (
            "CreateAlias",
            vec![
                Reply::dropped(),
                Reply::aws_json_error(400, "AlreadyExistsException", "alias/ml-etcd exists"),
            ],
        ),
        ("DescribeKey", vec![describe(None), describe(Some(OURS))]),
    ])
    .await;
    let (op, _) = recording_op(key_id);
    let state = backend(&stub, 2)
        .await
        .create(&spec(), &op)
        .await
        .expect("our own alias is no conflict");
    assert_eq!(state.id, arn(OURS));
}

#[tokio::test]
async fn an_alias_on_another_states_key_is_refused_before_anything_is_made() {
    let stub = kms(vec![("DescribeKey", vec![describe(Some(THEIRS))])]).await;
    let (op, made) = recording_op(key_id);
    let failure = backend(&stub, 1)
        .await
        .create(&spec(), &op)
        .await
        .expect_err("another state's key is never adopted");
    assert!(failure.created.is_none());
    assert!(made.lock().unwrap().is_empty());
    assert!(calls(&stub.seen(), "CreateKey").is_empty());
    assert_eq!(
        failure.error.to_string(),
        format!(
            "a key with alias alias/ml-etcd already exists (key ID {THEIRS}); import it with \
             `terraform import mlcloud_kms_key.<resource name> {}` or choose another name",
            arn(THEIRS)
        )
    );
}

#[tokio::test]
async fn an_alias_taken_meanwhile_fails_clearly_and_keeps_our_key_in_state() {
    let stub = kms(vec![
        (
            "CreateAlias",
            vec![Reply::aws_json_error(
                400,
                "AlreadyExistsException",
                "alias/ml-etcd exists",
            )],
        ),
        ("DescribeKey", vec![describe(None), describe(Some(THEIRS))]),
    ])
    .await;
    let (op, made) = recording_op(key_id);
    let failure = backend(&stub, 1)
        .await
        .create(&spec(), &op)
        .await
        .expect_err("the other key is not ours");
    assert!(
        matches!(&failure.error, CloudError::Taken { existing, .. } if existing.contains(THEIRS)),
        "{:?}",
        failure.error
    );
    assert_eq!(
        failure.created.map(|s| s.id),
        Some(arn(OURS)),
        "the key we made stays in state"
    );
    assert_eq!(made.lock().unwrap().as_slice(), [arn(OURS)]);
}

/// An operation whose `timeouts` value is `timeout`, stopped by `cancel`.
fn op_with(timeout: Duration, cancel: CancellationToken) -> Op {
    Op::new(timeout, cancel)
}

#[tokio::test]
async fn a_stop_request_ends_the_read_after_write_wait_and_keeps_the_key() {
    let stub = kms(vec![("CreateAlias", vec![not_found("Key")])]).await;
    let cancel = CancellationToken::new();
    let stopper = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            cancel.cancel();
        })
    };
    let started = Instant::now();
    let failure = backend(&stub, 1)
        .await
        .create(&spec(), &op_with(Duration::from_secs(60), cancel))
        .await
        .expect_err("stopped");
    stopper.await.unwrap();
    assert!(
        matches!(failure.error, CloudError::Cancelled(_)),
        "{:?}",
        failure.error
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        failure.created.map(|s| s.id),
        Some(arn(OURS)),
        "the key stays in state"
    );
}

#[tokio::test]
async fn the_read_after_write_wait_ends_with_the_operations_timeout() {
    let stub = kms(vec![("CreateAlias", vec![not_found("Key")])]).await;
    let started = Instant::now();
    let failure = backend(&stub, 1)
        .await
        .create(
            &spec(),
            &op_with(Duration::from_millis(300), CancellationToken::new()),
        )
        .await
        .expect_err("KMS never shows the key");
    assert!(failure.error.is_not_found(), "{:?}", failure.error);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "bounded by timeouts, not the two-minute propagation limit"
    );
    assert_eq!(failure.created.map(|s| s.id), Some(arn(OURS)));
}
