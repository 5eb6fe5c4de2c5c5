//! The plugin server in two steps: [`PluginServer::bind`] checks the
//! environment and listens, [`PluginServer::serve`] answers gRPC until
//! shutdown. The split lets callers read the handshake before serving starts.

use std::time::Duration;

use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::Server;

use super::TransportConfig;
use super::env::PluginEnv;
use super::error::TransportError;
use super::go_plugin_services::with_go_plugin_services;
use super::handshake::{debug_instructions, handshake_line};
use super::incoming::spawn_accept_loop;
use super::listener::{ListenAddr, PluginListener};
use super::negotiate::{has_magic_cookie, negotiate_protocol_version};
use super::tls::{ServerIdentity, parse_client_certificate, server_config};

/// HTTP/2 flow-control windows. The 64 KiB defaults make a many-megabyte
/// schema or state crawl across a local socket in tiny round trips; these let
/// Terraform send big messages without waiting for window updates.
const STREAM_WINDOW: u32 = 8 * 1024 * 1024;
const CONNECTION_WINDOW: u32 = 32 * 1024 * 1024;

/// How long a graceful shutdown may take before the server is dropped with
/// connections still open. Terraform itself kills a plugin that has not exited
/// about two seconds after Shutdown, so waiting longer only matters in debug
/// mode, where a person waits.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A plugin that listens and is ready to serve.
///
/// ```no_run
/// # async fn run(routes: tonic::service::Routes) -> Result<(), tfplug::transport::TransportError> {
/// use tfplug::transport::{PluginEnv, PluginServer, TransportConfig};
/// use tokio_util::sync::CancellationToken;
///
/// let config = TransportConfig {
///     provider_address: "registry.terraform.io/example/example".into(),
///     debug: false,
/// };
/// let server = PluginServer::bind(&config, &PluginEnv::from_process()).await?;
/// print!("{}", server.announcement());
/// server.serve(routes, CancellationToken::new()).await
/// # }
/// ```
pub struct PluginServer {
    config: TransportConfig,
    listener: PluginListener,
    tls: Option<(TlsAcceptor, ServerIdentity)>,
}

impl PluginServer {
    /// Checks what Terraform passed in `env` and starts listening.
    ///
    /// Outside debug mode this requires the magic cookie and protocol 6
    /// among the offered versions, and turns on mutual TLS when
    /// `PLUGIN_CLIENT_CERT` is set. Debug mode skips all three: a person
    /// started the plugin, and Terraform reattaches without TLS.
    pub async fn bind(config: &TransportConfig, env: &PluginEnv) -> Result<Self, TransportError> {
        let tls = if config.debug {
            None
        } else {
            if !has_magic_cookie(env) {
                return Err(TransportError::NotLaunchedByTerraform);
            }
            negotiate_protocol_version(env.protocol_versions.as_deref())?;
            match &env.client_cert_pem {
                None => None,
                Some(pem) => {
                    let client_cert = parse_client_certificate(pem)?;
                    let identity = ServerIdentity::generate()?;
                    let acceptor = TlsAcceptor::from(server_config(&identity, client_cert)?);
                    Some((acceptor, identity))
                }
            }
        };
        let listener = PluginListener::bind(env).await?;
        Ok(Self {
            config: config.clone(),
            listener,
            tls,
        })
    }

    /// Where the plugin listens.
    pub fn address(&self) -> &ListenAddr {
        self.listener.address()
    }

    /// The DER of the server's TLS certificate, when mutual TLS is on.
    pub fn server_certificate(&self) -> Option<&[u8]> {
        self.tls
            .as_ref()
            .map(|(_, identity)| identity.cert.as_ref())
    }

    /// The go-plugin handshake line, newline included.
    pub fn handshake_line(&self) -> String {
        handshake_line(self.address(), self.server_certificate())
    }

    /// What to print on stdout once bound: the handshake line for Terraform,
    /// or in debug mode the reattach instructions for a person.
    pub fn announcement(&self) -> String {
        if self.config.debug {
            debug_instructions(
                &self.config.provider_address,
                self.address(),
                std::process::id(),
            )
        } else {
            self.handshake_line()
        }
    }

    /// Serves `routes` plus the go-plugin services until `shutdown` is
    /// cancelled, by Terraform's `GRPCController.Shutdown` or by the caller.
    ///
    /// On cancellation the server stops accepting connections, lets running
    /// calls finish for up to a few seconds, removes the unix socket and
    /// returns `Ok(())`. Unlike [`serve`](super::serve), this watches no
    /// signals and no parent process: the caller decides when to stop.
    pub async fn serve(
        self,
        routes: Routes,
        shutdown: CancellationToken,
    ) -> Result<(), TransportError> {
        let routes = with_go_plugin_services(routes, &shutdown).await;
        let tls = self.tls.map(|(acceptor, _)| acceptor);
        let (incoming, accept_loop) = spawn_accept_loop(self.listener, tls, shutdown.clone());

        let mut builder = Server::builder()
            .initial_stream_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW);
        let serving = builder
            .add_routes(routes)
            .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());

        let result = tokio::select! {
            result = serving => result.map_err(TransportError::from),
            () = grace_expired(&shutdown) => {
                tracing::warn!("connections were still open {SHUTDOWN_GRACE:?} after shutdown; closing them");
                Ok(())
            }
        };
        // Also when the server failed: stop accepting, then wait for the
        // listener (and with it the socket file) to go away.
        shutdown.cancel();
        let _ = accept_loop.await;
        result
    }
}

async fn grace_expired(shutdown: &CancellationToken) {
    shutdown.cancelled().await;
    tokio::time::sleep(SHUTDOWN_GRACE).await;
}
