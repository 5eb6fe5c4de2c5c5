//! The official Google Cloud clients (REST/JSON), built once per provider
//! configuration with the block's credentials, endpoint overrides and retry settings.
//!
//! Retries: the clients retry idempotent calls (GET, PUT, DELETE) on the errors below;
//! they never retry a POST (every create, `:destroy`, `setIamPolicy`): each backend
//! decides per call what is safe to try again (see `retry.rs`).

use super::bucket_policies::BucketPolicies;
use super::credentials;
use super::instance_groups::InstanceGroups;
use crate::clouds::CloudError;
use crate::config::common::RetryBlock;
use crate::config::gcp::GcpConfig;
use google_cloud_auth::credentials::Credentials;
use google_cloud_container_v1::client::ClusterManager;
use google_cloud_gax::error::Error;
use google_cloud_gax::error::rpc::Code;
use google_cloud_gax::exponential_backoff::ExponentialBackoffBuilder;
use google_cloud_gax::retry_policy::{RetryPolicy, RetryPolicyExt};
use google_cloud_gax::retry_result::RetryResult;
use google_cloud_gax::retry_state::RetryState;
use google_cloud_iam_admin_v1::client::Iam;
use google_cloud_kms_v1::client::KeyManagementService;
use google_cloud_resourcemanager_v3::client::Projects;
use std::time::Duration;

/// Retries what time fixes, on calls that are safe to repeat: I/O errors,
/// `UNAVAILABLE` / 503 and throttling (`RESOURCE_EXHAUSTED` / 429), which the
/// clients' own default policy does not retry.
#[derive(Debug)]
struct TransientErrors;

impl RetryPolicy for TransientErrors {
    fn on_error(&self, state: &RetryState, error: Error) -> RetryResult {
        if error.is_transient_and_before_rpc() {
            return RetryResult::Continue(error);
        }
        if !state.idempotent {
            return RetryResult::Permanent(error);
        }
        let code = error.status().map(|s| s.code);
        let http = error.http_status_code();
        let transient = error.is_io()
            || matches!(code, Some(Code::Unavailable | Code::ResourceExhausted))
            || matches!(http, Some(429 | 503));
        if transient {
            RetryResult::Continue(error)
        } else {
            RetryResult::Permanent(error)
        }
    }
}

/// How the clients are built beyond the provider block: the first retry delay
/// (1 s for real clouds; tests make it tiny).
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    pub initial_backoff: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            initial_backoff: Duration::from_secs(1),
        }
    }
}

/// One client per Google service mlcloud calls.
#[derive(Clone, Debug)]
pub struct Clients {
    pub container: ClusterManager,
    pub kms: KeyManagementService,
    pub iam: Iam,
    pub projects: Projects,
    /// Bucket policies (Cloud Storage's JSON API, our own HTTP calls).
    pub storage: BucketPolicies,
    /// Node pools' instance groups (Compute Engine's API, our own HTTP calls).
    pub compute: InstanceGroups,
    /// What every client sends, for the calls mlcloud makes itself (`tokeninfo`).
    pub credentials: Credentials,
}

fn setup_error(
    service: &str,
) -> impl Fn(google_cloud_gax::client_builder::Error) -> CloudError + '_ {
    move |e| CloudError::Transport(format!("cannot set up the {service} client: {e}"))
}

/// Applies the shared settings to one client builder (they share no type, so a macro).
macro_rules! configured {
    ($builder:expr, $config:expr, $service:literal, $creds:expr, $retry:expr, $backoff:expr) => {{
        let mut b = $builder
            .with_credentials($creds.clone())
            .with_retry_policy(TransientErrors.with_attempt_limit($retry.max_attempts))
            .with_backoff_policy($backoff()?);
        if let Some(url) = $config.endpoint($service) {
            b = b.with_endpoint(url);
        }
        b.build().await.map_err(setup_error($service))?
    }};
}

impl Clients {
    pub async fn connect(
        config: &GcpConfig,
        options: ClientOptions,
    ) -> Result<Clients, CloudError> {
        let creds: Credentials = credentials::from_config(config)?;
        let retry = RetryBlock::settings(config.retry.as_ref());
        let max = Duration::from_secs(u64::from(retry.max_backoff_seconds));
        let backoff = || {
            ExponentialBackoffBuilder::new()
                .with_initial_delay(options.initial_backoff.min(max))
                .with_maximum_delay(max)
                .build()
                .map_err(|e| CloudError::Transport(format!("retry settings: {e}")))
        };
        Ok(Clients {
            container: configured!(
                ClusterManager::builder(),
                config,
                "container",
                creds,
                retry,
                backoff
            ),
            kms: configured!(
                KeyManagementService::builder(),
                config,
                "cloudkms",
                creds,
                retry,
                backoff
            ),
            iam: configured!(Iam::builder(), config, "iam", creds, retry, backoff),
            projects: configured!(
                Projects::builder(),
                config,
                "resourcemanager",
                creds,
                retry,
                backoff
            ),
            storage: BucketPolicies::new(config, creds.clone()),
            compute: InstanceGroups::new(config, creds.clone()),
            credentials: creds,
        })
    }
}
