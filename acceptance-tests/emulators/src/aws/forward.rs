//! Forwarding to moto: the request as the client sent it (method, path, query, every
//! header including the SigV4 `Authorization` and the `Host` it signed; moto checks
//! that requests are signed, not the signature), moto's answer back unchanged but for
//! the hop-by-hop headers of the connection it came on.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::json;
use thiserror::Error;

/// The user agent of the part's own requests to moto, so recordings can tell them
/// from the client's.
pub const OWN_USER_AGENT: &str = "mlcloud-emulator (aws part)";

/// How long moto may take to answer one request.
const MOTO_TIMEOUT: Duration = Duration::from_secs(120);

/// Headers about one connection, not the message (RFC 9110 7.6.1).
const HOP_BY_HOP: [&str; 6] = [
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
];

#[derive(Debug, Error)]
pub enum ForwardError {
    #[error("moto at {base}: {detail}")]
    Unreachable { base: String, detail: String },
    #[error("moto at {base} took longer than {MOTO_TIMEOUT:?}")]
    Timeout { base: String },
}

/// A client for one moto server.
pub struct Moto {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Moto {
    /// `base` is moto's URL, `http://127.0.0.1:PORT`.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Sends `request` to moto as it is and returns moto's response.
    pub async fn forward(&self, request: Request<Bytes>) -> Result<Response<Bytes>, ForwardError> {
        let (mut head, body) = request.into_parts();
        let path = head
            .uri
            .path_and_query()
            .map(|path| path.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        head.uri = format!("{}{path}", self.base)
            .parse()
            .map_err(|error: http::uri::InvalidUri| self.unreachable(error))?;
        for name in HOP_BY_HOP {
            head.headers.remove(name);
        }
        let outgoing = Request::from_parts(head, Full::new(body));
        let response = tokio::time::timeout(MOTO_TIMEOUT, self.client.request(outgoing))
            .await
            .map_err(|_| ForwardError::Timeout {
                base: self.base.clone(),
            })?
            .map_err(|error| self.unreachable(error))?;
        let (mut head, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|error| self.unreachable(error))?
            .to_bytes();
        for name in HOP_BY_HOP {
            head.headers.remove(name);
        }
        // The body is sent whole: its length is what it is now.
        head.headers.remove("content-length");
        Ok(Response::from_parts(head, body))
    }

    /// A request of the part's own to moto (reading a cluster before answering for
    /// it), signed for `service` in the scope of the request it serves.
    pub async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        authorization: &str,
        content_type: Option<&str>,
        body: Bytes,
    ) -> Result<Response<Bytes>, ForwardError> {
        let mut request = Request::builder()
            .method(method)
            .uri(path_and_query)
            .header("host", self.host())
            .header("authorization", authorization)
            .header("user-agent", OWN_USER_AGENT)
            .header("x-amz-date", "20260101T000000Z");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let request = request
            .body(body)
            .map_err(|error| self.unreachable(error))?;
        self.forward(request).await
    }

    fn host(&self) -> HeaderValue {
        let host = self.base.split("://").nth(1).unwrap_or(&self.base);
        HeaderValue::from_str(host).unwrap_or(HeaderValue::from_static("127.0.0.1"))
    }

    fn unreachable(&self, error: impl std::fmt::Display) -> ForwardError {
        ForwardError::Unreachable {
            base: self.base.clone(),
            detail: error.to_string(),
        }
    }
}

/// What the client sees when moto cannot be reached: a 502 naming moto.
pub fn bad_gateway(error: &ForwardError) -> Response<Bytes> {
    Response::builder()
        .status(StatusCode::BAD_GATEWAY)
        .header("content-type", "application/json")
        .body(Bytes::from(
            json!({ "message": format!("mlcloud-emulator: {error}") }).to_string(),
        ))
        .expect("a static response")
}
