//! `mlcloud_kms_key` on Azure: an RSA key in Key Vault with a rotation policy, in a
//! dedicated hardened vault unless `azure.key_vault_id` names one. `id` is the key's
//! ARM id, `key_ref` its versionless URI.
//!
//! ARM creates keys if they do not exist and never updates them; later changes (tags,
//! description, rotation) go through the vault's data plane. A key has no ARM DELETE:
//! a dedicated vault is deleted with its key (soft delete keeps both recoverable for 90
//! days, purge protection forbids purging them), a key in a user's vault is deleted
//! through the data plane (soft delete as configured on that vault).

use super::api_versions::{KEY_VAULT, KEY_VAULT_DATA};
use super::arm::ArmClient;
use super::errors::Call;
use super::key_uri::KeyUri;
use super::resource_id::ResourceId;
use super::{AzureBackend, tags, vaults};
use crate::clouds::model::{AzureKeySettings, KeySpec, KeyState, Op, PerCloud};
use crate::clouds::wait::Deadline;
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use azure_core::http::Method;
use serde_json::{Value, json};

const SERVICE: &str = vaults::SERVICE;
/// Tag holding the key's description (Key Vault keys have no description field).
const DESCRIPTION_TAG: &str = "mlcloud-description";
/// AKS KMS uses RSA keys; 2048 bits is what it documents.
const KEY_SIZE: u32 = 2048;

fn what(name: &str) -> String {
    format!("Key Vault key {name:?}")
}

/// `P{days}D`.
fn period(days: u32) -> String {
    format!("P{days}D")
}

/// Days in an ISO 8601 period of whole days, months or years (`P90D`, `P3M`, `P1Y`).
fn days_of(period: &str) -> Option<u32> {
    let body = period.strip_prefix('P')?;
    let (n, unit) = body.split_at(body.len().checked_sub(1)?);
    let n: u32 = n.parse().ok()?;
    match unit {
        "D" => Some(n),
        "M" => Some(n * 30),
        "Y" => Some(n * 365),
        _ => None,
    }
}

/// The key's ARM body: RSA, the operations a KMS provider needs, rotation.
pub fn expand_key(spec: &KeySpec) -> Value {
    json!({
        "tags": tags::expand(&spec.tags, &spec.name, &[(DESCRIPTION_TAG, &spec.description)]),
        "properties": {
            "kty": "RSA",
            "keySize": KEY_SIZE,
            "keyOps": ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
            "rotationPolicy": {
                "lifetimeActions": [{
                    "trigger": {"timeAfterCreate": period(spec.rotation_period_days)},
                    "action": {"type": "rotate"}
                }]
            }
        }
    })
}

