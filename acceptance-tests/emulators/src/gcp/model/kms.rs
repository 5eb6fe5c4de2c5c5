//! cloudkms v1: key rings (never deleted: the API has no delete), crypto keys with
//! rotation and an immutable `destroyScheduledDuration`, versions that `:destroy`
//! schedules for destruction.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value, json};

use crate::gcp::clock::{self, format_duration, parse_duration};
use crate::gcp::errors::{ApiError, ApiResult};

const DAY: Duration = Duration::from_secs(86_400);
/// Cloud KMS's default and its bounds for `destroyScheduledDuration`.
const DEFAULT_DESTROY_SCHEDULED: Duration = Duration::from_secs(30 * 86_400);
const MAX_DESTROY_SCHEDULED: Duration = Duration::from_secs(120 * 86_400);

#[derive(Debug, Clone)]
struct CryptoKey {
    /// The key without `primary`, which is rendered from `versions`.
    key: Value,
    primary: Option<usize>,
    versions: Vec<Value>,
}

#[derive(Debug, Default)]
pub struct Kms {
    key_rings: BTreeMap<String, Value>,
    keys: BTreeMap<String, CryptoKey>,
}

/// Key ring and key ids: `[a-zA-Z0-9_-]{1,63}`.
fn valid_id(id: &str) -> bool {
    (1..=63).contains(&id.len())
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
}

impl Kms {
    pub fn create_key_ring(&mut self, parent: &str, id: &str) -> ApiResult<Value> {
        if !valid_id(id) {
            return Err(ApiError::invalid_argument(format!(
                "Invalid key_ring_id '{id}': must match [a-zA-Z0-9_-]{{1,63}}."
            )));
        }
        let name = format!("{parent}/keyRings/{id}");
        if self.key_rings.contains_key(&name) {
            return Err(ApiError::already_exists(format!(
                "KeyRing {name} already exists."
            )));
        }
        let ring = json!({"name": name, "createTime": clock::now_rfc3339()});
        self.key_rings.insert(name, ring.clone());
        Ok(ring)
    }

