//! How a provider process meets Terraform: go-plugin's handshake, AutoMTLS,
//! the listener, and the go-plugin gRPC services, around the provider's own
//! gRPC routes.
//!
//! The sequence, when Terraform starts the provider:
//!
//! 1. Terraform sets `TF_PLUGIN_MAGIC_COOKIE`, `PLUGIN_PROTOCOL_VERSIONS`
//!    (e.g. `5,6`) and, for mutual TLS, `PLUGIN_CLIENT_CERT`.
//! 2. The plugin checks the cookie, picks protocol 6, makes a self-signed
//!    certificate, listens on a unix socket (or 127.0.0.1 TCP) and prints
//!    `1|6|unix|<socket>|grpc|<certificate>` on stdout, and nothing else
//!    there, ever.
//! 3. Terraform dials, checks the `plugin` health service, opens
//!    `GRPCStdio`, and calls the provider; at the end it calls
//!    `GRPCController.Shutdown` and the plugin exits.
//!
//! In debug mode a person starts the plugin instead; it prints a
//! `TF_REATTACH_PROVIDERS` value to hand to Terraform and serves, without TLS,
//! until Ctrl-C.
//!
//! [`serve`] does all of it from the process environment. [`PluginServer`]
//! does the same in two steps from an explicit [`PluginEnv`], which is what
//! tests use.

mod background;
mod client_cert_verifier;
mod connection;
mod env;
mod error;
mod go_plugin_services;
mod handshake;
mod incoming;
mod listener;
mod negotiate;
mod parent;
mod server;
mod signals;
mod tls;

use std::io::Write;

use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

pub use env::{
    CLIENT_CERT_KEY, MAGIC_COOKIE_KEY, MAX_PORT_KEY, MIN_PORT_KEY, PROTOCOL_VERSIONS_KEY,
    PluginEnv, TRANSPORT_KEY, UNIX_SOCKET_DIR_KEY,
};
pub use error::TransportError;
pub use handshake::{debug_instructions, handshake_line, reattach_config};
pub use listener::ListenAddr;
pub use negotiate::{
    CORE_PROTOCOL_VERSION, MAGIC_COOKIE_VALUE, PROTOCOL_VERSION, has_magic_cookie,
    negotiate_protocol_version,
};
pub use server::PluginServer;

/// What the transport needs to know about the provider.
///
/// ```
/// use tfplug::transport::TransportConfig;
///
/// let config = TransportConfig {
///     provider_address: "registry.terraform.io/mlcloud/mlcloud".to_string(),
///     debug: std::env::args().any(|arg| arg == "--debug"),
/// };
/// assert!(config.provider_address.ends_with("/mlcloud"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportConfig {
    /// The provider's source address, e.g.
    /// `registry.terraform.io/mlcloud/mlcloud`; it keys the
    /// `TF_REATTACH_PROVIDERS` value printed in debug mode.
    pub provider_address: String,
    /// Debug mode: no magic cookie needed, no TLS; print the
    /// `TF_REATTACH_PROVIDERS` value for the user and serve until Ctrl-C or
    /// SIGTERM.
    pub debug: bool,
}

