//! The AWS backend: KMS, IAM, EKS (with EC2 launch templates) and STS through the
//! official SDK crates. Each service file holds the same four kinds of function, as in
//! terraform-provider-aws: `expand_*` (spec → API input), `flatten_*` (API output →
//! state), `find_*` (one lookup whose not-found is [`CloudError::NotFound`]) and
//! `status_*`/`wait_*` (one poll / a [`wait::StateChange`] loop), followed by the
//! backend trait implementation for that resource.
//!
//! | file | resource / job |
//! |---|---|
//! | `rules.rs` | AWS's plan rules (names, tags, ARNs, log types, defaults) |
//! | `caller.rs` | who the provider acts as (the default cluster admin) |
//! | `region.rs` | the region from the environment or profile, for `location`'s default |
//! | `clients.rs` | credentials, region, endpoints, retry → SDK clients |
//! | `errors.rs` | SDK errors → the shared `CloudError` set, not-found predicates |
//! | `kms.rs` + `kms_create.rs` | `mlcloud_kms_key`; creating a key exactly once |
//! | `service_roles.rs` | the AWS service-linked roles key policies name |
//! | `iam.rs` + `iam_create.rs` + `policy.rs` | `mlcloud_identity`; creating a role exactly once; policy documents |
//! | `policy_drift.rs` | what a role holds beyond what mlcloud writes |
//! | `eks.rs` + `oidc.rs` | `mlcloud_cluster`, its IAM OIDC provider |
//! | `access_entries.rs` | the cluster's `admin_principals` as EKS access entries |
//! | `node_pool.rs` | `mlcloud_node_pool` |
//! | `system_pool.rs` | the cluster's system node group: generations, rotation, re-creation |
//! | `nodegroup.rs` + `launch_template.rs` | node group steps shared by pools and the system pool |
//! | `cluster_access.rs` | EKS tokens: a presigned STS GetCallerIdentity URL |
//! | `cluster_api.rs` | finding EKS clusters and waiting for them |
//! | `cluster_key_access.rs` | the cluster role's grant on its secrets key |
//! | `cluster_trust.rs` | the cluster role's trust narrowed to the clusters using it (`aws:SourceArn`) |
//! | `placement.rs` | a pool's subnets from the cluster's and the pool's zones (EC2) |
//! | `updates.rs` | tracking an EKS update until it finishes |
//! | `upgrades.rs` | Kubernetes version upgrades of control plane and node groups |
//! | `tokens.rs`, `propagation.rs` | fresh idempotency and create tokens; retrying while IAM/KMS catch up |
//! | `arn.rs`, `tags.rs` | ARNs apart and together; user tags vs mlcloud's own |
//! | `stub_server.rs`, `stub_backend.rs` | a scripted HTTP stub (lost answers, delays, per-operation scripts) and a backend pointed at it |
//! | `eks_waiter_tests.rs`, `*_create_tests.rs` | waiters and creates under faults moto does not show |
//!
//! The waiter, backoff and error set are shared by every cloud (`clouds::wait`,
//! `clouds::CloudError`).

mod access_entries;
mod arn;
mod autoscaler_tags;
mod caller;
mod clients;
mod cluster_access;
mod cluster_api;
mod cluster_autoscaler;
mod cluster_key_access;
mod cluster_trust;
mod eks;
mod errors;
mod iam;
mod iam_create;
mod kms;
mod kms_create;
mod launch_template;
mod node_pool;
mod nodegroup;
mod oidc;
mod placement;
mod policy;
mod policy_drift;
mod propagation;
mod region;
pub mod rules;
mod service_roles;
mod system_pool;
mod tags;
mod tokens;
mod updates;
mod upgrades;

#[cfg(test)]
mod eks_create_tests;
#[cfg(test)]
mod eks_waiter_tests;
#[cfg(test)]
mod iam_create_tests;
#[cfg(test)]
mod kms_create_tests;
#[cfg(test)]
mod nodegroup_create_tests;
#[cfg(test)]
mod stub_backend;
#[cfg(test)]
pub(crate) mod stub_server;

use super::model::{
    ClusterSpec, ClusterState, IdentitySpec, IdentityState, KeySpec, KeyState, NodePoolSpec,
    NodePoolState,
};
use super::wait::Backoff;
use super::{Backends, CloudError, CloudPlugin, CloudRules};
use crate::Cloud;
use crate::config::aws::AwsConfig;
use clients::Clients;
use std::sync::Arc;
use std::time::Duration;

pub use policy::GRANTS_POLICY_NAME;

/// The AWS SDK's log targets (see `tfplug::log::JsonLines::quiet`). At debug and trace
/// they print requests and responses: the `Authorization` header (the access key id),
/// `X-Amz-Security-Token`, STS bodies (`ExternalId`, `WebIdentityToken`) and the
/// credentials STS returns. `TF_LOG=trace` must not put those in a CI log, so the
/// provider caps them at warn.
pub const SDK_LOG_TARGETS: &[&str] = &[
    "aws_smithy_",
    "aws_sdk_",
    "aws_config",
    "aws_sigv4",
    "aws_runtime",
    "aws_credential_types",
    "aws_types",
];

/// The AWS plan rules, for the provider's rule book.
pub fn rules() -> Arc<dyn CloudRules> {
    Arc::new(rules::AwsRules)
}

/// The AWS plugin: connects with the provider block's `aws {}` settings on first use.
pub fn plugin() -> CloudPlugin {
    CloudPlugin {
        cloud: Cloud::Aws,
        connect: Arc::new(|config| {
            Box::pin(async move {
                let settings = config.aws.clone().unwrap_or_default();
                Ok(Arc::new(AwsBackend::connect(&settings).await?).backends())
            })
        }),
    }
}

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

    /// This backend serving every kind of object mlcloud manages.
    pub fn backends(self: Arc<Self>) -> Backends {
        Backends::new()
            .with::<KeySpec, KeyState>(self.clone())
            .with::<IdentitySpec, IdentityState>(self.clone())
            .with::<ClusterSpec, ClusterState>(self.clone())
            .with::<NodePoolSpec, NodePoolState>(self.clone())
            .with_cluster_access(self.clone())
            .with_caller(self)
    }

    /// The regional clients for the region an ARN names (the provider's region for
    /// anything else).
    fn regional_for(&self, arn_text: &str) -> Arc<clients::Regional> {
        let region = arn::Arn::parse(arn_text).map_or("", |a| a.region);
        self.clients.regional(region)
    }
}
