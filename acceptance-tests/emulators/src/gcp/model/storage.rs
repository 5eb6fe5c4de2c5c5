//! Cloud Storage buckets, as far as IAM grants on them need: a bucket exists or not,
//! and carries a policy (the provider grants `roles/storage.objectViewer` on a model
//! store bucket). A new bucket's policy holds the project's legacy bucket roles, as
//! Cloud Storage gives every bucket. `iamConfiguration.uniformBucketLevelAccess`
//! is kept as asked at creation (off by default, as the JSON API's default): IAM
//! conditions are allowed only on buckets with it on.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Project;
use crate::gcp::clock;
use crate::gcp::errors::{ApiError, ApiResult};

#[derive(Debug, Default)]
pub struct Buckets {
    by_name: BTreeMap<String, Value>,
}

/// Bucket names: 3–63 of `[a-z0-9._-]`, starting and ending with a letter or digit.
fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes.iter().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'-' | b'_' | b'.')
        })
}

/// The IAM resource of a bucket's policy.
pub fn policy_resource(bucket: &str) -> String {
    format!("projects/_/buckets/{bucket}")
}

/// The bindings a new bucket's policy starts with.
pub fn default_bindings(project: &Project) -> Value {
    json!([
        {"role": "roles/storage.legacyBucketOwner", "members": [
            format!("projectEditor:{}", project.id), format!("projectOwner:{}", project.id)]},
        {"role": "roles/storage.legacyBucketReader", "members": [format!("projectViewer:{}", project.id)]},
    ])
}

impl Buckets {
    pub fn create(&mut self, project: &Project, body: &Value) -> ApiResult<Value> {
        let name = body["name"].as_str().unwrap_or_default();
        if !valid_name(name) {
            return Err(ApiError::invalid_argument(format!(
                "Invalid bucket name: '{name}'"
            )));
        }
        if self.by_name.contains_key(name) {
            return Err(ApiError::already_exists(
                "Your previous request to create the named bucket succeeded and you already own it.",
            ));
        }
        let now = clock::now_rfc3339();
        let mut bucket = json!({
            "kind": "storage#bucket",
            "id": name,
            "selfLink": format!("https://www.googleapis.com/storage/v1/b/{name}"),
            "projectNumber": project.number,
            "name": name,
            "timeCreated": now,
            "updated": now,
            "metageneration": "1",
            "location": body["location"].as_str().unwrap_or("US").to_ascii_uppercase(),
            "locationType": "multi-region",
            "storageClass": body["storageClass"].as_str().unwrap_or("STANDARD"),
            "etag": "CAE=",
        });
        if let Some(labels) = body.get("labels") {
            bucket["labels"] = labels.clone();
        }
        let uniform = body["iamConfiguration"]["uniformBucketLevelAccess"]["enabled"] == true
            || body["iamConfiguration"]["bucketPolicyOnly"]["enabled"] == true;
        bucket["iamConfiguration"] = json!({
            "uniformBucketLevelAccess": {"enabled": uniform},
            "bucketPolicyOnly": {"enabled": uniform},
            "publicAccessPrevention": "inherited",
        });
        self.by_name.insert(name.to_string(), bucket.clone());
        Ok(bucket)
    }

    pub fn get(&self, name: &str) -> ApiResult<Value> {
        self.by_name
            .get(name)
            .cloned()
            .ok_or_else(|| ApiError::not_found("The specified bucket does not exist."))
    }

    pub fn delete(&mut self, name: &str) -> ApiResult<()> {
        self.by_name
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| ApiError::not_found("The specified bucket does not exist."))
    }

    /// Whether the bucket has uniform bucket-level access (IAM conditions need it).
    pub fn uniform_access(&self, name: &str) -> bool {
        self.by_name
            .get(name)
            .is_some_and(|b| b["iamConfiguration"]["uniformBucketLevelAccess"]["enabled"] == true)
    }

    pub fn list(&self) -> Vec<Value> {
        self.by_name.values().cloned().collect()
    }

    pub fn clear(&mut self) {
        self.by_name.clear();
    }
}