    pub fn key_ring(&self, name: &str) -> ApiResult<Value> {
        self.key_rings
            .get(name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("KeyRing {name} not found.")))
    }

    pub fn list_key_rings(&self, parent: &str) -> Vec<Value> {
        let prefix = format!("{parent}/keyRings/");
        self.key_rings
            .iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .map(|(_, ring)| ring.clone())
            .collect()
    }

    pub fn create_crypto_key(
        &mut self,
        parent: &str,
        id: &str,
        mut body: Value,
        skip_initial_version: bool,
    ) -> ApiResult<Value> {
        self.key_ring(parent)?;
        if !valid_id(id) {
            return Err(ApiError::invalid_argument(format!(
                "Invalid crypto_key_id '{id}': must match [a-zA-Z0-9_-]{{1,63}}."
            )));
        }
        let name = format!("{parent}/cryptoKeys/{id}");
        if self.keys.contains_key(&name) {
            return Err(ApiError::already_exists(format!(
                "CryptoKey {name} already exists."
            )));
        }
        let purpose = body["purpose"]
            .as_str()
            .unwrap_or("CRYPTO_KEY_PURPOSE_UNSPECIFIED")
            .to_string();
        if purpose == "CRYPTO_KEY_PURPOSE_UNSPECIFIED" {
            return Err(ApiError::invalid_argument(
                "The request cannot be fulfilled. CryptoKey.purpose must be specified.",
            ));
        }
        validate_rotation(&body, &purpose)?;
        let destroy_scheduled = match body["destroyScheduledDuration"].as_str() {
            Some(text) => {
                let duration = parse_duration(text).ok_or_else(|| {
                    ApiError::invalid_argument(format!(
                        "Invalid destroy_scheduled_duration {text}."
                    ))
                })?;
                if duration < DAY || duration > MAX_DESTROY_SCHEDULED {
                    return Err(ApiError::invalid_argument(
                        "destroy_scheduled_duration must be between 24 hours and 120 days.",
                    ));
                }
                duration
            }
            None => DEFAULT_DESTROY_SCHEDULED,
        };
        let object = body.as_object_mut().expect("a JSON object body");
        object.remove("primary");
        object.insert("name".into(), json!(name));
        object.insert("createTime".into(), json!(clock::now_rfc3339()));
        object.insert(
            "destroyScheduledDuration".into(),
            json!(format_duration(destroy_scheduled)),
        );
        let template = object.entry("versionTemplate").or_insert_with(|| json!({}));
        if template
            .get("protectionLevel")
            .is_none_or(|level| level == "PROTECTION_LEVEL_UNSPECIFIED")
        {
            template["protectionLevel"] = json!("SOFTWARE");
        }
        if template.get("algorithm").is_none() && purpose == "ENCRYPT_DECRYPT" {
            template["algorithm"] = json!("GOOGLE_SYMMETRIC_ENCRYPTION");
        }
        let mut key = CryptoKey {
            key: body,
            primary: None,
            versions: Vec::new(),
        };
        if !skip_initial_version {
            key.add_version();
            if purpose == "ENCRYPT_DECRYPT" {
                key.primary = Some(0);
            }
        }
        let rendered = key.render();
        self.keys.insert(name, key);
        Ok(rendered)
    }

    pub fn crypto_key(&self, name: &str) -> ApiResult<Value> {
        self.find(name).map(CryptoKey::render)
    }

    pub fn key_exists(&self, name: &str) -> bool {
        self.keys.contains_key(name)
    }

    pub fn list_crypto_keys(&self, parent: &str) -> ApiResult<Vec<Value>> {
        self.key_ring(parent)?;
        let prefix = format!("{parent}/cryptoKeys/");
        Ok(self
            .keys
            .iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .map(|(_, key)| key.render())
            .collect())
    }

    /// `PATCH ?updateMask=...`: labels, rotation and the version template; the
    /// purpose and `destroyScheduledDuration` cannot change.
    pub fn patch_crypto_key(&mut self, name: &str, body: &Value, mask: &str) -> ApiResult<Value> {
        let key = self.find_mut(name)?;
        let fields: Vec<String> = mask
            .split(',')
            .map(|field| snake_to_camel(field.trim()))
            .filter(|field| !field.is_empty())
            .collect();
        if fields.is_empty() {
            return Err(ApiError::invalid_argument(
                "The request must specify an update_mask.",
            ));
        }
        let mut updated = key.key.clone();
        for field in &fields {
            match field.as_str() {
                "labels"
                | "rotationPeriod"
                | "nextRotationTime"
                | "versionTemplate.algorithm"
                | "versionTemplate" => {
                    set_path(&mut updated, field, body_path(body, field));
                }
                "destroyScheduledDuration" | "purpose" | "versionTemplate.protectionLevel" => {
                    return Err(ApiError::invalid_argument(format!(
                        "The request cannot be fulfilled. Field {} is immutable.",
                        camel_to_snake(field)
                    )));
                }
                other => {
                    return Err(ApiError::invalid_argument(format!(
                        "Invalid update_mask path: {}",
                        camel_to_snake(other)
                    )));
                }
            }
        }
        let purpose = updated["purpose"].as_str().unwrap_or_default().to_string();
        validate_rotation(&updated, &purpose)?;
        key.key = updated;
        Ok(key.render())
    }

    pub fn versions(&self, key: &str) -> ApiResult<Vec<Value>> {
        Ok(self.find(key)?.versions.clone())
    }

    pub fn version(&self, name: &str) -> ApiResult<Value> {
        let (key, index) = split_version(name)?;
        self.find(key)?
            .versions
            .get(index)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("CryptoKeyVersion {name} not found.")))
    }

    /// `:destroy`: an ENABLED or DISABLED version becomes DESTROY_SCHEDULED for the
    /// key's `destroyScheduledDuration`.
    pub fn destroy_version(&mut self, name: &str) -> ApiResult<Value> {
        let (key_name, index) = split_version(name)?;
        let key = self.find_mut(key_name)?;
        let wait = key.key["destroyScheduledDuration"]
            .as_str()
            .and_then(parse_duration)
            .unwrap_or(DEFAULT_DESTROY_SCHEDULED);
        let version = key
            .versions
            .get_mut(index)
            .ok_or_else(|| ApiError::not_found(format!("CryptoKeyVersion {name} not found.")))?;
        let state = version["state"].as_str().unwrap_or_default().to_string();
        if state != "ENABLED" && state != "DISABLED" {
            return Err(ApiError::failed_precondition(format!(
                "The request cannot be fulfilled. Resource {name} has value {state} in field crypto_key_version.state."
            )));
        }
        version["state"] = json!("DESTROY_SCHEDULED");
        version["destroyTime"] = json!(clock::rfc3339(SystemTime::now() + wait));
        let answer = version.clone();
        if key.primary == Some(index) {
            key.primary = None;
        }
        Ok(answer)
    }

    pub fn key_rings(&self) -> Vec<Value> {
        self.key_rings.values().cloned().collect()
    }

    /// Every key with its versions (records).
    pub fn crypto_keys(&self) -> Vec<Value> {
        self.keys
            .values()
            .map(|key| {
                let mut value = key.render();
                value["versions"] = Value::Array(key.versions.clone());
                value
            })
            .collect()
    }

    fn find(&self, name: &str) -> ApiResult<&CryptoKey> {
        self.keys
            .get(name)
            .ok_or_else(|| ApiError::not_found(format!("CryptoKey {name} not found.")))
    }

    fn find_mut(&mut self, name: &str) -> ApiResult<&mut CryptoKey> {
        self.keys
            .get_mut(name)
            .ok_or_else(|| ApiError::not_found(format!("CryptoKey {name} not found.")))
    }
}

