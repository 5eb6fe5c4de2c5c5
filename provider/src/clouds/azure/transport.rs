//! The https client every Azure call goes through (tokens and ARM): rustls on aws-lc-rs
//! with the system's roots plus `ca_certificate_file`, passed to azure_core as its
//! transport.
//!
//! azure_core retries connection errors for about 80 s, and a certificate it does not
//! trust is one. That never heals by waiting, so this transport reports it at once,
//! naming the host and the setting that fixes it, as an error kind the retry policy
//! does not retry.

use crate::clouds::CloudError;
use azure_core::error::{Error, ErrorKind};
use azure_core::http::{AsyncRawResponse, HttpClient, Request};
use std::sync::Arc;

/// Builds the https client, trusting the PEM certificates in `ca_file` besides the
/// system's roots.
pub fn https_client(ca_file: Option<&str>) -> Result<Arc<dyn HttpClient>, CloudError> {
    let mut builder = reqwest::Client::builder().https_only(true);
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            CloudError::Transport(format!(
                "cannot read azure.ca_certificate_file {path:?}: {e}"
            ))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            CloudError::Transport(format!(
                "azure.ca_certificate_file {path:?} is not PEM: {e}"
            ))
        })?;
        if certs.is_empty() {
            return Err(CloudError::Transport(format!(
                "azure.ca_certificate_file {path:?} holds no certificate"
            )));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    let client = builder
        .build()
        .map_err(|e| CloudError::Transport(format!("cannot build the Azure https client: {e}")))?;
    Ok(Arc::new(FailFastOnTrust { inner: client }))
}

/// reqwest, except that an untrusted certificate is a final error.
#[derive(Debug)]
struct FailFastOnTrust {
    inner: reqwest::Client,
}

#[async_trait::async_trait]
impl HttpClient for FailFastOnTrust {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let host = request.url().host_str().unwrap_or_default().to_string();
        self.inner.execute_request(request).await.map_err(|e| {
            if is_certificate_error(&e) {
                Error::with_message(
                    ErrorKind::Other,
                    format!(
                        "the TLS certificate of {host} is not trusted ({}); if a proxy or private endpoint uses its own CA, set azure.ca_certificate_file",
                        innermost(&e)
                    ),
                )
            } else {
                e
            }
        })
    }
}

/// Whether a rustls certificate verification failure is anywhere in the chain.
fn is_certificate_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(tls) = err.downcast_ref::<rustls::Error>()
            && matches!(tls, rustls::Error::InvalidCertificate(_))
        {
            return true;
        }
        let text = err.to_string();
        if text.contains("invalid peer certificate") || text.contains("UnknownIssuer") {
            return true;
        }
        cur = err.source();
    }
    false
}

/// The deepest cause's words.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
