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

/// Whether `path` names a readable file holding at least one PEM certificate; the
/// error says which and why, for a diagnostic's detail.
pub fn check_ca_certificate_file(path: &str) -> Result<(), String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let pem = std::fs::read(path).map_err(|e| {
        format!("Cannot read {path:?}: {e}. Give the path of a PEM file of CA certificates (\"-----BEGIN CERTIFICATE-----\").")
    })?;
    if CertificateDer::pem_slice_iter(&pem).any(|c| c.is_ok()) {
        return Ok(());
    }
    Err(format!(
        "{path:?} holds no PEM certificate: a CA file is one or more \"-----BEGIN CERTIFICATE-----\" blocks."
    ))
}

impl ProviderConfig {
    /// The `endpoints { kubernetes }` override of `cloud`'s block: every cluster's API
    /// server URL.
    pub fn kubernetes_endpoint(&self, cloud: Cloud) -> Option<&str> {
        let endpoints = match cloud {
            Cloud::Aws => self.aws.as_ref().and_then(|a| a.endpoints.as_ref()),
            Cloud::Azure => self.azure.as_ref().and_then(|a| a.endpoints.as_ref()),
            Cloud::Gcp => self.gcp.as_ref().and_then(|g| g.endpoints.as_ref()),
        };
        common::endpoint(endpoints, "kubernetes")
    }

    /// The `ca_certificate_file` of `cloud`'s block.
    pub fn ca_certificate_file(&self, cloud: Cloud) -> Option<&str> {
        match cloud {
            Cloud::Aws => self
                .aws
                .as_ref()
                .and_then(|a| a.ca_certificate_file.as_deref()),
            Cloud::Azure => self
                .azure
                .as_ref()
                .and_then(|a| a.ca_certificate_file.as_deref()),
            Cloud::Gcp => self
                .gcp
                .as_ref()
                .and_then(|g| g.ca_certificate_file.as_deref()),
        }
    }
}

/// Checks across fields that the schema's validators cannot express.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for cloud in ["aws", "azure", "gcp"] {
        let file = config
            .attr(cloud)
            .and_then(|b| b.attr("ca_certificate_file"))
            .and_then(Value::as_str);
        if let Some(path) = file
            && let Err(detail) = check_ca_certificate_file(path)
        {
            diags.push(
                Diagnostic::error("Invalid ca_certificate_file", detail)
                    .at(AttributePath::attr(cloud).push_attr("ca_certificate_file")),
            );
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn block(cloud: &str, attrs: Vec<(&str, Value)>) -> Value {
        Value::object([(cloud, Value::object(attrs))])
    }

    fn errors_at(diags: &Diagnostics) -> Vec<(String, String)> {
        diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                (
                    d.attribute
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    d.detail.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn a_ca_certificate_file_must_exist_and_hold_pem_on_every_cloud() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem").display().to_string();
        let not_pem = dir.path().join("not.pem");
        std::fs::write(&not_pem, "hello").unwrap();
        let good = dir.path().join("ca.pem");
        let key = rcgen::KeyPair::generate().unwrap();
        let pem = rcgen::CertificateParams::new(vec!["ca.test".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .pem();
        std::fs::write(&good, pem).unwrap();
        for cloud in ["aws", "azure", "gcp"] {
            let check = |path: &str| {
                errors_at(&validate(&block(
                    cloud,
                    vec![("ca_certificate_file", Value::from(path))],
                )))
            };
            let errors = check(&missing);
            assert_eq!(errors.len(), 1, "{cloud}: {errors:?}");
            assert!(
                errors[0].0.contains(cloud) && errors[0].0.contains("ca_certificate_file"),
                "{errors:?}"
            );
            assert!(errors[0].1.contains("Cannot read"), "{errors:?}");
            let errors = check(&not_pem.display().to_string());
            assert!(
                errors[0].1.contains("holds no PEM certificate"),
                "{errors:?}"
            );
            assert!(check(&good.display().to_string()).is_empty(), "{cloud}");
            // Unknown at validate time: nothing to check yet.
            let unknown = block(cloud, vec![("ca_certificate_file", Value::Unknown)]);
            assert!(errors_at(&validate(&unknown)).is_empty());
        }
    }

    #[test]
    fn each_cloud_block_overrides_its_clusters_api_server_and_names_its_ca_file() {
        let endpoints = |url: &str| {
            Some(common::Endpoints::from([(
                "kubernetes".to_string(),
                Some(url.to_string()),
            )]))
        };
        let config = ProviderConfig {
            aws: Some(aws::AwsConfig {
                endpoints: endpoints("https://aws.k8s.test"),
                ca_certificate_file: Some("/aws.pem".into()),
                ..Default::default()
            }),
            azure: Some(azure::AzureConfig {
                endpoints: endpoints("https://aks.k8s.test"),
                ..Default::default()
            }),
            gcp: Some(gcp::GcpConfig {
                ca_certificate_file: Some("/gcp.pem".into()),
                ..Default::default()
            }),
            default_tags: None,
        };
        assert_eq!(
            config.kubernetes_endpoint(Cloud::Aws),
            Some("https://aws.k8s.test")
        );
        assert_eq!(
            config.kubernetes_endpoint(Cloud::Azure),
            Some("https://aks.k8s.test")
        );
        assert_eq!(config.kubernetes_endpoint(Cloud::Gcp), None);
        assert_eq!(config.ca_certificate_file(Cloud::Aws), Some("/aws.pem"));
        assert_eq!(config.ca_certificate_file(Cloud::Azure), None);
        assert_eq!(config.ca_certificate_file(Cloud::Gcp), Some("/gcp.pem"));
        assert!(aws::SERVICES.contains(&"kubernetes"));
        assert!(azure::SERVICES.contains(&"kubernetes"));
        assert!(gcp::SERVICES.contains(&"kubernetes"));
    }
}
