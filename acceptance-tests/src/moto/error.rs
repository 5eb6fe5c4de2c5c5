//! What can go wrong with the emulator itself (not with the provider under test).

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum MotoError {
    /// moto_server could not be started (the error quotes its log).
    #[error(transparent)]
    Emulator(#[from] crate::emulator::EmulatorError),

    /// mlcloud-emulator, whose aws part the provider talks to, could not be started in
    /// front of moto (or its admin route failed).
    #[error("mlcloud-emulator in front of moto: {0}")]
    FrontEmulator(Box<crate::error::HarnessError>),

    #[error("cannot create a scratch directory for moto: {source}")]
    Scratch {
        #[source]
        source: std::io::Error,
    },

    #[error("moto's {request} failed: {detail}")]
    Api { request: String, detail: String },

    /// An SDK call the scenario made to read or change moto's records.
    #[error("{call} against moto failed: {message}")]
    Sdk { call: String, message: String },

    /// An SDK call past [`SDK_CALL_TIMEOUT`](super::SDK_CALL_TIMEOUT): moto hangs.
    #[error("{call} against moto did not finish within {timeout:?}")]
    SdkTimeout { call: String, timeout: Duration },

    #[error("cannot read moto's request recording {}: {detail}", path.display())]
    Recording { path: PathBuf, detail: String },

    #[error("not an IAM policy document ({detail}): {document}")]
    PolicyDocument { document: String, detail: String },
}
