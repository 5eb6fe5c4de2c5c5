//! The emulator's own test CA, made at start: https parts (Azure, the Kubernetes API
//! servers) present certificates it issues, and clients trust its `ca.pem`, the way a
//! user behind a TLS-inspecting proxy trusts the proxy's CA.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("making a certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("TLS server configuration: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A CA that lives as long as the emulator.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    der: CertificateDer<'static>,
    pem: String,
    file: PathBuf,
}

/// A server certificate issued by the [`TestCa`], with its key.
pub struct ServerIdentity {
    pub certificate_pem: String,
    certificate: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl TestCa {
    /// Makes a new CA and writes its certificate to `dir/ca.pem`.
    pub fn create(dir: &Path) -> Result<Self, TlsError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, "mlcloud-emulator test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let certificate = params.self_signed(&key)?;
        let pem = certificate.pem();
        let file = dir.join("ca.pem");
        std::fs::write(&file, &pem).map_err(|source| TlsError::Write {
            path: file.clone(),
            source,
        })?;
        Ok(Self {
            issuer: Issuer::new(params, key),
            der: certificate.der().clone(),
            pem,
            file,
        })
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// Where the CA certificate was written.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// A server certificate for `names` (DNS names or IP addresses).
    pub fn issue(&self, names: &[&str]) -> Result<ServerIdentity, TlsError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(
            names
                .iter()
                .map(|name| name.to_string())
                .collect::<Vec<_>>(),
        )?;
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("localhost"),
        );
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let certificate = params.signed_by(&key, &self.issuer)?;
        Ok(ServerIdentity {
            certificate_pem: certificate.pem(),
            certificate: certificate.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }
}

impl ServerIdentity {
    /// A rustls server configuration presenting this certificate (and the CA's, so
    /// the chain is complete), speaking HTTP/1.1 only.
    pub fn server_config(&self, ca: &TestCa) -> Result<Arc<ServerConfig>, TlsError> {
        let mut config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                vec![self.certificate.clone(), ca.der.clone()],
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_loopback_certificates_that_a_rustls_server_accepts() {
        let dir = tempfile::tempdir().unwrap();
        let ca = TestCa::create(dir.path()).unwrap();
        assert!(
            std::fs::read_to_string(ca.file())
                .unwrap()
                .contains("BEGIN CERTIFICATE")
        );
        let identity = ca.issue(&["127.0.0.1", "localhost"]).unwrap();
        assert!(identity.certificate_pem.contains("BEGIN CERTIFICATE"));
        identity.server_config(&ca).unwrap();
    }
}
