//! IAM policies (`google.iam.v1.Policy`) on any resource, written read-modify-write:
//! every write gets a fresh etag, and a write carrying a stale one is refused with
//! 409 `ABORTED`, as Google's IAM does.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::gcp::errors::{ApiError, ApiResult};

/// The etag of a policy nobody has written (Google's own value for it).
pub const EMPTY_ETAG: &str = "ACAB";

/// Member kinds IAM accepts in a binding.
const MEMBER_PREFIXES: &[&str] = &[
    "user:",
    "serviceAccount:",
    "group:",
    "domain:",
    "principal://",
    "principalSet://",
    "deleted:",
    // Cloud Storage's legacy convenience members on bucket policies.
    "projectOwner:",
    "projectEditor:",
    "projectViewer:",
];

#[derive(Debug, Clone)]
struct Policy {
    version: i64,
    bindings: Vec<Value>,
    etag: String,
}

#[derive(Debug, Default)]
pub struct Policies {
    by_resource: BTreeMap<String, Policy>,
    writes: u64,
}

impl Policies {
    /// The policy of `resource` (an empty one with [`EMPTY_ETAG`] when never written).
    pub fn get(&self, resource: &str) -> Value {
        match self.by_resource.get(resource) {
            Some(policy) => render(policy),
            None => json!({"version": 1, "etag": EMPTY_ETAG}),
        }
    }

    /// Replaces the policy of `resource` with `policy` unless its etag is stale;
    /// `member_exists` says whether a `serviceAccount:` member exists (IAM refuses
    /// bindings to accounts that do not).
    pub fn set(
        &mut self,
        resource: &str,
        policy: &Value,
        member_exists: &dyn Fn(&str) -> bool,
    ) -> ApiResult<Value> {
        let current = self
            .by_resource
            .get(resource)
            .map(|policy| policy.etag.clone())
            .unwrap_or_else(|| EMPTY_ETAG.to_string());
        if let Some(etag) = policy["etag"].as_str()
            && etag != current
        {
            return Err(ApiError::aborted(
                "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.",
            ));
        }
        let bindings = validate_bindings(&policy["bindings"], member_exists)?;
        self.writes += 1;
        let mut bytes = vec![0x07u8];
        bytes.extend_from_slice(&self.writes.to_be_bytes()[1..]);
        let stored = Policy {
            version: policy["version"].as_i64().unwrap_or(1).max(1),
            bindings,
            etag: STANDARD.encode(bytes),
        };
        let answer = render(&stored);
        self.by_resource.insert(resource.to_string(), stored);
        Ok(answer)
    }

    /// Drops the policy of a deleted resource.
    pub fn remove(&mut self, resource: &str) {
        self.by_resource.remove(resource);
    }

    /// Whether `member` holds `role` on `resource`.
    pub fn has_binding(&self, resource: &str, role: &str, member: &str) -> bool {
        self.by_resource.get(resource).is_some_and(|policy| {
            policy.bindings.iter().any(|binding| {
                binding["role"] == role
                    && binding["members"]
                        .as_array()
                        .is_some_and(|members| members.iter().any(|m| m == member))
            })
        })
    }

    /// Every written policy with at least one binding, by resource.
    pub fn records(&self) -> Value {
        Value::Object(
            self.by_resource
                .iter()
                .filter(|(_, policy)| !policy.bindings.is_empty())
                .map(|(resource, policy)| (resource.clone(), render(policy)))
                .collect(),
        )
    }

    pub fn clear(&mut self) {
        self.by_resource.clear();
    }
}

fn render(policy: &Policy) -> Value {
    let mut value = json!({"version": policy.version, "etag": policy.etag});
    if !policy.bindings.is_empty() {
        value["bindings"] = Value::Array(policy.bindings.clone());
    }
    value
}

fn validate_bindings(
    bindings: &Value,
    member_exists: &dyn Fn(&str) -> bool,
) -> ApiResult<Vec<Value>> {
    let Some(list) = bindings.as_array() else {
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    for binding in list {
        let role = binding["role"].as_str().unwrap_or_default();
        if !(role.starts_with("roles/") || role.contains("/roles/")) {
            return Err(ApiError::invalid_argument(format!(
                "Role {role} is not supported for this resource."
            )));
        }
        let members = binding["members"].as_array().cloned().unwrap_or_default();
        for member in &members {
            let member = member.as_str().unwrap_or_default();
            let known_kind = matches!(member, "allUsers" | "allAuthenticatedUsers")
                || MEMBER_PREFIXES
                    .iter()
                    .any(|prefix| member.starts_with(prefix));
            if !known_kind {
                return Err(ApiError::invalid_argument(format!(
                    "Invalid member type in {member}."
                )));
            }
            if let Some(email) = member.strip_prefix("serviceAccount:")
                && !member_exists(email)
            {
                return Err(ApiError::invalid_argument(format!(
                    "Service account {email} does not exist."
                )));
            }
        }
        if !members.is_empty() {
            kept.push(binding.clone());
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_modify_write_by_etag() {
        let mut policies = Policies::default();
        let exists = |_: &str| true;
        let empty = policies.get("projects/p");
        assert_eq!(empty["etag"], EMPTY_ETAG);
        let binding = json!([{"role": "roles/viewer", "members": ["user:a@example.com"]}]);
        let first = policies
            .set(
                "projects/p",
                &json!({"bindings": binding, "etag": EMPTY_ETAG}),
                &exists,
            )
            .unwrap();
        assert_ne!(first["etag"], EMPTY_ETAG);
        let stale = policies
            .set(
                "projects/p",
                &json!({"bindings": [], "etag": EMPTY_ETAG}),
                &exists,
            )
            .unwrap_err();
        assert_eq!((stale.status, stale.http.as_u16()), ("ABORTED", 409));
        assert!(policies.has_binding("projects/p", "roles/viewer", "user:a@example.com"));
        let missing = policies
            .set(
                "projects/p",
                &json!({"bindings": [{"role": "roles/viewer", "members": ["serviceAccount:x@p.iam.gserviceaccount.com"]}]}),
                &|_| false,
            )
            .unwrap_err();
        assert_eq!(missing.status, "INVALID_ARGUMENT");
    }
}
