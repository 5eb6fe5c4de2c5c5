//! iam v1 service accounts: `accountId` rules, one email per account, a unique id.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Project;
use crate::gcp::errors::{ApiError, ApiResult};

#[derive(Debug, Default)]
pub struct ServiceAccounts {
    by_email: BTreeMap<String, Value>,
    created: u64,
}

/// `[a-z]([-a-z0-9]*[a-z0-9])`, 6 to 30 characters.
pub fn valid_account_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    (6..=30).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1] != b'-'
        && bytes
            .iter()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || *byte == b'-')
}

impl ServiceAccounts {
    pub fn create(&mut self, project: &Project, body: &Value) -> ApiResult<Value> {
        let account_id = body["accountId"].as_str().unwrap_or_default();
        if !valid_account_id(account_id) {
            return Err(ApiError::invalid_argument(format!(
                "Invalid account ID '{account_id}'. Account IDs must be 6-30 characters long, and match the regular expression `[a-z]([-a-z0-9]*[a-z0-9])` to comply with RFC1035."
            )));
        }
        let email = format!("{account_id}@{}.iam.gserviceaccount.com", project.id);
        if self.by_email.contains_key(&email) {
            return Err(ApiError::already_exists(format!(
                "Service account {account_id} already exists within project projects/{}.",
                project.id
            )));
        }
        check_lengths(&body["serviceAccount"])?;
        self.created += 1;
        let unique_id = format!("1{:020}", 10_000_000 + self.created);
        let given = &body["serviceAccount"];
        let mut account = json!({
            "name": format!("projects/{}/serviceAccounts/{email}", project.id),
            "projectId": project.id,
            "uniqueId": unique_id,
            "email": email,
            "etag": "MDEwMjE5MjA=",
            "oauth2ClientId": unique_id,
        });
        for field in ["displayName", "description"] {
            if let Some(text) = given[field].as_str().filter(|text| !text.is_empty()) {
                account[field] = json!(text);
            }
        }
        self.by_email.insert(email, account.clone());
        Ok(account)
    }

    /// By `projects/{p|-}/serviceAccounts/{email|uniqueId}`.
    pub fn get(&self, name: &str) -> ApiResult<&Value> {
        let key = name.rsplit('/').next().unwrap_or_default();
        self.by_email
            .get(key)
            .or_else(|| self.by_email.values().find(|a| a["uniqueId"] == key))
            .ok_or_else(|| ApiError::not_found(format!("Unknown service account {key}")))
    }

    pub fn exists(&self, email: &str) -> bool {
        self.by_email.contains_key(email)
    }

    pub fn list(&self) -> Vec<Value> {
        self.by_email.values().cloned().collect()
    }

    /// `PATCH` with `{serviceAccount, updateMask}`: display name and description.
    pub fn patch(&mut self, name: &str, body: &Value) -> ApiResult<Value> {
        let email = self.get(name)?["email"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mask = body["updateMask"].as_str().unwrap_or_default();
        let given = &body["serviceAccount"];
        check_lengths(given)?;
        let account = self.by_email.get_mut(&email).expect("just found");
        for field in mask.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            match field {
                "displayName" | "display_name" => {
                    account["displayName"] = given["displayName"].clone()
                }
                "description" => account["description"] = given["description"].clone(),
                other => {
                    return Err(ApiError::invalid_argument(format!(
                        "Invalid update mask field: {other}"
                    )));
                }
            }
        }
        Ok(account.clone())
    }

    /// Removes the account; its email.
    pub fn delete(&mut self, name: &str) -> ApiResult<String> {
        let email = self.get(name)?["email"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.by_email.remove(&email);
        Ok(email)
    }

    pub fn clear(&mut self) {
        self.by_email.clear();
    }
}

/// IAM's limits on a service account's texts: `displayName` at most 100 and
/// `description` at most 256 UTF-8 bytes.
fn check_lengths(account: &Value) -> ApiResult<()> {
    for (field, max) in [("displayName", 100), ("description", 256)] {
        let length = account[field].as_str().map_or(0, str::len);
        if length > max {
            return Err(ApiError::invalid_argument(format!(
                "ServiceAccount.{field} must be at most {max} bytes long, got {length}."
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_follow_iams_rules() {
        for good in ["abcdef", "ml-node-1", "a23456789012345678901234567890"] {
            assert!(valid_account_id(good), "{good}");
        }
        for bad in [
            "abcde",
            "1abcdef",
            "abcdef-",
            "Abcdef",
            "ab_cdef",
            "a234567890123456789012345678901",
        ] {
            assert!(!valid_account_id(bad), "{bad}");
        }
    }
}
