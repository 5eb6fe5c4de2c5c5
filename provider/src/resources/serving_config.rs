//! `mlcloud_serving_endpoint`'s configuration as typed values, its plan-time checks,
//! and the cloud-neutral part of the endpoint's spec. The cloud parts (binding,
//! placement, control-plane peers) are resolved at apply by `serving_endpoint`.

use super::common::invalid_at;
use crate::serving::spec::{EndpointSpec, PodResources, Replicas};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tfplug::{AttributePath, Diagnostic, Diagnostics, Value};

pub const DEFAULT_NAMESPACE: &str = "ml-serving";
/// The bundled smoke image's model (`smoke-image/src/config.rs`).
pub const DEFAULT_MODEL: &str = "iris";
pub const DEFAULT_PORT: u16 = 8080;
pub const DEFAULT_CPU: &str = "500m";
pub const DEFAULT_MEMORY: &str = "512Mi";
pub const DEFAULT_TARGET_CPU: u32 = 70;
/// How long the smoke test waits for the service to have a ready endpoint.
pub const DEFAULT_SMOKE_TIMEOUT: Duration = Duration::from_secs(300);
/// Deployment annotations recording inputs only the configuration knows.
pub const ANNOTATION_NODE_POOL: &str = "mlcloud.dev/node-pool-id";
pub const ANNOTATION_IDENTITY: &str = "mlcloud.dev/identity-id";
pub const ANNOTATION_ALLOWED: &str = "mlcloud.dev/allowed-namespaces";
/// How long a model may take to load before the startup probe gives up.
const STARTUP_SECONDS: u32 = 600;

/// An RFC 1123 label that is also a DNS-1035 label (a Service name): what every
/// object of the endpoint is named.
pub const NAME_PATTERN: &str = "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$";
pub const NAME_RULE: &str = "1-63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (it names a Service)";
/// An RFC 1123 label: a namespace's name.
pub const NAMESPACE_PATTERN: &str = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
pub const NAMESPACE_RULE: &str =
    "1-63 lowercase letters, digits and '-', starting and ending with a letter or digit";
