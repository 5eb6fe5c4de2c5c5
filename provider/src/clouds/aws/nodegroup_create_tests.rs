//! Node group creates under faults moto does not show: fresh idempotency tokens reused
//! only by the create's own retries, and a CreateNodegroup without an answer that must
//! not take away the launch template the group may be using.

use super::nodegroup::{GroupFailure, create_group};
use super::stub_backend::{FAST, backend, calls, form_field};
use super::stub_server::{Reply, Seen, StubServer};
use crate::clouds::model::{
    AwsNodePoolSettings, CapacityType, Machine, NodePoolSpec, Op, PerCloud, Scaling,
};
use crate::clouds::wait::Deadline;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const CREATE: &str = "POST /clusters/ml-main/node-groups";
const DESCRIBE: &str = "GET /clusters/ml-main/node-groups/gpu";
const TEMPLATE_ID: &str = "lt-0123456789abcdef0";
const GROUP_ARN: &str = "arn:aws:eks:us-east-1:123456789012:nodegroup/ml-main/gpu/5ec4a8f0";

fn spec() -> NodePoolSpec {
    NodePoolSpec {
        cluster_id: "arn:aws:eks:us-east-1:123456789012:cluster/ml-main".into(),
        name: "gpu".into(),
        machine: Machine {
            machine_type: "m6i.large".into(),
            accelerator: None,
            architecture: crate::clouds::model::Architecture::X86_64,
        },
        scaling: Scaling::Fixed(1),
        capacity_type: CapacityType::OnDemand,
        taints: BTreeSet::new(),
        labels: BTreeMap::new(),
        disk_size_gb: 100,
        zones: BTreeSet::new(),
        node_identity_id: Some("arn:aws:iam::123456789012:role/ml-node".into()),
        tpu_topology: None,
        tags: Default::default(),
        cloud: PerCloud::Aws(AwsNodePoolSettings {}),
    }
}

fn template_created() -> Reply {
    Reply::xml(&format!(
        "<CreateLaunchTemplateResponse><requestId>stub</requestId><launchTemplate>\
         <launchTemplateId>{TEMPLATE_ID}</launchTemplateId>\
         <launchTemplateName>mlcloud-ml-main-gpu</launchTemplateName>\
         <latestVersionNumber>1</latestVersionNumber><defaultVersionNumber>1</defaultVersionNumber>\
         </launchTemplate></CreateLaunchTemplateResponse>"
    ))
}

fn template_deleted() -> Reply {
    Reply::xml(&format!(
        "<DeleteLaunchTemplateResponse><requestId>stub</requestId><launchTemplate>\
         <launchTemplateId>{TEMPLATE_ID}</launchTemplateId></launchTemplate>\
         </DeleteLaunchTemplateResponse>"
    ))
}

fn group(status: &str, template_id: &str) -> Reply {
    Reply::json(json!({"nodegroup": {
        "nodegroupName": "gpu",
        "nodegroupArn": GROUP_ARN,
        "clusterName": "ml-main",
        "status": status,
        "launchTemplate": {"id": template_id, "version": "1"},
    }}))
}

fn no_group() -> Reply {
    Reply::aws_error(
        404,
        "ResourceNotFoundException",
        "No node group found for name: gpu.",
    )
}

async fn eks(create: Vec<Reply>, describe: Vec<Reply>) -> StubServer {
    StubServer::routed(vec![
        ("CreateLaunchTemplate", vec![template_created()]),
        ("DeleteLaunchTemplate", vec![template_deleted()]),
        (CREATE, create),
        (DESCRIBE, describe),
    ])
    .await
}

/// Runs `create_group` against the stub; the ARNs it reported as made.
async fn run(stub: &StubServer, attempts: u32) -> (Result<String, GroupFailure>, Vec<String>) {
    let backend = backend(stub, attempts).await;
    let regional = backend.clients.regional("");
    let deadline = Deadline::new(&Op::new(Duration::from_secs(20), CancellationToken::new()));
    let made = Arc::new(Mutex::new(Vec::new()));
    let sink = made.clone();
    let record = move |arn: &str| sink.lock().unwrap().push(arn.to_string());
    let created = create_group(
        &regional,
        &spec(),
        "ml-main",
        vec!["subnet-a".into(), "subnet-b".into()],
        (&FAST, &deadline),
        &record,
    )
    .await
    .map(|g| g.nodegroup_arn().unwrap_or_default().to_string());
    let made = made.lock().unwrap().clone();
    (created, made)
}

