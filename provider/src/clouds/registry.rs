//! Which backends serve which cloud. Each cloud is connected lazily, on the first call
//! that needs it, so a plan that touches only one cloud never needs the others'
//! credentials. The provider's entry point supplies the plugins; nothing here knows a
//! cloud's code.

use super::CloudError;
use super::backends::{Backends, ObjectBackend};
use super::caller::Caller;
use super::model::Tags;
use super::rules::RuleBook;
use crate::Cloud;
use crate::config::ProviderConfig;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tfplug::Diagnostic;
use tokio::sync::OnceCell;

/// Builds a cloud's backends from the provider configuration (credentials, endpoints,
/// retry settings). Makes no API call that could fail for lack of permissions.
pub type Connect = Arc<
    dyn Fn(ProviderConfig) -> Pin<Box<dyn Future<Output = Result<Backends, CloudError>> + Send>>
        + Send
        + Sync,
>;

/// What a cloud contributes: how to connect to it.
#[derive(Clone)]
pub struct CloudPlugin {
    pub cloud: Cloud,
    pub connect: Connect,
}

/// The configured provider's clouds; resources reach backends through it.
pub struct Clouds {
    config: ProviderConfig,
    rules: RuleBook,
    plugins: Vec<(CloudPlugin, OnceCell<Arc<Backends>>)>,
    /// Each cloud's region from the environment (see
    /// [`CloudRules::environment_location`](super::CloudRules::environment_location)).
    environment_locations: Vec<(Cloud, String)>,
}

impl Clouds {
    pub fn new(config: ProviderConfig, rules: RuleBook, plugins: Vec<CloudPlugin>) -> Self {
        Clouds {
            config,
            rules,
            plugins: plugins.into_iter().map(|p| (p, OnceCell::new())).collect(),
            environment_locations: Vec::new(),
        }
    }

    /// Asks each configured cloud's rules for its region from the environment, once,
    /// for [`Clouds::default_location`]. A cloud the provider block does not configure,
    /// or whose block names a region, is not asked.
    pub async fn with_environment_locations(mut self) -> Self {
        let mut found = Vec::new();
        for rules in self.rules.all() {
            let cloud = rules.cloud();
            // Not configured, or the block names the region: nothing to look up.
            if !self.config.has_cloud(cloud) || self.config.default_location(cloud).is_some() {
                continue;
            }
            if let Some(location) = rules.environment_location(&self.config).await {
                found.push((cloud, location));
            }
        }
        self.environment_locations = found;
        self
    }

    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    pub fn rules(&self) -> &RuleBook {
        &self.rules
    }

    /// `tags` over the provider's `default_tags` (the resource's own values win).
    pub fn merged_tags(&self, tags: &Tags) -> Tags {
        let mut all = self.config.default_tags.clone().unwrap_or_default();
        all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        all
    }

    /// A plan-time check: this build supports `cloud` and the provider block
    /// configures it.
    pub fn check_cloud(&self, cloud: Cloud) -> Result<(), Diagnostic> {
        self.rules.require(cloud)?;
        self.plugin(cloud)?;
        self.config.require_cloud(cloud)
    }

    fn plugin(&self, cloud: Cloud) -> Result<&(CloudPlugin, OnceCell<Arc<Backends>>), Diagnostic> {
        self.plugins
            .iter()
            .find(|(p, _)| p.cloud == cloud)
            .ok_or_else(|| {
                Diagnostic::error(
                    format!("{cloud} is not supported yet"),
                    format!("This build of mlcloud has no {cloud} backend."),
                )
            })
    }

    /// Who the provider acts as on `cloud`.
    pub async fn caller(&self, cloud: Cloud) -> Result<Arc<dyn Caller>, Diagnostic> {
        self.connected(cloud).await?.caller().ok_or_else(|| {
            Diagnostic::error(
                format!("Not supported on {cloud}"),
                format!("This build of mlcloud cannot tell who it acts as on {cloud}."),
            )
        })
    }

    /// How the provider gets tokens for `cloud`'s clusters.
    pub async fn cluster_access(
        &self,
        cloud: Cloud,
    ) -> Result<Arc<dyn super::ClusterAccess>, Diagnostic> {
        self.connected(cloud)
            .await?
            .cluster_access()
            .ok_or_else(|| {
                Diagnostic::error(
                    format!("Not supported on {cloud}"),
                    format!("This build of mlcloud cannot connect to {cloud} clusters."),
                )
            })
    }

    /// The backend of `cloud` for objects described by `Spec` and `State`.
    pub async fn backend<Spec: 'static, State: 'static>(
        &self,
        cloud: Cloud,
    ) -> Result<Arc<dyn ObjectBackend<Spec, State>>, Diagnostic> {
        let backends = self.connected(cloud).await?;
        backends.get::<Spec, State>().ok_or_else(|| {
            Diagnostic::error(
                format!("Not supported on {cloud}"),
                format!(
                    "This build of mlcloud cannot manage this kind of object on {cloud} ({}).",
                    std::any::type_name::<Spec>()
                ),
            )
        })
    }

    /// `cloud`'s backends, connected on first use.
    async fn connected(&self, cloud: Cloud) -> Result<&Arc<Backends>, Diagnostic> {
        self.check_cloud(cloud)?;
        let (plugin, cell) = self.plugin(cloud)?;
        cell.get_or_try_init(|| async {
            (plugin.connect)(self.config.clone())
                .await
                .map(Arc::new)
                .map_err(|e| {
                    Diagnostic::error(format!("Cannot set up the {cloud} clients"), e.to_string())
                })
        })
        .await
    }

    /// The region resources default their `location` to: the provider block's, else
    /// the one the cloud's tools would take from the environment.
    pub fn default_location(&self, cloud: Cloud) -> Option<String> {
        self.config.default_location(cloud).or_else(|| {
            self.environment_locations
                .iter()
                .find(|(c, _)| *c == cloud)
                .map(|(_, location)| location.clone())
        })
    }
}
