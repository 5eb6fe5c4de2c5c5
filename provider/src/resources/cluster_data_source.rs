//! Data source `mlcloud_cluster`: an existing cluster, by `id` or by `name` (+
//! `location`, the Azure resource group, the Google Cloud project), read through the
//! same backend as the resource. For clusters made elsewhere (another state, another
//! team) that node pools, credentials or serving endpoints should use.

use super::common::{
    cloud_attribute, cloud_diag, clouds, invalid_at, required_cloud, str_attr, tags_value,
};
use crate::Cloud;
use crate::clouds::model::{ClusterSpec, ClusterState, ListScope};
use crate::clouds::{Clouds, ObjectBackend, ObjectKind, RuleBook};
use std::sync::Arc;
use tfplug::schema::{Attribute, Block, NestedBlock, Schema};
use tfplug::{AttributePath, Context, DataSource, Diagnostic, Diagnostics, Type, Value};

pub struct ClusterDataSource {
    rules: RuleBook,
}

impl ClusterDataSource {
    pub fn new(rules: RuleBook) -> Self {
        ClusterDataSource { rules }
    }
}

/// Whether `config` sets `name` to a value (known or not).
fn is_set(config: &Value, name: &str) -> bool {
    config.attr(name).is_some_and(|v| !v.is_null())
}

/// A setting of the `azure {}` or `gcp {}` block.
fn block_attr<'a>(config: &'a Value, block: &str, name: &str) -> Option<&'a str> {
    config
        .attr(block)
        .and_then(|b| b.attr(name))
        .and_then(Value::as_str)
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl ClusterDataSource {
    /// The one cluster named in `config` in its location (and resource group or
    /// project), from a listing.
    async fn find_by_name(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        backend: &Arc<dyn ObjectBackend<ClusterSpec, ClusterState>>,
        config: &Value,
    ) -> Result<ClusterState, Diagnostic> {
        let name = str_attr(config, "name").unwrap_or_default();
        let location = str_attr(config, "location")
            .map(str::to_string)
            .or_else(|| clouds.default_location(cloud));
        let group = block_attr(config, "azure", "resource_group_name");
        let project = block_attr(config, "gcp", "project");
        let provider_project = clouds.config().gcp.as_ref().and_then(|g| g.project.clone());
        let listed = backend
            .list(&ListScope {
                location: location.clone(),
                parent_id: None,
            })
            .await
            .map_err(|e| cloud_diag("list the clusters", &e))?;
        let found: Vec<ClusterState> = listed
            .into_iter()
            .filter(|c| c.name == name)
            .filter(|c| location.as_deref().is_none_or(|l| same(&c.location, l)))
            .filter(|c| {
                group.is_none_or(|g| {
                    c.cloud
                        .azure()
                        .and_then(|a| a.resource_group_name.as_deref())
                        .is_some_and(|rg| same(rg, g))
                })
            })
            .filter(|c| {
                project.is_none_or(|p| {
                    let of_cluster = c
                        .cloud
                        .gcp()
                        .and_then(|g| g.project.clone())
                        .or_else(|| provider_project.clone());
                    of_cluster.as_deref() == Some(p)
                })
            })
            .collect();
        let where_ = location
            .as_deref()
            .map(|l| format!(" in {l}"))
            .unwrap_or_default();
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Diagnostic::error(
                "Cluster not found",
                format!(
                    "No {cloud} cluster named {name:?}{where_}{}{}. Check the name and location{}, or give its `id`.",
                    group.map(|g| format!(" in resource group {g:?}")).unwrap_or_default(),
                    project.map(|p| format!(" in project {p:?}")).unwrap_or_default(),
                    if project.is_some() { " (by name, clusters are looked up in the provider block's project)" } else { "" },
                ),
            )
            .at(AttributePath::attr("name"))),
            many => Err(Diagnostic::error(
                "More than one cluster has this name",
                format!(
                    "{} {cloud} clusters are named {name:?}{where_}: {}. Narrow it down (e.g. azure {{ resource_group_name }}) or give the `id`.",
                    many.len(),
                    many.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )
            .at(AttributePath::attr("name"))),
        }
    }
}

/// The state of the data source: the configuration with what the cloud says.
fn state_value(s: &ClusterState, config: &Value) -> Value {
    let mut v = Value::object([
        ("cloud", Value::from(s.cloud.cloud().as_str())),
        ("id", Value::from(s.id.as_str())),
        ("name", Value::from(s.name.as_str())),
        ("location", Value::from(s.location.as_str())),
        (
            "kubernetes_version",
            Value::from(s.kubernetes_version.as_str()),
        ),
        ("endpoint_access", Value::from(s.endpoint_access.as_str())),
        ("endpoint", Value::from(s.endpoint.as_str())),
        ("ca_certificate", Value::from(s.ca_certificate.as_str())),
        ("oidc_issuer_url", Value::from(s.oidc_issuer_url.as_str())),
        ("status", Value::from(s.status.as_str())),
        ("tags", tags_value(&s.tags)),
    ]);
    // The lookup blocks stay as written.
    if let Value::Object(m) = &mut v {
        for block in ["azure", "gcp"] {
            m.insert(
                block.into(),
                config.attr(block).cloned().unwrap_or(Value::Null),
            );
        }
    }
    v
}

