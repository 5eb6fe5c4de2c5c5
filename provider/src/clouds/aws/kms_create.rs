//! Creating a KMS key exactly once, and only ever taking over a key this create made.
//!
//! CreateKey is not idempotent and names nothing, so the key carries a fresh create
//! token as a tag (`mlcloud-create-token`, hidden from users like every `mlcloud-`
//! key). The SDK does not retry CreateKey by itself (a retry after a lost response
//! would make a second key); when a CreateKey goes unanswered, the key with our token
//! is looked for, and CreateKey is sent again only if there is none. The alias is
//! claimed for our key only: an alias already on a key without our token belongs to
//! another state (or to someone's hand) and is a [`CloudError::Taken`] naming the
//! import that would take it over.
//!
//! KMS is eventually consistent: right after CreateKey, CreateAlias, DescribeKey and
//! GetKeyRotationStatus may answer `NotFoundException`. Those calls retry while the
//! key is not yet visible (`propagation::READ_AFTER_WRITE_LIMIT`).

use super::errors::{SdkResultExt, Service, found, outcome_unknown};
use super::kms::{alias_of, delete_alias, find_key, find_tags, is_scheduled_for_deletion, what};
use super::propagation::READ_AFTER_WRITE_LIMIT;
use super::tokens::CREATE_TOKEN_TAG;
use crate::clouds::CloudError;
use crate::clouds::markers;
use crate::clouds::model::KeySpec;
use crate::clouds::wait::{Backoff, Deadline, retry_transient};
use aws_config::retry::RetryConfig;
use aws_sdk_kms::Client;
use aws_sdk_kms::types::{self as kms, KeyMetadata, KeyUsageType};

/// How many times an unanswered CreateKey is sent (each after looking for its key).
const CREATE_ATTEMPTS: u32 = 2;

/// How many times the keys are searched for our token: a key made moments ago may not
/// be listed yet.
const SEARCH_ROUNDS: u32 = 3;

/// The error for a name held by a key that is not this create's.
fn taken(spec: &KeySpec, meta: &KeyMetadata) -> CloudError {
    let arn = meta.arn().unwrap_or(meta.key_id());
    CloudError::Taken {
        what: format!("a key with alias {}", alias_of(&spec.name)),
        existing: format!("key ID {}", meta.key_id()),
        import: format!("mlcloud_kms_key.<resource name> {arn}"),
    }
}

/// Checks that `alias/<name>` is free before anything is made. An alias left on a key
/// of ours that is pending deletion (a destroy, then an apply) is removed so that it
/// can move to the new key; any other key behind it is someone else's.
pub async fn ensure_alias_free(client: &Client, spec: &KeySpec) -> Result<(), CloudError> {
    let alias = alias_of(&spec.name);
    let Some(meta) = found(find_key(client, &alias).await)? else {
        return Ok(());
    };
    // A key whose tags we may not read (its policy does not let us) is not ours.
    let ours = find_tags(client, meta.key_id())
        .await
        .is_ok_and(|tags| markers::marks(&tags, &spec.name));
    if ours && is_scheduled_for_deletion(&meta) {
        return super::errors::gone_is_ok(delete_alias(client, &alias).await);
    }
    Err(taken(spec, &meta))
}

/// CreateKey with `token` as a tag, exactly once (see the module's comment).
pub async fn create_key(
    client: &Client,
    spec: &KeySpec,
    policy: &str,
    tags: Vec<kms::Tag>,
    token: &str,
    (backoff, deadline): (&Backoff, &Deadline),
) -> Result<KeyMetadata, CloudError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        // Throttling is a clear "not done": retried here, as the SDK would have.
        let sent = retry_transient(
            &format!("creating {}", what(&spec.name)),
            backoff,
            deadline,
            READ_AFTER_WRITE_LIMIT,
            CloudError::is_throttled,
            || create_key_once(client, spec, policy, tags.clone(), token),
        )
        .await;
        match sent {
            Ok(meta) => return Ok(meta),
            Err(error) if outcome_unknown(&error) => {
                if let Some(meta) = find_key_by_token(client, token, backoff, deadline).await? {
                    return Ok(meta);
                }
                if attempt >= CREATE_ATTEMPTS || deadline.is_cancelled() {
                    return Err(error);
                }
            }
            Err(error) => return Err(error),
        }
    }
}

