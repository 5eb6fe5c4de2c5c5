//! How moto_server is run: on a free port, recording every request, probed over HTTP.

use std::path::{Path, PathBuf};

use crate::emulator::{EmulatorCommand, PORT, Readiness};

/// Where moto's recorder appends one JSON line per request it serves.
pub fn recording_path(scratch: &Path) -> PathBuf {
    scratch.join("requests.jsonl")
}

/// `moto_server -H 127.0.0.1 -p PORT`, recording into `scratch`.
pub fn moto_command(program: PathBuf, scratch: &Path) -> EmulatorCommand {
    EmulatorCommand::new("moto_server", program, Readiness::http_get("/moto-api/"))
        .args(["-H", "127.0.0.1", "-p", PORT])
        // Without it AWS-managed policies (AmazonEKSClusterPolicy...) do not exist.
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .env("AWS_DEFAULT_REGION", super::REGION)
        .env("MOTO_ENABLE_RECORDING", "true")
        .env(
            "MOTO_RECORDER_FILEPATH",
            recording_path(scratch).to_string_lossy(),
        )
}
