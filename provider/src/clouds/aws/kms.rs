//! `mlcloud_kms_key` on AWS: a symmetric KMS key with alias `alias/<name>`, automatic
//! rotation with a period, and a key policy that keeps the account root and nothing
//! wider. Deleting schedules deletion; a key pending deletion reads as gone.
//!
//! A create never takes over a key it did not make: `alias/<name>` on any live key is
//! an error naming the import to use (see `kms_create.rs` for how a create recognises
//! its own key after a lost answer). The `mlcloud-name` marker (or the `mlcloud:name`
//! tag of earlier versions) tells which alias a key was created with.

use super::AwsBackend;
use super::arn::Arn;
use super::errors::{SdkResultExt, Service, found, gone_is_ok};
use super::kms_create;
use super::policy::{self, PolicyDocument};
use super::policy_drift;
use super::propagation::read_after_write;
use super::service_roles;
use super::tags::{self, TagChanges};
use super::tokens::fresh_token;
use crate::clouds::markers;
use crate::clouds::model::{AwsKeySettings, KeySpec, KeyState, Op, PerCloud, Tags};
use crate::clouds::wait::Deadline;
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use aws_sdk_kms::Client;
use aws_sdk_kms::types::{self as kms, KeyMetadata};

pub(super) fn alias_of(name: &str) -> String {
    format!("alias/{name}")
}

pub(super) fn what(key: &str) -> String {
    format!("KMS key {key:?}")
}

// ---------------------------------------------------------------- expand

/// The key's tags: the user's plus the markers.
fn expand_tags(spec: &KeySpec) -> Tags {
    markers::with_markers(&spec.tags, &spec.name)
}

fn kms_tags(tags: &Tags) -> Result<Vec<kms::Tag>, CloudError> {
    tags.iter().map(|(k, v)| kms_tag(k, v)).collect()
}

fn kms_tag(key: &str, value: &str) -> Result<kms::Tag, CloudError> {
    kms::Tag::builder()
        .tag_key(key)
        .tag_value(value)
        .build()
        .map_err(|e| CloudError::Invalid(format!("tag {key:?}: {e}")))
}

// ---------------------------------------------------------------- flatten

/// What `find_key_details` gathers about one key.
struct KeyDetails {
    meta: KeyMetadata,
    alias: Option<String>,
    rotation_period_days: Option<u32>,
    tags: Tags,
}

