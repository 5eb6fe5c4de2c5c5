//! The `gcp` part: Google Kubernetes Engine (container v1), Cloud KMS (cloudkms v1),
//! IAM (iam v1 service accounts), Resource Manager (v3 projects) and the OAuth token
//! endpoint, on one plain-http port, routed by path as Google's clients send the same
//! Host to every service.
//!
//! Ready line: `"gcp": {"endpoint", "project", "project_number", "credentials_file"}`;
//! the credentials file is a service-account key this part generated, whose
//! `token_uri` is its own `/token` ([`auth`]). Layout: [`auth`], [`errors`]
//! (`google.rpc.Status` bodies), [`enums`] (`enum-encoding=int`), [`request`],
//! [`clock`], [`model`] (state and rules per service), [`routes`] (HTTP per service).

pub mod auth;
pub mod clock;
pub mod enums;
pub mod errors;
pub mod model;
pub mod request;
pub mod routes;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use serde_json::{Value, json};

use crate::kubernetes::clusters::Clusters;
use crate::part::{NativeFault, Part, PartContext, PartError, PartFactory};
use auth::Auth;
use errors::ApiError;
use model::{Model, Project};
use request::GcpRequest;

/// The project the emulator plays.
pub const PROJECT_ID: &str = "mlcloud-emulator";
pub const PROJECT_NUMBER: &str = "123456789012";
/// The account id of the key file's service account.
const CALLER_ACCOUNT: &str = "mlcloud-caller";
const CALLER_CLIENT_ID: &str = "100000000000000000001";

pub struct GcpFactory;

#[async_trait]
impl PartFactory for GcpFactory {
    fn name(&self) -> &'static str {
        "gcp"
    }

    async fn build(&self, context: PartContext) -> Result<Arc<dyn Part>, PartError> {
        Ok(Arc::new(GcpPart::new(context)?))
    }
}

pub struct GcpPart {
    url: String,
    credentials_file: PathBuf,
    pub(crate) auth: Arc<Auth>,
    pub(crate) model: Arc<Mutex<Model>>,
    pub(crate) operation_delay: Duration,
    /// The certificate clusters present as `masterAuth.clusterCaCertificate`.
    pub(crate) ca_pem: String,
    /// Where each cluster gets its own Kubernetes API server.
    pub(crate) clusters: Arc<Clusters>,
}

impl GcpPart {
    pub fn new(context: PartContext) -> Result<Self, PartError> {
        let caller = format!("{CALLER_ACCOUNT}@{PROJECT_ID}.iam.gserviceaccount.com");
        let auth = Auth::generate(caller.clone(), format!("{}/token", context.url))?;
        let credentials_file =
            auth.write_key_file(&context.data_dir, PROJECT_ID, CALLER_CLIENT_ID)?;
        let ca_pem = std::fs::read_to_string(context.ca.file()).unwrap_or_default();
        let project = Project {
            id: PROJECT_ID.into(),
            number: PROJECT_NUMBER.into(),
            create_time: clock::now_rfc3339(),
        };
        Ok(Self {
            url: context.url,
            credentials_file,
            auth: Arc::new(auth),
            model: Arc::new(Mutex::new(Model::new(project, caller))),
            operation_delay: context.options.operation_delay,
            ca_pem,
            clusters: context.clusters,
        })
    }
}

impl GcpPart {
    /// Serves a Kubernetes API server for cluster `name`; its `127.0.0.1:PORT`.
    pub(crate) fn serve_kubernetes(&self, name: &str) -> Option<String> {
        crate::kubernetes::gke::serve(self, name)
    }
}

#[async_trait]
impl Part for GcpPart {
    fn name(&self) -> &'static str {
        "gcp"
    }

    fn ready(&self) -> Value {
        json!({
            "endpoint": self.url,
            "project": PROJECT_ID,
            "project_number": PROJECT_NUMBER,
            "credentials_file": self.credentials_file.display().to_string(),
        })
    }

    fn operation(&self, request: &Request<Bytes>) -> Option<String> {
        routes::operation_name(request.method(), request.uri().path())
    }

    async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        let response = routes::handle(self, &GcpRequest::from_http(&request));
        // Clusters gone stop their API servers; the rest get Nodes for their pools.
        crate::kubernetes::gke::follow(self);
        response
    }

    fn fault_response(&self, fault: NativeFault, _request: &Request<Bytes>) -> Response<Bytes> {
        match fault {
            NativeFault::Throttled { retry_after } => {
                let mut response = ApiError::resource_exhausted(
                    "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service.",
                )
                .response();
                response.headers_mut().insert(
                    "retry-after",
                    retry_after.as_secs().to_string().parse().expect("digits"),
                );
                response
            }
            NativeFault::ServerError { status } => ApiError::server_error(status).response(),
        }
    }

    fn records(&self) -> Value {
        let mut model = self.model.lock().expect("gcp model");
        model.container.settle();
        model.records()
    }

    fn reset(&self) {
        self.model.lock().expect("gcp model").reset();
        self.auth.reset();
    }
}

#[cfg(test)]
mod tests;