fn request_token(seen: &Seen) -> String {
    let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap_or_default();
    body["clientRequestToken"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn each_create_sends_a_fresh_token_and_its_retries_the_same_one() {
    let role_not_ready = Reply::aws_error(
        400,
        "InvalidParameterException",
        "Role with arn: arn:aws:iam::123456789012:role/ml-node could not be assumed because \
         it does not exist or the trusted entity is not correct",
    );
    let mut tokens = Vec::new();
    let mut template_tokens = Vec::new();
    for _ in 0..2 {
        let stub = eks(
            vec![role_not_ready.clone(), group("CREATING", TEMPLATE_ID)],
            vec![group("ACTIVE", TEMPLATE_ID)],
        )
        .await;
        let (created, _) = run(&stub, 1).await;
        assert_eq!(created.map_err(|f| f.error).as_deref(), Ok(GROUP_ARN));
        let seen = stub.seen();
        let sent: Vec<String> = calls(&seen, CREATE)
            .into_iter()
            .map(request_token)
            .collect();
        assert_eq!(sent.len(), 2, "one retry while the role propagates");
        assert_eq!(sent[0], sent[1], "the retry resends this create's token");
        assert!(sent[0].starts_with("mlcloud-") && sent[0].len() <= 64);
        tokens.push(sent[0].clone());
        template_tokens.push(form_field(
            &calls(&seen, "CreateLaunchTemplate")[0].body,
            "ClientToken",
        ));
    }
    assert_ne!(
        tokens[0], tokens[1],
        "a second create of the same spec is a new request"
    );
    assert!(template_tokens[0].is_some());
    assert_ne!(template_tokens[0], template_tokens[1]);
}

#[tokio::test]
async fn an_unanswered_create_keeps_the_template_the_group_may_use() {
    let stub = eks(vec![Reply::dropped()], vec![no_group()]).await;
    let (created, made) = run(&stub, 1).await;
    let failure = created.expect_err("no node group to be found");
    let message = failure.error.to_string();
    assert!(
        message.contains("may have been created anyway") && message.contains("was kept"),
        "{message}"
    );
    assert!(made.is_empty());
    assert!(
        calls(&stub.seen(), "DeleteLaunchTemplate").is_empty(),
        "{:?}",
        stub.operations()
    );
}

#[tokio::test]
async fn an_unanswered_create_whose_group_exists_with_our_template_carries_on() {
    let stub = eks(
        vec![Reply::dropped()],
        vec![group("CREATING", TEMPLATE_ID), group("ACTIVE", TEMPLATE_ID)],
    )
    .await;
    let (created, made) = run(&stub, 1).await;
    assert_eq!(created.map_err(|f| f.error).as_deref(), Ok(GROUP_ARN));
    assert_eq!(made, [GROUP_ARN], "recorded before the wait");
}

#[tokio::test]
async fn an_unanswered_create_never_adopts_a_group_on_another_template() {
    let stub = eks(
        vec![Reply::dropped()],
        vec![group("ACTIVE", "lt-someone-else")],
    )
    .await;
    let (created, made) = run(&stub, 1).await;
    assert!(created.is_err());
    assert!(made.is_empty());
    assert!(calls(&stub.seen(), "DeleteLaunchTemplate").is_empty());
}

#[tokio::test]
async fn a_clear_refusal_takes_the_unused_template_back() {
    let stub = eks(
        vec![Reply::aws_error(
            400,
            "InvalidParameterException",
            "Subnets specified must be in at least two different AZs",
        )],
        vec![no_group()],
    )
    .await;
    let (created, _) = run(&stub, 1).await;
    let failure = created.expect_err("EKS refused");
    assert!(failure.error.has_code("InvalidParameterException"));
    assert_eq!(calls(&stub.seen(), "DeleteLaunchTemplate").len(), 1);
    assert_eq!(
        calls(&stub.seen(), CREATE).len(),
        1,
        "not a propagation delay"
    );
}

#[tokio::test]
async fn a_refusal_leaves_a_template_that_was_there_before() {
    // Left by an earlier create whose CreateNodegroup went unanswered: a group of that
    // create may yet use it.
    let stub = StubServer::routed(vec![
        (
            "CreateLaunchTemplate",
            vec![Reply::ec2_error(
                400,
                "InvalidLaunchTemplateName.AlreadyExistsException",
                "Launch template name already in use.",
            )],
        ),
        (
            "DescribeLaunchTemplates",
            vec![Reply::xml(&format!(
                "<DescribeLaunchTemplatesResponse><requestId>stub</requestId><launchTemplates>\
                 <item><launchTemplateId>{TEMPLATE_ID}</launchTemplateId></item>\
                 </launchTemplates></DescribeLaunchTemplatesResponse>"
            ))],
        ),
        (
            "CreateLaunchTemplateVersion",
            vec![Reply::xml(&format!(
                "<CreateLaunchTemplateVersionResponse><requestId>stub</requestId>\
                 <launchTemplateVersion><launchTemplateId>{TEMPLATE_ID}</launchTemplateId>\
                 <versionNumber>2</versionNumber></launchTemplateVersion>\
                 </CreateLaunchTemplateVersionResponse>"
            ))],
        ),
        ("DeleteLaunchTemplate", vec![template_deleted()]),
        (
            CREATE,
            vec![Reply::aws_error(
                400,
                "InvalidParameterException",
                "Subnets specified must be in at least two different AZs",
            )],
        ),
        (DESCRIBE, vec![no_group()]),
    ])
    .await;
    let (created, _) = run(&stub, 1).await;
    assert!(created.is_err());
    let seen = stub.seen();
    let create = calls(&seen, CREATE);
    let body: serde_json::Value = serde_json::from_str(&create[0].body).unwrap_or_default();
    assert_eq!(
        body["launchTemplate"]["version"], "2",
        "the new version is used"
    );
    assert!(calls(&seen, "DeleteLaunchTemplate").is_empty());
}