fn flatten_key(details: KeyDetails, cloud: crate::clouds::model::KeyCloud) -> KeyState {
    let arn = details
        .meta
        .arn()
        .unwrap_or(details.meta.key_id())
        .to_string();
    let location = Arn::parse(&arn)
        .map(|a| a.region.to_string())
        .unwrap_or_default();
    KeyState {
        id: arn.clone(),
        key_ref: arn,
        name: details
            .alias
            .as_deref()
            .and_then(|a| a.strip_prefix("alias/"))
            .unwrap_or_default()
            .to_string(),
        location,
        description: details.meta.description().unwrap_or_default().to_string(),
        rotation_period_days: details.rotation_period_days,
        policy_drift: Default::default(),
        tags: tags::visible(details.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        cloud,
    }
}

/// What is known of a key the moment CreateKey answered.
fn made(arn: &str, spec: &KeySpec) -> KeyState {
    KeyState {
        id: arn.to_string(),
        key_ref: arn.to_string(),
        name: spec.name.clone(),
        location: spec.location.clone(),
        description: spec.description.clone(),
        rotation_period_days: None,
        policy_drift: Default::default(),
        tags: spec.tags.clone(),
        cloud: spec.cloud.clone(),
    }
}

pub(super) fn is_scheduled_for_deletion(meta: &KeyMetadata) -> bool {
    matches!(
        meta.key_state(),
        Some(kms::KeyState::PendingDeletion | kms::KeyState::PendingReplicaDeletion)
    )
}

// ---------------------------------------------------------------- find

/// The key's metadata; `key` is a key id, key ARN, alias name or alias ARN.
pub(super) async fn find_key(client: &Client, key: &str) -> Result<KeyMetadata, CloudError> {
    client
        .describe_key()
        .key_id(key)
        .send()
        .await
        .or_cloud(Service::Kms, "DescribeKey", &what(key))?
        .key_metadata
        .ok_or_else(|| CloudError::NotFound {
            what: what(key),
            message: "DescribeKey returned no key metadata".into(),
        })
}

/// All tags on the key, internal ones included.
pub(super) async fn find_tags(client: &Client, key_id: &str) -> Result<Tags, CloudError> {
    let mut all = Tags::new();
    let mut marker = None;
    loop {
        let page = client
            .list_resource_tags()
            .key_id(key_id)
            .set_marker(marker)
            .send()
            .await
            .or_cloud(Service::Kms, "ListResourceTags", &what(key_id))?;
        all.extend(
            page.tags()
                .iter()
                .map(|t| (t.tag_key().to_string(), t.tag_value().to_string())),
        );
        match page.next_marker() {
            Some(next) if page.truncated() => marker = Some(next.to_string()),
            _ => return Ok(all),
        }
    }
}

/// The key's customer aliases (never the `alias/aws/...` ones AWS manages).
async fn find_aliases(client: &Client, key_id: &str) -> Result<Vec<String>, CloudError> {
    let mut aliases = Vec::new();
    let mut marker = None;
    loop {
        let page = client
            .list_aliases()
            .key_id(key_id)
            .set_marker(marker)
            .send()
            .await
            .or_cloud(Service::Kms, "ListAliases", &what(key_id))?;
        aliases.extend(
            page.aliases()
                .iter()
                .filter_map(|a| a.alias_name())
                .filter(|a| !a.starts_with("alias/aws/"))
                .map(str::to_string),
        );
        match page.next_marker() {
            Some(next) if page.truncated() => marker = Some(next.to_string()),
            _ => return Ok(aliases),
        }
    }
}

/// The rotation period in days, 0 when rotation is off, `None` when rotation is on but
/// the service did not say the period (the resource then keeps the one it has).
async fn find_rotation(client: &Client, key_id: &str) -> Result<Option<u32>, CloudError> {
    let status = client
        .get_key_rotation_status()
        .key_id(key_id)
        .send()
        .await
        .or_cloud(Service::Kms, "GetKeyRotationStatus", &what(key_id))?;
    if !status.key_rotation_enabled() {
        return Ok(Some(0));
    }
    Ok(status
        .rotation_period_in_days()
        .map(|days| days.max(0) as u32))
}

/// Everything a state holds, or `None` when the key is gone or scheduled for deletion.
async fn find_key_details(client: &Client, key: &str) -> Result<Option<KeyDetails>, CloudError> {
    let Some(meta) = found(find_key(client, key).await)? else {
        return Ok(None);
    };
    if is_scheduled_for_deletion(&meta) {
        return Ok(None);
    }
    let key_id = meta.key_id().to_string();
    let aliases = find_aliases(client, &key_id).await?;
    let tags = find_tags(client, &key_id).await?;
    // Prefer the alias the key was created with, when several point at it.
    let alias = aliases
        .iter()
        .find(|a| {
            a.strip_prefix("alias/")
                .is_some_and(|name| markers::marks(&tags, name))
        })
        .or_else(|| aliases.first())
        .cloned();
    Ok(Some(KeyDetails {
        rotation_period_days: find_rotation(client, &key_id).await?,
        alias,
        tags,
        meta,
    }))
}

// ---------------------------------------------------------------- steps

/// The key's policy (`default`, the only name KMS has), `None` when KMS sent none.
async fn find_key_policy(
    client: &Client,
    key_id: &str,
) -> Result<Option<PolicyDocument>, CloudError> {
    client
        .get_key_policy()
        .key_id(key_id)
        .policy_name("default")
        .send()
        .await
        .or_cloud(Service::Kms, "GetKeyPolicy", &what(key_id))?
        .policy()
        .map(PolicyDocument::parse)
        .transpose()
}

/// Puts `desired` as the key's policy unless what KMS holds says the same (a
/// statement added out of band is removed; keys of earlier versions get the current
/// policy).
async fn converge_policy(
    client: &Client,
    key_id: &str,
    desired: &PolicyDocument,
) -> Result<(), CloudError> {
    let same = find_key_policy(client, key_id)
        .await?
        .is_some_and(|current| current.same_as(desired));
    if !same {
        client
            .put_key_policy()
            .key_id(key_id)
            .policy_name("default")
            .policy(desired.to_json())
            .send()
            .await
            .or_cloud(Service::Kms, "PutKeyPolicy", &what(key_id))?;
    }
    Ok(())
}

/// Description, rotation and tags as the spec says, changing only what differs.
async fn converge(client: &Client, key_id: &str, spec: &KeySpec) -> Result<(), CloudError> {
    let meta = find_key(client, key_id).await?;
    if meta.description().unwrap_or_default() != spec.description {
        client
            .update_key_description()
            .key_id(key_id)
            .description(&spec.description)
            .send()
            .await
            .or_cloud(Service::Kms, "UpdateKeyDescription", &what(key_id))?;
    }
    let actual = find_tags(client, key_id).await?;
    if find_rotation(client, key_id).await? != Some(spec.rotation_period_days) {
        enable_rotation(client, key_id, spec.rotation_period_days).await?;
    }
    let changes = TagChanges::between(&actual, &expand_tags(spec));
    if !changes.set.is_empty() {
        client
            .tag_resource()
            .key_id(key_id)
            .set_tags(Some(kms_tags(&changes.set)?))
            .send()
            .await
            .or_cloud(Service::Kms, "TagResource", &what(key_id))?;
    }
    if !changes.remove.is_empty() {
        client
            .untag_resource()
            .key_id(key_id)
            .set_tag_keys(Some(changes.remove))
            .send()
            .await
            .or_cloud(Service::Kms, "UntagResource", &what(key_id))?;
    }
    Ok(())
}

async fn enable_rotation(client: &Client, key_id: &str, days: u32) -> Result<(), CloudError> {
    client
        .enable_key_rotation()
        .key_id(key_id)
        .rotation_period_in_days(days as i32)
        .send()
        .await
        .or_cloud(Service::Kms, "EnableKeyRotation", &what(key_id))?;
    Ok(())
}

pub(super) async fn delete_alias(client: &Client, alias: &str) -> Result<(), CloudError> {
    client
        .delete_alias()
        .alias_name(alias)
        .send()
        .await
        .or_cloud(Service::Kms, "DeleteAlias", &format!("KMS alias {alias:?}"))?;
    Ok(())
}

impl AwsBackend {
    fn kms_for(&self, region_or_arn: &str) -> Client {
        let region = Arn::parse(region_or_arn).map_or(region_or_arn, |a| a.region);
        self.clients.regional(region).kms.clone()
    }

    async fn key_state(&self, client: &Client, key: &str) -> Result<Option<KeyState>, CloudError> {
        let Some(details) = find_key_details(client, key).await? else {
            return Ok(None);
        };
        let key_id = details.meta.key_id().to_string();
        let mut state = flatten_key(details, PerCloud::Aws(AwsKeySettings {}));
        if let Some(actual) = find_key_policy(client, &key_id).await? {
            // Statements are compared by what they allow to whom (see policy_drift.rs):
            // the policy of earlier versions, and AWS's default one, read clean.
            let caller = self.clients.caller().await?;
            let expected = policy::key_policy(&caller.partition, &caller.account);
            state.policy_drift =
                policy_drift::extra_statements("the key policy", &actual, Some(&expected));
        }
        Ok(Some(state))
    }

    /// What to put in Terraform's state when a step after CreateKey failed: the key as
    /// it reads now, or what we know of it if even that fails.
    async fn key_partial(
        &self,
        client: &Client,
        arn: &str,
        spec: &KeySpec,
        error: CloudError,
    ) -> PartialFailure<KeyState> {
        let read = self.key_state(client, arn).await;
        let created = match read {
            Ok(Some(state)) => state,
            _ => made(arn, spec),
        };
        PartialFailure {
            created: Some(created),
            error,
        }
    }
}

#[async_trait::async_trait]
impl ObjectBackend<KeySpec, KeyState> for AwsBackend {
    async fn create(&self, spec: &KeySpec, op: &Op) -> Outcome<KeyState> {
        let client = self.kms_for(&spec.location);
        let deadline = Deadline::new(op);
        let waits = (&self.backoff, &deadline);
        kms_create::ensure_alias_free(&client, spec).await?;
        // The key policy names it; KMS refuses a principal that does not exist.
        service_roles::ensure_autoscaling_role(&self.clients.iam).await?;
        let caller = self.clients.caller().await?;
        let policy = policy::key_policy(&caller.partition, &caller.account).to_json();
        let token = fresh_token();
        let meta = kms_create::create_key(
            &client,
            spec,
            &policy,
            kms_tags(&expand_tags(spec))?,
            &token,
            waits,
        )
        .await?;
        let arn = meta.arn().unwrap_or(meta.key_id()).to_string();
        // From here on the key exists: every failure must hand it to the state.
        op.record(&made(&arn, spec));
        if let Err(error) = kms_create::claim_alias(&client, spec, meta.key_id(), waits).await {
            return Err(self.key_partial(&client, &arn, spec, error).await);
        }
        let converged = read_after_write(&what(&arn), waits, || async {
            converge(&client, &arn, spec).await.map(Some)
        })
        .await;
        if let Err(error) = converged {
            return Err(self.key_partial(&client, &arn, spec, error).await);
        }
        match read_after_write(&what(&arn), waits, || self.key_state(&client, &arn)).await {
            Ok(state) => Ok(state),
            Err(error) => Err(self.key_partial(&client, &arn, spec, error).await),
        }
    }

    async fn read(&self, id: &str) -> Result<Option<KeyState>, CloudError> {
        self.key_state(&self.kms_for(id), id).await
    }

    async fn update(
        &self,
        id: &str,
        _prior: &KeyState,
        spec: &KeySpec,
        _op: &Op,
    ) -> Outcome<KeyState> {
        let client = self.kms_for(id);
        let converged = async {
            service_roles::ensure_autoscaling_role(&self.clients.iam).await?;
            let caller = self.clients.caller().await?;
            let desired = policy::key_policy(&caller.partition, &caller.account);
            converge_policy(&client, id, &desired).await?;
            converge(&client, id, spec).await
        };
        if let Err(error) = converged.await {
            let created = self.key_state(&client, id).await.ok().flatten();
            return Err(PartialFailure { created, error });
        }
        self.key_state(&client, id).await?.ok_or_else(|| {
            CloudError::NotFound {
                what: what(id),
                message: "the key is gone or scheduled for deletion".into(),
            }
            .into()
        })
    }

    /// Schedules deletion after the spec's window (keys are never deleted at once).
    async fn delete(&self, id: &str, spec: &KeySpec, _op: &Op) -> Result<(), CloudError> {
        let client = self.kms_for(id);
        let Some(meta) = found(find_key(&client, id).await)? else {
            return Ok(());
        };
        if is_scheduled_for_deletion(&meta) {
            return Ok(());
        }
        // The alias goes first so that a new key of the same name can take it at once.
        for alias in find_aliases(&client, meta.key_id()).await? {
            gone_is_ok(delete_alias(&client, &alias).await)?;
        }
        let scheduled = client
            .schedule_key_deletion()
            .key_id(meta.key_id())
            .pending_window_in_days(spec.deletion_window_days as i32)
            .send()
            .await
            .or_cloud(Service::Kms, "ScheduleKeyDeletion", &what(id));
        match scheduled {
            // Scheduled by someone else between our read and this call.
            Err(e) if e.has_code("KMSInvalidStateException") => Ok(()),
            other => gone_is_ok(other.map(|_| ())),
        }
    }
}
