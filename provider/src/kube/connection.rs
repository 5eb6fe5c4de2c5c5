//! Everything needed to talk to one cluster's API server.

use std::time::SystemTime;

/// Whose certificates the API server's must chain to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTrust {
    /// The cluster's own CA ([`ClusterConnection::ca_pem`]), as a kubeconfig does.
    ClusterCa,
    /// The system's roots plus, if set, the PEM file of the cloud block's
    /// `ca_certificate_file`: the server is an `endpoints { kubernetes }` override (a
    /// proxy, a private endpoint, an emulator), which does not present the cluster's
    /// certificate.
    SystemRoots { extra_ca_file: Option<String> },
}

/// The API server of one cluster and a short-lived credential for it.
#[derive(Clone)]
pub struct ClusterConnection {
    /// `https://...` of the API server (the override when one is set).
    pub server_url: String,
    /// The cluster's CA certificate, base64-encoded PEM as clouds report it.
    pub ca_pem: String,
    /// A bearer token the API server accepts; never logged.
    pub token: String,
    /// When the token stops working (with a margin already taken off).
    pub expires_at: SystemTime,
    pub trust: ServerTrust,
}

/// The token is shown as set or not, never printed.
impl std::fmt::Debug for ClusterConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterConnection")
            .field("server_url", &self.server_url)
            .field("ca_pem", &format_args!("<{} bytes>", self.ca_pem.len()))
            .field("token", &format_args!("<redacted>"))
            .field("expires_at", &self.expires_at)
            .field("trust", &self.trust)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_token() {
        let c = ClusterConnection {
            server_url: "https://k8s.example".into(),
            ca_pem: String::new(),
            token: "planted-token".into(),
            expires_at: SystemTime::UNIX_EPOCH,
            trust: ServerTrust::ClusterCa,
        };
        let text = format!("{c:?} {c:#?}");
        assert!(!text.contains("planted"), "{text}");
        assert!(text.contains("https://k8s.example"), "{text}");
    }
}
