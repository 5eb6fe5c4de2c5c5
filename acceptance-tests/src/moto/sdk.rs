//! SDK clients pointed at moto, driven from blocking test code.

use std::future::Future;
use std::time::Duration;

use aws_sdk_kms::error::DisplayErrorContext;

use super::error::MotoError;
use super::{ACCESS_KEY, REGION, SECRET_KEY};

/// The most one SDK call the harness makes may take, retries included: moto answers
/// in milliseconds, so past this it hangs, and the test should say which call did
/// rather than wait for nextest's limit.
pub const SDK_CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Marks the harness's own requests in moto's recording (in the user agent), so
/// [`Moto::requests`](super::Moto::requests) can tell them from the provider's.
pub(super) const HARNESS_APP_NAME: &str = "mlcloud-acceptance-harness";

/// The official SDK clients of the services mlcloud uses, with static test
/// credentials, region us-east-1 and moto's endpoint, plus the runtime they run on.
pub struct MotoSdk {
    // Declared last so the clients go before the runtime their connections live on.
    pub kms: aws_sdk_kms::Client,
    pub iam: aws_sdk_iam::Client,
    pub eks: aws_sdk_eks::Client,
    pub ec2: aws_sdk_ec2::Client,
    runtime: tokio::runtime::Runtime,
}

/// One client of `$sdk` (a crate such as `aws_sdk_kms`) configured for moto. The four
/// crates have the same builder methods but distinct types, hence a macro.
macro_rules! moto_client {
    ($sdk:ident, $endpoint:expr) => {{
        use $sdk::config::{AppName, BehaviorVersion, Credentials, Region};
        $sdk::Client::from_conf(
            $sdk::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(REGION))
                .credentials_provider(Credentials::new(
                    ACCESS_KEY,
                    SECRET_KEY,
                    None,
                    None,
                    HARNESS_APP_NAME,
                ))
                .app_name(AppName::new(HARNESS_APP_NAME).expect("a valid app name"))
                .endpoint_url($endpoint)
                .build(),
        )
    }};
}

impl MotoSdk {
    pub(super) fn new(endpoint: &str) -> Result<MotoSdk, MotoError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| MotoError::Api {
                request: "a tokio runtime for the SDK".into(),
                detail: source.to_string(),
            })?;
        // The HTTP clients are built inside the runtime they will run on.
        let (kms, iam, eks, ec2) = {
            let _entered = runtime.enter();
            (
                moto_client!(aws_sdk_kms, endpoint),
                moto_client!(aws_sdk_iam, endpoint),
                moto_client!(aws_sdk_eks, endpoint),
                moto_client!(aws_sdk_ec2, endpoint),
            )
        };
        Ok(MotoSdk {
            kms,
            iam,
            eks,
            ec2,
            runtime,
        })
    }

    /// Runs one SDK call to completion within [`SDK_CALL_TIMEOUT`]; its error, with the
    /// service's message, as [`MotoError::Sdk`] naming `what` was asked (e.g.
    /// `"eks DescribeCluster"`).
    pub fn call<T, E>(
        &self,
        what: &str,
        request: impl Future<Output = Result<T, E>>,
    ) -> Result<T, MotoError>
    where
        E: std::error::Error + 'static,
    {
        self.block_on(what, request)?
            .map_err(|error| MotoError::Sdk {
                call: what.to_owned(),
                message: DisplayErrorContext(&error).to_string(),
            })
    }

    /// Runs any future on the SDK's runtime within [`SDK_CALL_TIMEOUT`], e.g. a call
    /// whose error the test inspects; [`MotoError::SdkTimeout`] naming `what` past it.
    pub fn block_on<F: Future>(&self, what: &str, future: F) -> Result<F::Output, MotoError> {
        // The timer is made inside the runtime: it needs its clock.
        self.runtime
            .block_on(async { tokio::time::timeout(SDK_CALL_TIMEOUT, future).await })
            .map_err(|_| MotoError::SdkTimeout {
                call: what.to_owned(),
                timeout: SDK_CALL_TIMEOUT,
            })
    }
}
