//! The `azure` part: Azure Resource Manager (resource groups, AKS managed clusters and
//! agent pools, Key Vault vaults and keys, user-assigned identities and federated
//! credentials, role assignments), Key Vault's data plane for rotation policies, and
//! Entra ID's client-credentials token endpoint, all on one https port, routed by
//! path. See the crate README, "azure".
//!
//! Layout: [`model`] (the state, apart from HTTP), [`http`] (ARM routes, one file per
//! provider namespace), [`token`] (Entra), [`lro`] (long-running operation headers and
//! polling), [`errors`] (the error bodies), [`api_versions`].

pub mod api_versions;
pub mod errors;
pub mod http;
pub mod lro;
pub mod model;
pub mod time;
pub mod token;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ::http::{Request, Response, StatusCode};
use async_trait::async_trait;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::part::{NativeFault, Part, PartContext, PartError, PartFactory};
use errors::ArmError;
use model::State;
use model::switches::Switches;
use token::ClientCredentials;

pub struct AzureFactory;

#[async_trait]
impl PartFactory for AzureFactory {
    fn name(&self) -> &'static str {
        "azure"
    }

    /// The Azure SDKs send tokens only over https.
    fn https(&self) -> bool {
        true
    }

    async fn build(&self, context: PartContext) -> Result<Arc<dyn Part>, PartError> {
        Ok(Arc::new(
            Azure::new(
                context.url,
                context.options.operation_delay,
                context.ca.file().display().to_string(),
            )
            .serving_kubernetes(context.clusters),
        ))
    }
}

pub struct Azure {
    /// Shared with the gates of the clusters' Kubernetes API servers, which check
    /// the tokens this part issued and its role assignments.
    state: Arc<Mutex<State>>,
    /// Where managed clusters get their Kubernetes API servers.
    clusters: Option<Arc<crate::kubernetes::clusters::Clusters>>,
    credentials: ClientCredentials,
    ca_file: String,
}

impl Azure {
    pub fn new(url: String, operation_delay: Duration, ca_file: String) -> Self {
        let mut state = State::new(url, operation_delay, time::guid());
        state.ca_pem = std::fs::read_to_string(&ca_file).unwrap_or_default();
        Self {
            state: Arc::new(Mutex::new(state)),
            clusters: None,
            credentials: ClientCredentials {
                client_id: time::guid(),
                client_secret: format!("mlc~{}", time::guid().replace('-', "")),
            },
            ca_file,
        }
    }

    /// Gives every managed cluster its own Kubernetes API server.
    pub fn serving_kubernetes(
        mut self,
        clusters: Arc<crate::kubernetes::clusters::Clusters>,
    ) -> Self {
        self.clusters = Some(clusters);
        self
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A handler that panicked leaves consistent data behind (every change is
        // one insert or remove), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl Part for Azure {
    fn name(&self) -> &'static str {
        "azure"
    }

    fn ready(&self) -> Value {
        let state = self.state();
        json!({
            "resource_manager": state.url,
            "active_directory": state.url,
            "ca_file": self.ca_file,
            "tenant_id": state.tenant_id,
            "subscription_id": state.subscription_id,
            "client_id": self.credentials.client_id,
            "client_secret": self.credentials.client_secret,
            "object_id": state.client_object_id,
        })
    }

    fn operation(&self, request: &Request<Bytes>) -> Option<String> {
        Some(http::operation_name(request))
    }

    async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        let response = {
            let mut state = self.state();
            if token::is_entra_path(request.uri().path()) {
                token::handle(&mut state, &self.credentials, &request)
            } else {
                http::handle(&mut state, &request)
            }
        };
        // A federated credential write holds its identity until it answers.
        if let Some(clusters) = &self.clusters {
            crate::kubernetes::aks::follow(&self.state, clusters);
        }
        if let Some(hold) = response.extensions().get::<http::HoldFor>() {
            tokio::time::sleep(hold.0).await;
        }
        response
    }

    fn fault_response(&self, fault: NativeFault, _request: &Request<Bytes>) -> Response<Bytes> {
        match fault {
            NativeFault::Throttled { retry_after } => {
                let mut response = ArmError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    format!(
                        "The request is being throttled as the limit has been reached for operation type - Write_ObservationWindow_00:01:00. For more information, see - https://aka.ms/srpthrottlinglimits. Retry after {} seconds.",
                        retry_after.as_secs()
                    ),
                )
                .response();
                response
                    .headers_mut()
                    .insert("retry-after", retry_after.as_secs().into());
                response
            }
            NativeFault::ServerError { status } => {
                let (code, message) = match status.as_u16() {
                    503 => (
                        "ServiceUnavailable",
                        "The service is temporarily unavailable. Please try again later.",
                    ),
                    502 => (
                        "BadGateway",
                        "The gateway did not receive a response from 'Microsoft.ContainerService' within the specified time period.",
                    ),
                    504 => (
                        "GatewayTimeout",
                        "The gateway did not receive a response within the specified time period.",
                    ),
                    _ => (
                        "InternalServerError",
                        "An internal server error occurred. Please try again later.",
                    ),
                };
                ArmError::new(status, code, message).response()
            }
        }
    }

    fn records(&self) -> Value {
        let mut state = self.state();
        state.settle();
        state.records()
    }

    fn reset(&self) {
        self.state().reset();
    }

    fn settings(&self) -> Value {
        self.state().switches.to_json()
    }

    fn configure(&self, settings: Value) -> Result<Value, String> {
        let switches: Switches = serde_json::from_value(settings)
            .map_err(|error| format!("not azure switches: {error} (see the README, \"azure\")"))?;
        let mut state = self.state();
        state.switches = switches;
        Ok(state.switches.to_json())
    }
}

#[cfg(test)]
mod tests;
