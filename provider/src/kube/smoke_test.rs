//! The smoke test: one real inference request through the API server's service proxy
//! (the way `kubectl get --raw` reaches a ClusterIP service), with an input built from
//! the model's own metadata, and where the model ran from the server's metadata.

use super::KubeError;
use super::objects::{self, RawResponse};
use crate::serving::inference::{self, InferenceError};
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime};

/// Where the request goes.
#[derive(Debug, Clone)]
pub struct SmokeTarget {
    pub namespace: String,
    pub service: String,
    pub port: u16,
    pub model: String,
}

/// A passed smoke test.
#[derive(Debug, Clone, PartialEq)]
pub struct SmokeResult {
    /// How long the inference request took, through the API server.
    pub latency_ms: u64,
    /// The GPU the server's check passed on, `cpu`, or `unknown`.
    pub device: String,
    pub model: String,
    /// The model's answer, e.g. `label=[0] probabilities=[[0.9, ...]]`.
    pub answer: String,
    pub checked_at: SystemTime,
}

#[derive(Debug, thiserror::Error)]
pub enum SmokeError {
    #[error(transparent)]
    Kube(#[from] KubeError),
    #[error("{what} answered {status}: {body}")]
    Refused {
        what: String,
        status: u16,
        body: String,
    },
    #[error("{what} did not answer JSON: {body}")]
    NotJson { what: String, body: String },
    #[error(transparent)]
    Inference(#[from] InferenceError),
    #[error("the service had no ready endpoint within {waited:?}: {last}")]
    NoEndpoints { waited: Duration, last: String },
}

/// The API server answers 503 while the service has no ready endpoint yet (its
/// endpoints lag the pods' readiness by a moment); the model's own errors are 4xx or
/// 500.
fn not_ready_yet(response: &RawResponse) -> bool {
    response.status == 503
}

async fn call(
    client: &::kube::Client,
    method: http::Method,
    target: &SmokeTarget,
    path: &str,
    body: Option<&Value>,
    patience: Duration,
) -> Result<(Value, Duration), SmokeError> {
    let url = inference::proxy_path(&target.namespace, &target.service, target.port, path);
    let started = Instant::now();
    let mut pause = Duration::from_millis(200);
    loop {
        let sent = Instant::now();
        let response = objects::send(client, method.clone(), &url, body).await?;
        let took = sent.elapsed();
        if not_ready_yet(&response) && started.elapsed() < patience {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(3));
            continue;
        }
        if not_ready_yet(&response) {
            return Err(SmokeError::NoEndpoints {
                waited: patience,
                last: response.body,
            });
        }
        let what = format!("{method} {path}");
        if !(200..300).contains(&response.status) {
            return Err(SmokeError::Refused {
                what,
                status: response.status,
                body: response.body,
            });
        }
        let json = serde_json::from_str(&response.body).map_err(|_| SmokeError::NotJson {
            what,
            body: response.body.clone(),
        })?;
        return Ok((json, took));
    }
}

/// Reads the model's metadata, sends one inference built from it, and asks the
/// server where it ran. `patience` bounds the wait for the service's endpoints.
pub async fn run(
    client: &::kube::Client,
    target: &SmokeTarget,
    patience: Duration,
) -> Result<SmokeResult, SmokeError> {
    let get = http::Method::GET;
    let (metadata, _) = call(
        client,
        get.clone(),
        target,
        &inference::metadata_path(&target.model),
        None,
        patience,
    )
    .await?;
    let request = inference::request_from_metadata(&metadata)?;
    let (response, took) = call(
        client,
        http::Method::POST,
        target,
        &inference::infer_path(&target.model),
        Some(&request),
        patience,
    )
    .await?;
    let answer = inference::answer(&response)?;
    let (server, _) = call(client, get, target, "v2", None, patience).await?;
    Ok(SmokeResult {
        latency_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        device: inference::device(&server),
        model: target.model.clone(),
        answer,
        checked_at: SystemTime::now(),
    })
}
