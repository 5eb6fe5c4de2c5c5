//! AutoMTLS end to end, the way Terraform does it: a self-signed ECDSA P-521
//! client certificate marked as a CA, passed in `PLUGIN_CLIENT_CERT`; the
//! plugin's certificate read back from the handshake line; TLS over the unix
//! socket; health check, a big message, then `GRPCController.Shutdown`.

mod transport_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, PKCS_ECDSA_P521_SHA512};
use rustls::crypto::aws_lc_rs;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::version::{TLS12, TLS13};
use rustls::{ClientConfig, RootCertStore, SupportedProtocolVersion};
use tfplug::proto::goplugin::Empty;
use tfplug::proto::goplugin::grpc_controller_client::GrpcControllerClient;
use tfplug::proto::tfplugin6::DynamicValue;
use tfplug::transport::{MAGIC_COOKIE_VALUE, PluginEnv, PluginServer};
use tokio::net::UnixStream;
use tokio_rustls::TlsConnector;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::{Channel, Endpoint, Uri};
use tonic_health::pb::health_check_response::ServingStatus;
use transport_support::echo::{EchoServer, echo};
use transport_support::{Handshake, health_status, parse_handshake, test_config};

/// A client certificate made like Terraform's.
struct ClientIdentity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
    pem: String,
}

impl ClientIdentity {
    fn terraform_like() -> Self {
        let key_pair = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key_pair).unwrap();
        Self {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key_pair.serialize_der()),
            pem: cert.pem(),
        }
    }
}

/// How a test client presents itself.
enum ClientAuth<'a> {
    Certificate(&'a ClientIdentity),
    Anonymous,
}

/// Dials the plugin the way go-plugin does: TLS to "localhost" over the
/// unix socket, trusting only the certificate from the handshake, ALPN h2.
async fn connect(
    handshake: &Handshake,
    auth: ClientAuth<'_>,
    versions: &[&'static SupportedProtocolVersion],
) -> Result<Channel, tonic::transport::Error> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(
            handshake.server_cert.clone().expect("TLS is on"),
        ))
        .unwrap();
    let builder = ClientConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots);
    let mut config = match auth {
        ClientAuth::Certificate(identity) => builder
            .with_client_auth_cert(
                vec![identity.cert.clone()],
                PrivateKeyDer::Pkcs8(identity.key.clone_key()),
            )
            .unwrap(),
        ClientAuth::Anonymous => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = TlsConnector::from(Arc::new(config));
    let socket = PathBuf::from(&handshake.address);
    Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let connector = connector.clone();
            let socket = socket.clone();
            async move {
                let stream = UnixStream::connect(socket).await?;
                let tls = connector
                    .connect(ServerName::try_from("localhost").unwrap(), stream)
                    .await?;
                // grpc-go drops a connection that did not negotiate h2.
                let alpn = tls.get_ref().1.alpn_protocol();
                if alpn != Some(b"h2".as_slice()) {
                    return Err(std::io::Error::other(format!(
                        "ALPN negotiated {alpn:?}, not h2"
                    )));
                }
                Ok(TokioIo::new(tls))
            }
        }))
        .await
}

/// The plugin is not reachable with these credentials: either the TLS
/// connection or the first call on it fails (with TLS 1.3 the server's
/// verdict on the client certificate arrives after the client's handshake).
async fn assert_refused(handshake: &Handshake, auth: ClientAuth<'_>) {
    let attempt = async {
        let channel = connect(handshake, auth, &[&TLS13, &TLS12]).await.ok()?;
        health_status(channel, "plugin").await.ok()
    };
    let outcome = tokio::time::timeout(Duration::from_secs(10), attempt)
        .await
        .expect("a refused client fails quickly");
    assert_eq!(
        outcome, None,
        "the plugin answered a client it should refuse"
    );
}

#[tokio::test]
async fn terraform_like_client_is_served_and_shuts_the_plugin_down() {
    let socket_dir = tempfile::tempdir().unwrap();
    let terraform = ClientIdentity::terraform_like();
    let env = PluginEnv {
        magic_cookie: Some(MAGIC_COOKIE_VALUE.to_string()),
        protocol_versions: Some("5,6".to_string()),
        client_cert_pem: Some(terraform.pem.clone()),
        unix_socket_dir: Some(socket_dir.path().to_path_buf()),
        ..PluginEnv::default()
    };
    let server = PluginServer::bind(&test_config(), &env).await.unwrap();
    let line = server.handshake_line();
    assert_eq!(
        server.announcement(),
        line,
        "outside debug mode only the handshake is printed"
    );

    let handshake = parse_handshake(&line);
    assert_eq!(handshake.core_version, "1");
    assert_eq!(handshake.protocol_version, "6");
    assert_eq!(handshake.network, "unix");
    assert_eq!(handshake.protocol, "grpc");
    let socket = PathBuf::from(&handshake.address);
    assert_eq!(socket.parent(), Some(socket_dir.path()));
    assert!(socket.exists());

    let shutdown = CancellationToken::new();
    let routes = Routes::new(EchoServer);
    let serving = tokio::spawn(server.serve(routes, shutdown.clone()));

    // Terraform's own client speaks TLS 1.3; 1.2 must work as well.
    let channel = connect(&handshake, ClientAuth::Certificate(&terraform), &[&TLS13])
        .await
        .expect("Terraform's certificate is accepted over TLS 1.3");
    assert_eq!(
        health_status(channel.clone(), "plugin").await.unwrap(),
        ServingStatus::Serving
    );
    assert_eq!(
        health_status(channel.clone(), "").await.unwrap(),
        ServingStatus::Serving
    );
    let tls12 = connect(&handshake, ClientAuth::Certificate(&terraform), &[&TLS12])
        .await
        .expect("Terraform's certificate is accepted over TLS 1.2");
    assert_eq!(
        health_status(tls12, "plugin").await.unwrap(),
        ServingStatus::Serving
    );

    // Well past gRPC's 4 MiB default, both ways, through TLS.
    let big = DynamicValue {
        msgpack: (0..48 * 1024 * 1024).map(|i| (i % 251) as u8).collect(),
        json: Vec::new(),
    };
    let echoed = echo(channel.clone(), big.clone())
        .await
        .expect("a 48 MiB message passes");
    assert!(echoed == big, "the 48 MiB message came back changed");

    // Anyone else is turned away, including a certificate made the same way.
    let stranger = ClientIdentity::terraform_like();
    assert_refused(&handshake, ClientAuth::Certificate(&stranger)).await;
    assert_refused(&handshake, ClientAuth::Anonymous).await;

    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown is answered before the server goes away");
    let outcome = tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("serve returns after Shutdown")
        .unwrap();
    assert!(outcome.is_ok(), "{outcome:?}");
    assert!(shutdown.is_cancelled(), "in-flight work is told to stop");
    assert!(!socket.exists(), "the socket file is removed");
}
