//! What can go wrong with the emulator itself (not with the provider under test).

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum MotoError {
    #[error("moto_server is not installed at {}: run scripts/setup", path.display())]
    Missing { path: PathBuf },

    #[error("cannot create a scratch directory for moto: {source}")]
    Scratch {
        #[source]
        source: std::io::Error,
    },

    #[error("cannot find a free port for moto: {source}")]
    NoFreePort {
        #[source]
        source: std::io::Error,
    },

    #[error("cannot start {}: {source}", path.display())]
    Spawn {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "moto_server exited ({status}) before answering on port {port}\n--- moto log ---\n{log}"
    )]
    Exited {
        port: u16,
        status: String,
        log: String,
    },

    #[error("moto_server did not answer on port {port} within {waited:?}\n--- moto log ---\n{log}")]
    NotReady {
        port: u16,
        waited: Duration,
        log: String,
    },

    #[error("moto's {request} failed: {detail}")]
    Api { request: String, detail: String },

    /// An SDK call the scenario made to read or change moto's records.
    #[error("{call} against moto failed: {message}")]
    Sdk { call: String, message: String },

    #[error("cannot read moto's request recording {}: {detail}", path.display())]
    Recording { path: PathBuf, detail: String },

    #[error("not an IAM policy document ({detail}): {document}")]
    PolicyDocument { document: String, detail: String },
}
