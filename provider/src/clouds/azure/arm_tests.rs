//! The ARM client's long-running operations and error decoding against a scripted
//! HTTP stub (plain http, so without a bearer token: azure_core never sends one over
//! http). The same client talks to the emulator over https in the acceptance tests.

use super::arm::{ArmClient, ArmSettings};
use super::transport;
use crate::clouds::CloudError;
use crate::clouds::aws::stub_server::{Reply, StubServer};
use crate::clouds::model::Op;
use crate::clouds::wait::{Backoff, Deadline};
use crate::config::common::RetrySettings;
use azure_core::http::{HttpClient, Url};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const ID: &str = "/subscriptions/s/resourceGroups/ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x";

fn client(url: &str) -> ArmClient {
    // A plain reqwest client: the stub speaks http.
    let http: Arc<dyn HttpClient> = Arc::new(reqwest::Client::new());
    ArmClient::new(ArmSettings {
        resource_manager: Url::parse(url).unwrap(),
        subscription: "s".into(),
        credential: None,
        http,
        retry: RetrySettings {
            max_attempts: 1,
            max_backoff_seconds: 1,
        },
        backoff: Backoff {
            initial: Duration::from_millis(5),
            max: Duration::from_millis(20),
        },
    })
}

fn deadline(secs: u64) -> Deadline {
    Deadline::new(&Op::new(
        Duration::from_secs(secs),
        CancellationToken::new(),
    ))
}

fn resource(state: &str) -> serde_json::Value {
    json!({"id": ID, "name": "x", "properties": {"provisioningState": state}})
}

#[tokio::test]
async fn put_follows_azure_async_operation_then_reads_the_resource() {
    let stub = StubServer::start_with(|base| {
        let op = format!("{base}/operations/1");
        vec![
            Reply::with(
                201,
                &[("Azure-AsyncOperation", &op), ("Retry-After", "0")],
                resource("Creating"),
            ),
            Reply::with(200, &[], json!({"status": "InProgress"})),
            Reply::with(200, &[], json!({"status": "Succeeded"})),
            Reply::with(200, &[], resource("Succeeded")),
        ]
    })
    .await;
    let arm = client(stub.url());
    let got = arm
        .put(
            ID,
            "2024-11-30",
            "Microsoft.ManagedIdentity",
            &json!({"location": "westeurope"}),
            &deadline(10),
        )
        .await
        .unwrap();
    assert_eq!(got["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        stub.request_lines(),
        [
            format!("PUT {ID}"),
            "GET /operations/1".to_string(),
            "GET /operations/1".to_string(),
            format!("GET {ID}"),
        ]
    );
}

#[tokio::test]
async fn a_failed_operation_reports_its_error() {
    let stub = StubServer::start_with(|base| {
        let op = format!("{base}/operations/2");
        vec![
            Reply::with(202, &[("Azure-AsyncOperation", &op)], serde_json::Value::Null),
            Reply::with(200, &[], json!({"status": "Failed", "error": {"code": "KeyVaultAccessForbidden", "message": "no access to the key"}})),
        ]
    })
    .await;
    let err = client(stub.url())
        .delete(ID, "2024-11-30", "Microsoft.ManagedIdentity", &deadline(10))
        .await
        .unwrap_err();
    match err {
        CloudError::FailedState { state, detail, .. } => {
            assert_eq!(state, "Failed");
            assert!(
                detail.contains("KeyVaultAccessForbidden: no access to the key"),
                "{detail}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn delete_polls_location_until_it_stops_answering_202() {
    let stub = StubServer::start_with(|base| {
        let loc = format!("{base}/operationresults/3");
        vec![
            Reply::with(
                202,
                &[("Location", &loc), ("Retry-After", "0")],
                serde_json::Value::Null,
            ),
            Reply::with(202, &[("Location", &loc)], serde_json::Value::Null),
            Reply::with(204, &[], serde_json::Value::Null),
        ]
    })
    .await;
    client(stub.url())
        .delete(ID, "v", "Microsoft.ManagedIdentity", &deadline(10))
        .await
        .unwrap();
    assert_eq!(stub.request_lines().len(), 3);
}

#[tokio::test]
async fn deleting_what_is_gone_is_fine_and_reads_of_it_are_none() {
    let stub = StubServer::start(vec![Reply::with(
        404,
        &[],
        json!({"error": {"code": "ResourceNotFound", "message": "not found"}}),
    )])
    .await;
    let arm = client(stub.url());
    arm.delete(ID, "v", "Microsoft.ManagedIdentity", &deadline(5))
        .await
        .unwrap();
    assert!(
        arm.get::<serde_json::Value>(ID, "v", "Microsoft.ManagedIdentity")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_resource_still_provisioning_is_waited_for_until_the_deadline() {
    let stub = StubServer::start(vec![Reply::with(200, &[], resource("Updating"))]).await;
    let err = client(stub.url())
        .put(
            ID,
            "v",
            "Microsoft.ManagedIdentity",
            &json!({}),
            &deadline(1),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, CloudError::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn arm_errors_keep_their_code_and_message() {
    let stub = StubServer::start(vec![Reply::with(
        400,
        &[],
        json!({"error": {"code": "InvalidParameter", "message": "agentPoolProfile.name is invalid", "target": "name"}}),
    )])
    .await;
    let err = client(stub.url())
        .put(
            ID,
            "v",
            "Microsoft.ContainerService",
            &json!({}),
            &deadline(5),
        )
        .await
        .unwrap_err();
    assert!(err.has_code("InvalidParameter"));
    assert!(
        err.to_string().contains("agentPoolProfile.name is invalid"),
        "{err}"
    );
}

#[tokio::test]
async fn an_untrusted_certificate_fails_at_once_naming_the_host() {
    // A TLS server whose certificate no root vouches for.
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = acceptor.accept(tcp).await;
        }
    });
    let http = transport::https_client(None).unwrap();
    let arm = ArmClient::new(ArmSettings {
        resource_manager: Url::parse(&format!("https://localhost:{port}/")).unwrap(),
        subscription: "s".into(),
        credential: None,
        http,
        retry: RetrySettings::default(),
        backoff: Backoff::DEFAULT,
    });
    let started = std::time::Instant::now();
    let err = arm
        .get::<serde_json::Value>(ID, "v", "x")
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let text = err.to_string();
    assert!(
        text.contains("localhost") && text.contains("ca_certificate_file"),
        "{text}"
    );
    server.abort();
}
