//! The transport without TLS (no `PLUGIN_CLIENT_CERT`) over TCP, and the
//! go-plugin services Terraform touches: health, GRPCStdio, GRPCBroker and
//! GRPCController.

mod transport_support;

use std::time::Duration;

use tfplug::proto::goplugin::grpc_broker_client::GrpcBrokerClient;
use tfplug::proto::goplugin::grpc_controller_client::GrpcControllerClient;
use tfplug::proto::goplugin::grpc_stdio_client::GrpcStdioClient;
use tfplug::proto::goplugin::{ConnInfo, Empty};
use tfplug::transport::{MAGIC_COOKIE_VALUE, PluginEnv, PluginServer, TransportError};
use tokio_util::sync::CancellationToken;
use tonic::Code;
use tonic::service::Routes;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_check_response::ServingStatus;
use transport_support::{health_status, parse_handshake, test_config};

fn plain_tcp_env() -> PluginEnv {
    PluginEnv {
        magic_cookie: Some(MAGIC_COOKIE_VALUE.to_string()),
        protocol_versions: Some("6".to_string()),
        transport: Some("tcp".to_string()),
        // Ports go-plugin would use are often taken on a busy machine; a
        // wide range keeps the test independent of that.
        min_port: Some("20000".to_string()),
        max_port: Some("40000".to_string()),
        ..PluginEnv::default()
    }
}

async fn plain_channel(address: &str) -> Channel {
    Endpoint::from_shared(format!("http://{address}"))
        .unwrap()
        .connect()
        .await
        .expect("plain h2 connects")
}

#[tokio::test]
async fn serves_plain_h2_over_tcp_until_shutdown() {
    let server = PluginServer::bind(&test_config(), &plain_tcp_env())
        .await
        .unwrap();
    let handshake = parse_handshake(&server.handshake_line());
    assert_eq!(
        (
            handshake.core_version.as_str(),
            handshake.protocol_version.as_str()
        ),
        ("1", "6")
    );
    assert_eq!(handshake.network, "tcp");
    assert!(
        handshake.address.starts_with("127.0.0.1:"),
        "{}",
        handshake.address
    );
    assert!(
        handshake.server_cert.is_none(),
        "no certificate without PLUGIN_CLIENT_CERT"
    );

    let shutdown = CancellationToken::new();
    let serving = tokio::spawn(server.serve(Routes::default(), shutdown.clone()));
    let channel = plain_channel(&handshake.address).await;

    assert_eq!(
        health_status(channel.clone(), "plugin").await.unwrap(),
        ServingStatus::Serving
    );
    let unknown = health_status(channel.clone(), "something-else")
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);

    let broker = GrpcBrokerClient::new(channel.clone())
        .start_stream(futures::stream::iter(Vec::<ConnInfo>::new()))
        .await
        .unwrap_err();
    assert_eq!(broker.code(), Code::Unimplemented);

    // Terraform opens the stdio stream right away and keeps it open.
    let mut stdio = GrpcStdioClient::new(channel.clone())
        .stream_stdio(())
        .await
        .expect("the stdio stream opens")
        .into_inner();
    let early = tokio::time::timeout(Duration::from_millis(300), stdio.message()).await;
    assert!(
        early.is_err(),
        "the stdio stream must stay open and quiet, got {early:?}"
    );

    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(5), stdio.message())
        .await
        .expect("the stdio stream ends on shutdown");
    assert!(matches!(ended, Ok(None)), "{ended:?}");

    let outcome = tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("serve returns after Shutdown")
        .unwrap();
    assert!(outcome.is_ok(), "{outcome:?}");
    assert!(shutdown.is_cancelled());
}

#[tokio::test]
async fn cancelling_the_token_stops_the_server_and_frees_the_port() {
    let server = PluginServer::bind(&test_config(), &plain_tcp_env())
        .await
        .unwrap();
    let address = parse_handshake(&server.handshake_line()).address;
    let shutdown = CancellationToken::new();
    let serving = tokio::spawn(server.serve(Routes::default(), shutdown.clone()));
    assert_eq!(
        health_status(plain_channel(&address).await, "plugin")
            .await
            .unwrap(),
        ServingStatus::Serving
    );

    shutdown.cancel();
    let outcome = tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("serve returns once the token is cancelled")
        .unwrap();
    assert!(outcome.is_ok(), "{outcome:?}");
    let refused = tokio::net::TcpStream::connect(&address).await;
    assert!(refused.is_err(), "the listener is closed");
}

#[tokio::test]
async fn debug_mode_needs_no_cookie_and_announces_reattach_details() {
    let dir = tempfile::tempdir().unwrap();
    let env = PluginEnv {
        unix_socket_dir: Some(dir.path().to_path_buf()),
        // Ignored in debug mode: Terraform reattaches without TLS.
        client_cert_pem: Some("not even PEM".to_string()),
        ..PluginEnv::default()
    };
    let mut config = test_config();
    assert!(matches!(
        PluginServer::bind(&config, &env).await,
        Err(TransportError::NotLaunchedByTerraform)
    ));

    config.debug = true;
    let server = PluginServer::bind(&config, &env).await.unwrap();
    let announcement = server.announcement();
    let reattach = announcement
        .lines()
        .find_map(|line| line.trim().strip_prefix("TF_REATTACH_PROVIDERS='"))
        .and_then(|rest| rest.strip_suffix('\''))
        .expect("the reattach variable is printed, shell-quoted");
    let value: serde_json::Value = serde_json::from_str(reattach).unwrap();
    let provider = &value["registry.terraform.io/mlcloud/mlcloud"];
    assert_eq!(provider["Protocol"], "grpc");
    assert_eq!(provider["ProtocolVersion"], 6);
    assert_eq!(provider["Pid"], std::process::id());
    assert_eq!(provider["Test"], true);
    assert_eq!(provider["Addr"]["Network"], "unix");
    assert_eq!(provider["Addr"]["String"], server.address().to_string());

    let shutdown = CancellationToken::new();
    let serving = tokio::spawn(server.serve(Routes::default(), shutdown.clone()));
    shutdown.cancel();
    assert!(serving.await.unwrap().is_ok());
}
