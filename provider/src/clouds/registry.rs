//! Which backend serves which cloud, built lazily from the provider configuration so a
//! plan that touches only one cloud never needs the others' credentials.

use super::{ClusterBackend, IdentityBackend, KmsBackend, NodePoolBackend, aws};
use crate::catalog::Cloud;
use crate::clouds::model::Tags;
use crate::config::ProviderConfig;
use std::sync::Arc;
use tfplug::{AttributePath, Diagnostic};
use tokio::sync::OnceCell;

/// The configured provider's clouds; resources reach backends through it.
pub struct Clouds {
    config: ProviderConfig,
    aws: OnceCell<Arc<aws::AwsBackend>>,
}

impl Clouds {
    pub fn new(config: ProviderConfig) -> Self {
        Clouds {
            config,
            aws: OnceCell::new(),
        }
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// `tags` over the provider's `default_tags` (the resource's own values win).
    pub fn merged_tags(&self, tags: &Tags) -> Tags {
        let mut all = self.config.default_tags.clone().unwrap_or_default();
        all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        all
    }

    /// A plan-time check: the provider block configures `cloud` and this provider
    /// version has a backend for it.
    pub fn check_cloud(&self, cloud: Cloud) -> Result<(), Diagnostic> {
        if cloud != Cloud::Aws {
            return Err(Diagnostic::error(
                format!("{cloud} is not supported yet"),
                format!("This version of mlcloud manages resources on aws only; {cloud} support is planned. Use cloud = \"aws\"."),
            )
            .at(AttributePath::attr("cloud")));
        }
        self.config.require_cloud(cloud)
    }

    async fn aws(&self) -> Result<Arc<aws::AwsBackend>, Diagnostic> {
        self.config.require_cloud(Cloud::Aws)?;
        let settings = self.config.aws.clone().unwrap_or_default();
        self.aws
            .get_or_try_init(|| async move {
                aws::AwsBackend::connect(&settings)
                    .await
                    .map(Arc::new)
                    .map_err(|e| Diagnostic::error("Cannot set up the AWS clients", e.to_string()))
            })
            .await
            .cloned()
    }

    pub async fn kms(&self, cloud: Cloud) -> Result<Arc<dyn KmsBackend>, Diagnostic> {
        self.check_cloud(cloud)?;
        Ok(self.aws().await?)
    }

    pub async fn identity(&self, cloud: Cloud) -> Result<Arc<dyn IdentityBackend>, Diagnostic> {
        self.check_cloud(cloud)?;
        Ok(self.aws().await?)
    }

    pub async fn cluster(&self, cloud: Cloud) -> Result<Arc<dyn ClusterBackend>, Diagnostic> {
        self.check_cloud(cloud)?;
        Ok(self.aws().await?)
    }

    pub async fn node_pool(&self, cloud: Cloud) -> Result<Arc<dyn NodePoolBackend>, Diagnostic> {
        self.check_cloud(cloud)?;
        Ok(self.aws().await?)
    }

    /// The region resources default their `location` to.
    pub fn default_location(&self, cloud: Cloud) -> Option<String> {
        match cloud {
            Cloud::Aws => self
                .config
                .aws
                .as_ref()
                .and_then(|a| a.region.clone())
                .or_else(|| std::env::var("AWS_REGION").ok())
                .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok()),
            Cloud::Azure => None,
            Cloud::Gcp => self.config.gcp.as_ref().and_then(|g| g.region.clone()),
        }
    }
}