#[tfplug::async_trait]
impl DataSource for ClusterDataSource {
    fn type_name(&self) -> String {
        "mlcloud_cluster".into()
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .describe("An existing cluster (EKS, AKS or GKE), by `id`, or by `name` and `location` (plus the resource group on Azure; on Google Cloud, clusters of the provider block's project). Gives what node pools, `mlcloud_cluster_credentials` and Kubernetes providers need: the API endpoint, the CA certificate, the OIDC issuer for workload identities, the Kubernetes version and the status.")
                .attr(cloud_attribute())
                .attr(Attribute::string("id").optional().computed().describe(format!("The cluster's id, as `mlcloud_cluster.id` ({}). Either this or `name`.", self.id_forms())))
                .attr(Attribute::string("name").optional().computed().describe("The cluster's name. Either this or `id`."))
                .attr(Attribute::string("location").optional().computed().describe("The cluster's region (or zone on Google Cloud). With `name`: default the provider block's region."))
                .attr(Attribute::string("kubernetes_version").computed().describe("The control plane's Kubernetes version."))
                .attr(Attribute::string("endpoint_access").computed().describe("`private` or `public`."))
                .attr(Attribute::string("endpoint").computed().describe("The API server URL."))
                .attr(Attribute::string("ca_certificate").computed().describe("The cluster CA certificate (base64 PEM)."))
                .attr(Attribute::string("oidc_issuer_url").computed().describe("The cluster's OIDC issuer (workload identity)."))
                .attr(Attribute::string("status").computed().describe("The cloud's status of the cluster (e.g. `ACTIVE`, `Succeeded`, `RUNNING`)."))
                .attr(Attribute::map("tags", Type::String).computed().describe("Tags (labels on Google Cloud) on the cluster."))
                .block(NestedBlock::single(
                    "azure",
                    Block::new()
                        .describe("Azure lookup by name.")
                        .attr(Attribute::string("resource_group_name").optional().describe("Only clusters of this resource group.")),
                ))
                .block(NestedBlock::single(
                    "gcp",
                    Block::new()
                        .describe("Google Cloud lookup by name.")
                        .attr(Attribute::string("project").optional().describe("The project; by name, only the provider block's project is searched (give `id` for another).")),
                )),
        )
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = super::common::check_cloud_blocks(config);
        let (id, name) = (is_set(config, "id"), is_set(config, "name"));
        if id && name {
            diags.push(invalid_at(
                AttributePath::attr("name"),
                "Set either `id` or `name` (with `location`), not both.",
            ));
        }
        if !id && !name {
            diags.push(
                Diagnostic::error(
                    "No cluster to look up",
                    "Set `id` (the cluster's id) or `name` (with `location`).",
                )
                .at(AttributePath::attr("id")),
            );
        }
        if let (Some(cloud), Some(id)) = (super::common::cloud_of(config), str_attr(config, "id"))
            && let Some(rules) = self.rules.for_cloud(cloud)
            && !rules.is_object_id(ObjectKind::Cluster, id)
        {
            diags.push(invalid_at(
                AttributePath::attr("id"),
                format!(
                    "{id:?} is not the id of a {cloud} cluster; expected {}.",
                    rules.id_form(ObjectKind::Cluster)
                ),
            ));
        }
        diags
    }

    async fn read(&self, ctx: &Context, config: Value) -> Result<Value, Diagnostics> {
        let clouds = clouds(ctx)?;
        let cloud = required_cloud(&config)?;
        clouds.check_cloud(cloud)?;
        let backend = clouds.backend::<ClusterSpec, ClusterState>(cloud).await?;
        let id = match str_attr(&config, "id") {
            Some(id) => id.to_string(),
            None => {
                self.find_by_name(&clouds, cloud, &backend, &config)
                    .await?
                    .id
            }
        };
        // Read by id even after a listing: some clouds list less than they read
        // (AKS lists no CA certificate).
        let state = backend
            .read(&id)
            .await
            .map_err(|e| cloud_diag("read the cluster", &e))?
            .ok_or_else(|| {
                Diagnostic::error(
                    "Cluster not found",
                    format!("No {cloud} cluster has the id {id:?}."),
                )
                .at(AttributePath::attr("id"))
            })?;
        Ok(state_value(&state, &config))
    }
}

impl ClusterDataSource {
    fn id_forms(&self) -> String {
        Cloud::ALL
            .iter()
            .filter_map(|c| {
                self.rules
                    .for_cloud(*c)
                    .map(|r| format!("{c}: `{}`", r.id_form(ObjectKind::Cluster)))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}
