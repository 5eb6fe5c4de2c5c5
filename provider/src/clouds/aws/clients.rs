//! Connecting: region and credentials from the provider's `aws {}` block or the standard
//! chain, the optional assumed role, per-service endpoint overrides and the retry
//! settings, turned into one SDK client per service (per region for regional ones).
//!
//! Every call is time-limited ([`CallLimits`]): a hung connection or a black-holed
//! endpoint fails the call instead of holding `terraform apply` forever, and the
//! SDK's retry loop stops at the operation limit however many attempts remain.

use super::errors::{SdkResultExt, Service};
use crate::clouds::CloudError;
use crate::config::aws::AwsConfig;
use crate::config::common::{Endpoints, RetryBlock, endpoint};
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OnceCell;

/// How long one AWS call may take. Not settings of the provider block: no AWS call
/// mlcloud makes should take minutes (long work is an asynchronous create plus a
/// waiter, each poll its own call), so these only catch what is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallLimits {
    /// Opening the connection (TCP and TLS).
    pub connect: Duration,
    /// One attempt: sending the request and reading the whole answer.
    pub attempt: Duration,
    /// The whole call, the SDK's retries and their backoff included.
    pub operation: Duration,
}

impl CallLimits {
    /// 10 s to connect, a minute per attempt, five minutes per call: the default retry
    /// settings (8 attempts, at most 30 s apart) fit inside when attempts fail fast.
    pub const DEFAULT: CallLimits = CallLimits {
        connect: Duration::from_secs(10),
        attempt: Duration::from_secs(60),
        operation: Duration::from_secs(300),
    };

    fn timeout_config(self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }
}

/// Clients of the regional services for one region.
pub struct Regional {
    pub eks: aws_sdk_eks::Client,
    pub kms: aws_sdk_kms::Client,
    pub ec2: aws_sdk_ec2::Client,
}

/// Who the credentials belong to (from STS `GetCallerIdentity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account: String,
    pub partition: String,
    /// The caller's ARN as STS says it (a user, a role, or an assumed-role session).
    pub arn: String,
}

/// Every client the backend uses, built from one resolved [`SdkConfig`].
pub struct Clients {
    sdk: SdkConfig,
    endpoints: Option<Endpoints>,
    pub default_region: String,
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    regional: Mutex<HashMap<String, Arc<Regional>>>,
    caller: OnceCell<Caller>,
}

impl Clients {
    pub async fn connect(config: &AwsConfig) -> Result<Clients, CloudError> {
        Clients::connect_with_limits(config, CallLimits::DEFAULT).await
    }

    /// [`Clients::connect`] with other call limits (tests use short ones).
    pub async fn connect_with_limits(
        config: &AwsConfig,
        limits: CallLimits,
    ) -> Result<Clients, CloudError> {
        let sdk = load_sdk_config(config, limits).await?;
        Clients::from_sdk_config(sdk, config.endpoints.clone())
    }

    /// Builds clients from an already resolved configuration (tests use this with
    /// static credentials and a local endpoint).
    pub fn from_sdk_config(
        sdk: SdkConfig,
        endpoints: Option<Endpoints>,
    ) -> Result<Clients, CloudError> {
        let default_region = sdk.region().map(|r| r.to_string()).ok_or_else(|| {
            CloudError::Invalid(
                "no AWS region: set `region` in the provider's aws {} block, AWS_REGION, or a region in the profile".into(),
            )
        })?;
        let ep = |service| endpoint(endpoints.as_ref(), service).map(str::to_string);
        let iam = {
            let mut b = aws_sdk_iam::config::Builder::from(&sdk);
            if let Some(url) = ep("iam") {
                b = b.endpoint_url(url);
            }
            aws_sdk_iam::Client::from_conf(b.build())
        };
        let sts = {
            let mut b = aws_sdk_sts::config::Builder::from(&sdk);
            if let Some(url) = ep("sts") {
                b = b.endpoint_url(url);
            }
            aws_sdk_sts::Client::from_conf(b.build())
        };
        Ok(Clients {
            sdk,
            endpoints,
            default_region,
            iam,
            sts,
            regional: Mutex::new(HashMap::new()),
            caller: OnceCell::new(),
        })
    }

    /// The EKS, KMS and EC2 clients for `region` (the provider's region when empty),
    /// built on first use.
    pub fn regional(&self, region: &str) -> Arc<Regional> {
        let region = if region.is_empty() {
            self.default_region.as_str()
        } else {
            region
        };
        let mut cache = self
            .regional
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache
            .entry(region.to_string())
            .or_insert_with(|| Arc::new(self.build_regional(region)))
            .clone()
    }

