//! The EKS waiters against a local HTTP stub, through the real aws-sdk-eks client (with
//! SigV4 signing, the SDK's retry loop and its error parsing): a scripted endpoint walks
//! the state machine through states a local emulator skips.

use super::cluster_api::{status_cluster, wait_cluster_active};
use super::errors::UNSUPPORTED_OPERATION;
use super::stub_server::{Reply, StubServer};
use super::updates::wait_update;
use crate::clouds::CloudError;
use crate::clouds::model::Op;
use crate::clouds::wait::{Backoff, Deadline};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_eks::config::{Credentials, Region};
use aws_sdk_eks::types::{Update, UpdateStatus};
use serde_json::json;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const FAST: Backoff = Backoff {
    initial: Duration::from_millis(5),
    max: Duration::from_millis(20),
};

fn client(stub: &StubServer) -> aws_sdk_eks::Client {
    let config = aws_sdk_eks::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDTEST",
            "test-secret",
            None,
            None,
            "unit-test",
        ))
        .endpoint_url(stub.url())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .build();
    aws_sdk_eks::Client::from_conf(config)
}

fn cluster(status: &str) -> Reply {
    Reply::json(json!({"cluster": {
        "name": "ml-main",
        "arn": "arn:aws:eks:us-east-1:123456789012:cluster/ml-main",
        "status": status,
    }}))
}

fn deadline(timeout: Duration) -> Deadline {
    Deadline::new(&Op::new(timeout, CancellationToken::new()))
}

#[tokio::test]
async fn waits_through_creating_until_active() {
    let stub = StubServer::start(vec![
        cluster("CREATING"),
        cluster("CREATING"),
        cluster("ACTIVE"),
    ])
    .await;
    let eks = client(&stub);
    let found = wait_cluster_active(
        &eks,
        "ml-main",
        &["CREATING"],
        &FAST,
        &deadline(Duration::from_secs(10)),
    )
    .await
    .unwrap();
    assert_eq!(found.status().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(stub.request_lines(), vec!["GET /clusters/ml-main"; 3]);
    let signature = stub.seen()[0].authorization.clone().unwrap_or_default();
    assert!(
        signature.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"),
        "{signature}"
    );
    assert!(
        signature.contains("/us-east-1/eks/aws4_request"),
        "{signature}"
    );
}

#[tokio::test]
async fn a_failed_cluster_stops_the_wait_with_the_health_issue() {
    let failed = Reply::json(json!({"cluster": {
        "name": "ml-main",
        "status": "FAILED",
        "health": {"issues": [{"code": "AccessDenied", "message": "the cluster role cannot use the key"}]},
    }}));
    let stub = StubServer::start(vec![cluster("CREATING"), failed]).await;
    let err = wait_cluster_active(
        &client(&stub),
        "ml-main",
        &["CREATING"],
        &FAST,
        &deadline(Duration::from_secs(10)),
    )
    .await
    .unwrap_err();
    match &err {
        CloudError::FailedState {
            state,
            detail,
            what,
        } => {
            assert_eq!(state, "FAILED");
            assert!(
                detail.contains("AccessDenied: the cluster role cannot use the key"),
                "{detail}"
            );
            assert!(what.contains("ml-main"), "{what}");
        }
        other => panic!("expected FailedState, got {other:?}"),
    }
    assert_eq!(stub.request_lines().len(), 2);
}

#[tokio::test]
async fn a_cluster_that_stays_creating_times_out_naming_it_and_its_state() {
    let stub = StubServer::start(vec![cluster("CREATING")]).await;
    let started = std::time::Instant::now();
    let err = wait_cluster_active(
        &client(&stub),
        "ml-main",
        &["CREATING"],
        &FAST,
        &deadline(Duration::from_millis(300)),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, CloudError::Timeout { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("\"ml-main\"") && text.contains("ACTIVE"),
        "{text}"
    );
    assert!(text.contains("last state: CREATING"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        stub.request_lines().len() >= 3,
        "polled only {:?}",
        stub.request_lines()
    );
}

#[tokio::test]
async fn throttling_is_retried_and_the_wait_goes_on() {
    let stub = StubServer::start(vec![
        Reply::aws_error(429, "ThrottlingException", "Rate exceeded"),
        cluster("ACTIVE"),
    ])
    .await;
    let found = wait_cluster_active(
        &client(&stub),
        "ml-main",
        &["CREATING"],
        &FAST,
        &deadline(Duration::from_secs(10)),
    )
    .await
    .unwrap();
    assert_eq!(found.status().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(stub.request_lines().len(), 2);
}

#[tokio::test]
async fn a_missing_cluster_reads_as_gone_and_other_errors_quote_the_service() {
    let stub = StubServer::start(vec![
        Reply::aws_error(
            404,
            "ResourceNotFoundException",
            "No cluster found for name: ml-main.",
        ),
        Reply::aws_error(400, "InvalidParameterException", "bad name"),
    ])
    .await;
    let eks = client(&stub);
    assert!(status_cluster(&eks, "ml-main").await.unwrap().is_none());
    let err = status_cluster(&eks, "ml-main").await.unwrap_err();
    assert_eq!(
        err,
        CloudError::Api {
            service: "EKS",
            operation: "DescribeCluster",
            code: "InvalidParameterException".into(),
            message: "bad name".into(),
        }
    );
}

#[tokio::test]
async fn an_operation_the_endpoint_lacks_is_a_clear_error() {
    let stub = StubServer::start(vec![Reply::html_not_found()]).await;
    let err = client(&stub)
        .update_cluster_version()
        .name("ml-main")
        .version("1.31")
        .send()
        .await
        .map_err(|e| {
            super::errors::from_sdk(
                super::errors::Service::Eks,
                "UpdateClusterVersion",
                "EKS cluster",
                e,
            )
        })
        .unwrap_err();
    match &err {
        CloudError::Api { code, message, .. } => {
            assert_eq!(code, UNSUPPORTED_OPERATION);
            assert!(
                message.contains("does not support UpdateClusterVersion"),
                "{message}"
            );
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_update_is_followed_until_successful_or_failed() {
    let update_reply = |status: &str| {
        Reply::json(json!({"update": {"id": "u-1", "status": status, "errors": [
            {"errorCode": "AccessDenied", "errorMessage": "not allowed"}
        ]}}))
    };
    let update = Update::builder()
        .id("u-1")
        .status(UpdateStatus::InProgress)
        .build();

    let stub =
        StubServer::start(vec![update_reply("InProgress"), update_reply("Successful")]).await;
    wait_update(
        &client(&stub),
        "ml-main",
        None,
        &update,
        &FAST,
        &deadline(Duration::from_secs(10)),
    )
    .await
    .unwrap();
    assert_eq!(stub.request_lines().len(), 2);

    let stub = StubServer::start(vec![update_reply("Failed")]).await;
    let err = wait_update(
        &client(&stub),
        "ml-main",
        None,
        &update,
        &FAST,
        &deadline(Duration::from_secs(10)),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("AccessDenied: not allowed"),
        "{err}"
    );
}
