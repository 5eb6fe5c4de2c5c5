//! The providers this repository builds, as the acceptance tests install them.

use crate::error::HarnessError;
use crate::install::{BuildOutput, ProviderInstall};

/// tfplug's example provider (`tfplug/examples/`), local name `example`.
pub fn tfplug_example() -> Result<ProviderInstall, HarnessError> {
    ProviderInstall::built(
        BuildOutput::Example("terraform-provider-example"),
        "registry.terraform.io/tfplug/example",
        "0.1.0",
    )
}

/// The mlcloud provider (`provider/`), local name `mlcloud`.
pub fn mlcloud() -> Result<ProviderInstall, HarnessError> {
    ProviderInstall::built(
        BuildOutput::Bin("terraform-provider-mlcloud"),
        "registry.terraform.io/mlcloud/mlcloud",
        "0.1.0",
    )
}
