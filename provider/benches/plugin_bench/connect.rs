//! The client side of go-plugin's AutoMTLS: TLS over the plugin's unix socket,
//! presenting Terraform's certificate and trusting only the plugin's.

use std::sync::Arc;

use hyper_util::rt::TokioIo;
use rustls::crypto::aws_lc_rs;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::UnixStream;
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint, Uri};

use super::error::BenchError;
use super::handshake::Handshake;
use super::identity::ClientIdentity;

/// Opens one HTTP/2 connection to the plugin, ready for calls.
pub async fn connect_mtls(
    handshake: &Handshake,
    identity: &ClientIdentity,
) -> Result<Channel, BenchError> {
    let connector = TlsConnector::from(Arc::new(tls_config(handshake, identity)?));
    let socket = handshake.socket.clone();
    // The URI is only a placeholder: the connector below ignores it and dials
    // the socket from the handshake.
    Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            dial(connector.clone(), socket.clone())
        }))
        .await
        .map_err(|source| BenchError::Connect {
            socket: handshake.socket.clone(),
            source,
        })
}

fn tls_config(
    handshake: &Handshake,
    identity: &ClientIdentity,
) -> Result<ClientConfig, BenchError> {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(handshake.server_cert.clone()))?;
    let mut config = ClientConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_client_auth_cert(identity.cert_chain(), identity.private_key())?;
    // grpc-go, on both ends, insists on h2 being negotiated.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

async fn dial(
    connector: TlsConnector,
    socket: String,
) -> std::io::Result<TokioIo<tokio_rustls::client::TlsStream<UnixStream>>> {
    let stream = UnixStream::connect(socket).await?;
    // go-plugin's server certificate is issued for "localhost".
    let name = ServerName::try_from("localhost").expect("a valid DNS name");
    let tls = connector.connect(name, stream).await?;
    Ok(TokioIo::new(tls))
}