impl CryptoKey {
    fn add_version(&mut self) {
        let now = clock::now_rfc3339();
        let template = &self.key["versionTemplate"];
        self.versions.push(json!({
            "name": format!("{}/cryptoKeyVersions/{}", self.key["name"].as_str().unwrap_or_default(), self.versions.len() + 1),
            "state": "ENABLED",
            "createTime": now,
            "generateTime": now,
            "protectionLevel": template["protectionLevel"],
            "algorithm": template["algorithm"],
        }));
    }

    fn render(&self) -> Value {
        let mut value = self.key.clone();
        if let Some(primary) = self.primary.and_then(|index| self.versions.get(index)) {
            value["primary"] = primary.clone();
        }
        value
    }
}

/// A rotation period is for symmetric keys, at least a day, with a next rotation time.
fn validate_rotation(key: &Value, purpose: &str) -> ApiResult<()> {
    let Some(period) = key["rotationPeriod"].as_str() else {
        return Ok(());
    };
    if purpose != "ENCRYPT_DECRYPT" {
        return Err(ApiError::invalid_argument(
            "The request cannot be fulfilled. Automatic rotation is only supported for ENCRYPT_DECRYPT keys.",
        ));
    }
    let period = parse_duration(period)
        .ok_or_else(|| ApiError::invalid_argument(format!("Invalid rotation_period {period}.")))?;
    if period < DAY {
        return Err(ApiError::invalid_argument(
            "The request cannot be fulfilled. rotation_period must be at least 24 hours.",
        ));
    }
    match key["nextRotationTime"].as_str() {
        Some(time) if clock::is_rfc3339(time) => Ok(()),
        Some(time) => Err(ApiError::invalid_argument(format!(
            "Invalid next_rotation_time {time}."
        ))),
        None => Err(ApiError::invalid_argument(
            "The request cannot be fulfilled. next_rotation_time must be set when rotation_period is set.",
        )),
    }
}

