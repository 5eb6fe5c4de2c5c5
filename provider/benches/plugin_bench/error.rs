//! Everything that stops the benchmark. Each variant says which step of the
//! protocol broke, because a benchmark that silently measures a broken plugin
//! is worse than none.

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{provider}: {source}")]
    Provider {
        provider: String,
        source: Box<BenchError>,
    },
    #[error(
        "no provider binary given: set {mlcloud} and/or {example} (scripts/bench-provider does)",
        mlcloud = crate::MLCLOUD_BIN_VAR,
        example = crate::EXAMPLE_BIN_VAR
    )]
    NoProviders,
    #[error("{var} is {value:?}, not a whole number of at least 1")]
    BadCount { var: &'static str, value: String },
    #[error("{0} does not exist or is not a file; build it first")]
    MissingBinary(PathBuf),
    #[error("making the client certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("configuring TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("making the socket directory: {0}")]
    SocketDir(std::io::Error),
    #[error("starting {binary}: {source}")]
    Spawn {
        binary: PathBuf,
        source: std::io::Error,
    },
    #[error("reading the plugin's stdout: {0}")]
    Stdout(std::io::Error),
    #[error("no handshake line within {waited:?}{stderr}")]
    HandshakeTimeout {
        waited: Duration,
        stderr: StderrTail,
    },
    #[error("the plugin exited ({status}) before printing its handshake line{stderr}")]
    ExitedBeforeHandshake {
        status: ExitStatus,
        stderr: StderrTail,
    },
    #[error("unusable handshake line {line:?}: {reason}")]
    BadHandshake { line: String, reason: String },
    #[error("connecting over mTLS to {socket}: {source}")]
    Connect {
        socket: String,
        source: tonic::transport::Error,
    },
    #[error("{rpc} failed: {status}")]
    Rpc {
        rpc: &'static str,
        status: tonic::Status,
    },
    #[error("GetProviderSchema answered with error diagnostics: {0}")]
    SchemaDiagnostics(String),
    #[error("the plugin was still running {waited:?} after Shutdown{stderr}")]
    ShutdownTimeout {
        waited: Duration,
        stderr: StderrTail,
    },
    #[error("the plugin exited with {status} after Shutdown{stderr}")]
    ExitAfterShutdown {
        status: ExitStatus,
        stderr: StderrTail,
    },
    #[error("waiting for the plugin process: {0}")]
    Wait(std::io::Error),
    #[error("reading {path}: {source}")]
    ProcStatus {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} has no {field} line")]
    ProcField { path: String, field: &'static str },
}

/// What the plugin wrote to stderr, shown under an error so a crash explains
/// itself; empty when it wrote nothing.
#[derive(Debug)]
pub struct StderrTail(pub String);

impl std::fmt::Display for StderrTail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A crash log can be long; its last lines say why it ended.
        const SHOWN_LINES: usize = 40;
        let text = self.0.trim_end();
        if text.is_empty() {
            return Ok(());
        }
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(SHOWN_LINES)..];
        write!(f, "\n--- plugin stderr ---\n{}", tail.join("\n"))
    }
}
