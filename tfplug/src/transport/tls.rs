//! AutoMTLS: the plugin's own certificate and the rustls server
//! configuration that admits only Terraform.
//!
//! Everything uses the aws-lc-rs crypto provider explicitly: it is the one
//! that verifies the P-521 signatures of Terraform's client certificate, and
//! naming it keeps the transport independent of any process-wide default.

use std::sync::Arc;

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls::ServerConfig;
use rustls::crypto::{CryptoProvider, aws_lc_rs};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::version::{TLS12, TLS13};

use super::client_cert_verifier::PinnedClientCertVerifier;
use super::error::TransportError;

/// The name Terraform dials and checks the server certificate against.
const SERVER_NAME: &str = "localhost";

/// The plugin's self-signed certificate and its private key, made fresh for
/// every run.
pub(crate) struct ServerIdentity {
    pub(crate) cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

impl ServerIdentity {
    /// A P-256 certificate for `localhost`. It is an end-entity certificate
    /// (not a CA), which both Go's and rustls's verifiers accept when the
    /// certificate itself is the trusted root, as it is in the handshake.
    pub(crate) fn generate() -> Result<Self, TransportError> {
        let key_pair = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::new(vec![SERVER_NAME.to_string()])?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, SERVER_NAME);
        name.push(DnType::OrganizationName, "tfplug");
        params.distinguished_name = name;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.self_signed(&key_pair)?;
        Ok(Self {
            cert: cert.der().clone(),
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der())),
        })
    }
}

/// Reads the first certificate of the PEM text Terraform passes in
/// `PLUGIN_CLIENT_CERT`.
pub(crate) fn parse_client_certificate(
    pem: &str,
) -> Result<CertificateDer<'static>, TransportError> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|error| TransportError::InvalidClientCertificate(error.to_string()))
}

/// The aws-lc-rs provider, named rather than taken from the process default.
pub(crate) fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(aws_lc_rs::default_provider())
}

/// TLS 1.3 or 1.2, ALPN `h2`, serving `identity` and requiring exactly
/// `client_cert`.
pub(crate) fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
) -> Result<Arc<ServerConfig>, TransportError> {
    let provider = crypto_provider();
    let verifier = PinnedClientCertVerifier::new(client_cert, &provider);
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&TLS13, &TLS12])?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(vec![identity.cert.clone()], identity.key.clone_key())?;
    // grpc-go refuses a TLS connection that did not negotiate h2.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, PKCS_ECDSA_P521_SHA512};

    /// A certificate made the way Terraform makes its client certificate.
    fn terraform_like_client_cert() -> String {
        let key_pair = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.self_signed(&key_pair).unwrap().pem()
    }

    #[test]
    fn reads_the_certificate_from_pem() {
        let pem = terraform_like_client_cert();
        let der = parse_client_certificate(&pem).unwrap();
        assert_eq!(CertificateDer::from_pem_slice(pem.as_bytes()).unwrap(), der);
    }

    #[test]
    fn rejects_text_without_a_certificate() {
        let error = parse_client_certificate("not a certificate").unwrap_err();
        assert!(matches!(error, TransportError::InvalidClientCertificate(_)));
        assert!(error.to_string().contains("PLUGIN_CLIENT_CERT"), "{error}");
    }

    #[test]
    fn builds_a_mutual_tls_config_that_speaks_h2() {
        let identity = ServerIdentity::generate().unwrap();
        let client_cert = parse_client_certificate(&terraform_like_client_cert()).unwrap();
        let config = server_config(&identity, client_cert).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }

    #[test]
    fn every_run_gets_a_new_certificate() {
        let first = ServerIdentity::generate().unwrap();
        let second = ServerIdentity::generate().unwrap();
        assert_ne!(first.cert, second.cert);
    }
}
