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
}
