//! A Kubernetes API server of the emulator as a test reaches it: https trusting the
//! emulator's CA only, a bearer token made fresh for every request (EKS tokens live 15
//! minutes), JSON in and out, blocking calls on a runtime of its own. Tests use it to
//! play the kubelets ([`EksKubelets`](crate::EksKubelets)) and to look at what the
//! provider made, as `kubectl` would.
//!
//! ```no_run
//! use acceptance_tests::{KubeApi, TestResult};
//!
//! fn scenario(endpoint: &str, ca_file: &std::path::Path) -> TestResult {
//!     let api = KubeApi::new(endpoint, ca_file, || Ok("a-token".to_string()))?;
//!     let nodes = api.get("/api/v1/nodes")?;
//!     assert!(nodes["items"].as_array().is_some_and(|n| n.is_empty()));
//!     Ok(())
//! }
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

/// How long one call may take: the emulator answers in milliseconds.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Makes the bearer token of the next request.
pub type TokenSource = Box<dyn Fn() -> Result<String, KubeApiError> + Send + Sync>;

/// What can go wrong talking to a Kubernetes API.
#[derive(Debug, thiserror::Error)]
pub enum KubeApiError {
    #[error("cannot read the CA file {}: {detail}", path.display())]
    CaFile { path: PathBuf, detail: String },

    #[error("cannot make the Kubernetes client: {0}")]
    Client(String),

    #[error("cannot make a token for the Kubernetes API: {0}")]
    Token(String),

    /// Connecting, sending or reading failed (no answer at all).
    #[error("{request}: {detail}")]
    Transport { request: String, detail: String },

    /// The API server answered with an error status; `body` is its `Status`.
    #[error("{request} answered {status}: {body}")]
    Refused {
        request: String,
        status: u16,
        body: String,
    },
}

/// One API server: `https://127.0.0.1:PORT`.
pub struct KubeApi {
    endpoint: String,
    token: TokenSource,
    // Declared before the runtime: its connections live there.
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl KubeApi {
    /// The API at `endpoint`, whose certificate the PEM CA in `ca_file` issued; every
    /// request carries a token from `token`.
    pub fn new(
        endpoint: &str,
        ca_file: &Path,
        token: impl Fn() -> Result<String, KubeApiError> + Send + Sync + 'static,
    ) -> Result<Self, KubeApiError> {
        let pem = std::fs::read(ca_file).map_err(|e| KubeApiError::CaFile {
            path: ca_file.to_path_buf(),
            detail: e.to_string(),
        })?;
        let certificate =
            reqwest::Certificate::from_pem(&pem).map_err(|e| KubeApiError::CaFile {
                path: ca_file.to_path_buf(),
                detail: e.to_string(),
            })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| KubeApiError::Client(e.to_string()))?;
        let client = {
            let _entered = runtime.enter();
            reqwest::Client::builder()
                .tls_certs_only([certificate])
                .timeout(CALL_TIMEOUT)
                .build()
                .map_err(|e| KubeApiError::Client(e.to_string()))?
        };
        Ok(Self {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            token: Box::new(token),
            client,
            runtime,
        })
    }

    /// The object or list at `path`.
    pub fn get(&self, path: &str) -> Result<Value, KubeApiError> {
        self.expect_success("GET", path, None, Value::Null)
    }

    /// The object at `path`, or `None` when the API answers 404.
    pub fn find(&self, path: &str) -> Result<Option<Value>, KubeApiError> {
        let (status, body) = self.call("GET", path, None, Value::Null)?;
        match status {
            404 => Ok(None),
            200 => Ok(Some(body)),
            _ => Err(refused("GET", path, status, &body)),
        }
    }

    /// The `items` of the list at `path`.
    pub fn list(&self, path: &str) -> Result<Vec<Value>, KubeApiError> {
        let list = self.get(path)?;
        Ok(list["items"].as_array().cloned().unwrap_or_default())
    }

    /// Creates `body` in the collection at `path`; the object as created.
    pub fn create(&self, path: &str, body: Value) -> Result<Value, KubeApiError> {
        self.expect_success("POST", path, Some("application/json"), body)
    }

    /// A strategic merge patch of the object at `path`, as kubelets and kubectl send.
    pub fn patch(&self, path: &str, body: Value) -> Result<Value, KubeApiError> {
        self.expect_success(
            "PATCH",
            path,
            Some("application/strategic-merge-patch+json"),
            body,
        )
    }

    /// Deletes the object at `path`; a 404 is not an error (it is gone either way).
    pub fn delete(&self, path: &str) -> Result<(), KubeApiError> {
        let (status, body) = self.call("DELETE", path, None, Value::Null)?;
        match status {
            200..=299 | 404 => Ok(()),
            _ => Err(refused("DELETE", path, status, &body)),
        }
    }

    /// Sends `method path` and answers (status, JSON body, `Null` when there is none),
    /// whatever the status: for tests that look at a refusal.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Value,
    ) -> Result<(u16, Value), KubeApiError> {
        let request = format!("{method} {path}");
        let transport = |detail: String| KubeApiError::Transport {
            request: request.clone(),
            detail,
        };
        let token = (self.token)()?;
        let method =
            reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| transport(e.to_string()))?;
        let mut builder = self
            .client
            .request(method, format!("{}{path}", self.endpoint))
            .bearer_auth(token)
            .header("accept", "application/json")
            .header("user-agent", "mlcloud-acceptance-harness");
        if let Some(content_type) = content_type {
            builder = builder
                .header("content-type", content_type)
                .body(body.to_string());
        }
        self.runtime.block_on(async {
            let response = builder.send().await.map_err(|e| transport(e.to_string()))?;
            let status = response.status().as_u16();
            let text = response
                .text()
                .await
                .map_err(|e| transport(e.to_string()))?;
            let body = if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).map_err(|e| transport(format!("{e} in {text}")))?
            };
            Ok((status, body))
        })
    }

    fn expect_success(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Value,
    ) -> Result<Value, KubeApiError> {
        let (status, answer) = self.call(method, path, content_type, body)?;
        if (200..300).contains(&status) {
            Ok(answer)
        } else {
            Err(refused(method, path, status, &answer))
        }
    }
}

fn refused(method: &str, path: &str, status: u16, body: &Value) -> KubeApiError {
    KubeApiError::Refused {
        request: format!("{method} {path}"),
        status,
        body: body.to_string(),
    }
}
