//! Helpers shared by the server tests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use serde_json::Value;
use smoke_image::accel::{AcceleratorProbe, AcceleratorReport, AcceleratorSource};
use smoke_image::config::Config;
use smoke_image::routes;
use smoke_image::state::AppState;
use tower::ServiceExt;

/// What a probe finds on a machine with no NVIDIA anything (an empty directory).
pub fn no_gpu_report() -> AcceleratorReport {
    let empty = tempfile::tempdir().unwrap();
    AcceleratorProbe {
        dev_dir: empty.path().join("dev"),
        proc_driver_dir: empty.path().join("proc/driver/nvidia"),
        nvml_libraries: vec![empty.path().join("libnvidia-ml.so.1")],
        cuda_libraries: vec![empty.path().join("libcuda.so.1")],
    }
    .run()
}

pub fn state_with(config: Config) -> AppState {
    AppState::with_accelerators(config, AcceleratorSource::ready(no_gpu_report())).unwrap()
}

pub fn app() -> (Router, AppState) {
    let state = state_with(Config::default());
    (routes::router(state.clone()), state)
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the protocol's error shape and returns the message.
    pub fn error_message(&self) -> String {
        assert_eq!(
            self.content_type.as_deref(),
            Some("application/json"),
            "{}",
            self.text()
        );
        let body = self.json();
        let object = body.as_object().expect("error body is an object");
        assert_eq!(object.len(), 1, "only `error`: {body}");
        object["error"]
            .as_str()
            .expect("error is a string")
            .to_owned()
    }
}

pub async fn send(app: &Router, method: &str, uri: &str, body: impl Into<Body>) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        content_type,
        body,
    }
}

pub async fn get(app: &Router, uri: &str) -> Reply {
    send(app, "GET", uri, Body::empty()).await
}

pub async fn post_json(app: &Router, uri: &str, body: &Value) -> Reply {
    send(app, "POST", uri, body.to_string()).await
}

/// An infer request body for `rows` of four features each.
pub fn infer_body(rows: &[[f32; 4]]) -> Value {
    let flat: Vec<f32> = rows.iter().flatten().copied().collect();
    serde_json::json!({
        "inputs": [{
            "name": "features",
            "shape": [rows.len(), 4],
            "datatype": "FP32",
            "data": flat
        }]
    })
}

/// Sends raw HTTP/1.1 over a fresh connection and returns the whole response text.
pub fn raw_http(port: u16, request: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

/// The status code of a raw HTTP response.
pub fn status_of(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"))
}
