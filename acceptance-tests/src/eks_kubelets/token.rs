//! The EKS token the harness's kubelets present, made as aws-iam-authenticator makes
//! one: `k8s-aws-v1.` and the unpadded base64url of a presigned STS
//! `GetCallerIdentity` GET URL whose signature covers the `x-k8s-aws-id` header (the
//! cluster's name). Real kubelets authenticate, so ours do too: the override API
//! checks the token and asks moto who signed it.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::kube_api::KubeApiError;
use crate::moto::{ACCESS_KEY, REGION, SECRET_KEY};

/// Signed in the URL, as the API server sends it on to STS.
const CLUSTER_HEADER: &str = "x-k8s-aws-id";

/// RFC 3986's unreserved characters stay as they are; everything else is escaped.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A token for `cluster`, presigned at `now` with the test keys against the STS
/// endpoint `sts_url` (the emulator's aws endpoint, in front of moto).
pub fn eks_token(sts_url: &str, cluster: &str, now: SystemTime) -> Result<String, KubeApiError> {
    let failed = |e: &dyn std::fmt::Display| KubeApiError::Token(format!("EKS token: {e}"));
    let base = format!(
        "{}/?Action=GetCallerIdentity&Version=2011-06-15",
        sts_url.trim_end_matches('/')
    );
    let identity: Identity = Credentials::new(
        ACCESS_KEY,
        SECRET_KEY,
        None,
        None,
        "mlcloud-acceptance-harness",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(60));
    let params: aws_sigv4::http_request::SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("sts")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| failed(&e))?
        .into();
    let request = SignableRequest::new(
        "GET",
        base.as_str(),
        [(CLUSTER_HEADER, cluster)].into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| failed(&e))?;
    let (instructions, _) = sign(request, &params).map_err(|e| failed(&e))?.into_parts();
    let mut url = base;
    for (name, value) in instructions.params() {
        url.push_str(&format!(
            "&{name}={}",
            utf8_percent_encode(value, QUERY_VALUE)
        ));
    }
    Ok(format!("k8s-aws-v1.{}", URL_SAFE_NO_PAD.encode(url)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_presigns_get_caller_identity_with_the_cluster_header_signed() {
        // 2026-01-02T03:04:05Z
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_323_045);
        let token = eks_token("http://127.0.0.1:4566/", "ml-main", now).unwrap();
        let encoded = token.strip_prefix("k8s-aws-v1.").unwrap();
        assert!(!encoded.contains('='), "unpadded: {encoded}");
        let url = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).unwrap()).unwrap();
        assert!(
            url.starts_with("http://127.0.0.1:4566/?Action=GetCallerIdentity&Version=2011-06-15&"),
            "{url}"
        );
        for part in [
            "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id",
            "X-Amz-Date=20260102T030405Z",
            "X-Amz-Credential=testing%2F20260102%2Fus-east-1%2Fsts%2Faws4_request",
            "X-Amz-Expires=60",
            "X-Amz-Signature=",
        ] {
            assert!(url.contains(part), "{part} missing from {url}");
        }
    }
}
