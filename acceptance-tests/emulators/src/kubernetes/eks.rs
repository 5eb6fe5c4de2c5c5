//! The override API's tokens, as EKS takes them (aws-iam-authenticator's checks):
//! `k8s-aws-v1.` + base64url (no padding) of a presigned STS `GetCallerIdentity` URL
//! whose `X-Amz-SignedHeaders` include `x-k8s-aws-id`, signed (`X-Amz-Date`) at most
//! 15 minutes ago whatever its `X-Amz-Expires` says. With `--moto`, the caller is
//! the one moto answers for that request (sent with the `x-k8s-aws-id` header);
//! without, the access key id names it.

use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::gate::{Caller, Gate};

pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";
/// How long after `X-Amz-Date` a token is taken.
const LIFETIME_SECONDS: i64 = 15 * 60;
/// How far in the future `X-Amz-Date` may be (clock skew).
const SKEW_SECONDS: i64 = 5 * 60;

/// A token's presigned request, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presigned {
    pub query: String,
    pub access_key_id: String,
}

/// Checks a token as aws-iam-authenticator does; why not, otherwise.
pub fn verify(token: &str, now: i64) -> Result<Presigned, String> {
    let encoded = token
        .strip_prefix(TOKEN_PREFIX)
        .ok_or("token is not k8s-aws-v1.")?;
    let url = URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .map_err(|_| "token is not base64url")?;
    let url = String::from_utf8(url).map_err(|_| "token is not a URL")?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("the presigned URL is not http(s)")?;
    let (host, path_query) = rest
        .split_once('/')
        .ok_or("the presigned URL has no path")?;
    let host = host.split(':').next().unwrap_or_default();
    let sts = host == "sts.amazonaws.com"
        || (host.starts_with("sts.") && host.ends_with(".amazonaws.com"))
        || host == "127.0.0.1"
        || host == "localhost";
    if !sts {
        return Err(format!("unexpected hostname {host:?} in the presigned URL"));
    }
    let query = path_query
        .split_once('?')
        .map(|(_, q)| q)
        .ok_or("the presigned URL has no query")?;
    let pairs = crate::gcp::request::form_pairs(query);
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if param("Action").as_deref() != Some("GetCallerIdentity") {
        return Err("the presigned request is not GetCallerIdentity".into());
    }
    let signed = param("X-Amz-SignedHeaders").unwrap_or_default();
    if !signed.split(';').any(|h| h == "x-k8s-aws-id") {
        return Err("client did not sign the x-k8s-aws-id header in the pre-signed URL".into());
    }
    for required in ["X-Amz-Signature", "X-Amz-Credential", "X-Amz-Expires"] {
        if param(required).is_none_or(|v| v.is_empty()) {
            return Err(format!("the presigned URL has no {required}"));
        }
    }
    let date = param("X-Amz-Date")
        .and_then(|d| parse_amz_date(&d))
        .ok_or("X-Amz-Date is missing or not YYYYMMDDTHHMMSSZ")?;
    if date > now + SKEW_SECONDS || now > date + LIFETIME_SECONDS {
        return Err("X-Amz-Date parameter is expired (15 minute expiration)".into());
    }
    let access_key_id = param("X-Amz-Credential")
        .unwrap_or_default()
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    Ok(Presigned {
        query: query.to_string(),
        access_key_id,
    })
}

/// `20260102T030405Z` → Unix seconds.
fn parse_amz_date(text: &str) -> Option<i64> {
    if text.len() != 16 || !text.ends_with('Z') || text.as_bytes()[8] != b'T' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
    // Days from the civil date (proleptic Gregorian).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// The query's signature as a SigV4 `Authorization` header. moto's server picks the
/// service from that header's credential scope and has no route for a request signed
/// in its query: without it a presigned `GET /?Action=GetCallerIdentity` reaches S3
/// (ListBuckets) and names no caller. STS itself takes either form.
fn authorization_header(query: &str) -> String {
    let pairs = crate::gcp::request::form_pairs(query);
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    format!(
        "{} Credential={}, SignedHeaders={}, Signature={}",
        match param("X-Amz-Algorithm") {
            "" => "AWS4-HMAC-SHA256",
            algorithm => algorithm,
        },
        param("X-Amz-Credential"),
        param("X-Amz-SignedHeaders"),
        param("X-Amz-Signature")
    )
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The override API's gate.
pub struct EksGate {
    moto: Option<String>,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl EksGate {
    pub fn new(moto: Option<String>) -> Self {
        Self {
            moto,
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Sends the presigned GetCallerIdentity to moto; the caller's ARN.
    async fn caller_from_moto(&self, moto: &str, presigned: &Presigned) -> Option<String> {
        let request = Request::get(format!("{moto}/?{}", presigned.query))
            .header("x-k8s-aws-id", "mlcloud-emulator")
            .header("user-agent", "mlcloud-emulator (kubernetes part)")
            .header("authorization", authorization_header(&presigned.query))
            .body(Full::new(Bytes::new()))
            .ok()?;
        let response = self.client.request(request).await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let body = response.into_body().collect().await.ok()?.to_bytes();
        let text = String::from_utf8_lossy(&body);
        let start = text.find("<Arn>")? + "<Arn>".len();
        let end = text[start..].find("</Arn>")? + start;
        Some(text[start..end].to_string())
    }
}

#[async_trait]
impl Gate for EksGate {
    async fn authenticate(&self, token: &str) -> Option<Caller> {
        let presigned = verify(token, now()).ok()?;
        let user = match &self.moto {
            Some(moto) => self.caller_from_moto(moto, &presigned).await?,
            None => presigned.access_key_id,
        };
        Some(Caller { user })
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A token as the provider makes one (the signature is not checked).
    pub fn token(date: &str, signed_headers: &str) -> String {
        let url = format!(
            "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260102%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date={date}&X-Amz-Expires=60&X-Amz-SignedHeaders={signed_headers}&X-Amz-Signature=abc"
        );
        format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(url))
    }

    #[test]
    fn tokens_are_checked_as_aws_iam_authenticator_does() {
        let signed = parse_amz_date("20260102T030405Z").unwrap();
        assert_eq!(signed, 1_767_323_045);
        let good = token("20260102T030405Z", "host%3Bx-k8s-aws-id");
        let presigned = verify(&good, signed + 60).unwrap();
        assert_eq!(presigned.access_key_id, "AKIDEXAMPLE");
        // X-Amz-Expires=60 is not what limits it: 15 minutes from X-Amz-Date are.
        assert!(verify(&good, signed + 14 * 60).is_ok());
        assert!(
            verify(&good, signed + 16 * 60)
                .unwrap_err()
                .contains("expired")
        );
        let unsigned = token("20260102T030405Z", "host");
        assert!(
            verify(&unsigned, signed)
                .unwrap_err()
                .contains("x-k8s-aws-id")
        );
        assert!(verify("Bearer-something", signed).is_err());
        let elsewhere = format!(
            "{TOKEN_PREFIX}{}",
            URL_SAFE_NO_PAD.encode("https://evil.example.com/?Action=GetCallerIdentity")
        );
        assert!(verify(&elsewhere, signed).unwrap_err().contains("hostname"));
    }

    #[test]
    fn moto_gets_the_query_signature_as_an_authorization_header() {
        let presigned = verify(
            &token("20260102T030405Z", "host%3Bx-k8s-aws-id"),
            1_767_323_045,
        )
        .unwrap();
        assert_eq!(
            authorization_header(&presigned.query),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/sts/aws4_request, SignedHeaders=host;x-k8s-aws-id, Signature=abc"
        );
    }
}