/// Printed by a provider binary that was started by hand, without the
/// `--debug` flag.
pub const NOT_A_PLUGIN_MESSAGE: &str = "\
This binary is a plugin for Terraform. It is not meant to be run by hand:
Terraform starts it when a configuration uses the provider (run `terraform init`
and then `terraform plan` in that configuration's directory).

To debug the provider, start it with the --debug flag and follow the
instructions it prints.";

/// True when Terraform started this process: the magic cookie is in the
/// environment with the right value.
///
/// ```no_run
/// if !tfplug::transport::launched_by_terraform() {
///     eprintln!("{}", tfplug::transport::NOT_A_PLUGIN_MESSAGE);
///     std::process::exit(1);
/// }
/// ```
pub fn launched_by_terraform() -> bool {
    has_magic_cookie(&PluginEnv::from_process())
}

/// Serves `routes` to Terraform, configured from the process environment.
///
/// `routes` is the provider's `tfplugin6.Provider` service (with its message
/// size limits already set). The transport adds the go-plugin services: health
/// (`plugin` is SERVING), `GRPCController`, `GRPCStdio` and `GRPCBroker`
/// (unimplemented, as Terraform never uses it).
///
/// It writes the handshake line (or, in debug mode, the reattach instructions)
/// to stdout and nothing else there, then serves until one of these:
///
/// - Terraform calls `GRPCController.Shutdown`;
/// - SIGTERM arrives, or SIGINT in debug mode;
/// - the Terraform process that started the plugin is gone (crashed or
///   killed), so an orphaned plugin does not serve forever;
/// - the caller cancels `shutdown`.
///
/// The transport cancels `shutdown` itself when it begins to shut down, so
/// in-flight work can watch it. SIGINT outside debug mode is ignored on
/// purpose: Terraform handles Ctrl-C and stops the provider through the
/// protocol.
///
/// Returns `Ok(())` after a graceful shutdown; the unix socket is removed.
///
/// ```no_run
/// # async fn run(routes: tonic::service::Routes) {
/// use tfplug::transport::{serve, TransportConfig};
/// use tokio_util::sync::CancellationToken;
///
/// let config = TransportConfig {
///     provider_address: "registry.terraform.io/mlcloud/mlcloud".into(),
///     debug: false,
/// };
/// if let Err(error) = serve(routes, config, CancellationToken::new()).await {
///     eprintln!("{error}");
///     std::process::exit(1);
/// }
/// # }
/// ```
pub async fn serve(
    routes: Routes,
    config: TransportConfig,
    shutdown: CancellationToken,
) -> Result<(), TransportError> {
    let server = PluginServer::bind(&config, &PluginEnv::from_process()).await?;
    // Watch signals before announcing, so a SIGTERM right after the
    // handshake already shuts down gracefully.
    let _signals = signals::watch_signals(config.debug, shutdown.clone())?;
    // A person may background a debug-mode plugin and close the shell; only
    // a plugin Terraform started belongs to its parent.
    let _parent = (!config.debug).then(|| parent::watch_parent(shutdown.clone()));
    announce(&server.announcement())?;
    server.serve(routes, shutdown).await
}

/// Writes the handshake to stdout and flushes it: Terraform waits for the
/// whole line before it dials.
fn announce(text: &str) -> Result<(), TransportError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(TransportError::Announce)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_plugin_message_says_what_to_do() {
        assert!(NOT_A_PLUGIN_MESSAGE.contains("plugin for Terraform"));
        assert!(NOT_A_PLUGIN_MESSAGE.contains("terraform init"));
        assert!(NOT_A_PLUGIN_MESSAGE.contains("--debug"));
    }

    #[test]
    fn missing_cookie_error_explains_itself() {
        assert_eq!(
            TransportError::NotLaunchedByTerraform.to_string(),
            NOT_A_PLUGIN_MESSAGE
        );
    }

    #[tokio::test]
    async fn bind_refuses_to_run_without_terraform_unless_debugging() {
        let dir = tempfile::tempdir().unwrap();
        let env = PluginEnv {
            unix_socket_dir: Some(dir.path().to_path_buf()),
            ..PluginEnv::default()
        };
        let mut config = TransportConfig {
            provider_address: "registry.terraform.io/mlcloud/mlcloud".into(),
            debug: false,
        };
        assert!(matches!(
            PluginServer::bind(&config, &env).await,
            Err(TransportError::NotLaunchedByTerraform)
        ));

        config.debug = true;
        let server = PluginServer::bind(&config, &env).await.unwrap();
        assert!(
            server.server_certificate().is_none(),
            "debug mode serves without TLS"
        );
        assert!(server.announcement().contains("TF_REATTACH_PROVIDERS='"));
    }

    #[tokio::test]
    async fn bind_refuses_a_terraform_without_protocol_6() {
        let env = PluginEnv {
            magic_cookie: Some(MAGIC_COOKIE_VALUE.into()),
            protocol_versions: Some("5".into()),
            ..PluginEnv::default()
        };
        let config = TransportConfig {
            provider_address: "registry.terraform.io/mlcloud/mlcloud".into(),
            debug: false,
        };
        let Err(error) = PluginServer::bind(&config, &env).await else {
            panic!("bound although only protocol 5 was offered");
        };
        assert!(
            matches!(error, TransportError::UnsupportedProtocolVersions { .. }),
            "{error}"
        );
    }

    #[tokio::test]
    async fn bind_refuses_a_client_certificate_that_is_not_pem() {
        let env = PluginEnv {
            magic_cookie: Some(MAGIC_COOKIE_VALUE.into()),
            protocol_versions: Some("5,6".into()),
            client_cert_pem: Some("garbage".into()),
            ..PluginEnv::default()
        };
        let config = TransportConfig {
            provider_address: "registry.terraform.io/mlcloud/mlcloud".into(),
            debug: false,
        };
        assert!(matches!(
            PluginServer::bind(&config, &env).await,
            Err(TransportError::InvalidClientCertificate(_))
        ));
    }
}
