//! What can go wrong connecting to a cluster's API server.

/// A failure to build a connection or a client; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    #[error("the cluster has no API server endpoint yet (is it still being created?)")]
    NoEndpoint,
    #[error("the API server URL {url:?} is not a URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("the cluster's CA certificate is not base64-encoded PEM: {0}")]
    BadClusterCa(String),
    #[error("cannot read ca_certificate_file {path:?}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("ca_certificate_file {path:?} holds no PEM certificate")]
    CaFileEmpty { path: String },
    #[error("cannot load the system's root certificates: {0}")]
    SystemRoots(String),
    #[error("cannot build the Kubernetes client: {0}")]
    Client(#[from] ::kube::Error),
    /// The API server refused a request; `reason` is its `Status.reason` (`NotFound`,
    /// `Conflict`, `Invalid`, `Forbidden`...).
    #[error("the Kubernetes API answered {code} {reason}: {message}")]
    Api {
        code: u16,
        reason: String,
        message: String,
    },
    /// The request did not get an answer (connection refused, TLS, timeout).
    #[error("cannot reach the Kubernetes API: {0}")]
    Unreachable(String),
    #[error("{0} is not a Kubernetes object (it needs apiVersion, kind and metadata.name)")]
    NotAnObject(String),
}

impl KubeError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, KubeError::Api { code: 404, .. })
    }

    /// From a failed `kube` call: the API server's `Status` when there was one.
    pub(super) fn from_call(error: ::kube::Error) -> KubeError {
        match error {
            ::kube::Error::Api(status) => KubeError::Api {
                code: status.code,
                reason: status.reason.clone(),
                message: status.message.clone(),
            },
            other => KubeError::Unreachable(other.to_string()),
        }
    }
}