    fn build_regional(&self, region: &str) -> Regional {
        let ep = |service| endpoint(self.endpoints.as_ref(), service).map(str::to_string);
        let region_value = Region::new(region.to_string());
        let eks = {
            let mut b = aws_sdk_eks::config::Builder::from(&self.sdk).region(region_value.clone());
            if let Some(url) = ep("eks") {
                b = b.endpoint_url(url);
            }
            aws_sdk_eks::Client::from_conf(b.build())
        };
        let kms = {
            let mut b = aws_sdk_kms::config::Builder::from(&self.sdk).region(region_value.clone());
            if let Some(url) = ep("kms") {
                b = b.endpoint_url(url);
            }
            aws_sdk_kms::Client::from_conf(b.build())
        };
        let ec2 = {
            let mut b = aws_sdk_ec2::config::Builder::from(&self.sdk).region(region_value);
            if let Some(url) = ep("ec2") {
                b = b.endpoint_url(url);
            }
            aws_sdk_ec2::Client::from_conf(b.build())
        };
        Regional { eks, kms, ec2 }
    }

    /// The credentials every client signs with (the chain's or the assumed role's),
    /// resolved now: presigning the EKS token needs the keys themselves.
    pub async fn credentials(&self) -> Result<Credentials, CloudError> {
        use aws_sdk_sts::config::ProvideCredentials;
        let provider = self.sdk.credentials_provider().ok_or_else(|| {
            CloudError::Invalid(
                "no AWS credentials: configure the credential chain or the aws {} block's keys"
                    .into(),
            )
        })?;
        provider
            .provide_credentials()
            .await
            .map_err(|e| CloudError::Invalid(format!("cannot resolve AWS credentials: {e}")))
    }

    /// The STS endpoint of `region`: the `sts` override, else the regional endpoint
    /// (what aws-iam-authenticator presigns against).
    pub fn sts_url(&self, region: &str) -> String {
        if let Some(url) = endpoint(self.endpoints.as_ref(), "sts") {
            return url.trim_end_matches('/').to_string();
        }
        let suffix = if region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        format!("https://sts.{region}.{suffix}")
    }

    /// The account and partition of the credentials, asked once.
    pub async fn caller(&self) -> Result<&Caller, CloudError> {
        self.caller
            .get_or_try_init(|| async {
                let out = self.sts.get_caller_identity().send().await.or_cloud(
                    Service::Sts,
                    "GetCallerIdentity",
                    "caller identity",
                )?;
                let account = out.account().unwrap_or_default().to_string();
                let partition = out
                    .arn()
                    .and_then(|a| a.split(':').nth(1))
                    .unwrap_or("aws")
                    .to_string();
                if account.is_empty() {
                    return Err(CloudError::Transport(
                        "STS GetCallerIdentity returned no account id".into(),
                    ));
                }
                let arn = out.arn().unwrap_or_default().to_string();
                Ok(Caller {
                    account,
                    partition,
                    arn,
                })
            })
            .await
    }
}

/// The SDK's https client (rustls on aws-lc-rs) trusting the PEM file at `path`
/// besides the system's roots: `aws { ca_certificate_file }`, for TLS-inspecting
/// proxies and private endpoints. STS, assumed roles and every service client share it.
fn https_client_trusting(
    path: &str,
) -> Result<aws_smithy_runtime_api::client::http::SharedHttpClient, CloudError> {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    crate::config::check_ca_certificate_file(path).map_err(CloudError::Invalid)?;
    let pem = std::fs::read(path).map_err(|e| {
        CloudError::Invalid(format!("cannot read aws.ca_certificate_file {path:?}: {e}"))
    })?;
    let context = TlsContext::builder()
        .with_trust_store(TrustStore::default().with_pem_certificate(pem))
        .build()
        .map_err(|e| CloudError::Invalid(format!("aws.ca_certificate_file {path:?}: {e}")))?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https())
}

