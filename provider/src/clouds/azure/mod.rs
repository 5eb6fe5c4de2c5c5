//! The Azure backend: Key Vault, Managed Identity, Authorization (role assignments) and
//! AKS through Azure Resource Manager, with a small typed ARM client of our own on
//! azure_core's pipeline (the `azure_mgmt_*` crates are frozen on preview
//! api-versions). The files follow the AWS backend's shape: `expand_*` (spec → ARM
//! body), `flatten_*` (ARM body → state), `find_*` (a GET whose not-found is `None`)
//! and the waits (ARM's long-running operations, in `lro.rs`), then the backend trait
//! implementation for that resource.
//!
//! | file | resource / job |
//! |---|---|
//! | `rules.rs` | Azure's plan rules (names, tags, ARM ids, log categories, defaults) |
//! | `settings.rs` | the `azure {}` block with its `ARM_*` fallbacks, the sign-in method |
//! | `credentials.rs`, `certificate.rs` | azure_identity credentials; the client-certificate assertion |
//! | `cluster_access.rs` | AKS tokens: an Entra token for the AKS server application |
//! | `transport.rs` | the https client: extra CA, fail fast on an untrusted certificate |
//! | `arm.rs`, `lro.rs`, `errors.rs` | ARM requests, long-running operations, error bodies |
//! | `api_versions.rs` | every api-version, all GA |
//! | `resource_id.rs`, `key_uri.rs`, `tags.rs` | ARM ids, Key Vault key URIs, user tags vs mlcloud's own |
//! | `vaults.rs` | finding a vault by its URI; the dedicated vault's name and body |
//! | `kms_key.rs` | `mlcloud_kms_key` |
//! | `roles.rs` | role assignments (grants, the cluster's use of its key) |
//! | `identity.rs` | `mlcloud_identity` (+ federated credential, role assignments) |
//! | `cluster.rs` | `mlcloud_cluster` (AKS, + the Key Vault assignment KMS needs) |
//! | `cluster_admins.rs`, `caller.rs` | `admin_principals` as Azure RBAC assignments; the caller's object id |
//! | `node_pool.rs` | `mlcloud_node_pool` (AKS user agent pools) |

mod api_versions;
mod arm;
mod caller;
mod certificate;
mod cluster;
mod cluster_access;
mod cluster_admins;
mod credentials;
mod errors;
mod identity;
mod key_uri;
mod kms_key;
mod lro;
mod node_pool;
mod resource_id;
mod roles;
pub mod rules;
mod settings;
mod tags;
mod transport;
mod vaults;

#[cfg(test)]
mod arm_tests;

use super::model::{
    ClusterSpec, ClusterState, IdentitySpec, IdentityState, KeySpec, KeyState, NodePoolSpec,
    NodePoolState,
};
use super::wait::Backoff;
use super::{Backends, CloudError, CloudPlugin, CloudRules};
use crate::Cloud;
use crate::config::azure::AzureConfig;
use arm::{ArmClient, ArmSettings};
use azure_core::http::Url;
use settings::AzureSettings;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

/// azure_core's and azure_identity's log targets: at debug they print request URLs
/// and token-endpoint exchanges. Capped at warn like the AWS SDK's.
pub const SDK_LOG_TARGETS: &[&str] = &[
    "azure_core",
    "azure_identity",
    "typespec_client_core",
    "reqwest",
];

/// The Azure plan rules, for the provider's rule book.
pub fn rules() -> Arc<dyn CloudRules> {
    Arc::new(rules::AzureRules)
}

/// The Azure plugin: connects with the provider block's `azure {}` settings on first use.
pub fn plugin() -> CloudPlugin {
    CloudPlugin {
        cloud: Cloud::Azure,
        connect: Arc::new(|config| {
            Box::pin(async move {
                let block = config.azure.clone().unwrap_or_default();
                let access = cluster_access::AzureClusterAccess::connect(&block)?;
                Ok(Arc::new(AzureBackend::connect(&block)?)
                    .backends()
                    .with_cluster_access(Arc::new(access)))
            })
        }),
    }
}

/// One ARM client per provider configuration.
pub struct AzureBackend {
    arm: ArmClient,
    tenant_id: OnceCell<String>,
    configured_tenant: Option<String>,
}

impl AzureBackend {
    /// Resolves the settings and the credential and builds the ARM client. Makes no
    /// request: tokens are asked for on the first call.
    pub fn connect(block: &AzureConfig) -> Result<AzureBackend, CloudError> {
        let settings = AzureSettings::resolve(block, &settings::process_env)?;
        let http = transport::https_client(settings.ca_certificate_file.as_deref())?;
        let credential = credentials::credential(&settings, http.clone())?;
        let resource_manager = Url::parse(&settings.resource_manager).map_err(|e| {
            CloudError::Transport(format!(
                "azure: bad resource_manager endpoint {:?}: {e}",
                settings.resource_manager
            ))
        })?;
        Ok(AzureBackend {
            arm: ArmClient::new(ArmSettings {
                resource_manager,
                subscription: settings.subscription_id.clone(),
                credential: Some(credential),
                http,
                retry: settings.retry,
                backoff: Backoff::DEFAULT,
            }),
            tenant_id: OnceCell::new(),
            configured_tenant: settings.tenant_id,
        })
    }

    /// Polls long-running operations between `initial` and `max` instead of 1 s and
    /// 30 s (for emulators, whose operations take a configured delay).
    pub fn with_poll_interval(mut self, initial: Duration, max: Duration) -> Self {
        self.arm.set_backoff(Backoff { initial, max });
        self
    }

    /// This backend serving every kind of object mlcloud manages.
    pub fn backends(self: Arc<Self>) -> Backends {
        Backends::new()
            .with::<KeySpec, KeyState>(self.clone())
            .with::<IdentitySpec, IdentityState>(self.clone())
            .with::<ClusterSpec, ClusterState>(self.clone())
            .with::<NodePoolSpec, NodePoolState>(self.clone())
            .with_caller(self)
    }

    /// The tenant the subscription belongs to (vaults name it): the configured one,
    /// else the subscription's own.
    async fn tenant_id(&self) -> Result<String, CloudError> {
        if let Some(t) = &self.configured_tenant {
            return Ok(t.clone());
        }
        self.tenant_id
            .get_or_try_init(|| async {
                let path = format!("/subscriptions/{}", self.arm.subscription());
                let sub: serde_json::Value = self
                    .arm
                    .get(&path, api_versions::RESOURCES, "Microsoft.Resources")
                    .await?
                    .ok_or_else(|| CloudError::NotFound {
                        what: "subscription".into(),
                        message: path.clone(),
                    })?;
                sub.get("tenantId")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        CloudError::Transport("the subscription names no tenantId".into())
                    })
            })
            .await
            .cloned()
    }
}

/// How long to keep retrying what ARM's replication fixes (a principal a few seconds
/// old, concurrent writes on one identity).
const PROPAGATION_LIMIT: Duration = Duration::from_secs(120);
