//! The service proxy, `/api/v1/namespaces/{ns}/services/{svc}[:{port}]/proxy/{path}`:
//! forwards to the real smoke process behind the Service ([`super::smoke`]); a
//! Service without a Ready endpoint answers 503 as the API server does.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::api::{ClusterApi, Target};
use super::smoke::Backend;
use super::status::{ApiError, ApiResult};

/// How long a just-started smoke process may take to listen.
const CONNECT_PATIENCE: Duration = Duration::from_secs(10);

pub async fn forward(
    api: &ClusterApi,
    target: &Target,
    request: Request<Bytes>,
) -> ApiResult<Response<Bytes>> {
    if target.kind.plural != "services" {
        return Err(ApiError::no_route());
    }
    let namespace = target.namespace.clone().unwrap_or_default();
    let full = target.name.clone().unwrap_or_default();
    let (service, port) = match full.split_once(':') {
        Some((service, port)) => (service.to_string(), Some(port.to_string())),
        None => (full.clone(), None),
    };
    let backend = {
        let store = api.store.lock().expect("store");
        let object = store.get(target.kind, &namespace, &service)?;
        if let Some(port) = &port {
            let known = object["spec"]["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| {
                    p["name"] == port.as_str()
                        || p["port"].as_u64().is_some_and(|n| n.to_string() == *port)
                });
            if !known {
                return Err(ApiError::service_unavailable(format!(
                    "no endpoints available for service \"{full}\""
                )));
            }
        }
        drop(store);
        api.runtime
            .lock()
            .expect("runtime")
            .smokes
            .backend(&namespace, &service)
    };
    let port = match backend {
        Backend::Port(port) => port,
        Backend::NoEndpoints => {
            return Err(ApiError::service_unavailable(format!(
                "no endpoints available for service \"{full}\""
            )));
        }
        Backend::NotServable(why) => {
            return Err(ApiError::service_unavailable(format!(
                "error trying to reach service: {why}"
            )));
        }
    };
    let mut uri = format!("http://127.0.0.1:{port}/{}", target.rest);
    if let Some(query) = request.uri().query() {
        uri.push('?');
        uri.push_str(query);
    }
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let started = tokio::time::Instant::now();
    loop {
        let mut outgoing = Request::builder().method(request.method()).uri(&uri);
        for name in ["content-type", "accept"] {
            if let Some(value) = request.headers().get(name) {
                outgoing = outgoing.header(name, value);
            }
        }
        let outgoing = outgoing
            .body(Full::new(request.body().clone()))
            .map_err(|error| ApiError::bad_request(error.to_string()))?;
        match client.request(outgoing).await {
            Ok(response) => {
                let (head, body) = response.into_parts();
                let body = body
                    .collect()
                    .await
                    .map(|c| c.to_bytes())
                    .unwrap_or_default();
                let mut answer = Response::builder().status(head.status);
                if let Some(value) = head.headers.get("content-type") {
                    answer = answer.header("content-type", value);
                }
                return Ok(answer.body(body).expect("a proxied response"));
            }
            // The process may still be starting.
            Err(error) if error.is_connect() && started.elapsed() < CONNECT_PATIENCE => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => {
                return Err(ApiError::service_unavailable(format!(
                    "error trying to reach service: {error}"
                )));
            }
        }
    }
}
