//! The `provider "mlcloud" { ... }` block: schema, cross-field checks, and the typed
//! configuration resources read after `configure`.

pub mod aws;
pub mod azure;
pub mod common;
pub mod gcp;

use crate::Cloud;
use serde::Deserialize;
use std::collections::BTreeMap;
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::value::decode;
use tfplug::{AttributePath, Diagnostic, Diagnostics, Type, Value};

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("Each cloud block is optional; a resource for a cloud whose block is missing fails at plan time.")
            .attr(
                Attribute::map("default_tags", Type::String)
                    .optional()
                    .describe("Tags (labels on Google Cloud) added to every resource; a resource's own `tags` win on conflicts."),
            )
            .block(aws::block())
            .block(azure::block())
            .block(gcp::block()),
    )
}

/// The provider configuration after `configure`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProviderConfig {
    pub aws: Option<aws::AwsConfig>,
    pub azure: Option<azure::AzureConfig>,
    pub gcp: Option<gcp::GcpConfig>,
    pub default_tags: Option<BTreeMap<String, String>>,
}

impl ProviderConfig {
    pub fn from_value(v: &Value) -> Result<Self, Diagnostic> {
        decode(v).map_err(|e| Diagnostic::error("Invalid provider configuration", e.to_string()))
    }

    /// Whether the provider block configures `cloud`.
    pub fn has_cloud(&self, cloud: Cloud) -> bool {
        match cloud {
            Cloud::Aws => self.aws.is_some(),
            Cloud::Azure => self.azure.is_some(),
            Cloud::Gcp => self.gcp.is_some(),
        }
    }

    /// An error for a resource of `cloud` when its block is missing, pointing at the
    /// resource's `cloud` attribute and saying what to add.
    pub fn require_cloud(&self, cloud: Cloud) -> Result<(), Diagnostic> {
        if self.has_cloud(cloud) {
            return Ok(());
        }
        let example = match cloud {
            Cloud::Aws => "aws { region = \"us-east-1\" }",
            Cloud::Azure => "azure { subscription_id = \"...\" }",
            Cloud::Gcp => "gcp { project = \"my-project\" region = \"us-central1\" }",
        };
        Err(Diagnostic::error(
            format!("Provider has no {cloud} configuration"),
            format!("This resource has cloud = \"{cloud}\", but the provider \"mlcloud\" block has no {cloud} block. Add one, e.g. `{example}`."),
        )
        .at(AttributePath::attr("cloud")))
    }

    /// The region the block of `cloud` names, if any (the environment's comes from
    /// the cloud's rules, see `Clouds::default_location`).
    pub fn default_location(&self, cloud: Cloud) -> Option<String> {
        match cloud {
            Cloud::Aws => self.aws.as_ref().and_then(|a| a.region.clone()),
            Cloud::Azure => None,
            Cloud::Gcp => self.gcp.as_ref().and_then(|g| g.region.clone()),
        }
    }
}

/// Checks across fields that the schema's validators cannot express.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if let Some(aws) = config.attr("aws").filter(|v| !v.is_null()) {
        let set = |n: &str| aws.attr(n).is_some_and(|v| !v.is_null());
        if set("access_key") != set("secret_key") {
            let missing = if set("access_key") {
                "secret_key"
            } else {
                "access_key"
            };
            diags.push(
                Diagnostic::error(
                    "Incomplete static credentials",
                    "access_key and secret_key go together: set both, or neither to use the credential chain.",
                )
                .at(AttributePath::attr("aws").push_attr(missing)),
            );
        }
    }
    if let Some(azure) = config
        .attr("azure")
        .filter(|v| !v.is_null() && v.is_wholly_known())
        && let Ok(az) = decode::<azure::AzureConfig>(azure)
    {
        let methods = az.auth_methods();
        if methods.len() > 1 {
            diags.push(
                Diagnostic::error(
                    "Conflicting Azure authentication",
                    format!(
                        "Choose one way to authenticate; this block sets {}.",
                        methods.join(", ")
                    ),
                )
                .at(AttributePath::attr("azure").push_attr(methods[1])),
            );
        }
        let needs_sp = az.client_secret.is_some() || az.client_certificate_path.is_some();
        for (field, value) in [("client_id", &az.client_id), ("tenant_id", &az.tenant_id)] {
            let present = value.is_some();
            let from_env = std::env::var(format!("ARM_{}", field.to_uppercase())).is_ok();
            if needs_sp && !present && !from_env {
                diags.push(
                    Diagnostic::error(
                        "Missing service principal setting",
                        format!("A client secret or certificate needs {field} (or ARM_{} in the environment).", field.to_uppercase()),
                    )
                    .at(AttributePath::attr("azure").push_attr(field)),
                );
            }
        }
    }
    diags
}
