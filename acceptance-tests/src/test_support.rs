//! Stand-ins for the harness's own unit tests.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// An executable in `dir` that answers `version -json` as Terraform `version` would
/// and runs the shell snippet `otherwise` for any other command line.
pub fn fake_terraform(dir: &Path, version: &str, otherwise: &str) -> PathBuf {
    let path = dir.join("terraform");
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = version ]; then\n  echo '{{\"terraform_version\": \"{version}\"}}'\n  exit 0\nfi\n{otherwise}\n"
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}