fn split_version(name: &str) -> ApiResult<(&str, usize)> {
    name.split_once("/cryptoKeyVersions/")
        .and_then(|(key, id)| {
            id.parse::<usize>()
                .ok()
                .filter(|id| *id >= 1)
                .map(|id| (key, id - 1))
        })
        .ok_or_else(|| ApiError::not_found(format!("CryptoKeyVersion {name} not found.")))
}

fn body_path<'a>(body: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(body, |value, part| &value[part])
}

fn set_path(target: &mut Value, path: &str, value: &Value) {
    let mut current = target;
    let parts: Vec<&str> = path.split('.').collect();
    for part in &parts[..parts.len() - 1] {
        if !current[*part].is_object() {
            current[*part] = Value::Object(Map::new());
        }
        current = &mut current[*part];
    }
    let last = parts[parts.len() - 1];
    if let Some(object) = current.as_object_mut() {
        if value.is_null() {
            object.remove(last);
        } else {
            object.insert(last.to_string(), value.clone());
        }
    }
}

pub fn snake_to_camel(text: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for ch in text.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

fn camel_to_snake(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RING: &str = "projects/p/locations/us-central1/keyRings/r";

    fn kms_with_ring() -> Kms {
        let mut kms = Kms::default();
        kms.create_key_ring("projects/p/locations/us-central1", "r")
            .unwrap();
        kms
    }

    #[test]
    fn rotation_needs_a_day_and_a_next_time() {
        let mut kms = kms_with_ring();
        let short = json!({"purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "3600s", "nextRotationTime": "2030-01-01T00:00:00Z"});
        assert_eq!(
            kms.create_crypto_key(RING, "k", short, false)
                .unwrap_err()
                .status,
            "INVALID_ARGUMENT"
        );
        let no_next = json!({"purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "86400s"});
        assert_eq!(
            kms.create_crypto_key(RING, "k", no_next, false)
                .unwrap_err()
                .status,
            "INVALID_ARGUMENT"
        );
        let good = json!({"purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s", "nextRotationTime": "2030-01-01T00:00:00Z"});
        let key = kms
            .create_crypto_key(RING, "k", good.clone(), false)
            .unwrap();
        assert_eq!(key["primary"]["state"], "ENABLED");
        assert_eq!(key["destroyScheduledDuration"], "2592000s");
        assert_eq!(key["versionTemplate"]["protectionLevel"], "SOFTWARE");
        assert_eq!(
            kms.create_crypto_key(RING, "k", good, false)
                .unwrap_err()
                .status,
            "ALREADY_EXISTS"
        );
    }

    #[test]
    fn destroy_schedules_and_the_duration_is_immutable() {
        let mut kms = kms_with_ring();
        kms.create_crypto_key(RING, "k", json!({"purpose": "ENCRYPT_DECRYPT"}), false)
            .unwrap();
        let key = format!("{RING}/cryptoKeys/k");
        let immutable = kms
            .patch_crypto_key(
                &key,
                &json!({"destroyScheduledDuration": "86400s"}),
                "destroy_scheduled_duration",
            )
            .unwrap_err();
        assert_eq!(immutable.status, "INVALID_ARGUMENT");
        let labelled = kms
            .patch_crypto_key(&key, &json!({"labels": {"a": "b"}}), "labels")
            .unwrap();
        assert_eq!(labelled["labels"]["a"], "b");
        let version = kms
            .destroy_version(&format!("{key}/cryptoKeyVersions/1"))
            .unwrap();
        assert_eq!(version["state"], "DESTROY_SCHEDULED");
        assert!(kms.crypto_key(&key).unwrap().get("primary").is_none());
        let again = kms
            .destroy_version(&format!("{key}/cryptoKeyVersions/1"))
            .unwrap_err();
        assert_eq!(again.status, "FAILED_PRECONDITION");
    }
}
