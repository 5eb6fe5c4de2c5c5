//! Action `mlcloud_smoke_test` (Terraform >= 1.14): runs the serving endpoint's smoke
//! test again against what is deployed now, reporting each step, and fails when the
//! model does not answer. `terraform apply -invoke=action.mlcloud_smoke_test.NAME`, or
//! an `action_trigger` in a resource's lifecycle (e.g. after the endpoint changes).

use super::common::{cloud_attribute, clouds, invalid_at, required_cloud, str_attr};
use super::serving_config::{DEFAULT_MODEL, DEFAULT_PORT, parse_endpoint_id};
use crate::clouds::{ObjectKind, RuleBook};
use crate::kube::objects::{self, ObjectKey};
use crate::kube::smoke_test::{self, SmokeTarget};
use std::time::Duration;
use tfplug::schema::{Attribute, Block, Schema, timeouts};
use tfplug::{Action, AttributePath, Context, Diagnostic, Diagnostics, InvokeRequest, Value};

pub struct SmokeTestAction {
    rules: RuleBook,
}

impl SmokeTestAction {
    pub fn new(rules: RuleBook) -> Self {
        SmokeTestAction { rules }
    }
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

fn at(name: &str) -> AttributePath {
    AttributePath::attr(name)
}

/// The model and port the Deployment serves, as mlcloud wrote them.
fn served(deployment: &serde_json::Value) -> (String, u16) {
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    let model = container["env"]
        .as_array()
        .and_then(|vars| vars.iter().find(|v| v["name"] == "MODEL_NAME"))
        .and_then(|v| v["value"].as_str())
        .unwrap_or(DEFAULT_MODEL)
        .to_string();
    let port = container["ports"][0]["containerPort"]
        .as_u64()
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(DEFAULT_PORT);
    (model, port)
}

impl SmokeTestAction {
    async fn run(&self, ctx: &Context, req: &InvokeRequest) -> Result<(), Diagnostic> {
        let config = &req.config;
        let clouds = clouds(ctx)?;
        let cloud = required_cloud(config)?;
        let id = str_attr(config, "endpoint_id").unwrap_or_default();
        let (cluster_id, namespace, name) = parse_endpoint_id(id).ok_or_else(|| {
            invalid_at(
                at("endpoint_id"),
                format!("{id:?} is not the id of an mlcloud_serving_endpoint (CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME)."),
            )
        })?;
        let patience = timeouts::parse_duration(str_attr(config, "timeout").unwrap_or("2m"))
            .unwrap_or(DEFAULT_TIMEOUT);
        req.progress(format!("connecting to the cluster {cluster_id}"));
        let (_, connection) = clouds.cluster_connection(cloud, cluster_id).await?;
        let client = crate::kube::client(&connection).map_err(|e| {
            Diagnostic::error("Cannot connect to the cluster", e.to_string()).at(at("endpoint_id"))
        })?;
        let key = ObjectKey {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: Some(namespace.into()),
            name: name.into(),
        };
        let deployment = objects::get(&client, &key)
            .await
            .map_err(|e| Diagnostic::error("Cannot read the endpoint", e.to_string()))?
            .ok_or_else(|| {
                invalid_at(
                    at("endpoint_id"),
                    format!("The endpoint's Deployment {namespace}/{name} does not exist; apply the mlcloud_serving_endpoint first."),
                )
            })?;
        let (model, port) = served(&deployment);
        req.progress(format!(
            "sending an inference request to model {model:?} of {namespace}/{name} through the API server"
        ));
        let target = SmokeTarget {
            namespace: namespace.into(),
            service: name.into(),
            port,
            model,
        };
        let result = smoke_test::run(&client, &target, patience)
            .await
            .map_err(|e| {
                Diagnostic::error(
                    "The smoke test failed",
                    format!("The model of {namespace}/{name} did not answer: {e}"),
                )
            })?;
        req.progress(format!(
            "passed in {} ms on {}: {}",
            result.latency_ms, result.device, result.answer
        ));
        Ok(())
    }
}

#[tfplug::async_trait]
impl Action for SmokeTestAction {
    fn type_name(&self) -> String {
        "mlcloud_smoke_test".into()
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .describe("Runs a serving endpoint's smoke test again (Terraform >= 1.14): one Open Inference Protocol v2 request, built from the model's metadata, through the cluster's API server to the endpoint's service. Reports each step and the result (latency, device, the model's answer); fails when the model does not answer. Invoke with `terraform apply -invoke=action.mlcloud_smoke_test.NAME`, or from a resource's `lifecycle { action_trigger { ... } }`.")
                .attr(cloud_attribute())
                .attr(Attribute::string("endpoint_id").required().describe("The `id` of the `mlcloud_serving_endpoint`."))
                .attr(Attribute::string("timeout").optional().describe("How long to wait for the service to have a ready endpoint. Default `2m`.")),
        )
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(text) = str_attr(config, "timeout")
            && timeouts::parse_duration(text).is_none()
        {
            diags.push(invalid_at(
                at("timeout"),
                format!("{text:?} is not a duration; write e.g. \"2m\" or \"90s\"."),
            ));
        }
        let Some(id) = str_attr(config, "endpoint_id") else {
            return diags;
        };
        let Some((cluster_id, _, _)) = parse_endpoint_id(id) else {
            diags.push(invalid_at(
                at("endpoint_id"),
                format!("{id:?} is not the id of an mlcloud_serving_endpoint (CLUSTER_ID/namespaces/NAMESPACE/endpoints/NAME)."),
            ));
            return diags;
        };
        if let Some(cloud) = super::common::cloud_of(config)
            && let Some(rules) = self.rules.for_cloud(cloud)
            && !rules.is_object_id(ObjectKind::Cluster, cluster_id)
        {
            diags.push(invalid_at(
                at("endpoint_id"),
                format!(
                    "{cluster_id:?} (the endpoint's cluster) is not the id of a {cloud} cluster; expected {}.",
                    rules.id_form(ObjectKind::Cluster)
                ),
            ));
        }
        diags
    }

    async fn invoke(&self, ctx: &Context, req: InvokeRequest) -> Diagnostics {
        match self.run(ctx, &req).await {
            Ok(()) => Diagnostics::new(),
            Err(d) => d.into(),
        }
    }
}
