//! Settings every cloud block shares: endpoint overrides and retry behaviour.

use serde::Deserialize;
use std::collections::BTreeMap;
use tfplug::schema::{Attribute, Block, NestedBlock, validators};

/// `endpoints { <service> = "https://..." }`: one optional URL per service. The only
/// way tests reach the local emulators, and how users reach private API endpoints.
pub fn endpoints_block(cloud: &str, services: &[&str]) -> NestedBlock {
    let attrs = services.iter().map(|s| {
        Attribute::string(*s)
            .optional()
            .validate(validators::url())
            .describe(format!("Override the {cloud} `{s}` API endpoint."))
    });
    NestedBlock::single(
        "endpoints",
        Block::new().attrs(attrs).describe(format!(
            "Custom {cloud} API endpoints (private endpoints, proxies, emulators)."
        )),
    )
}

/// `ca_certificate_file`: extra PEM CA certificates, trusted besides the system's roots
/// for `what`. Checked at plan time (see [`super::check_ca_certificate_file`]).
pub fn ca_certificate_file_attr(what: &str, env: Option<&str>) -> Attribute {
    let default = env.map(|e| format!(" Default `{e}`.")).unwrap_or_default();
    Attribute::string("ca_certificate_file").optional().describe(format!(
        "A PEM file of extra CA certificates to trust, besides the system's, for {what}. For TLS-inspecting proxies, private endpoints and emulators.{default}"
    ))
}

/// `retry { max_attempts, max_backoff_seconds }`.
pub fn retry_block() -> NestedBlock {
    NestedBlock::single(
        "retry",
        Block::new()
            .describe("How API calls are retried on throttling and transient errors (exponential backoff with jitter, honouring `Retry-After`).")
            .attr(
                Attribute::number("max_attempts")
                    .optional()
                    .validate(validators::int_between(1, 25))
                    .describe(format!("Attempts per API call, including the first. Default {}.", RetrySettings::DEFAULT_ATTEMPTS)),
            )
            .attr(
                Attribute::number("max_backoff_seconds")
                    .optional()
                    .validate(validators::int_between(1, 300))
                    .describe(format!("Longest wait between attempts. Default {}.", RetrySettings::DEFAULT_MAX_BACKOFF)),
            ),
    )
}

/// Endpoint overrides by service name.
pub type Endpoints = BTreeMap<String, Option<String>>;

/// Retry behaviour after defaults are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    pub max_attempts: u32,
    pub max_backoff_seconds: u32,
}

impl RetrySettings {
    pub const DEFAULT_ATTEMPTS: u32 = 8;
    pub const DEFAULT_MAX_BACKOFF: u32 = 30;
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            max_attempts: Self::DEFAULT_ATTEMPTS,
            max_backoff_seconds: Self::DEFAULT_MAX_BACKOFF,
        }
    }
}

/// The `retry` block as written (every field optional).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RetryBlock {
    pub max_attempts: Option<u32>,
    pub max_backoff_seconds: Option<u32>,
}

impl RetryBlock {
    pub fn settings(block: Option<&RetryBlock>) -> RetrySettings {
        let d = RetrySettings::default();
        RetrySettings {
            max_attempts: block.and_then(|b| b.max_attempts).unwrap_or(d.max_attempts),
            max_backoff_seconds: block
                .and_then(|b| b.max_backoff_seconds)
                .unwrap_or(d.max_backoff_seconds),
        }
    }
}

/// The override for `service`, if set.
pub fn endpoint<'a>(endpoints: Option<&'a Endpoints>, service: &str) -> Option<&'a str> {
    endpoints?.get(service)?.as_deref()
}

/// A secret setting in a `Debug` rendering: whether it is set, never its value, so a
/// `{:?}` of a provider block in a log or panic cannot leak credentials.
pub struct Redacted<'a>(pub &'a Option<String>);

impl std::fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Some(<redacted>)"),
            None => f.write_str("None"),
        }
    }
}
