//! Cloud Storage bucket IAM policies over the JSON API (`GET|PUT
//! /storage/v1/b/BUCKET/iam`): Google's Rust crates cover Storage's control plane over
//! gRPC only, so these two calls go through our own HTTP client ([`json_api`]) with the
//! same credentials as every other client. Policies are read as version 3 (conditional
//! bindings are visible only then) and written read-modify-write with the etag: a
//! stale one is refused with 412, read as a conflict and retried by
//! `iam_policy::modify`.

use super::errors::Service;
use super::json_api;
use crate::clouds::CloudError;
use crate::config::gcp::GcpConfig;
use google_cloud_auth::credentials::Credentials;
use google_cloud_iam_v1::model::Policy;

/// Cloud Storage's JSON API.
const STORAGE: &str = "https://storage.googleapis.com";

#[derive(Clone, Debug)]
pub struct BucketPolicies {
    http: reqwest::Client,
    base: String,
    credentials: Credentials,
}

fn what(bucket: &str) -> String {
    format!("bucket {bucket:?}")
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
        let body = json_api::send(
            &self.credentials,
            Service::Storage,
            operation,
            &what(bucket),
            request,
        )
        .await?;
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
