//! The `kubernetes` part: Kubernetes API servers. Its own https port serves the API
//! for `endpoints { kubernetes }` overrides (EKS clusters in moto reach it), which
//! starts empty; every cluster the azure and gcp parts create gets an API server of
//! its own on another port ([`clusters`]).
//!
//! Ready line: `"kubernetes": {"endpoint": "https://127.0.0.1:P", "ca_file": "..."}`.
//! Layout: [`kinds`] (served types), [`store`] (objects, apart from HTTP), [`patch`],
//! [`defaults`], [`validate`], [`selectors`], [`status`] (errors), [`discovery`],
//! [`api`] (one API server over HTTP), [`gate`] (who may call),
//! [`controllers`], [`proxy`], [`settings`], [`clusters`] (per-cluster servers).

pub mod aks;
pub mod api;
pub mod clusters;
pub mod controllers;
pub mod defaults;
pub mod discovery;
pub mod eks;
pub mod gate;
pub mod gke;
pub mod kinds;
pub mod kubelet;
pub mod nodes;
pub mod patch;
pub mod proxy;
pub mod quantity;
pub mod rbac;
pub mod scheduler;
pub mod selectors;
pub mod settings;
pub mod smoke;
pub mod status;
pub mod store;
pub mod validate;
pub mod workloads;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use serde_json::{Value, json};

use crate::part::{NativeFault, Part, PartContext, PartError, PartFactory};
use api::ClusterApi;
use clusters::Clusters;
use settings::Settings;

pub struct KubernetesFactory;

#[async_trait]
impl PartFactory for KubernetesFactory {
    fn name(&self) -> &'static str {
        "kubernetes"
    }

    fn https(&self) -> bool {
        true
    }

    async fn build(&self, context: PartContext) -> Result<Arc<dyn Part>, PartError> {
        let api = Arc::new(ClusterApi::new(
            "override",
            context.clusters.settings.clone(),
            Arc::new(eks::EksGate::new(context.options.moto.clone())),
            context.clusters.smoke_binary.clone(),
        ));
        Ok(Arc::new(KubernetesPart {
            url: context.url,
            ca_file: context.ca.file().display().to_string(),
            api,
            clusters: context.clusters,
        }))
    }
}

pub struct KubernetesPart {
    url: String,
    ca_file: String,
    /// The API server of endpoint overrides.
    pub api: Arc<ClusterApi>,
    pub clusters: Arc<Clusters>,
}

#[async_trait]
impl Part for KubernetesPart {
    fn name(&self) -> &'static str {
        "kubernetes"
    }

    fn ready(&self) -> Value {
        json!({"endpoint": self.url, "ca_file": self.ca_file})
    }

    fn operation(&self, request: &Request<Bytes>) -> Option<String> {
        self.api.operation(request)
    }

    async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        self.api.handle(request).await
    }

    fn fault_response(&self, fault: NativeFault, request: &Request<Bytes>) -> Response<Bytes> {
        self.api.fault_response(fault, request)
    }

    /// `override`: the override API's objects and nodes; `clusters`: each cloud
    /// cluster's API by cluster id, with its endpoint.
    fn records(&self) -> Value {
        json!({"override": self.api.records(), "clusters": self.clusters.records()})
    }

    fn reset(&self) {
        self.api.reset();
        self.clusters.reset();
        *self.clusters.settings.write().expect("settings") = Settings::default();
    }

    fn settings(&self) -> Value {
        serde_json::to_value(&*self.clusters.settings.read().expect("settings"))
            .unwrap_or(Value::Null)
    }

    fn configure(&self, settings: Value) -> Result<Value, String> {
        let parsed: Settings =
            serde_json::from_value(settings).map_err(|error| error.to_string())?;
        *self.clusters.settings.write().expect("settings") = parsed;
        Ok(self.settings())
    }
}

#[cfg(test)]
mod cloud_tests;
#[cfg(test)]
mod rbac_tests;
#[cfg(test)]
mod rollout_tests;
#[cfg(test)]
mod tests;
