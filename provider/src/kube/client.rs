//! A `::kube::Client` from a [`ClusterConnection`]: the token as a bearer credential and
//! the roots the connection's [`ServerTrust`] names. Rustls runs on aws-lc-rs (the
//! `kube` crate is built without `ring`, see provider/Cargo.toml).

use super::{ClusterConnection, KubeError, ServerTrust};
use ::kube::config::{AuthInfo, Config};
use base64::Engine;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::time::Duration;

/// How long connecting to an API server may take; a black-holed private endpoint
/// fails instead of hanging the apply.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for the connection's API server. Needs a tokio runtime (the client spawns
/// its request buffer).
pub fn client(connection: &ClusterConnection) -> Result<::kube::Client, KubeError> {
    if connection.server_url.is_empty() {
        return Err(KubeError::NoEndpoint);
    }
    let url: http::Uri = connection
        .server_url
        .parse()
        .map_err(|e: http::uri::InvalidUri| KubeError::BadUrl {
            url: connection.server_url.clone(),
            reason: e.to_string(),
        })?;
    let mut config = Config::new(url);
    if connection.server_url.starts_with("https://") {
        config.root_cert = Some(roots(connection)?);
    }
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    config.auth_info = AuthInfo {
        token: Some(connection.token.clone().into()),
        ..AuthInfo::default()
    };
    Ok(::kube::Client::try_from(config)?)
}

/// The certificates (DER) the API server's must chain to.
pub(super) fn roots(connection: &ClusterConnection) -> Result<Vec<Vec<u8>>, KubeError> {
    match &connection.trust {
        ServerTrust::ClusterCa => {
            let pem = cluster_ca_pem(&connection.ca_pem)?;
            let ders = pem_certificates(&pem);
            if ders.is_empty() {
                return Err(KubeError::BadClusterCa("it holds no certificate".into()));
            }
            Ok(ders)
        }
        ServerTrust::SystemRoots { extra_ca_file } => {
            let native = rustls_native_certs::load_native_certs();
            let mut ders: Vec<Vec<u8>> = native.certs.iter().map(|c| c.to_vec()).collect();
            if let Some(path) = extra_ca_file {
                ders.extend(ca_file_certificates(path)?);
            }
            if ders.is_empty() {
                let why = native
                    .errors
                    .first()
                    .map_or("none found".to_string(), ToString::to_string);
                return Err(KubeError::SystemRoots(why));
            }
            Ok(ders)
        }
    }
}

/// The cluster's CA as PEM text, from the base64 the clouds report.
pub(super) fn cluster_ca_pem(base64_pem: &str) -> Result<Vec<u8>, KubeError> {
    base64::engine::general_purpose::STANDARD
        .decode(base64_pem.trim())
        .map_err(|e| KubeError::BadClusterCa(e.to_string()))
}

/// The certificates of a PEM file, as DER; an unreadable or empty file is an error.
pub(super) fn ca_file_certificates(path: &str) -> Result<Vec<Vec<u8>>, KubeError> {
    let pem = std::fs::read(path).map_err(|e| KubeError::CaFile {
        path: path.to_string(),
        reason: e.to_string(),
    })?;
    let ders = pem_certificates(&pem);
    if ders.is_empty() {
        return Err(KubeError::CaFileEmpty {
            path: path.to_string(),
        });
    }
    Ok(ders)
}

fn pem_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    CertificateDer::pem_slice_iter(pem)
        .filter_map(Result::ok)
        .map(|c| c.to_vec())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn test_ca_pem() -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["ca.test".to_string()]).unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    fn connection(trust: ServerTrust, ca_pem: &str) -> ClusterConnection {
        ClusterConnection {
            server_url: "https://127.0.0.1:1".into(),
            ca_pem: ca_pem.into(),
            token: "t".into(),
            expires_at: SystemTime::now(),
            trust,
        }
    }

    #[test]
    fn the_cluster_ca_is_the_only_root_without_an_override() {
        let pem = test_ca_pem();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&pem);
        let roots = roots(&connection(ServerTrust::ClusterCa, &b64)).unwrap();
        assert_eq!(roots.len(), 1);
        let err = roots_err(ServerTrust::ClusterCa, "bm90IGEgY2VydA==");
        assert!(err.contains("holds no certificate"), "{err}");
        let err = roots_err(ServerTrust::ClusterCa, "%%%");
        assert!(err.contains("not base64"), "{err}");
    }

    fn roots_err(trust: ServerTrust, ca: &str) -> String {
        roots(&connection(trust, ca)).unwrap_err().to_string()
    }

    #[test]
    fn behind_an_override_the_extra_ca_file_is_trusted_and_the_clusters_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        let pem = test_ca_pem();
        std::fs::write(&path, &pem).unwrap();
        let cluster_pem = test_ca_pem();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&cluster_pem);
        let trust = ServerTrust::SystemRoots {
            extra_ca_file: Some(path.display().to_string()),
        };
        let roots = roots(&connection(trust, &b64)).unwrap();
        let extra = pem_certificates(pem.as_bytes()).remove(0);
        let cluster = pem_certificates(cluster_pem.as_bytes()).remove(0);
        assert!(roots.contains(&extra));
        assert!(!roots.contains(&cluster));

        std::fs::write(&path, "no pem here").unwrap();
        let trust = ServerTrust::SystemRoots {
            extra_ca_file: Some(path.display().to_string()),
        };
        let err = roots_err(trust, "");
        assert!(err.contains("holds no PEM certificate"), "{err}");
    }

    #[tokio::test]
    async fn a_client_is_built_without_a_process_crypto_provider() {
        let pem = test_ca_pem();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&pem);
        client(&connection(ServerTrust::ClusterCa, &b64)).expect("client");
        let mut plain = connection(ServerTrust::ClusterCa, "");
        plain.server_url = "http://127.0.0.1:1".into();
        client(&plain).expect("plain http needs no roots");
    }
}
