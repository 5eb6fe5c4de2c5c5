//! `gcp { ... }`: project, region and credentials (Application Default Credentials
//! unless set), endpoint overrides.

use super::common::{Endpoints, Redacted, RetryBlock, endpoints_block, retry_block};
use serde::Deserialize;
use tfplug::schema::{Attribute, Block, NestedBlock, validators};

pub const SERVICES: &[&str] = &[
    "container",
    "cloudkms",
    "iam",
    "resourcemanager",
    "storage",
    "compute",
    "oauth2",
    "kubernetes",
];

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
            .attr(Attribute::string("credentials").optional().sensitive().describe("A credentials JSON, as its contents or a file path: a service account key, or an external account (workload identity federation) configuration as CI pipelines use. Default: Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, the gcloud login, the metadata server)."))
            .attr(Attribute::string("access_token").optional().sensitive().describe("A short-lived OAuth2 access token, used as is (it is not refreshed); instead of `credentials`."))
            .attr(
                Attribute::string("impersonate_service_account")
                    .optional()
                    .validate(validators::matches(
                        r"^[^@\s]+@[a-z0-9.-]+\.iam\.gserviceaccount\.com$",
                        "must be a service account email such as \"deployer@my-proj.iam.gserviceaccount.com\"",
                    ))
                    .describe("Impersonate this service account with the base credentials (they need `roles/iam.serviceAccountTokenCreator` on it)."),
            )
            .attr(super::common::ca_certificate_file_attr("the clusters' API servers behind `endpoints { kubernetes }` (Google's own client libraries take no extra CA: for a TLS-inspecting proxy in front of the Google APIs, add its CA to the system's roots)", None))
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
    pub ca_certificate_file: Option<String>,
    pub endpoints: Option<Endpoints>,
    pub retry: Option<RetryBlock>,
}

impl std::fmt::Debug for GcpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GcpConfig")
            .field("project", &self.project)
            .field("region", &self.region)
            .field("credentials", &Redacted(&self.credentials))
            .field("access_token", &Redacted(&self.access_token))
            .field(
                "impersonate_service_account",
                &self.impersonate_service_account,
            )
            .field("ca_certificate_file", &self.ca_certificate_file)
            .field("endpoints", &self.endpoints)
            .field("retry", &self.retry)
            .finish()
    }
}

impl GcpConfig {
    /// The override for `service` (one of [`SERVICES`]), if set.
    pub fn endpoint(&self, service: &str) -> Option<&str> {
        super::common::endpoint(self.endpoints.as_ref(), service)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_whether_secrets_are_set_never_their_values() {
        let config = GcpConfig {
            project: Some("ml-proj".into()),
            credentials: Some(r#"{"private_key": "planted-key"}"#.into()),
            access_token: Some("ya29.planted-token".into()),
            impersonate_service_account: Some("deployer@ml-proj.iam.gserviceaccount.com".into()),
            ..GcpConfig::default()
        };
        let text = format!("{config:?} {config:#?}");
        assert!(!text.contains("planted"), "{text}");
        assert!(
            text.contains("ml-proj") && text.contains("deployer@"),
            "{text}"
        );
        assert!(text.contains("access_token: Some(<redacted>)"), "{text}");
    }
}
