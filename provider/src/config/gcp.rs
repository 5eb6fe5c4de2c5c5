//! `gcp { ... }`: project, region and credentials (ADC unless set).

use super::common::{Endpoints, RetryBlock, endpoints_block, retry_block};
use serde::Deserialize;
use tfplug::schema::{Attribute, Block, NestedBlock, validators};

pub const SERVICES: &[&str] = &["container", "cloudkms", "iam", "resourcemanager", "oauth2"];

pub fn block() -> NestedBlock {
    NestedBlock::single(
        "gcp",
        Block::new()
            .describe("Settings for resources with `cloud = \"gcp\"`. Credentials come from Application Default Credentials unless set here.")
            .attr(
                Attribute::string("project")
                    .optional()
                    .validate(validators::matches(
                        r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$",
                        "must be a project id: 6 to 30 lowercase letters, digits or dashes, starting with a letter",
                    ))
                    .describe("Default project. Default `GOOGLE_CLOUD_PROJECT`."),
            )
            .attr(
                Attribute::string("region")
                    .optional()
                    .validate(validators::matches(
                        r"^[a-z]+-[a-z]+\d+$",
                        "must be a Google Cloud region such as \"us-central1\"",
                    ))
                    .describe("Default region."),
            )
            .attr(Attribute::string("credentials").optional().sensitive().describe("Service account key JSON (contents or a file path); prefer ADC or impersonation."))
            .attr(Attribute::string("access_token").optional().sensitive().describe("A short-lived OAuth2 access token."))
            .attr(
                Attribute::string("impersonate_service_account")
                    .optional()
                    .validate(validators::matches(
                        r"^[^@\s]+@[a-z0-9.-]+\.iam\.gserviceaccount\.com$",
                        "must be a service account email such as \"deployer@my-proj.iam.gserviceaccount.com\"",
                    ))
                    .describe("Impersonate this service account with the base credentials."),
            )
            .block(endpoints_block("Google Cloud", SERVICES))
            .block(retry_block()),
    )
}

/// `Debug` is written by hand: `credentials` (a key file's JSON) and the access token
/// are never printed.
#[derive(Clone, Default, Deserialize)]
pub struct GcpConfig {
    pub project: Option<String>,
    pub region: Option<String>,
    pub credentials: Option<String>,
    pub access_token: Option<String>,
    pub impersonate_service_account: Option<String>,
    pub endpoints: Option<Endpoints>,
    pub retry: Option<RetryBlock>,
}

impl std::fmt::Debug for GcpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GcpConfig")
            .field("project", &self.project)
            .field("region", &self.region)
            .field("credentials", &super::common::Redacted(&self.credentials))
            .field("access_token", &super::common::Redacted(&self.access_token))
            .field(
                "impersonate_service_account",
                &self.impersonate_service_account,
            )
            .field("endpoints", &self.endpoints)
            .field("retry", &self.retry)
            .finish()
    }
}
