//! `mlcloud_identity` creates under faults moto does not show: a lost CreateRole
//! answer, a principal IAM does not know yet, a role GetRole does not show yet, and a
//! role of the same name that another state made.

use super::stub_backend::{backend, caller, calls, form_field, query_tags, recording_op};
use super::stub_server::{Reply, Seen, StubServer};
use super::tokens::CREATE_TOKEN_TAG;
use crate::clouds::model::{
    AwsIdentitySettings, IdentitySpec, IdentityState, PerCloud, Purpose, Tags,
};
use crate::clouds::{CloudError, ObjectBackend};

const ROLE: &str = "ml-cluster";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/ml-cluster";

fn spec() -> IdentitySpec {
    IdentitySpec {
        name: ROLE.into(),
        location: String::new(),
        purpose: Purpose::Cluster,
        workload: None,
        grants: Vec::new(),
        tags: Tags::from([("team".to_string(), "ml".to_string())]),
        cloud: PerCloud::Aws(AwsIdentitySettings {
            permissions_boundary_arn: None,
        }),
    }
}

fn role_xml(trust: &str, tags: &[(String, String)]) -> String {
    let tags: String = tags
        .iter()
        .map(|(k, v)| format!("<member><Key>{k}</Key><Value>{v}</Value></member>"))
        .collect();
    format!(
        "<Role><Path>/</Path><RoleName>{ROLE}</RoleName><RoleId>AROATEST</RoleId>\
         <Arn>{ROLE_ARN}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>\
         <AssumeRolePolicyDocument>{trust}</AssumeRolePolicyDocument>\
         <Tags>{tags}</Tags></Role>"
    )
}

/// The first CreateRole's trust policy (as sent, still URL-encoded) and tags.
fn as_created(seen: &[Seen]) -> Option<(String, Vec<(String, String)>)> {
    let create = *calls(seen, "CreateRole").first()?;
    let trust = create
        .body
        .split('&')
        .find_map(|p| p.strip_prefix("AssumeRolePolicyDocument="))?
        .to_string();
    Some((trust, query_tags(&create.body)))
}

/// GetRole: the role as the first CreateRole made it (IAM applied it even when the
/// answer was lost); "not found" before any CreateRole.
fn role_as_created() -> Reply {
    Reply::computed(|seen| match as_created(seen) {
        Some((trust, tags)) => Reply::query("GetRole", &role_xml(&trust, &tags)),
        None => no_such_role(),
    })
}

fn no_such_role() -> Reply {
    Reply::query_error(
        404,
        "NoSuchEntity",
        "The role with name ml-cluster cannot be found.",
    )
}

fn role_of_another_state() -> Reply {
    Reply::query(
        "GetRole",
        &role_xml(
            "%7B%7D",
            &[
                ("mlcloud-name".into(), ROLE.into()),
                (CREATE_TOKEN_TAG.into(), "mlcloud-another-state".into()),
            ],
        ),
    )
}

fn ok(action: &str) -> Reply {
    Reply::query(action, "")
}