/// A Kubernetes quantity (`500m`, `2`, `1.5`, `4Gi`, `512M`).
const QUANTITY_PATTERN: &str = r"^([0-9]+(\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ModelConfig {
    pub name: Option<String>,
    pub uri: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AutoscalingConfig {
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub target_cpu_percent: Option<u32>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ResourcesConfig {
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub gpu: Option<u32>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SmokeTestConfig {
    pub enabled: Option<bool>,
    pub timeout: Option<String>,
}

/// A planned value (or a prior state) of the resource, typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EndpointConfig {
    pub cluster_id: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub image: Option<String>,
    pub model: Option<ModelConfig>,
    pub replicas: Option<u32>,
    pub autoscaling: Option<AutoscalingConfig>,
    pub resources: Option<ResourcesConfig>,
    pub node_pool_id: Option<String>,
    pub identity_id: Option<String>,
    pub port: Option<u16>,
    pub allowed_namespaces: Option<BTreeSet<String>>,
    pub smoke_test: Option<SmokeTestConfig>,
}

impl EndpointConfig {
    pub fn decode(v: &Value) -> Result<EndpointConfig, Diagnostic> {
        tfplug::value::decode(v).map_err(|e| {
            Diagnostic::error(
                "Cannot read the serving endpoint's configuration",
                e.to_string(),
            )
        })
    }

    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE)
    }

    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(DEFAULT_PORT)
    }

    pub fn model_name(&self) -> String {
        self.model
            .as_ref()
            .and_then(|m| m.name.clone())
            .unwrap_or_else(|| DEFAULT_MODEL.to_string())
    }

    pub fn gpus(&self) -> u32 {
        self.resources.as_ref().and_then(|r| r.gpu).unwrap_or(0)
    }

    pub fn smoke_test_enabled(&self) -> bool {
        self.smoke_test
            .as_ref()
            .and_then(|s| s.enabled)
            .unwrap_or(true)
    }

    pub fn smoke_test_timeout(&self) -> Duration {
        self.smoke_test
            .as_ref()
            .and_then(|s| s.timeout.as_deref())
            .and_then(tfplug::schema::timeouts::parse_duration)
            .unwrap_or(DEFAULT_SMOKE_TIMEOUT)
    }

    /// What the Deployment records of the configuration for an import: the cloud ids
    /// of the pool and identity, and the allowed namespaces (comma-separated).
    pub fn recorded_inputs(&self) -> BTreeMap<String, String> {
        let mut recorded = BTreeMap::new();
        if let Some(id) = &self.node_pool_id {
            recorded.insert(ANNOTATION_NODE_POOL.to_string(), id.clone());
        }
        if let Some(id) = &self.identity_id {
            recorded.insert(ANNOTATION_IDENTITY.to_string(), id.clone());
        }
        if let Some(namespaces) = self.allowed_namespaces.as_ref().filter(|n| !n.is_empty()) {
            let list: Vec<&str> = namespaces.iter().map(String::as_str).collect();
            recorded.insert(ANNOTATION_ALLOWED.to_string(), list.join(","));
        }
        recorded
    }

    /// The spec without its cloud parts (placement, binding, control-plane peers)
    /// and without accelerators (their resource name depends on the pool).
    pub fn neutral_spec(&self) -> EndpointSpec {
        let resources = self.resources.clone().unwrap_or_default();
        let replicas = match &self.autoscaling {
            Some(a) => Replicas::Autoscaling {
                min: a.min.unwrap_or(1),
                max: a.max.unwrap_or(1),
                target_cpu_percent: a.target_cpu_percent.unwrap_or(DEFAULT_TARGET_CPU),
            },
            None => Replicas::Fixed(self.replicas.unwrap_or(1)),
        };
        EndpointSpec {
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
            image: self
                .image
                .clone()
                .unwrap_or_else(crate::serving::bundled_smoke_image),
            model_name: self.model_name(),
            model_uri: self.model.as_ref().and_then(|m| m.uri.clone()),
            port: self.port(),
            replicas,
            resources: PodResources {
                cpu: resources.cpu.unwrap_or_else(|| DEFAULT_CPU.into()),
                memory: resources.memory.unwrap_or_else(|| DEFAULT_MEMORY.into()),
                accelerators: None,
            },
            placement: Default::default(),
            binding: Default::default(),
            allowed_namespaces: self
                .allowed_namespaces
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            control_plane: Vec::new(),
            startup_seconds: STARTUP_SECONDS,
            deployment_annotations: self.recorded_inputs(),
        }
    }
}

/// The endpoint's id: its cluster's id and where it lives in the cluster. The last
/// four segments are always `namespaces/NS/endpoints/NAME`, whatever the cluster id
/// holds (ARNs and resource names have slashes).
pub fn endpoint_id(cluster_id: &str, namespace: &str, name: &str) -> String {
    format!("{cluster_id}/namespaces/{namespace}/endpoints/{name}")
}

/// `(cluster_id, namespace, name)` of an [`endpoint_id`].
pub fn parse_endpoint_id(id: &str) -> Option<(&str, &str, &str)> {
    let mut parts = id.rsplitn(5, '/');
    let name = parts.next()?;
    (parts.next()? == "endpoints").then_some(())?;
    let namespace = parts.next()?;
    (parts.next()? == "namespaces").then_some(())?;
    let cluster = parts.next()?;
    let ok = |s: &str| !s.is_empty();
    (ok(name) && ok(namespace) && ok(cluster)).then_some((cluster, namespace, name))
}

fn known_str<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut at = v;
    for step in path {
        at = at.attr(step)?;
    }
    at.as_str()
}

fn known_u32(v: &Value, path: &[&str]) -> Option<i64> {
    let mut at = v;
    for step in path {
        at = at.attr(step)?;
    }
    at.as_i64()
}

fn path(steps: &[&str]) -> AttributePath {
    let mut p = AttributePath::attr(steps[0]);
    for step in &steps[1..] {
        p = p.push_attr(*step);
    }
    p
}

