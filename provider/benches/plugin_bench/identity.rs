//! The client certificate Terraform makes for every plugin it starts.

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, PKCS_ECDSA_P521_SHA512};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::error::BenchError;

/// go-plugin's AutoMTLS identity: a fresh self-signed ECDSA P-521 certificate
/// for "localhost", marked as a CA because the plugin uses it as the only
/// root it trusts when verifying the client.
pub struct ClientIdentity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
    /// What goes into `PLUGIN_CLIENT_CERT`.
    pub pem: String,
}

impl ClientIdentity {
    pub fn terraform_like() -> Result<Self, BenchError> {
        let key_pair = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512)?;
        let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key_pair)?;
        Ok(Self {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key_pair.serialize_der()),
            pem: cert.pem(),
        })
    }

    pub fn cert_chain(&self) -> Vec<CertificateDer<'static>> {
        vec![self.cert.clone()]
    }

    pub fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key.clone_key())
    }
}
