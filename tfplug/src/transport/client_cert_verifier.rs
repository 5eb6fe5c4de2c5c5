//! Accepts exactly one client certificate: the one Terraform passed in
//! `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's client certificate is self-signed, ECDSA P-521 with SHA-512,
//! and marked as a CA. rustls's WebPKI client verifier refuses a CA
//! certificate used as an end entity (`CaUsedAsEndEntity`), so the usual
//! "trust this root" setup cannot accept it. go-plugin's Go server trusts the
//! certificate as its only client CA; pinning its exact bytes accepts the same
//! client and nothing else, not even a certificate it might have signed.

use std::fmt;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{
    CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
};
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};

/// A client certificate verifier that pins one certificate.
pub(crate) struct PinnedClientCertVerifier {
    expected: CertificateDer<'static>,
    /// The signature algorithms of the crypto provider in use; with
    /// aws-lc-rs they include ECDSA P-521, which Terraform's key needs.
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCertVerifier {
    pub(crate) fn new(expected: CertificateDer<'static>, provider: &CryptoProvider) -> Self {
        Self {
            expected,
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl fmt::Debug for PinnedClientCertVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinnedClientCertVerifier")
            .field("expected_len", &self.expected.len())
            .finish_non_exhaustive()
    }
}

impl ClientCertVerifier for PinnedClientCertVerifier {
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    /// No hints: Go's TLS client then sends its certificate unconditionally,
    /// while a hint it could not match would make it send none.
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    /// Proves the peer holds the pinned certificate's private key.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    /// Proves the peer holds the pinned certificate's private key.
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::crypto::aws_lc_rs;

    fn verifier_for(cert: &[u8]) -> PinnedClientCertVerifier {
        PinnedClientCertVerifier::new(
            CertificateDer::from(cert.to_vec()),
            &aws_lc_rs::default_provider(),
        )
    }

    #[test]
    fn accepts_only_the_pinned_bytes() {
        let verifier = verifier_for(b"pinned certificate");
        let now = UnixTime::now();
        assert!(
            verifier
                .verify_client_cert(&CertificateDer::from(&b"pinned certificate"[..]), &[], now)
                .is_ok()
        );
        let other = verifier.verify_client_cert(
            &CertificateDer::from(&b"pinned certificatf"[..]),
            &[],
            now,
        );
        assert!(matches!(
            other,
            Err(Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure
            ))
        ));
        assert!(
            verifier
                .verify_client_cert(&CertificateDer::from(&b""[..]), &[], now)
                .is_err()
        );
    }

    #[test]
    fn requires_a_certificate_and_hints_nothing() {
        let verifier = verifier_for(b"pinned");
        assert!(verifier.offer_client_auth());
        assert!(verifier.client_auth_mandatory());
        assert!(verifier.root_hint_subjects().is_empty());
    }

    #[test]
    fn offers_ecdsa_p521_sha512_for_terraforms_key() {
        let schemes = verifier_for(b"pinned").supported_verify_schemes();
        assert!(
            schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512),
            "{schemes:?}"
        );
        assert!(
            schemes.contains(&SignatureScheme::ECDSA_NISTP256_SHA256),
            "{schemes:?}"
        );
    }
}
