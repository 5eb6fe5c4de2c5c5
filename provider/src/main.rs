//! terraform-provider-mlcloud: started by Terraform, never by hand (except `--debug`).

use mlcloud_provider::provider::{ADDRESS, MlcloudProvider, QUIET_LOG_TARGETS};
use std::process::ExitCode;

fn main() -> ExitCode {
    tfplug::serve(
        MlcloudProvider::new(),
        tfplug::ServeOptions::from_args(ADDRESS).quiet_log_targets(QUIET_LOG_TARGETS),
    )
}