async fn create_key_once(
    client: &Client,
    spec: &KeySpec,
    policy: &str,
    tags: Vec<kms::Tag>,
    token: &str,
) -> Result<KeyMetadata, CloudError> {
    let mut tags = tags;
    tags.push(
        kms::Tag::builder()
            .tag_key(CREATE_TOKEN_TAG)
            .tag_value(token)
            .build()
            .map_err(|e| CloudError::Invalid(format!("tag {CREATE_TOKEN_TAG}: {e}")))?,
    );
    client
        .create_key()
        .description(&spec.description)
        .key_usage(KeyUsageType::EncryptDecrypt)
        .key_spec(kms::KeySpec::SymmetricDefault)
        .policy(policy)
        .set_tags(Some(tags))
        .customize()
        .config_override(aws_sdk_kms::Config::builder().retry_config(RetryConfig::disabled()))
        .send()
        .await
        .or_cloud(Service::Kms, "CreateKey", &what(&spec.name))?
        .key_metadata
        .ok_or_else(|| CloudError::Transport("KMS CreateKey returned no key metadata".into()))
}

/// The key tagged with `token`, if CreateKey made one although its answer was lost.
async fn find_key_by_token(
    client: &Client,
    token: &str,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<Option<KeyMetadata>, CloudError> {
    for round in 0..SEARCH_ROUNDS {
        if round > 0 {
            deadline
                .pause(backoff.delay(round - 1), "looking for a key just created")
                .await?;
        }
        if let Some(key_id) = search_keys(client, token).await? {
            return find_key(client, &key_id).await.map(Some);
        }
    }
    Ok(None)
}

/// One pass over the account's keys in this region for the one carrying `token`.
async fn search_keys(client: &Client, token: &str) -> Result<Option<String>, CloudError> {
    let mut marker = None;
    loop {
        let page = client
            .list_keys()
            .set_marker(marker)
            .send()
            .await
            .or_cloud(Service::Kms, "ListKeys", "KMS keys")?;
        for key in page.keys() {
            let Some(key_id) = key.key_id() else { continue };
            // A key we may not read, or one deleted meanwhile, is not ours.
            let Ok(tags) = find_tags(client, key_id).await else {
                continue;
            };
            if tags.get(CREATE_TOKEN_TAG).map(String::as_str) == Some(token) {
                return Ok(Some(key_id.to_string()));
            }
        }
        match page.next_marker() {
            Some(next) if page.truncated() => marker = Some(next.to_string()),
            _ => return Ok(None),
        }
    }
}

/// Points `alias/<name>` at our key. Retries while KMS does not know the new key yet;
/// an alias that exists already is fine only when it is on our key (our own
/// CreateAlias whose answer was lost, retried by the SDK).
pub async fn claim_alias(
    client: &Client,
    spec: &KeySpec,
    key_id: &str,
    (backoff, deadline): (&Backoff, &Deadline),
) -> Result<(), CloudError> {
    let alias = alias_of(&spec.name);
    let created = retry_transient(
        &format!("naming {}", what(key_id)),
        backoff,
        deadline,
        READ_AFTER_WRITE_LIMIT,
        CloudError::is_not_found,
        || async {
            client
                .create_alias()
                .alias_name(&alias)
                .target_key_id(key_id)
                .send()
                .await
                .or_cloud(Service::Kms, "CreateAlias", &what(key_id))
        },
    )
    .await;
    match created {
        Ok(_) => Ok(()),
        Err(error) if error.has_code("AlreadyExistsException") => {
            let holder = find_key(client, &alias).await?;
            if holder.key_id() == key_id {
                Ok(())
            } else {
                Err(taken(spec, &holder))
            }
        }
        Err(error) => Err(error),
    }
}
