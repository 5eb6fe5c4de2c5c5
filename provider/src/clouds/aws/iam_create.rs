//! Creating an IAM role exactly once, and only ever taking over a role this create
//! made.
//!
//! CreateRole is not idempotent: when its answer is lost, the SDK's retry meets
//! `EntityAlreadyExists` for the role the first attempt made. So the role carries a
//! fresh create token as a tag (`mlcloud-create-token`, hidden from users), and on
//! `EntityAlreadyExists` the role is read and taken only if it carries our token; a
//! role of that name without it is someone else's, and a [`CloudError::Taken`] says
//! which import would take it over.
//!
//! IAM is eventually consistent: a trust policy naming a principal made moments ago
//! (an OIDC provider, another role) is refused with `MalformedPolicyDocument: Invalid
//! principal in policy` until IAM has caught up, and the new role may be unknown to
//! GetRole for a while. Both are retried for a bounded time.

use super::errors::{SdkResultExt, Service, found};
use super::iam::{find_role, what};
use super::propagation::{READ_AFTER_WRITE_LIMIT, read_after_write};
use super::tokens::CREATE_TOKEN_TAG;
use crate::clouds::CloudError;
use crate::clouds::wait::{Backoff, Deadline, retry_transient};
use aws_sdk_iam::Client;
use aws_sdk_iam::types::{Role, Tag};

/// A principal in the trust policy that IAM does not know yet.
fn is_principal_not_yet_known(error: &CloudError) -> bool {
    matches!(error, CloudError::Api { code, message, .. }
        if code == "MalformedPolicyDocument" && message.contains("Invalid principal in policy"))
}

/// Whether the role carries this create's token.
fn is_ours(role: &Role, token: &str) -> bool {
    role.tags()
        .iter()
        .any(|t| t.key() == CREATE_TOKEN_TAG && t.value() == token)
}

/// What CreateRole is asked for, besides the name.
pub struct NewRole<'a> {
    pub name: &'a str,
    pub trust: String,
    pub boundary: Option<&'a str>,
    /// The role's tags, without the create token.
    pub tags: Vec<Tag>,
}

/// CreateRole with `token` as a tag, exactly once (see the module's comment).
pub async fn create_role(
    client: &Client,
    role: &NewRole<'_>,
    token: &str,
    waits @ (backoff, deadline): (&Backoff, &Deadline),
) -> Result<Role, CloudError> {
    let mut tags = role.tags.clone();
    tags.push(
        Tag::builder()
            .key(CREATE_TOKEN_TAG)
            .value(token)
            .build()
            .map_err(|e| CloudError::Invalid(format!("tag {CREATE_TOKEN_TAG}: {e}")))?,
    );
    let created = retry_transient(
        &format!("creating {}", what(role.name)),
        backoff,
        deadline,
        READ_AFTER_WRITE_LIMIT,
        is_principal_not_yet_known,
        || async {
            client
                .create_role()
                .role_name(role.name)
                .path("/")
                .assume_role_policy_document(&role.trust)
                .set_permissions_boundary(role.boundary.map(str::to_string))
                .set_tags(Some(tags.clone()))
                .send()
                .await
                .or_cloud(Service::Iam, "CreateRole", &what(role.name))
        },
    )
    .await;
    match created {
        Ok(out) => out
            .role
            .ok_or_else(|| CloudError::Transport("IAM CreateRole returned no role".into())),
        Err(error) if error.has_code("EntityAlreadyExists") => {
            let existing = read_after_write(&what(role.name), waits, || async {
                found(find_role(client, role.name).await)
            })
            .await?;
            if is_ours(&existing, token) {
                Ok(existing)
            } else {
                Err(CloudError::Taken {
                    what: format!("a role named {}", role.name),
                    existing: existing.arn().to_string(),
                    import: format!("mlcloud_identity.<resource name> {}", existing.arn()),
                })
            }
        }
        Err(error) => Err(error),
    }
}
