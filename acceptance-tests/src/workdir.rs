//! A scratch Terraform working directory: its module files, its provider mirror and
//! CLI configuration, its data dir, and running terraform there with a deadline.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tempfile::TempDir;

use crate::clean_env;
use crate::command::{CommandOutput, run_interrupting, run_with_timeout};
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
    /// terraform's and the providers' `HOME`: empty, so no `~/.aws/credentials`,
    /// `~/.kube/config`, `~/.azure` or gcloud configuration of the developer is read.
    home_dir: PathBuf,
    /// Set for every terraform command (and so for the providers it starts).
    env: Vec<(String, String)>,
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
        let home_dir = root.join("home");
        std::fs::create_dir(&home_dir).map_err(HarnessError::io("create", &home_dir))?;
        Ok(Workdir {
            terraform: terraform.clone(),
            module_dir,
            cli_config_file,
            data_dir: root.join("tf-data"),
            home_dir,
            env: Vec::new(),
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

    /// Sets `name=value` in the environment of every later terraform command and of
    /// the providers it starts (e.g. credentials a provider reads from its chain).
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.push((name.to_owned(), value.to_owned()));
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
            return Err(HarnessError::NoModuleFiles(source.to_path_buf()));
        }
        Ok(())
    }

    /// Runs `terraform ARGS` in the module, whatever its exit code. Terraform and the
    /// providers it starts see none of the caller's cloud settings
    /// ([`clean_env`](crate::clean_env)) nor its home directory: only what this
    /// workdir sets.
    pub fn run(&self, args: &[&str]) -> Result<CommandOutput, HarnessError> {
        run_with_timeout(self.command(args), COMMAND_TIMEOUT)
    }

    /// Runs `terraform ARGS` as [`run`](Self::run) does, and interrupts it (SIGINT to
    /// terraform and its providers, as Ctrl-C does) once `interrupt_now` says so.
    pub fn run_interrupted(
        &self,
        args: &[&str],
        interrupt_now: impl FnMut() -> bool,
    ) -> Result<CommandOutput, HarnessError> {
        run_interrupting(self.command(args), COMMAND_TIMEOUT, interrupt_now)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(self.terraform.path());
        command.args(args).current_dir(&self.module_dir);
        clean_env::remove_cloud_settings(&mut command);
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
            .env("CHECKPOINT_DISABLE", "1")
            .env("HOME", &self.home_dir)
            .envs(self.env.iter().map(|(name, value)| (name, value)));
        command
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terraform::TerraformRelease;
    use crate::test_support::fake_terraform;

    /// A workdir whose "terraform" runs `script` for every command but `version`.
    fn workdir_running(script: &str) -> (TempDir, Workdir) {
        let bin = tempfile::tempdir().unwrap();
        let path = fake_terraform(bin.path(), "1.15.5", script);
        let terraform = Terraform::at(TerraformRelease::V1_15, path).unwrap();
        let provider_binary = bin.path().join("provider");
        std::fs::write(&provider_binary, b"").unwrap();
        let provider = ProviderInstall::new(
            &provider_binary,
            "registry.terraform.io/tfplug/example",
            "0.1.0",
        )
        .unwrap();
        let workdir = Workdir::new(&terraform, &[provider]).unwrap();
        (bin, workdir)
    }

    #[test]
    fn terraform_runs_in_the_module_with_this_workdirs_settings() {
        let (_bin, workdir) = workdir_running(
            r#"pwd; echo "$TF_DATA_DIR"; echo "$TF_IN_AUTOMATION$TF_INPUT$CHECKPOINT_DISABLE"; cat "$TF_CLI_CONFIG_FILE""#,
        );
        let output = workdir.succeed(&["plan"]).unwrap();
        let lines: Vec<&str> = output.stdout.lines().collect();
        assert_eq!(Path::new(lines[0]), workdir.module_dir());
        assert_eq!(
            Path::new(lines[1]),
            workdir.module_dir().parent().unwrap().join("tf-data")
        );
        assert_eq!(lines[2], "101");
        let mirror = workdir.module_dir().parent().unwrap().join("mirror");
        assert!(
            output
                .stdout
                .contains(&format!("path    = \"{}\"", mirror.display())),
            "{output}"
        );
        assert!(
            mirror
                .join("registry.terraform.io/tfplug/example/0.1.0/linux_amd64/terraform-provider-example_v0.1.0")
                .exists()
        );
    }

    #[test]
    fn succeed_and_fail_check_the_exit_code() {
        let (_bin, workdir) = workdir_running(r#"echo "ran $1"; [ "$1" = good ] || exit 1"#);
        assert_eq!(workdir.succeed(&["good"]).unwrap().stdout, "ran good\n");
        assert!(matches!(
            workdir.succeed(&["bad"]),
            Err(HarnessError::UnexpectedExit { .. })
        ));
        assert_eq!(workdir.fail(&["bad"]).unwrap().code, 1);
        assert!(matches!(
            workdir.fail(&["good"]),
            Err(HarnessError::UnexpectedExit { .. })
        ));
    }

    #[test]
    fn copy_module_takes_only_the_modules_own_files() {
        let (_bin, workdir) = workdir_running("true");
        let source = tempfile::tempdir().unwrap();
        for file in ["main.tf", "extra.tf.json", "terraform.tfvars", "README.md"] {
            std::fs::write(source.path().join(file), file).unwrap();
        }
        std::fs::create_dir(source.path().join("functions")).unwrap();

        workdir.copy_module(source.path()).unwrap();

        let mut copied: Vec<String> = std::fs::read_dir(workdir.module_dir())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        copied.sort();
        assert_eq!(copied, ["extra.tf.json", "main.tf", "terraform.tfvars"]);
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            workdir.copy_module(empty.path()),
            Err(HarnessError::NoModuleFiles(_))
        ));
    }
}
