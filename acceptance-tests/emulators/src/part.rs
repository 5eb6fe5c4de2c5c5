//! The seam between the shared server and each emulated cloud: a [`Part`] answers the
//! requests to its own port; the server around it logs them, applies scripted faults,
//! and terminates TLS.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use serde_json::Value;
use thiserror::Error;

use crate::options::Options;
use crate::tls::{TestCa, TlsError};

/// A fault the part renders in its own cloud's error format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NativeFault {
    /// Too many requests; retry after this long.
    Throttled { retry_after: Duration },
    /// A server-side failure with this status.
    ServerError { status: StatusCode },
}

/// One emulated API.
#[async_trait]
pub trait Part: Send + Sync + 'static {
    /// Its key in the ready line, the admin routes and fault rules: `aws`, `azure`,
    /// `gcp`, `kubernetes`.
    fn name(&self) -> &'static str;

    /// What the ready line says about it (endpoints, credentials, files).
    fn ready(&self) -> Value;

    /// The operation a request asks for, in the part's words (`CreateRole`,
    /// `managedClusters.put`), for fault rules and the request log.
    fn operation(&self, _request: &Request<Bytes>) -> Option<String> {
        None
    }

    /// Answers one request.
    async fn handle(&self, request: Request<Bytes>) -> Response<Bytes>;

    /// The part's own error response for a scripted fault.
    fn fault_response(&self, fault: NativeFault, _request: &Request<Bytes>) -> Response<Bytes> {
        generic_fault_response(fault)
    }

    /// Everything the part holds, for tests that check what exists (e.g. nothing
    /// after destroy).
    fn records(&self) -> Value {
        Value::Null
    }

    /// Forgets everything it holds.
    fn reset(&self) {}

    /// The part's test switches (behaviour a fault rule cannot express, e.g. Azure's
    /// principal replication delay); `null` for a part without any.
    fn settings(&self) -> Value {
        Value::Null
    }

    /// Replaces the part's test switches; answers them as now set, or why not.
    fn configure(&self, _settings: Value) -> Result<Value, String> {
        Err(format!("the {} part has no settings", self.name()))
    }
}

/// A plain-text fault response, for parts without an error format of their own.
pub fn generic_fault_response(fault: NativeFault) -> Response<Bytes> {
    let (status, retry_after) = match fault {
        NativeFault::Throttled { retry_after } => {
            (StatusCode::TOO_MANY_REQUESTS, Some(retry_after.as_secs()))
        }
        NativeFault::ServerError { status } => (status, None),
    };
    let mut response = Response::builder().status(status);
    if let Some(seconds) = retry_after {
        response = response.header("retry-after", seconds.to_string());
    }
    response
        .body(Bytes::from(format!("fault injected: {status}")))
        .expect("a static response")
}

/// What a part is built with.
pub struct PartContext {
    /// The base URL of the part's own port (`http://127.0.0.1:P` or `https://...`).
    pub url: String,
    pub options: Options,
    /// Where it may write files (credential files, keys).
    pub data_dir: PathBuf,
    /// The emulator's CA (https parts are already served with a certificate from it).
    pub ca: Arc<TestCa>,
    /// Where cloud clusters get their own Kubernetes API servers (the `kubernetes`
    /// part serves them; the azure and gcp parts start and stop them).
    pub clusters: Arc<crate::kubernetes::clusters::Clusters>,
}

#[derive(Debug, Error)]
pub enum PartError {
    #[error("{part}: {message}")]
    Setup { part: &'static str, message: String },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("{part}: writing {path}: {source}")]
    Write {
        part: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// How a part is started; [`crate::parts::all`] lists one per cloud.
#[async_trait]
pub trait PartFactory: Send + Sync {
    fn name(&self) -> &'static str;

    /// Served over https (the Azure SDK sends tokens only over https).
    fn https(&self) -> bool {
        false
    }

    /// Whether the options ask for it (the aws part needs `--moto`).
    fn enabled(&self, _options: &Options) -> bool {
        true
    }

    async fn build(&self, context: PartContext) -> Result<Arc<dyn Part>, PartError>;
}