/// Resolves region and credentials: the block's static keys if set, else the standard
/// chain (environment, shared config/SSO profile, web identity, container and instance
/// roles), then `assume_role` on top.
async fn load_sdk_config(config: &AwsConfig, limits: CallLimits) -> Result<SdkConfig, CloudError> {
    let retry = RetryBlock::settings(config.retry.as_ref());
    // Standard mode: exponential backoff with jitter, throttling errors retried with
    // their own token bucket, Retry-After honoured by the classifiers.
    let retry_config = RetryConfig::standard()
        .with_max_attempts(retry.max_attempts)
        .with_max_backoff(Duration::from_secs(retry.max_backoff_seconds.into()));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config)
        .timeout_config(limits.timeout_config());
    if let Some(region) = &config.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &config.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(path) = &config.ca_certificate_file {
        loader = loader.http_client(https_client_trusting(path)?);
    }
    match (&config.access_key, &config.secret_key) {
        (Some(access_key), Some(secret_key)) => {
            loader = loader.credentials_provider(Credentials::new(
                access_key,
                secret_key,
                config.token.clone(),
                None,
                "mlcloud-provider-block",
            ));
        }
        (None, None) => {}
        _ => {
            return Err(CloudError::Invalid(
                "aws: set both access_key and secret_key, or neither to use the credential chain"
                    .into(),
            ));
        }
    }
    let sdk = loader.load().await;

    let Some(role) = &config.assume_role else {
        return Ok(sdk);
    };
    // AssumeRole goes to STS, so it must honour the STS endpoint override too.
    let sts_config = match endpoint(config.endpoints.as_ref(), "sts") {
        Some(url) => sdk.to_builder().endpoint_url(url).build(),
        None => sdk.clone(),
    };
    let mut provider = AssumeRoleProvider::builder(role.role_arn.clone())
        .session_name(
            role.session_name
                .clone()
                .unwrap_or_else(|| "mlcloud".into()),
        )
        .configure(&sts_config);
    if let Some(external_id) = &role.external_id {
        provider = provider.external_id(external_id.clone());
    }
    let provider = provider.build().await;
    Ok(sdk
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn static_keys_region_and_endpoints_come_from_the_block() {
        let config = AwsConfig {
            region: Some("eu-west-1".into()),
            access_key: Some("AKIDEXAMPLE".into()),
            secret_key: Some("secret".into()),
            endpoints: Some(Endpoints::from([(
                "eks".to_string(),
                Some("http://127.0.0.1:1".to_string()),
            )])),
            ..AwsConfig::default()
        };
        let clients = Clients::connect(&config).await.unwrap();
        assert_eq!(clients.default_region, "eu-west-1");
        let regional = clients.regional("");
        let region_of = |r: &Regional| r.eks.config().region().map(|r| r.to_string());
        assert_eq!(region_of(&regional).as_deref(), Some("eu-west-1"));
        assert_eq!(
            region_of(&clients.regional("")).as_deref(),
            Some("eu-west-1")
        );
        let creds = clients
            .sdk
            .credentials_provider()
            .expect("static credentials are set");
        use aws_sdk_sts::config::ProvideCredentials;
        let resolved = creds.provide_credentials().await.unwrap();
        assert_eq!(resolved.access_key_id(), "AKIDEXAMPLE");
        // A second region gets its own clients, the first is reused.
        assert_eq!(
            region_of(&clients.regional("us-west-2")).as_deref(),
            Some("us-west-2")
        );
        assert_eq!(
            clients
                .regional("us-west-2")
                .kms
                .config()
                .region()
                .map(|r| r.to_string())
                .as_deref(),
            Some("us-west-2")
        );
        assert!(Arc::ptr_eq(&clients.regional("eu-west-1"), &regional));
    }

    #[tokio::test]
    async fn an_unreachable_https_endpoint_is_a_transport_error() {
        // Builds the TLS connector (rustls on aws-lc-rs) and fails to connect: no panic
        // about the process-level crypto provider, no retries beyond the block's one.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let config = AwsConfig {
            region: Some("us-east-1".into()),
            access_key: Some("AKIDEXAMPLE".into()),
            secret_key: Some("secret".into()),
            endpoints: Some(Endpoints::from([(
                "eks".to_string(),
                Some(format!("https://{closed}")),
            )])),
            retry: Some(RetryBlock {
                max_attempts: Some(1),
                max_backoff_seconds: None,
            }),
            ..AwsConfig::default()
        };
        let clients = Clients::connect(&config).await.unwrap();
        let err = clients
            .regional("")
            .eks
            .describe_cluster()
            .name("ml")
            .send()
            .await
            .or_cloud(Service::Eks, "DescribeCluster", "EKS cluster \"ml\"")
            .unwrap_err();
        assert!(
            matches!(&err, CloudError::Transport(m) if m.starts_with("EKS DescribeCluster")),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn every_call_is_time_limited_by_default() {
        let config = AwsConfig {
            region: Some("us-east-1".into()),
            ..AwsConfig::default()
        };
        let clients = Clients::connect(&config).await.unwrap();
        let timeouts = clients.sdk.timeout_config().expect("a timeout config");
        assert_eq!(
            timeouts.operation_timeout(),
            Some(CallLimits::DEFAULT.operation)
        );
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(CallLimits::DEFAULT.attempt)
        );
        assert_eq!(
            timeouts.connect_timeout(),
            Some(CallLimits::DEFAULT.connect)
        );
    }

    #[tokio::test]
    async fn a_call_without_an_answer_fails_at_its_limits_instead_of_hanging() {
        use crate::clouds::aws::stub_backend::{SHORT_LIMITS, config};
        use crate::clouds::aws::stub_server::{Reply, StubServer};
        let stub = StubServer::start(vec![
            Reply::json(serde_json::json!({})).after(Duration::from_secs(30)),
        ])
        .await;
        let clients = Clients::connect_with_limits(&config(&stub, 2), SHORT_LIMITS)
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let err = clients
            .regional("")
            .eks
            .describe_cluster()
            .name("ml")
            .send()
            .await
            .or_cloud(Service::Eks, "DescribeCluster", "EKS cluster \"ml\"")
            .unwrap_err();
        assert!(
            matches!(&err, CloudError::Transport(m) if m.contains("timeout") || m.contains("timed out")),
            "{err:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            stub.seen().len(),
            2,
            "each attempt timed out, then was retried"
        );
    }

    #[tokio::test]
    async fn half_a_key_pair_is_refused() {
        let config = AwsConfig {
            region: Some("us-east-1".into()),
            access_key: Some("AKIDEXAMPLE".into()),
            ..AwsConfig::default()
        };
        let err = Clients::connect(&config).await.err().unwrap();
        assert!(err.to_string().contains("secret_key"), "{err}");
    }
}