/// The rotation period a rotation policy (ARM's or the data plane's) says.
fn rotation_days(policy: Option<&Value>) -> Option<u32> {
    let actions = policy?.get("lifetimeActions")?.as_array()?;
    let rotate = actions.iter().find(|a| {
        a.pointer("/action/type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("rotate"))
    });
    match rotate {
        Some(a) => a
            .pointer("/trigger/timeAfterCreate")
            .and_then(Value::as_str)
            .and_then(days_of),
        None => Some(0),
    }
}

pub fn flatten_key(
    body: &Value,
    location: &str,
    settings: AzureKeySettings,
) -> Result<KeyState, CloudError> {
    let id = body.get("id").and_then(Value::as_str).unwrap_or_default();
    let rid = ResourceId::parse(id)?;
    let key_ref = body
        .pointer("/properties/keyUri")
        .and_then(Value::as_str)
        .ok_or_else(|| CloudError::Transport(format!("Key Vault sent no keyUri for {id}")))?;
    let all = tags::all(body);
    Ok(KeyState {
        policy_drift: Default::default(),
        id: id.to_string(),
        key_ref: KeyUri::parse(key_ref)?.versionless(),
        name: rid.name().to_string(),
        location: body
            .get("location")
            .and_then(Value::as_str)
            .unwrap_or(location)
            .to_string(),
        description: all.get(DESCRIPTION_TAG).cloned().unwrap_or_default(),
        rotation_period_days: rotation_days(body.pointer("/properties/rotationPolicy")),
        tags: tags::flatten(body),
        cloud: PerCloud::Azure(settings),
    })
}

/// The key, `None` when it or its vault is gone.
async fn find_key(arm: &ArmClient, id: &str) -> Result<Option<Value>, CloudError> {
    arm.get(id, KEY_VAULT, SERVICE).await
}

impl AzureBackend {
    /// The vault a new key goes into: the configured one, else its dedicated vault
    /// (created, or found again after a lost answer).
    async fn vault_for(
        &self,
        spec: &KeySpec,
        deadline: &Deadline,
    ) -> Result<(ResourceId, Value), CloudError> {
        let settings = spec.cloud.azure().cloned().unwrap_or_default();
        if let Some(vault_id) = &settings.key_vault_id {
            let id = ResourceId::parse_kind(vault_id, SERVICE, &["vaults"])?;
            let vault = self
                .arm
                .get::<Value>(vault_id, KEY_VAULT, SERVICE)
                .await?
                .ok_or_else(|| CloudError::NotFound {
                    what: format!("Key Vault {vault_id}"),
                    message: "azure.key_vault_id names no vault".into(),
                })?;
            return Ok((id, vault));
        }
        let group = settings.resource_group_name.ok_or_else(|| {
            CloudError::Invalid(
                "azure.resource_group_name is required for a key without azure.key_vault_id".into(),
            )
        })?;
        let name = vaults::dedicated_name(self.arm.subscription(), &group, &spec.name);
        let id = ResourceId::new(
            self.arm.subscription(),
            &group,
            SERVICE,
            &[("vaults", &name)],
        );
        if let Some(existing) = self
            .arm
            .get::<Value>(&id.to_string(), KEY_VAULT, SERVICE)
            .await?
        {
            if vaults::is_dedicated_to(&existing, &spec.name) {
                return Ok((id, existing));
            }
            return Err(CloudError::AlreadyExists {
                service: SERVICE,
                operation: "PUT",
                code: "VaultAlreadyExists".into(),
                message: format!(
                    "the vault {name} exists and is not the dedicated vault of key {:?}",
                    spec.name
                ),
            });
        }
        let mut body = vaults::expand_dedicated(
            &spec.location,
            &self.tenant_id().await?,
            &spec.name,
            &spec.tags,
        );
        let vault = match self
            .arm
            .put(&id.to_string(), KEY_VAULT, SERVICE, &body, deadline)
            .await
        {
            // The key was destroyed before: its vault waits in soft delete (purge
            // protection keeps it for 90 days) and holds the name. Recovering it
            // brings the key back, which is what a recreated key should be.
            Err(e) if e.has_code("ConflictError") => {
                body["properties"]["createMode"] = serde_json::json!("recover");
                self.arm
                    .put(&id.to_string(), KEY_VAULT, SERVICE, &body, deadline)
                    .await?
            }
            other => other?,
        };
        Ok((id, vault))
    }

    async fn key_state(
        &self,
        id: &str,
        fallback_location: &str,
    ) -> Result<Option<KeyState>, CloudError> {
        let Some(body) = find_key(&self.arm, id).await? else {
            return Ok(None);
        };
        let rid = ResourceId::parse_kind(id, SERVICE, &["vaults", "keys"])?;
        let vault_id = rid.parent().map(|v| v.to_string()).unwrap_or_default();
        let vault = self.arm.get::<Value>(&vault_id, KEY_VAULT, SERVICE).await?;
        let dedicated = vault
            .as_ref()
            .is_some_and(|v| vaults::is_dedicated_to(v, rid.name()));
        let location = vault
            .as_ref()
            .and_then(|v| v.get("location"))
            .and_then(Value::as_str)
            .unwrap_or(fallback_location)
            .to_string();
        let settings = AzureKeySettings {
            resource_group_name: Some(rid.resource_group.clone()),
            key_vault_id: (!dedicated).then_some(vault_id),
        };
        flatten_key(&body, &location, settings).map(Some)
    }

    /// Sends a data-plane request to the key's vault.
    async fn key_data_plane(
        &self,
        method: Method,
        key_ref: &str,
        suffix: &str,
        body: Option<&Value>,
    ) -> Result<Value, CloudError> {
        let key = KeyUri::parse(key_ref)?;
        let text = format!(
            "{}/keys/{}{suffix}?api-version={KEY_VAULT_DATA}",
            key.vault_uri, key.key_name
        );
        let url = azure_core::http::Url::parse(&text)
            .map_err(|e| CloudError::Invalid(format!("bad key URI {text:?}: {e}")))?;
        let operation = match method {
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            _ => "GET",
        };
        self.arm
            .send_vault(method, url, body)
            .await?
            .error_or_json(Call {
                service: "Key Vault",
                operation,
            })
    }

    /// Brings the key's tags, description and rotation to the spec (through the
    /// data plane: ARM never updates a key). A vault without public network access
    /// refuses that from outside its private endpoint; the error says what to do.
    async fn converge_key(&self, prior: &KeyState, spec: &KeySpec) -> Result<(), CloudError> {
        self.converge_key_data(prior, spec)
            .await
            .map_err(explain_private_vault)
    }

    async fn converge_key_data(&self, prior: &KeyState, spec: &KeySpec) -> Result<(), CloudError> {
        if prior.rotation_period_days != Some(spec.rotation_period_days) {
            let policy = json!({
                "lifetimeActions": [{
                    "trigger": {"timeAfterCreate": period(spec.rotation_period_days)},
                    "action": {"type": "Rotate"}
                }],
                "attributes": {}
            });
            self.key_data_plane(
                Method::Put,
                &prior.key_ref,
                "/rotationpolicy",
                Some(&policy),
            )
            .await?;
        }
        if prior.tags != spec.tags || prior.description != spec.description {
            let body = json!({"tags": tags::expand(&spec.tags, &spec.name, &[(DESCRIPTION_TAG, &spec.description)])});
            self.key_data_plane(Method::Patch, &prior.key_ref, "/", Some(&body))
                .await?;
        }
        Ok(())
    }
}

/// Key Vault's 403 `Forbidden` with inner code `ForbiddenByConnection` (public
/// network access disabled), with what the user can do about it.
fn explain_private_vault(error: CloudError) -> CloudError {
    match error {
        CloudError::PermissionDenied {
            service,
            operation,
            code,
            message,
        } if code == "ForbiddenByConnection"
            || message.contains("Public network access is disabled") =>
        {
            CloudError::PermissionDenied {
                service,
                operation,
                code,
                // Key Vault's inner error code, which names the cause.
                message: format!(
                    "ForbiddenByConnection: {message}\nThe key's rotation policy, description and tags can only be changed through the vault's data plane (Azure Resource Manager creates keys but never updates them), and this vault accepts data-plane calls only through a private endpoint. Apply from a network that reaches the vault's private endpoint (e.g. a runner in its virtual network), or keep the previous value; the state keeps the previous value until the change succeeds."
                ),
            }
        }
        other => other,
    }
}

#[async_trait::async_trait]
impl ObjectBackend<KeySpec, KeyState> for AzureBackend {
    async fn create(&self, spec: &KeySpec, op: &Op) -> Outcome<KeyState> {
        let deadline = Deadline::new(op);
        let (vault, _) = self.vault_for(spec, &deadline).await?;
        let id = vault.child("keys", &spec.name).to_string();
        let body = self
            .arm
            .put(&id, KEY_VAULT, SERVICE, &expand_key(spec), &deadline)
            .await?;
        let settings = spec.cloud.azure().cloned().unwrap_or_default();
        let state = flatten_key(
            &body,
            &spec.location,
            AzureKeySettings {
                resource_group_name: Some(vault.resource_group.clone()),
                key_vault_id: settings.key_vault_id,
            },
        )?;
        op.record(&state);
        // An existing key (adopted after a lost answer) may differ from the spec.
        if let Err(error) = self.converge_key(&state, spec).await {
            return Err(PartialFailure {
                created: Some(state),
                error,
            });
        }
        match self.key_state(&id, &spec.location).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(PartialFailure {
                created: None,
                error: CloudError::NotFound {
                    what: what(&spec.name),
                    message: "gone right after it was created".into(),
                },
            }),
            Err(error) => Err(PartialFailure {
                created: Some(state),
                error,
            }),
        }
    }

    async fn read(&self, id: &str) -> Result<Option<KeyState>, CloudError> {
        self.key_state(id, "").await
    }

    async fn update(
        &self,
        id: &str,
        prior: &KeyState,
        spec: &KeySpec,
        _op: &Op,
    ) -> Outcome<KeyState> {
        if let Err(error) = self.converge_key(prior, spec).await {
            let created = self.key_state(id, &spec.location).await.ok().flatten();
            return Err(PartialFailure { created, error });
        }
        self.key_state(id, &spec.location).await?.ok_or_else(|| {
            CloudError::NotFound {
                what: what(id),
                message: "the key is gone".into(),
            }
            .into()
        })
    }

    async fn delete(&self, id: &str, _spec: &KeySpec, op: &Op) -> Result<(), CloudError> {
        let deadline = Deadline::new(op);
        let rid = ResourceId::parse_kind(id, SERVICE, &["vaults", "keys"])?;
        let vault_id = rid.parent().map(|v| v.to_string()).unwrap_or_default();
        let Some(vault) = self.arm.get::<Value>(&vault_id, KEY_VAULT, SERVICE).await? else {
            return Ok(());
        };
        if vaults::is_dedicated_to(&vault, rid.name()) {
            return self
                .arm
                .delete(&vault_id, KEY_VAULT, SERVICE, &deadline)
                .await;
        }
        let Some(state) = self.key_state(id, "").await? else {
            return Ok(());
        };
        match self
            .key_data_plane(Method::Delete, &state.key_ref, "", None)
            .await
        {
            Err(e) if !e.is_not_found() => Err(e),
            _ => Ok(()),
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
            location: "westeurope".into(),
            description: "etcd secrets".into(),
            rotation_period_days: 90,
            deletion_window_days: 30,
            tags: Tags::from([("team".into(), "ml".into())]),
            cloud: PerCloud::Azure(AzureKeySettings {
                resource_group_name: Some("ml".into()),
                key_vault_id: None,
            }),
        }
    }

    #[test]
    fn expands_an_rsa_key_with_rotation_and_reads_it_back() {
        let body = expand_key(&spec());
        assert_eq!(body["properties"]["kty"], "RSA");
        assert_eq!(
            body["properties"]["rotationPolicy"]["lifetimeActions"][0]["trigger"]["timeAfterCreate"],
            "P90D"
        );
        let mut read = body.clone();
        read["id"] = json!(
            "/subscriptions/s/resourceGroups/ml/providers/Microsoft.KeyVault/vaults/etcd-1234abcd/keys/etcd"
        );
        read["properties"]["keyUri"] = json!("https://etcd-1234abcd.vault.azure.net/keys/etcd");
        read["properties"]["keyUriWithVersion"] =
            json!("https://etcd-1234abcd.vault.azure.net/keys/etcd/abc");
        let state = flatten_key(&read, "westeurope", AzureKeySettings::default()).unwrap();
        assert_eq!(
            state.key_ref,
            "https://etcd-1234abcd.vault.azure.net/keys/etcd"
        );
        assert_eq!(state.rotation_period_days, Some(90));
        assert_eq!(state.description, "etcd secrets");
        assert_eq!(state.tags, spec().tags);
    }

    #[test]
    fn reads_iso_periods() {
        assert_eq!(days_of("P90D"), Some(90));
        assert_eq!(days_of("P1Y"), Some(365));
        assert_eq!(days_of("PT1H"), None);
        assert_eq!(
            rotation_days(Some(&json!({"lifetimeActions": []}))),
            Some(0)
        );
        assert_eq!(rotation_days(None), None);
    }
}
