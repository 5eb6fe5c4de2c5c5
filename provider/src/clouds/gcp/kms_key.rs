//! `mlcloud_kms_key` on Google Cloud: a key ring (created when missing, never deleted:
//! Cloud KMS cannot delete one) holding an ENCRYPT_DECRYPT crypto key named after the
//! resource, with a rotation period, a protection level and our labels. Destroy
//! schedules destruction of every version; a key whose primary version is destroyed or
//! scheduled for destruction reads as gone.
//!
//! Creating a crypto key is a POST the client never retries; its id is fixed, so a
//! create that finds the name taken reads the key and adopts it when our `mlcloud-name`
//! label marks it (a retried create after a lost response), and fails otherwise.

use super::GcpBackend;
use super::errors::{Service, err, found, gone_is_ok};
use super::labels;
use super::names::KeyName;
use super::rules::KEY_RING_SUFFIX;
use crate::clouds::model::{GcpKeySettings, KeySpec, KeyState, Op, PerCloud};
use crate::clouds::wait::Deadline;
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use google_cloud_kms_v1::model::crypto_key::CryptoKeyPurpose;
use google_cloud_kms_v1::model::crypto_key_version::{
    CryptoKeyVersionAlgorithm, CryptoKeyVersionState,
};
use google_cloud_kms_v1::model::{CryptoKey, CryptoKeyVersionTemplate, KeyRing, ProtectionLevel};
use google_cloud_wkt::{Duration as PbDuration, FieldMask, Timestamp};
use std::time::SystemTime;

const DAY_SECONDS: i64 = 86_400;
/// What the contract promises when `gcp { protection_level }` is left out.
const DEFAULT_PROTECTION: &str = "HSM";

fn what(name: &str) -> String {
    format!("crypto key {name:?}")
}

// ---------------------------------------------------------------- expand

/// The key's resource name from the spec.
fn key_name(backend: &GcpBackend, spec: &KeySpec) -> Result<KeyName, CloudError> {
    let settings = spec.cloud.gcp().cloned().unwrap_or_default();
    Ok(KeyName {
        project: backend.project(settings.project.as_deref())?,
        location: spec.location.clone(),
        key_ring: settings
            .key_ring
            .unwrap_or_else(|| format!("{}{KEY_RING_SUFFIX}", spec.name)),
        key: spec.name.clone(),
    })
}

fn protection(spec: &KeySpec) -> ProtectionLevel {
    match spec.cloud.gcp().and_then(|g| g.protection_level.as_deref()) {
        Some("SOFTWARE") => ProtectionLevel::Software,
        _ => ProtectionLevel::Hsm,
    }
}

fn rotation_period(days: u32) -> PbDuration {
    PbDuration::clamp(i64::from(days) * DAY_SECONDS, 0)
}

/// Cloud KMS needs the first rotation time with a period: one period from now.
fn next_rotation(days: u32) -> Timestamp {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Timestamp::clamp(now + i64::from(days) * DAY_SECONDS, 0)
}

fn expand_key(spec: &KeySpec) -> CryptoKey {
    CryptoKey::new()
        .set_purpose(CryptoKeyPurpose::EncryptDecrypt)
        .set_version_template(
            CryptoKeyVersionTemplate::new()
                .set_algorithm(CryptoKeyVersionAlgorithm::GoogleSymmetricEncryption)
                .set_protection_level(protection(spec)),
        )
        .set_rotation_period(rotation_period(spec.rotation_period_days))
        .set_next_rotation_time(next_rotation(spec.rotation_period_days))
        .set_destroy_scheduled_duration(PbDuration::clamp(
            i64::from(spec.deletion_window_days) * DAY_SECONDS,
            0,
        ))
        .set_labels(labels::expand_labels(&spec.tags, &spec.name))
}

// ---------------------------------------------------------------- flatten

