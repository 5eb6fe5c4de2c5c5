//! The HTTP/1.1 server every port runs: TLS when the part asks for it, each request
//! buffered whole, then handed to a [`Service`]. A service that answers
//! [`Dropped`] gets its connection closed with no response at all, which is how a
//! "write applied, response lost" fault looks to a client.

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls::ServerConfig;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The response is not sent: the connection is closed instead.
#[derive(Debug, Error)]
#[error("response dropped by a scripted fault")]
pub struct Dropped;

/// What answers the requests of one port.
#[async_trait]
pub trait Service: Send + Sync + 'static {
    async fn call(&self, request: Request<Bytes>) -> Result<Response<Bytes>, Dropped>;
}

/// Serves `listener` until the task is aborted.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<ServerConfig>>,
    service: Arc<dyn Service>,
) {
    let acceptor = tls.map(TlsAcceptor::from);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors or a connection reset before accept: the
            // listener itself is fine.
            Err(_) => continue,
        };
        let service = service.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            match acceptor {
                Some(acceptor) => {
                    // A client that does not trust the CA aborts the handshake; that
                    // is its answer, not the emulator's failure.
                    if let Ok(stream) = acceptor.accept(stream).await {
                        serve_connection(stream, service).await;
                    }
                }
                None => serve_connection(stream, service).await,
            }
        });
    }
}

async fn serve_connection<S>(stream: S, service: Arc<dyn Service>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let handler = service_fn(move |request: Request<Incoming>| {
        let service = service.clone();
        async move {
            let (head, body) = request.into_parts();
            let body = match body.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(_) => return Err(Dropped),
            };
            let response = service.call(Request::from_parts(head, body)).await?;
            Ok::<_, Dropped>(response.map(Full::new))
        }
    });
    // The connection ends with an error when a response is dropped or the client
    // goes away; neither is the emulator's to report.
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), handler)
        .await;
}

/// A JSON response.
pub fn json_response(status: http::StatusCode, body: &serde_json::Value) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))
        .expect("a JSON response")
}

/// Calls an axum router with a buffered request and buffers its response, for parts
/// that route with axum.
pub async fn call_router(router: &axum::Router, request: Request<Bytes>) -> Response<Bytes> {
    use tower::ServiceExt;
    let response = match router
        .clone()
        .oneshot(request.map(axum::body::Body::from))
        .await
    {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (head, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    Response::from_parts(head, body)
}
