//! The AWS backend: KMS, IAM, EKS (with EC2 launch templates) and STS through the
//! official SDK crates. Each service file holds the same four kinds of function, as in
//! terraform-provider-aws: `expand_*` (spec → API input), `flatten_*` (API output →
//! state), `find_*` (one lookup whose not-found is [`CloudError::NotFound`]) and
//! `status_*`/`wait_*` (one poll / a [`wait::StateChange`] loop), followed by the
//! backend trait implementation for that resource.
//!
//! | file | resource / job |
//! |---|---|
//! | `clients.rs` | credentials, region, endpoints, retry → SDK clients |
//! | `errors.rs` | SDK errors → `CloudError`, not-found predicates |
//! | `kms.rs` | `mlcloud_kms_key` |
//! | `iam.rs` + `policy.rs` | `mlcloud_identity`, policy documents |
//! | `eks.rs` + `oidc.rs` | `mlcloud_cluster`, its IAM OIDC provider |
//! | `nodegroup.rs` + `launch_template.rs` | `mlcloud_node_pool` and the system pool |
//! | `wait.rs` | the generic waiter (and retries of what time fixes) |
//! | `arn.rs`, `tags.rs` | ARNs apart and together; user vs internal `mlcloud:` tags |
//! | `stub_server.rs`, `eks_waiter_tests.rs` | the waiters against a scripted HTTP stub |

mod arn;
mod clients;
mod eks;
mod errors;
mod iam;
mod kms;
mod launch_template;
mod nodegroup;
mod oidc;
mod policy;
mod tags;
mod wait;

#[cfg(test)]
mod eks_waiter_tests;
#[cfg(test)]
mod stub_server;

use super::CloudError;
use crate::config::aws::AwsConfig;
use clients::Clients;
use std::sync::Arc;
use std::time::Duration;
use wait::Backoff;

pub use policy::GRANTS_POLICY_NAME;

/// Clients for every AWS service mlcloud calls, built once per provider configuration.
pub struct AwsBackend {
    clients: Clients,
    backoff: Backoff,
}

impl AwsBackend {
    /// Resolves credentials (the standard chain unless the block sets them) and builds
    /// the service clients with the block's endpoint overrides and retry settings.
    /// Makes no API call: the account id is asked of STS on first need.
    pub async fn connect(config: &AwsConfig) -> Result<AwsBackend, CloudError> {
        Ok(AwsBackend {
            clients: Clients::connect(config).await?,
            backoff: Backoff::DEFAULT,
        })
    }

    /// Polls waiters between `initial` and `max` instead of 1 s and 30 s (for emulators,
    /// where objects are ready at once).
    pub fn with_poll_interval(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff = Backoff { initial, max };
        self
    }

    /// The regional clients for the region an ARN names (the provider's region for
    /// anything else).
    fn regional_for(&self, arn_text: &str) -> Arc<clients::Regional> {
        let region = arn::Arn::parse(arn_text).map_or("", |a| a.region);
        self.clients.regional(region)
    }
}
