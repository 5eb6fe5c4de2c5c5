//! The Google Cloud backend: Cloud KMS, IAM, Resource Manager and GKE through Google's
//! official REST clients. Each service file holds the same four kinds of function as
//! the AWS backend: `expand_*` (spec → API message), `flatten_*` (API message →
//! state), `find_*` (one lookup whose not-found is [`CloudError::NotFound`]) and
//! `status_*`/`wait_*`, followed by the backend trait implementation.
//!
//! | file | resource / job |
//! |---|---|
//! | `rules.rs` (+ `tpu_regions.rs`) | Google Cloud's plan rules (names, labels, ids, TPU slices) |
//! | `caller.rs` | who the credentials are, as an IAM member (`admin_principals`' default) |
//! | `credentials.rs` | the `gcp {}` block's credentials: token, JSON, ADC, impersonation |
//! | `clients.rs` | credentials, endpoints, retry → the service clients |
//! | `cluster_access.rs` | GKE tokens: the caller's OAuth access token |
//! | `errors.rs` | `google.rpc.Status` → the shared `CloudError` set |
//! | `names.rs` | resource names apart and together (the ids) |
//! | `labels.rs` | user tags and mlcloud's markers as labels |
//! | `json_api.rs` | our own calls to the JSON APIs the crates lack: credentials, error bodies |
//! | `bucket_policies.rs` | Cloud Storage bucket policies (JSON API, our own HTTP calls) |
//! | `instance_groups.rs` | a node pool's current size, from its Compute Engine instance groups |
//! | `iam_policy.rs` | bindings written read-modify-write with the etag |
//! | `kms_key.rs` | `mlcloud_kms_key` |
//! | `identity.rs` | `mlcloud_identity` |
//! | `gke.rs` | `mlcloud_cluster` (and its system pool) |
//! | `cluster_admins.rs` | `admin_principals` as project IAM bindings, recorded in cluster labels |
//! | `node_pool.rs` | `mlcloud_node_pool` (GPU pools, TPU slices) |
//! | `operations.rs` | waiting for GKE operations |
//!
//! The waiter, backoff and error set are shared by every cloud (`clouds::wait`,
//! `clouds::CloudError`).

mod bucket_policies;
mod caller;
mod clients;
mod cluster_access;
mod cluster_admins;
mod credentials;
mod errors;
mod gke;
mod iam_policy;
mod identity;
mod instance_groups;
mod json_api;
mod kms_key;
mod labels;
mod names;
mod node_pool;
mod operations;
pub mod rules;
mod tpu_regions;

use super::model::{
    ClusterSpec, ClusterState, IdentitySpec, IdentityState, KeySpec, KeyState, NodePoolSpec,
    NodePoolState,
};
use super::wait::Backoff;
use super::{Backends, CloudError, CloudPlugin, CloudRules};
use crate::Cloud;
use crate::config::gcp::GcpConfig;
pub use clients::ClientOptions;
use clients::Clients;
use std::sync::Arc;
use std::time::Duration;

/// Log targets of the Google clients (`google_cloud_auth`, `google_cloud_gax_internal`,
/// ...): at debug and trace they print requests, whose headers carry the bearer token.
/// Capped at warn like the AWS SDK's.
pub const SDK_LOG_TARGETS: &[&str] = &["google_cloud_"];

/// The Google Cloud plan rules, for the provider's rule book.
pub fn rules() -> Arc<dyn CloudRules> {
    Arc::new(rules::GcpRules)
}

/// The Google Cloud plugin: connects with the provider block's `gcp {}` settings on
/// first use.
pub fn plugin() -> CloudPlugin {
    CloudPlugin {
        cloud: Cloud::Gcp,
        connect: Arc::new(|config| {
            Box::pin(async move {
                let settings = config.gcp.clone().unwrap_or_default();
                let backend = GcpBackend::connect(&settings, ClientOptions::default()).await?;
                let access = cluster_access::GcpClusterAccess::connect(&settings)?;
                Ok(Arc::new(backend)
                    .backends()
                    .with_cluster_access(Arc::new(access)))
            })
        }),
    }
}

/// Clients for every Google service mlcloud calls, built once per provider
/// configuration.
pub struct GcpBackend {
    clients: Clients,
    backoff: Backoff,
    /// The block's project, else `GOOGLE_CLOUD_PROJECT`.
    project: Option<String>,
    /// Who the credentials are, as far as the configuration tells.
    caller: caller::CallerHint,
    tokeninfo_url: String,
}

impl GcpBackend {
    /// Resolves credentials and builds the clients with the block's endpoint overrides
    /// and retry settings. Makes no API call.
    pub async fn connect(
        config: &GcpConfig,
        options: ClientOptions,
    ) -> Result<GcpBackend, CloudError> {
        Ok(GcpBackend {
            clients: Clients::connect(config, options).await?,
            backoff: Backoff::DEFAULT,
            project: config
                .project
                .clone()
                .or_else(|| std::env::var("GOOGLE_CLOUD_PROJECT").ok()),
            caller: caller::hint(config),
            tokeninfo_url: caller::tokeninfo_url(config),
        })
    }

    /// Polls waiters and retries conflicts between `initial` and `max` instead of 1 s
    /// and 30 s (for emulators, where objects are ready at once).
    pub fn with_poll_interval(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff = Backoff { initial, max };
        self
    }

    /// This backend serving every kind of object it manages.
    pub fn backends(self: Arc<Self>) -> Backends {
        Backends::new()
            .with::<KeySpec, KeyState>(self.clone())
            .with::<IdentitySpec, IdentityState>(self.clone())
            .with::<ClusterSpec, ClusterState>(self.clone())
            .with::<NodePoolSpec, NodePoolState>(self.clone())
            .with_caller(self)
    }

    fn default_project(&self) -> Option<&str> {
        self.project.as_deref()
    }

    /// The project of an object: its `gcp { project }`, else the provider's.
    fn project(&self, explicit: Option<&str>) -> Result<String, CloudError> {
        explicit
            .or(self.default_project())
            .map(str::to_string)
            .ok_or_else(|| {
                CloudError::Invalid(
                    "No Google Cloud project: set gcp { project } on the resource or in the provider block, or GOOGLE_CLOUD_PROJECT.".into(),
                )
            })
    }
}
