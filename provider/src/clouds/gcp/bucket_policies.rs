//! Cloud Storage bucket IAM policies over the JSON API (`GET|PUT
//! /storage/v1/b/BUCKET/iam`): Google's Rust crates cover Storage's control plane over
//! gRPC only, so these two calls go through our own HTTP client with the same
//! credentials as every other client. Policies are read as version 3 (conditional
//! bindings are visible only then) and written read-modify-write with the etag: a
//! stale one is refused with 412, read as a conflict and retried by
//! `iam_policy::modify`.

use super::errors::Service;
use crate::clouds::CloudError;
use crate::config::gcp::GcpConfig;
use google_cloud_auth::credentials::{CacheableResource, Credentials};
use google_cloud_iam_v1::model::Policy;
use http::Extensions;
use serde_json::Value;
use std::time::Duration;

/// Cloud Storage's JSON API.
const STORAGE: &str = "https://storage.googleapis.com";
/// How long one call may take.
const CALL_LIMIT: Duration = Duration::from_secs(60);

#[derive(Clone, Debug)]
pub struct BucketPolicies {
    http: reqwest::Client,
    base: String,
    credentials: Credentials,
}

fn what(bucket: &str) -> String {
    format!("bucket {bucket:?}")
}

/// A Cloud Storage error body (`{"error": {code, message, errors: [{reason}]}}`) as a
/// [`CloudError`], by the HTTP status (Storage names no `google.rpc` code).
fn refusal(operation: &'static str, bucket: &str, status: u16, body: &Value) -> CloudError {
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or("no message")
        .to_string();
    let service = Service::Storage.as_str();
    let code = |c: &str| c.to_string();
    match status {
        404 => CloudError::NotFound {
            what: what(bucket),
            message,
        },
        401 | 403 => CloudError::PermissionDenied {
            service,
            operation,
            code: code(if status == 401 {
                "UNAUTHENTICATED"
            } else {
                "PERMISSION_DENIED"
            }),
            message,
        },
        // A stale etag (412 conditionNotMet) or a concurrent change (409).
        409 | 412 => CloudError::Conflict {
            service,
            operation,
            code: code("ABORTED"),
            message,
        },
        429 => CloudError::Throttled {
            service,
            operation,
            code: code("RESOURCE_EXHAUSTED"),
            message,
            retry_after: None,
        },
        503 => CloudError::Api {
            service,
            operation,
            code: code("UNAVAILABLE"),
            message,
        },
        _ => CloudError::Api {
            service,
            operation,
            code: format!("HTTP {status}"),
            message,
        },
    }
}

impl BucketPolicies {
    pub fn new(config: &GcpConfig, credentials: Credentials) -> Self {
        BucketPolicies {
            http: reqwest::Client::new(),
            base: config
                .endpoint("storage")
                .unwrap_or(STORAGE)
                .trim_end_matches('/')
                .to_string(),
            credentials,
        }
    }

    fn url(&self, bucket: &str) -> String {
        format!("{}/storage/v1/b/{bucket}/iam", self.base)
    }

    async fn send(
        &self,
        operation: &'static str,
        bucket: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Policy, CloudError> {
        let headers = match self.credentials.headers(Extensions::new()).await {
            Ok(CacheableResource::New { data, .. }) => data,
            Ok(CacheableResource::NotModified) => http::HeaderMap::new(),
            Err(e) => {
                return Err(CloudError::PermissionDenied {
                    service: Service::Storage.as_str(),
                    operation,
                    code: "UNAUTHENTICATED".into(),
                    message: format!("cannot get credentials: {e}"),
                });
            }
        };
        let transport = |e: reqwest::Error| {
            CloudError::Transport(format!("Cloud Storage {operation} on {bucket}: {e}"))
        };
        let answer = request
            .headers(headers)
            .timeout(CALL_LIMIT)
            .send()
            .await
            .map_err(transport)?;
        let status = answer.status().as_u16();
        let text = answer.text().await.map_err(transport)?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !(200..300).contains(&status) {
            return Err(refusal(operation, bucket, status, &body));
        }
        serde_json::from_value(body).map_err(|e| {
            CloudError::Transport(format!(
                "Cloud Storage {operation} on {bucket}: not a policy: {e}"
            ))
        })
    }

    /// The bucket's policy, conditional bindings included.
    pub async fn get(&self, bucket: &str) -> Result<Policy, CloudError> {
        let request = self
            .http
            .get(self.url(bucket))
            .query(&[("optionsRequestedPolicyVersion", "3")]);
        self.send("GetIamPolicy", bucket, request).await
    }

    /// Writes the policy (with the etag it was read with).
    pub async fn set(&self, bucket: &str, policy: Policy) -> Result<Policy, CloudError> {
        let body = serde_json::to_value(&policy)
            .map_err(|e| CloudError::Invalid(format!("encoding the policy: {e}")))?;
        let request = self.http.put(self.url(bucket)).json(&body);
        self.send("SetIamPolicy", bucket, request).await
    }
}