async fn iam(overrides: Vec<(&'static str, Vec<Reply>)>) -> StubServer {
    let mut routes: Vec<(&str, Vec<Reply>)> = vec![
        ("GetCallerIdentity", vec![caller()]),
        (
            "CreateRole",
            vec![Reply::computed(|seen| {
                let (trust, tags) = as_created(seen).unwrap_or_default();
                Reply::query("CreateRole", &role_xml(&trust, &tags))
            })],
        ),
        ("GetRole", vec![role_as_created()]),
        (
            "ListAttachedRolePolicies",
            vec![Reply::query(
                "ListAttachedRolePolicies",
                "<AttachedPolicies/><IsTruncated>false</IsTruncated>",
            )],
        ),
        ("AttachRolePolicy", vec![ok("AttachRolePolicy")]),
        (
            "GetRolePolicy",
            vec![Reply::query_error(404, "NoSuchEntity", "no such policy")],
        ),
        ("DeleteRolePolicy", vec![ok("DeleteRolePolicy")]),
        (
            "ListRolePolicies",
            vec![Reply::query(
                "ListRolePolicies",
                "<PolicyNames/><IsTruncated>false</IsTruncated>",
            )],
        ),
        ("UpdateAssumeRolePolicy", vec![ok("UpdateAssumeRolePolicy")]),
        ("TagRole", vec![ok("TagRole")]),
        ("UntagRole", vec![ok("UntagRole")]),
    ];
    for (operation, replies) in overrides {
        routes.retain(|(o, _)| *o != operation);
        routes.push((operation, replies));
    }
    StubServer::routed(routes).await
}

fn role_id(state: &IdentityState) -> String {
    state.id.clone()
}

#[tokio::test]
async fn a_lost_create_role_answer_finds_our_own_role() {
    // IAM made the role, the answer was lost, and the SDK's retry meets the role.
    let stub = iam(vec![(
        "CreateRole",
        vec![
            Reply::dropped(),
            Reply::query_error(
                409,
                "EntityAlreadyExists",
                "Role with name ml-cluster already exists.",
            ),
        ],
    )])
    .await;
    let (op, made) = recording_op(role_id);
    let state = backend(&stub, 2)
        .await
        .create(&spec(), &op)
        .await
        .expect("the role carrying our token is ours");
    assert_eq!(state.id, ROLE_ARN);
    assert_eq!(made.lock().unwrap().as_slice(), [ROLE_ARN]);
    assert_eq!(calls(&stub.seen(), "CreateRole").len(), 2);
    assert!(
        !state.tags.contains_key(CREATE_TOKEN_TAG),
        "{:?}",
        state.tags
    );
    let token = form_field(
        &calls(&stub.seen(), "CreateRole")[0].body,
        "Tags.member.1.Key",
    );
    assert!(token.is_some(), "CreateRole carries tags");
}

#[tokio::test]
async fn a_role_of_the_same_name_made_elsewhere_is_refused_with_the_import_to_use() {
    let stub = iam(vec![
        (
            "CreateRole",
            vec![Reply::query_error(
                409,
                "EntityAlreadyExists",
                "Role with name ml-cluster already exists.",
            )],
        ),
        ("GetRole", vec![role_of_another_state()]),
    ])
    .await;
    let (op, made) = recording_op(role_id);
    let failure = backend(&stub, 1)
        .await
        .create(&spec(), &op)
        .await
        .expect_err("another state's role is never adopted");
    assert!(failure.created.is_none());
    assert!(made.lock().unwrap().is_empty());
    assert!(matches!(failure.error, CloudError::Taken { .. }));
    assert_eq!(
        failure.error.to_string(),
        format!(
            "a role named ml-cluster already exists ({ROLE_ARN}); import it with \
             `terraform import mlcloud_identity.<resource name> {ROLE_ARN}` or choose another name"
        )
    );
    assert!(calls(&stub.seen(), "AttachRolePolicy").is_empty());
}

#[tokio::test]
async fn create_role_waits_for_iam_to_know_the_trusted_principal() {
    let invalid_principal = Reply::query_error(
        400,
        "MalformedPolicyDocument",
        "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:role/new\"",
    );
    let stub = iam(vec![(
        "CreateRole",
        vec![
            invalid_principal.clone(),
            invalid_principal,
            Reply::computed(|seen| {
                let (trust, tags) = as_created(seen).unwrap_or_default();
                Reply::query("CreateRole", &role_xml(&trust, &tags))
            }),
        ],
    )])
    .await;
    let (op, _) = recording_op(role_id);
    backend(&stub, 1)
        .await
        .create(&spec(), &op)
        .await
        .expect("retried until IAM knows the principal");
    assert_eq!(calls(&stub.seen(), "CreateRole").len(), 3);
}

#[tokio::test]
async fn other_malformed_policies_fail_at_once() {
    let stub = iam(vec![(
        "CreateRole",
        vec![Reply::query_error(
            400,
            "MalformedPolicyDocument",
            "Has prohibited field Resource",
        )],
    )])
    .await;
    let (op, _) = recording_op(role_id);
    let failure = backend(&stub, 1)
        .await
        .create(&spec(), &op)
        .await
        .expect_err("not a propagation delay");
    assert!(failure.error.has_code("MalformedPolicyDocument"));
    assert_eq!(calls(&stub.seen(), "CreateRole").len(), 1);
}

#[tokio::test]
async fn reads_right_after_create_role_wait_until_iam_shows_the_role() {
    let stub = iam(vec![(
        "GetRole",
        vec![no_such_role(), no_such_role(), role_as_created()],
    )])
    .await;
    let (op, made) = recording_op(role_id);
    let state = backend(&stub, 1)
        .await
        .create(&spec(), &op)
        .await
        .expect("GetRole is asked again while the role is not visible");
    assert_eq!(state.id, ROLE_ARN);
    assert_eq!(made.lock().unwrap().as_slice(), [ROLE_ARN]);
    assert!(calls(&stub.seen(), "GetRole").len() >= 3);
}
