//! The one error type of the transport.

use std::io;

/// Why the plugin could not start serving Terraform, or stopped abnormally.
///
/// Every variant's message is written for the person who reads it in
/// Terraform's output or a terminal, so callers can print it as it is.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The magic cookie Terraform sets is missing: the binary was started by
    /// hand, not by Terraform.
    #[error("{}", super::NOT_A_PLUGIN_MESSAGE)]
    NotLaunchedByTerraform,

    /// Terraform offered only plugin protocol versions this crate does not
    /// speak.
    #[error(
        "Terraform offered plugin protocol version(s) {offered}, but this provider speaks only \
         protocol 6; use Terraform 1.0 or later (protocol 6 arrived in Terraform 0.15)"
    )]
    UnsupportedProtocolVersions {
        /// The value of `PLUGIN_PROTOCOL_VERSIONS`, as given.
        offered: String,
    },

    /// An environment setting has a value the transport cannot use.
    #[error("{name}={value:?} is not usable: {reason}")]
    InvalidSetting {
        /// The environment variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },

    /// `PLUGIN_CLIENT_CERT` does not hold a PEM certificate.
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {0}")]
    InvalidClientCertificate(String),

    /// The server's self-signed certificate could not be generated.
    #[error("could not generate the plugin's TLS certificate: {0}")]
    ServerCertificate(#[from] rcgen::Error),

    /// rustls refused the TLS configuration.
    #[error("could not configure TLS: {0}")]
    Tls(#[from] rustls::Error),

    /// The listener could not be created.
    #[error("could not listen on {address}: {source}")]
    Bind {
        /// The socket path or `host:port`.
        address: String,
        /// The operating system's reason.
        source: io::Error,
    },

    /// Every port in the allowed range was taken.
    #[error(
        "no free TCP port on 127.0.0.1 between {min} and {max} (PLUGIN_MIN_PORT/PLUGIN_MAX_PORT)"
    )]
    NoFreePort {
        /// Lowest port tried.
        min: u16,
        /// Highest port tried.
        max: u16,
    },

    /// Signal handlers could not be installed.
    #[error("could not install signal handlers: {0}")]
    Signals(io::Error),

    /// The handshake line (or debug instructions) could not be written to
    /// stdout, so Terraform can never connect.
    #[error("could not write the plugin handshake to stdout: {0}")]
    Announce(io::Error),

    /// The gRPC server failed.
    #[error("the plugin's gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
}