fn protection_name(level: &ProtectionLevel) -> Option<String> {
    match level {
        ProtectionLevel::Software => Some("SOFTWARE".into()),
        ProtectionLevel::Hsm => Some("HSM".into()),
        other => other.name().map(str::to_string),
    }
}

/// The state of `key`. The `gcp {}` settings report only what differs from the
/// defaults (the provider's project, `<name>-ring`, HSM): a configuration without the
/// block then matches, and an import shows what a configuration must say.
fn flatten_key(
    key: &CryptoKey,
    description: &str,
    default_project: Option<&str>,
) -> Result<KeyState, CloudError> {
    let name = KeyName::parse(&key.name)
        .ok_or_else(|| CloudError::Invalid(format!("{:?} is not a crypto key name", key.name)))?;
    let rotation_period_days = Some(
        key.rotation_period()
            .map_or(0, |p| (p.seconds() / DAY_SECONDS) as u32),
    );
    Ok(KeyState {
        policy_drift: Default::default(),
        id: key.name.clone(),
        key_ref: key.name.clone(),
        name: name.key.clone(),
        location: name.location.clone(),
        description: description.to_string(),
        rotation_period_days,
        tags: labels::flatten_labels(&key.labels),
        cloud: PerCloud::Gcp(GcpKeySettings {
            project: Some(name.project.clone()).filter(|p| Some(p.as_str()) != default_project),
            key_ring: Some(name.key_ring.clone())
                .filter(|r| *r != format!("{}{KEY_RING_SUFFIX}", name.key)),
            protection_level: key
                .version_template
                .as_ref()
                .and_then(|t| protection_name(&t.protection_level))
                .filter(|p| p != DEFAULT_PROTECTION),
        }),
    })
}

/// Whether the key still protects anything: its primary version is not destroyed or
/// scheduled for destruction.
fn is_live(key: &CryptoKey) -> bool {
    !key.primary.as_ref().is_some_and(|v| {
        matches!(
            v.state,
            CryptoKeyVersionState::Destroyed | CryptoKeyVersionState::DestroyScheduled
        )
    })
}

// ---------------------------------------------------------------- find

impl GcpBackend {
    async fn find_key(&self, name: &str) -> Result<CryptoKey, CloudError> {
        let w = what(name);
        self.clients
            .kms
            .get_crypto_key()
            .set_name(name)
            .send()
            .await
            .map_err(err(Service::CloudKms, "GetCryptoKey", &w))
    }