/// The checks the schema's validators cannot make (combinations, quantities,
/// durations); `config` may hold unknown values, which are skipped.
pub fn check(config: &Value, diags: &mut Diagnostics) {
    let autoscaling = config.attr("autoscaling").filter(|v| !v.is_null());
    if autoscaling.is_some() && config.attr("replicas").is_some_and(|v| !v.is_null()) {
        diags.push(invalid_at(
            AttributePath::attr("replicas"),
            "Set either replicas or autoscaling { min, max }, not both: with autoscaling the HPA owns the replica count.",
        ));
    }
    if let (Some(min), Some(max)) = (
        known_u32(config, &["autoscaling", "min"]),
        known_u32(config, &["autoscaling", "max"]),
    ) && min > max
    {
        diags.push(invalid_at(
            path(&["autoscaling", "max"]),
            format!("max ({max}) is less than min ({min}); max must be at least min."),
        ));
    }
    let quantity = regex_lite::Regex::new(QUANTITY_PATTERN).expect("quantity pattern");
    for (field, example) in [
        ("cpu", "\"500m\" or \"2\""),
        ("memory", "\"512Mi\" or \"4Gi\""),
    ] {
        if let Some(text) = known_str(config, &["resources", field])
            && !quantity.is_match(text)
        {
            diags.push(invalid_at(
                path(&["resources", field]),
                format!("{text:?} is not a Kubernetes quantity; write e.g. {example}."),
            ));
        }
    }
    if let Some(text) = known_str(config, &["smoke_test", "timeout"])
        && tfplug::schema::timeouts::parse_duration(text).is_none()
    {
        diags.push(invalid_at(
            path(&["smoke_test", "timeout"]),
            format!("{text:?} is not a duration; write e.g. \"5m\" or \"90s\"."),
        ));
    }
    if let Some(image) = known_str(config, &["image"])
        && (image.trim().is_empty() || image.contains(char::is_whitespace))
    {
        diags.push(invalid_at(
            AttributePath::attr("image"),
            format!("{image:?} is not an image reference; write e.g. \"registry.example.com/team/model:1.2\"."),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_whatever_the_cluster_id_holds() {
        for cluster in [
            "arn:aws:eks:us-east-1:123456789012:cluster/ml",
            "projects/p/locations/us-central1/clusters/ml",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/ml",
        ] {
            let id = endpoint_id(cluster, "ml-serving", "iris");
            assert_eq!(
                parse_endpoint_id(&id),
                Some((cluster, "ml-serving", "iris"))
            );
        }
        assert_eq!(parse_endpoint_id("ml-serving/iris"), None);
        assert_eq!(parse_endpoint_id("c/namespaces/ns/deployments/x"), None);
        assert_eq!(parse_endpoint_id("/namespaces/ns/endpoints/x"), None);
    }

    #[test]
    fn quantities_and_durations_are_checked_where_they_are_written() {
        let config = Value::object([
            ("replicas", Value::from(2i64)),
            (
                "autoscaling",
                Value::object([("min", Value::from(3i64)), ("max", Value::from(2i64))]),
            ),
            (
                "resources",
                Value::object([("cpu", Value::from("lots")), ("memory", Value::from("4Gi"))]),
            ),
            (
                "smoke_test",
                Value::object([("timeout", Value::from("soon"))]),
            ),
        ]);
        let mut diags = Diagnostics::new();
        check(&config, &mut diags);
        let text = format!("{diags:?}");
        assert!(text.contains("not both"), "{text}");
        assert!(text.contains("max (2) is less than min (3)"), "{text}");
        assert!(
            text.contains("\\\"lots\\\" is not a Kubernetes quantity"),
            "{text}"
        );
        assert!(!text.contains("4Gi"), "{text}");
        assert!(text.contains("not a duration"), "{text}");
    }

    #[test]
    fn the_neutral_spec_takes_the_defaults() {
        let spec = EndpointConfig {
            name: Some("iris".into()),
            ..EndpointConfig::default()
        }
        .neutral_spec();
        assert_eq!(spec.namespace, DEFAULT_NAMESPACE);
        assert_eq!(spec.model_name, DEFAULT_MODEL);
        assert_eq!(spec.replicas, Replicas::Fixed(1));
        assert_eq!(spec.image, crate::serving::bundled_smoke_image());
        assert_eq!(spec.port, DEFAULT_PORT);
    }
}
