//! Acceptance-test harness: drives the real terraform CLI, Terraform 1.15 and 1.0.3,
//! against provider binaries built from this repository.
//!
//! A scenario reads like the user's story:
//!
//! ```no_run
//! use acceptance_tests::{providers, Terraform, TerraformRelease, TestResult, Workdir};
//!
//! fn catalog_lookup(terraform: &Terraform) -> TestResult {
//!     let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
//!     workdir.write("main.tf", r#"data "mlcloud_accelerators" "all" {}"#)?;
//!     workdir.init()?;
//!     workdir.apply()?;
//!     workdir.assert_no_changes()?;
//!     Ok(())
//! }
//! # catalog_lookup(&Terraform::locate(TerraformRelease::V1_15).unwrap()).unwrap();
//! ```
//!
//! and [`scenarios_on_every_terraform!`] turns it into one test per Terraform release.
//! Nothing is skipped: a missing terraform or provider binary fails the test with the
//! command that installs or builds it.
//!
//! Clouds are played by emulators on 127.0.0.1, each started by one launcher,
//! [`emulator::EmulatorCommand`] ([`Moto`] for AWS), and stopped when the test ends.
//! No process the harness starts sees the developer's cloud credentials
//! ([`clean_env`]).

pub mod azure_arm;
pub mod clean_env;
mod command;
pub mod eks_kubelets;
pub mod emulator;
mod error;
mod hcl;
mod http;
mod install;
pub mod kube_api;
pub mod mlcloud_emulator;
pub mod moto;
pub mod paths;
mod plan_file;
pub mod providers;
mod reports;
mod terraform;
#[cfg(test)]
mod test_support;
mod workdir;
mod workflow;

pub use command::{CommandOutput, run_interrupting, run_with_timeout};
pub use eks_kubelets::{EksKubelets, EksKubeletsError};
pub use error::{HarnessError, TestResult};
pub use hcl::hcl_string;
pub use install::{BuildOutput, ProviderInstall, SourceAddress, cli_config};
pub use kube_api::{KubeApi, KubeApiError};
pub use mlcloud_emulator::{MlcloudEmulator, emulator_binary};
pub use moto::{AwsRequest, Moto, MotoError, MotoSdk, Network};
pub use plan_file::plan_file_text;
pub use reports::{Diagnostic, Outputs, Snippet, State, ValidateReport, assert_error_points_at};
pub use terraform::{Terraform, TerraformRelease};
pub use workdir::{COMMAND_TIMEOUT, Workdir};
pub use workflow::PlanChanges;

/// For each scenario `fn NAME(&Terraform) -> TestResult`, a module `NAME` with the
/// tests `terraform_1_15` and `terraform_1_0_3`, so a failure names the release.
#[macro_export]
macro_rules! scenarios_on_every_terraform {
    ($($scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            #[test]
            fn terraform_1_15() -> $crate::TestResult {
                super::$scenario(&$crate::Terraform::locate($crate::TerraformRelease::V1_15)?)
            }

            #[test]
            fn terraform_1_0_3() -> $crate::TestResult {
                super::$scenario(&$crate::Terraform::locate($crate::TerraformRelease::V1_0_3)?)
            }
        }
    )+};
}

/// Like [`scenarios_on_every_terraform!`], for scenarios that need Terraform 1.8 or
/// newer (provider-defined functions): only the `terraform_1_15` test.
#[macro_export]
macro_rules! scenarios_on_terraform_1_15 {
    ($($scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            #[test]
            fn terraform_1_15() -> $crate::TestResult {
                super::$scenario(&$crate::Terraform::locate($crate::TerraformRelease::V1_15)?)
            }
        }
    )+};
}
