//! The accept loop: turns the listener into the stream of ready connections
//! that tonic serves, doing the TLS handshake on the way.

use std::convert::Infallible;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::connection::PluginConnection;
use super::listener::PluginListener;

/// A client that has not finished its TLS handshake by then is dropped, so a
/// stuck peer cannot hold a task forever.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait after a failed `accept` (typically: out of file
/// descriptors) before trying again.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(100);

/// Connections ready for gRPC. Failed handshakes never show up here: they
/// are logged and dropped, so the item error type is uninhabited.
pub(crate) type Incoming = ReceiverStream<Result<PluginConnection, Infallible>>;

/// Accepts connections until `shutdown` is cancelled. Each TLS handshake runs
/// in its own task so one slow client cannot hold up the next.
///
/// The stream ends once the loop has stopped and every pending handshake has
/// finished; the listener is closed when the returned task completes.
pub(crate) fn spawn_accept_loop(
    listener: PluginListener,
    tls: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) -> (Incoming, JoinHandle<()>) {
    let (sender, receiver) = mpsc::channel(16);
    let task = tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                Ok(connection) => match &tls {
                    None => {
                        if sender.send(Ok(connection)).await.is_err() {
                            break;
                        }
                    }
                    Some(acceptor) => {
                        tokio::spawn(complete_tls_handshake(
                            acceptor.clone(),
                            connection,
                            sender.clone(),
                        ));
                    }
                },
                Err(error) => {
                    tracing::warn!(%error, "could not accept a connection from Terraform");
                    tokio::time::sleep(ACCEPT_RETRY_DELAY).await;
                }
            }
        }
    });
    (ReceiverStream::new(receiver), task)
}

async fn complete_tls_handshake(
    acceptor: TlsAcceptor,
    connection: PluginConnection,
    sender: mpsc::Sender<Result<PluginConnection, Infallible>>,
) {
    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(connection)).await {
        Ok(Ok(stream)) => {
            // The receiver is gone only when the server has stopped.
            let _ = sender.send(Ok(PluginConnection::new(stream))).await;
        }
        // Expected for anyone but Terraform: the certificate is pinned.
        Ok(Err(error)) => tracing::warn!(%error, "refused a TLS connection"),
        Err(_) => tracing::warn!("dropped a client that did not finish its TLS handshake in time"),
    }
}
