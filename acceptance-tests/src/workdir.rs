//! A scratch Terraform working directory: its module files, its provider mirror and
//! CLI configuration, its data dir, and running terraform there with a deadline.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tempfile::TempDir;

use crate::command::{CommandOutput, run_with_timeout};
use crate::error::HarnessError;
use crate::install::{ProviderInstall, cli_config};
use crate::terraform::Terraform;

/// Generous for any one terraform command against local providers: past it, something
/// hangs, and the test should fail rather than hold CI until its own limit.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// Files of a root module that [`Workdir::copy_module`] takes along.
const MODULE_FILE_SUFFIXES: [&str; 3] = [".tf", ".tf.json", ".tfvars"];

/// Terraform's logging settings are the one part of the caller's `TF_*` environment
/// passed through, so `TF_LOG=debug cargo nextest run` helps debugging.
fn is_passed_through(variable: &OsStr) -> bool {
    variable
        .to_str()
        .is_some_and(|name| name.starts_with("TF_LOG"))
}

/// One test's Terraform working directory, deleted when dropped.
pub struct Workdir {
    terraform: Terraform,
    // Owns everything below; deleted on drop.
    scratch: TempDir,
    module_dir: PathBuf,
    cli_config_file: PathBuf,
    data_dir: PathBuf,
}

impl Workdir {
    /// A fresh directory where `terraform init` installs exactly `providers`, from a
    /// filesystem mirror of their binaries.
    pub fn new(terraform: &Terraform, providers: &[ProviderInstall]) -> Result<Self, HarnessError> {
        let scratch = tempfile::Builder::new()
            .prefix("mlcloud-acceptance-")
            .tempdir()
            .map_err(HarnessError::io("create", std::env::temp_dir()))?;
        let root = scratch.path();
        let mirror = root.join("mirror");
        for provider in providers {
            provider.install_into(&mirror)?;
        }
        let cli_config_file = root.join("terraform.rc");
        std::fs::write(&cli_config_file, cli_config(&mirror, providers))
            .map_err(HarnessError::io("write", &cli_config_file))?;
        let module_dir = root.join("module");
        std::fs::create_dir(&module_dir).map_err(HarnessError::io("create", &module_dir))?;
        Ok(Workdir {
            terraform: terraform.clone(),
            module_dir,
            cli_config_file,
            data_dir: root.join("tf-data"),
            scratch,
        })
    }

    pub fn terraform(&self) -> &Terraform {
        &self.terraform
    }

    /// The directory terraform runs in: the root module.
    pub fn module_dir(&self) -> &Path {
        &self.module_dir
    }

    /// A new empty directory beside the module, gone with the workdir (e.g. a
    /// provider's local store).
    pub fn scratch_dir(&self, name: &str) -> Result<PathBuf, HarnessError> {
        let dir = self.scratch.path().join(name);
        std::fs::create_dir_all(&dir).map_err(HarnessError::io("create", &dir))?;
        Ok(dir)
    }

    /// Writes (or replaces) one file of the root module.
    pub fn write(&self, file_name: &str, contents: &str) -> Result<(), HarnessError> {
        let path = self.module_dir.join(file_name);
        std::fs::write(&path, contents).map_err(HarnessError::io("write", &path))
    }

    /// Copies the module files (`*.tf`, `*.tf.json`, `*.tfvars`, no subdirectories) of
    /// `source` into the root module.
    pub fn copy_module(&self, source: &Path) -> Result<(), HarnessError> {
        let entries = std::fs::read_dir(source).map_err(HarnessError::io("read", source))?;
        let mut copied = 0;
        for entry in entries {
            let path = entry.map_err(HarnessError::io("read", source))?.path();
            let name = path.file_name().and_then(OsStr::to_str).unwrap_or_default();
            if path.is_file()
                && MODULE_FILE_SUFFIXES
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
            {
                let copy = self.module_dir.join(name);
                std::fs::copy(&path, &copy).map_err(HarnessError::io("copy to", &copy))?;
                copied += 1;
            }
        }
        if copied == 0 {
            return Err(HarnessError::Io {
                action: "find module files in",
                path: source.to_path_buf(),
                source: std::io::ErrorKind::NotFound.into(),
            });
        }
        Ok(())
    }

    /// Runs `terraform ARGS` in the module, whatever its exit code.
    pub fn run(&self, args: &[&str]) -> Result<CommandOutput, HarnessError> {
        let mut command = Command::new(self.terraform.path());
        command.args(args).current_dir(&self.module_dir);
        // Only this workdir's settings count: a stray TF_CLI_ARGS or TF_WORKSPACE in
        // the caller's environment would change what every command means.
        for (variable, _) in std::env::vars_os() {
            if variable.to_string_lossy().starts_with("TF_") && !is_passed_through(&variable) {
                command.env_remove(&variable);
            }
        }
        command
            .env("TF_CLI_CONFIG_FILE", &self.cli_config_file)
            .env("TF_DATA_DIR", &self.data_dir)
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1");
        run_with_timeout(command, COMMAND_TIMEOUT)
    }

    /// Runs `terraform ARGS`; an error unless it exits 0.
    pub fn succeed(&self, args: &[&str]) -> Result<CommandOutput, HarnessError> {
        let output = self.run(args)?;
        if output.code == 0 {
            Ok(output)
        } else {
            Err(HarnessError::UnexpectedExit {
                expected: "success (exit code 0)",
                output: Box::new(output),
            })
        }
    }

    /// Runs `terraform ARGS`; an error unless terraform itself reports failure (exit 1).
    pub fn fail(&self, args: &[&str]) -> Result<CommandOutput, HarnessError> {
        let output = self.run(args)?;
        if output.code == 1 {
            Ok(output)
        } else {
            Err(HarnessError::UnexpectedExit {
                expected: "terraform to report an error (exit code 1)",
                output: Box::new(output),
            })
        }
    }
}
