//! How moto is run: from the project's venv on a free port, probed over HTTP, through
//! `acceptance-tests/moto/serve.py` (moto with the behaviour the real APIs document
//! where moto departs from it).

use std::path::{Path, PathBuf};

use crate::emulator::{EmulatorCommand, PORT, Readiness};
use crate::paths::repo_root;

/// The venv's Python, where scripts/setup installs moto (`moto[server]` in
/// `scripts/lib/requirements.txt`).
pub fn moto_server_path() -> PathBuf {
    repo_root().join(".venv").join("bin").join("python")
}

/// moto's server with the test-side fixes (same arguments as `moto_server`).
pub fn serve_script() -> PathBuf {
    repo_root()
        .join("acceptance-tests")
        .join("moto")
        .join("serve.py")
}

/// `moto_server -H 127.0.0.1 -p PORT` with AWS-managed policies loaded: all a test
/// needs that only talks to moto (the provider's backend tests). [`Moto`](super::Moto)
/// adds the request recording and SDK clients.
pub fn server_command() -> EmulatorCommand {
    command_for(moto_server_path())
}

pub(super) fn command_for(program: PathBuf) -> EmulatorCommand {
    EmulatorCommand::new("moto_server", program, Readiness::http_get("/moto-api/"))
        .arg(serve_script().to_string_lossy())
        .args(["-H", "127.0.0.1", "-p", PORT])
        // Without it AWS-managed policies (AmazonEKSClusterPolicy...) do not exist.
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .env("AWS_DEFAULT_REGION", super::REGION)
}

/// Where moto's recorder appends one JSON line per request it serves.
pub(super) fn recording_path(scratch: &Path) -> PathBuf {
    scratch.join("requests.jsonl")
}

/// Switches moto's recorder on, writing into `scratch`.
pub(super) fn recording_into(command: EmulatorCommand, scratch: &Path) -> EmulatorCommand {
    command.env("MOTO_ENABLE_RECORDING", "true").env(
        "MOTO_RECORDER_FILEPATH",
        recording_path(scratch).to_string_lossy(),
    )
}