    /// Creates the key ring unless it exists (a racing create of the same ring is
    /// fine: either way it exists).
    async fn ensure_key_ring(&self, key: &KeyName) -> Result<(), CloudError> {
        let ring = key.key_ring_name();
        let w = format!("key ring {ring:?}");
        let existing = self
            .clients
            .kms
            .get_key_ring()
            .set_name(&ring)
            .send()
            .await
            .map_err(err(Service::CloudKms, "GetKeyRing", &w));
        if found(existing)?.is_some() {
            return Ok(());
        }
        let created = self
            .clients
            .kms
            .create_key_ring()
            .set_parent(key.location_name())
            .set_key_ring_id(&key.key_ring)
            .set_key_ring(KeyRing::new())
            .send()
            .await
            .map_err(err(Service::CloudKms, "CreateKeyRing", &w));
        match created {
            Err(CloudError::AlreadyExists { .. }) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Creates the crypto key, or adopts ours when a lost response left it made.
    async fn create_key(&self, key: &KeyName, spec: &KeySpec) -> Result<CryptoKey, CloudError> {
        let w = what(&key.name());
        let created = self
            .clients
            .kms
            .create_crypto_key()
            .set_parent(key.key_ring_name())
            .set_crypto_key_id(&key.key)
            .set_crypto_key(expand_key(spec))
            .send()
            .await
            .map_err(err(Service::CloudKms, "CreateCryptoKey", &w));
        match created {
            Err(taken @ CloudError::AlreadyExists { .. }) => {
                let existing = self.find_key(&key.name()).await?;
                if labels::is_ours(&existing.labels, &spec.name) && is_live(&existing) {
                    Ok(existing)
                } else {
                    Err(taken)
                }
            }
            other => other,
        }
    }

    /// Brings labels and rotation to the spec (one PATCH with a field mask).
    async fn update_key(&self, name: &str, spec: &KeySpec) -> Result<CryptoKey, CloudError> {
        let w = what(name);
        let key = CryptoKey::new()
            .set_name(name)
            .set_labels(labels::expand_labels(&spec.tags, &spec.name))
            .set_rotation_period(rotation_period(spec.rotation_period_days))
            .set_next_rotation_time(next_rotation(spec.rotation_period_days));
        self.clients
            .kms
            .update_crypto_key()
            .set_crypto_key(key)
            .set_update_mask(FieldMask::default().set_paths([
                "labels",
                "rotation_period",
                "next_rotation_time",
            ]))
            .send()
            .await
            .map_err(err(Service::CloudKms, "UpdateCryptoKey", &w))
    }

    /// Whether any version can still be used (or become usable): a key whose every
    /// version is destroyed or scheduled for destruction is gone for Terraform.
    async fn has_live_version(&self, name: &str) -> Result<bool, CloudError> {
        use google_cloud_gax::paginator::ItemPaginator as _;
        let w = what(name);
        let mut versions = self
            .clients
            .kms
            .list_crypto_key_versions()
            .set_parent(name)
            .by_item();
        let mut any = false;
        while let Some(v) = versions.next().await {
            let v = v.map_err(err(Service::CloudKms, "ListCryptoKeyVersions", &w))?;
            any = true;
            if !matches!(
                v.state,
                CryptoKeyVersionState::Destroyed | CryptoKeyVersionState::DestroyScheduled
            ) {
                return Ok(true);
            }
        }
        Ok(!any)
    }

    /// Schedules destruction of every version not already destroyed or scheduled.
    async fn destroy_versions(&self, name: &str) -> Result<(), CloudError> {
        use google_cloud_gax::paginator::ItemPaginator as _;
        let w = what(name);
        let mut versions = self
            .clients
            .kms
            .list_crypto_key_versions()
            .set_parent(name)
            .by_item();
        let mut to_destroy = Vec::new();
        while let Some(v) = versions.next().await {
            let v = v.map_err(err(Service::CloudKms, "ListCryptoKeyVersions", &w))?;
            if !matches!(
                v.state,
                CryptoKeyVersionState::Destroyed | CryptoKeyVersionState::DestroyScheduled
            ) {
                to_destroy.push(v.name);
            }
        }
        for version in to_destroy {
            // A POST, but destroying twice is harmless: a repeat is refused as
            // FAILED_PRECONDITION (already scheduled), which means done.
            let result = self
                .clients
                .kms
                .destroy_crypto_key_version()
                .set_name(&version)
                .send()
                .await
                .map_err(err(Service::CloudKms, "DestroyCryptoKeyVersion", &w));
            match result {
                Err(CloudError::Conflict { ref code, .. }) if code == "FAILED_PRECONDITION" => {}
                other => gone_is_ok(other.map(|_| ()))?,
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- backend

#[async_trait::async_trait]
impl ObjectBackend<KeySpec, KeyState> for GcpBackend {
    async fn create(&self, spec: &KeySpec, op: &Op) -> Outcome<KeyState> {
        let _deadline = Deadline::new(op);
        let name = key_name(self, spec)?;
        self.ensure_key_ring(&name).await?;
        let key = self.create_key(&name, spec).await?;
        let state = flatten_key(&key, &spec.description, self.default_project())?;
        op.record(&state);
        // An adopted key may differ from the spec (an earlier apply's settings).
        let made_by_spec = key.labels == labels::expand_labels(&spec.tags, &spec.name)
            && key.rotation_period().map(|p| p.seconds())
                == Some(i64::from(spec.rotation_period_days) * DAY_SECONDS);
        if made_by_spec {
            return Ok(state);
        }
        match self.update_key(&key.name, spec).await {
            Ok(updated) => flatten_key(&updated, &spec.description, self.default_project())
                .map_err(PartialFailure::from),
            Err(error) => Err(PartialFailure {
                created: Some(state),
                error,
            }),
        }
    }

    async fn read(&self, id: &str) -> Result<Option<KeyState>, CloudError> {
        let Some(key) = found(self.find_key(id).await)? else {
            return Ok(None);
        };
        if !is_live(&key) || !found(self.has_live_version(id).await)?.unwrap_or(false) {
            return Ok(None);
        }
        flatten_key(&key, "", self.default_project()).map(Some)
    }

    async fn update(
        &self,
        id: &str,
        prior: &KeyState,
        spec: &KeySpec,
        _op: &Op,
    ) -> Outcome<KeyState> {
        if prior.tags == spec.tags && prior.rotation_period_days == Some(spec.rotation_period_days)
        {
            let mut same = prior.clone();
            same.description = spec.description.clone();
            return Ok(same);
        }
        let key = self.update_key(id, spec).await?;
        Ok(flatten_key(
            &key,
            &spec.description,
            self.default_project(),
        )?)
    }

    /// Schedules every version's destruction; the key ring stays (Cloud KMS cannot
    /// delete key rings), which the resource reports as a warning.
    async fn delete(&self, id: &str, _spec: &KeySpec, _op: &Op) -> Result<(), CloudError> {
        match found(self.find_key(id).await)? {
            Some(_) => self.destroy_versions(id).await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clouds::model::Tags;

    fn spec() -> KeySpec {
        KeySpec {
            name: "etcd".into(),
            location: "us-central1".into(),
            description: "d".into(),
            rotation_period_days: 90,
            deletion_window_days: 30,
            tags: Tags::from([("team".to_string(), "ml".to_string())]),
            cloud: PerCloud::Gcp(GcpKeySettings::default()),
        }
    }

    #[test]
    fn expands_an_hsm_encrypt_decrypt_key_with_rotation_and_markers() {
        let key = expand_key(&spec());
        assert_eq!(key.purpose, CryptoKeyPurpose::EncryptDecrypt);
        let template = key.version_template.as_ref().unwrap();
        assert_eq!(template.protection_level, ProtectionLevel::Hsm);
        assert_eq!(key.rotation_period().unwrap().seconds(), 90 * DAY_SECONDS);
        assert!(key.next_rotation_time.is_some(), "Cloud KMS needs both");
        assert_eq!(
            key.destroy_scheduled_duration.as_ref().unwrap().seconds(),
            30 * DAY_SECONDS
        );
        assert_eq!(key.labels.get("team").map(String::as_str), Some("ml"));
        assert_eq!(
            key.labels.get("mlcloud-managed").map(String::as_str),
            Some("true")
        );
    }

    #[test]
    fn flattens_the_name_into_project_ring_and_location() {
        let name = "projects/ml-proj/locations/us-central1/keyRings/etcd-ring/cryptoKeys/etcd";
        let key = expand_key(&spec()).set_name(name);
        let state = flatten_key(&key, "d", Some("ml-proj")).unwrap();
        assert_eq!(state.key_ref, name);
        assert_eq!(state.location, "us-central1");
        assert_eq!(state.rotation_period_days, Some(90));
        assert_eq!(state.tags, spec().tags, "markers hidden");
        assert_eq!(
            state.cloud.gcp(),
            Some(&GcpKeySettings::default()),
            "defaults are not reported, so a configuration without gcp {{}} matches"
        );
        let elsewhere = flatten_key(&key, "d", Some("other-proj")).unwrap();
        assert_eq!(
            elsewhere.cloud.gcp().unwrap().project.as_deref(),
            Some("ml-proj")
        );
    }
}
