//! The one error type of the harness.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::command::CommandOutput;

/// Everything that can stop a scenario before its own assertions run.
#[derive(thiserror::Error)]
pub enum HarnessError {
    #[error(
        "Terraform {release} is not installed at {} (nor named by ${env_var}): run scripts/setup",
        path.display()
    )]
    TerraformMissing {
        release: &'static str,
        path: PathBuf,
        env_var: &'static str,
    },

    #[error("{} reports Terraform {found}, expected {expected}: run scripts/setup", path.display())]
    TerraformVersionMismatch {
        path: PathBuf,
        expected: &'static str,
        found: String,
    },

    #[error(
        "provider binary `{name}` not found (looked for {searched}): run `cargo build --workspace --bins --examples`"
    )]
    ProviderBinaryMissing { name: String, searched: String },

    #[error("provider source address `{0}` is not HOST/NAMESPACE/TYPE")]
    InvalidSourceAddress(String),

    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("no Terraform files (*.tf, *.tf.json, *.tfvars) in {}", .0.display())]
    NoModuleFiles(PathBuf),

    #[error("cannot start `{command}`: {source}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },

    #[error("killed after {timeout:?} without finishing (a hung provider?)\n{output}")]
    Timeout {
        timeout: Duration,
        output: Box<CommandOutput>,
    },

    #[error("expected {expected}\n{output}")]
    UnexpectedExit {
        expected: &'static str,
        output: Box<CommandOutput>,
    },

    #[error("stdout is not the JSON expected ({source})\n{output}")]
    InvalidJson {
        #[source]
        source: serde_json::Error,
        output: Box<CommandOutput>,
    },

    /// An emulator could not be started, or stopped when asked.
    #[error(transparent)]
    Emulator(#[from] crate::emulator::EmulatorError),

    /// `mlcloud-emulator`'s admin route refused or failed a request.
    #[error("mlcloud-emulator admin {request}: {detail}")]
    EmulatorAdmin { request: String, detail: String },

    /// A call to Azure Resource Manager (or Entra's token endpoint) made outside
    /// Terraform, e.g. to the emulator's azure part, failed.
    #[error("Azure {request}: {detail}")]
    AzureCall { request: String, detail: String },

    /// The AWS emulator could not be started, or did not answer as expected.
    #[error(transparent)]
    Moto(#[from] crate::moto::MotoError),

    /// A Kubernetes API server of the emulator refused or failed a test's request.
    #[error(transparent)]
    KubeApi(#[from] crate::kube_api::KubeApiError),

    /// The harness's EKS kubelets could not register or remove nodes.
    #[error(transparent)]
    EksKubelets(#[from] crate::eks_kubelets::EksKubeletsError),
}

/// A test that returns `Err` prints the error with `{:?}`; forwarding to `Display`
/// makes that the readable message, with the command's full output, instead of a
/// struct dump.
impl fmt::Debug for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl HarnessError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| HarnessError::Io {
            action,
            path,
            source,
        }
    }
}

/// What every scenario returns: `?` on harness calls, `assert!` on behaviour.
pub type TestResult = Result<(), HarnessError>;
