//! `mlcloud_identity` on AWS: an IAM role (path `/`) whose trust policy follows the
//! purpose, the AWS-managed policies that purpose needs, the grants as one inline
//! policy (`mlcloud-grants`) naming exact resources, and an optional permissions
//! boundary.

use super::AwsBackend;
use super::arn::{self, Arn};
use super::cluster_api::find_cluster;
use super::cluster_trust;
use super::errors::{SdkResultExt, Service, found, gone_is_ok};
use super::iam_create;
use super::policy::{self, GRANTS_POLICY_NAME, PolicyDocument, WebIdentityTrust};
use super::policy_drift;
use super::propagation::read_after_write;
use super::tags::{self, TagChanges};
use super::tokens::fresh_token;
use crate::clouds::markers;
use crate::clouds::model::{
    AwsIdentitySettings, IdentitySpec, IdentityState, Op, PerCloud, Purpose, Tags, WorkloadBinding,
};
use crate::clouds::wait::Deadline;
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use aws_sdk_iam::Client;
use aws_sdk_iam::types::{Role, Tag};
use std::collections::BTreeSet;

pub(super) fn what(role: &str) -> String {
    format!("IAM role {role:?}")
}

// ---------------------------------------------------------------- expand

/// The role's tags: the user's, the markers, and the purpose it was created for (a
/// fallback when the trust policy was changed into something unrecognisable).
fn expand_tags(spec: &IdentitySpec) -> Tags {
    let mut all = markers::with_markers(&spec.tags, &spec.name);
    all.insert(tags::PURPOSE.into(), spec.purpose.as_str().into());
    if let Some(w) = &spec.workload {
        all.insert(tags::WORKLOAD_CLUSTER.into(), w.cluster_id.clone());
    }
    all
}

/// The permissions boundary the spec asks for.
fn boundary(spec: &IdentitySpec) -> Option<&str> {
    spec.cloud
        .aws()
        .and_then(|a| a.permissions_boundary_arn.as_deref())
}

fn iam_tags(tags: &Tags) -> Result<Vec<Tag>, CloudError> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| CloudError::Invalid(format!("tag {k:?}: {e}")))
        })
        .collect()
}

// ---------------------------------------------------------------- flatten

fn flatten_identity(
    role: &Role,
    grants: Option<&PolicyDocument>,
) -> Result<IdentityState, CloudError> {
    let all_tags: Tags = role
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    let trust = role
        .assume_role_policy_document()
        .map(PolicyDocument::parse)
        .transpose()?;
    let (trusted, web_identity) = trust
        .as_ref()
        .map(policy::read_trust)
        .unwrap_or((None, None));
    let purpose = trusted
        .or_else(|| tags::get(&all_tags, tags::PURPOSE).and_then(|p| Purpose::parse(p)))
        .ok_or_else(|| {
            CloudError::Invalid(format!(
                "IAM role {} trusts neither EKS, EC2 nor an OIDC provider, so it is not a \
                 cluster, node or workload identity mlcloud can manage",
                role.arn()
            ))
        })?;
    let workload = web_identity.map(|w| WorkloadBinding {
        // The tag names the cluster; without it, the provider ARN still shows a change.
        cluster_id: tags::get(&all_tags, tags::WORKLOAD_CLUSTER)
            .cloned()
            .unwrap_or(w.provider_arn),
        namespace: w.namespace,
        service_account: w.service_account,
    });
    Ok(IdentityState {
        policy_drift: Default::default(),
        id: role.arn().to_string(),
        principal: role.arn().to_string(),
        client_id: role.role_id().to_string(),
        name: role.role_name().to_string(),
        location: None,
        purpose,
        workload,
        grants: grants.map(policy::read_grants).unwrap_or_default(),
        tags: tags::visible(all_tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        cloud: PerCloud::Aws(AwsIdentitySettings {
            permissions_boundary_arn: role
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_string),
        }),
    })
}

/// What is known of a role the moment CreateRole answered, before its policies.
fn made(role: &Role, spec: &IdentitySpec) -> IdentityState {
    IdentityState {
        policy_drift: Default::default(),
        id: role.arn().to_string(),
        principal: role.arn().to_string(),
        client_id: role.role_id().to_string(),
        name: role.role_name().to_string(),
        location: None,
        purpose: spec.purpose,
        workload: spec.workload.clone(),
        grants: Vec::new(),
        tags: spec.tags.clone(),
        cloud: spec.cloud.clone(),
    }
}

// ---------------------------------------------------------------- find

pub(super) async fn find_role(client: &Client, name: &str) -> Result<Role, CloudError> {
    client
        .get_role()
        .role_name(name)
        .send()
        .await
        .or_cloud(Service::Iam, "GetRole", &what(name))?
        .role
        .ok_or_else(|| CloudError::NotFound {
            what: what(name),
            message: "GetRole returned no role".into(),
        })
}

/// The grants policy, `None` when the role has none.
async fn find_grants_policy(
    client: &Client,
    role: &str,
) -> Result<Option<PolicyDocument>, CloudError> {
    let out = found(
        client
            .get_role_policy()
            .role_name(role)
            .policy_name(GRANTS_POLICY_NAME)
            .send()
            .await
            .or_cloud(
                Service::Iam,
                "GetRolePolicy",
                &format!("inline policy of {}", what(role)),
            ),
    )?;
    out.map(|o| PolicyDocument::parse(o.policy_document()))
        .transpose()
}

async fn find_attached_policies(client: &Client, role: &str) -> Result<Vec<String>, CloudError> {
    let mut arns = Vec::new();
    let mut marker = None;
    loop {
        let page = client
            .list_attached_role_policies()
            .role_name(role)
            .set_marker(marker)
            .send()
            .await
            .or_cloud(Service::Iam, "ListAttachedRolePolicies", &what(role))?;
        arns.extend(
            page.attached_policies()
                .iter()
                .filter_map(|p| p.policy_arn())
                .map(str::to_string),
        );
        match page.marker() {
            Some(next) if page.is_truncated() => marker = Some(next.to_string()),
            _ => return Ok(arns),
        }
    }
}

async fn find_inline_policy_names(client: &Client, role: &str) -> Result<Vec<String>, CloudError> {
    let mut names = Vec::new();
    let mut marker = None;
    loop {
        let page = client
            .list_role_policies()
            .role_name(role)
            .set_marker(marker)
            .send()
            .await
            .or_cloud(Service::Iam, "ListRolePolicies", &what(role))?;
        names.extend(page.policy_names().iter().cloned());
        match page.marker() {
            Some(next) if page.is_truncated() => marker = Some(next.to_string()),
            _ => return Ok(names),
        }
    }
}

async fn find_instance_profiles(client: &Client, role: &str) -> Result<Vec<String>, CloudError> {
    let mut names = Vec::new();
    let mut marker = None;
    loop {
        let page = client
            .list_instance_profiles_for_role()
            .role_name(role)
            .set_marker(marker)
            .send()
            .await
            .or_cloud(Service::Iam, "ListInstanceProfilesForRole", &what(role))?;
        names.extend(
            page.instance_profiles()
                .iter()
                .map(|p| p.instance_profile_name().to_string()),
        );
        match page.marker() {
            Some(next) if page.is_truncated() => marker = Some(next.to_string()),
            _ => return Ok(names),
        }
    }
}

// ---------------------------------------------------------------- steps

/// Attaches the purpose's managed policies that are not attached yet.
/// Inline policies mlcloud writes on a role: its grants, and the secrets-key grant
/// of each cluster using it.
fn is_ours_inline(name: &str) -> bool {
    name == GRANTS_POLICY_NAME || name.starts_with(super::cluster_key_access::POLICY_PREFIX)
}

/// Deletes inline policies mlcloud did not write.
async fn remove_foreign_inline_policies(client: &Client, role: &str) -> Result<(), CloudError> {
    for name in find_inline_policy_names(client, role).await? {
        if is_ours_inline(&name) {
            continue;
        }
        gone_is_ok(
            client
                .delete_role_policy()
                .role_name(role)
                .policy_name(&name)
                .send()
                .await
                .map(|_| ())
                .or_cloud(Service::Iam, "DeleteRolePolicy", &what(role)),
        )?;
    }
    Ok(())
}

/// The managed policies a purpose calls for, as ARNs in `partition`.
fn managed_policy_arns(partition: &str, purpose: Purpose) -> Vec<String> {
    policy::managed_policies(purpose)
        .iter()
        .map(|name| arn::managed_policy_arn(partition, name))
        .collect()
}

/// Attaches the managed policies the purpose calls for and detaches any other (one
/// attached out of band shows as `policy_drift` and goes with the next update).
async fn attach_managed_policies(
    client: &Client,
    role: &str,
    partition: &str,
    purpose: Purpose,
) -> Result<(), CloudError> {
    let attached = find_attached_policies(client, role).await?;
    let wanted = managed_policy_arns(partition, purpose);
    for arn in attached.iter().filter(|arn| !wanted.contains(arn)) {
        gone_is_ok(
            client
                .detach_role_policy()
                .role_name(role)
                .policy_arn(arn)
                .send()
                .await
                .map(|_| ())
                .or_cloud(
                    Service::Iam,
                    "DetachRolePolicy",
                    &format!("managed policy {arn}"),
                ),
        )?;
    }
    for arn in wanted {
        if attached.contains(&arn) {
            continue;
        }
        client
            .attach_role_policy()
            .role_name(role)
            .policy_arn(&arn)
            .send()
            .await
            .or_cloud(
                Service::Iam,
                "AttachRolePolicy",
                &format!("managed policy {arn}"),
            )?;
    }
    Ok(())
}

/// Puts, replaces or removes the grants policy so that it matches `desired`.
async fn converge_grants(
    client: &Client,
    role: &str,
    desired: Option<&PolicyDocument>,
) -> Result<(), CloudError> {
    let actual = find_grants_policy(client, role).await?;
    match (desired, actual) {
        (Some(want), Some(have)) if want.same_as(&have) => Ok(()),
        (Some(want), _) => {
            client
                .put_role_policy()
                .role_name(role)
                .policy_name(GRANTS_POLICY_NAME)
                .policy_document(want.to_json())
                .send()
                .await
                .or_cloud(Service::Iam, "PutRolePolicy", &what(role))?;
            Ok(())
        }
        (None, Some(_)) => gone_is_ok(
            client
                .delete_role_policy()
                .role_name(role)
                .policy_name(GRANTS_POLICY_NAME)
                .send()
                .await
                .map(|_| ())
                .or_cloud(Service::Iam, "DeleteRolePolicy", &what(role)),
        ),
        (None, None) => Ok(()),
    }
}

async fn converge_trust(
    client: &Client,
    role: &Role,
    desired: &PolicyDocument,
) -> Result<(), CloudError> {
    let actual = role
        .assume_role_policy_document()
        .map(PolicyDocument::parse)
        .transpose()?;
    if actual.is_some_and(|a| a.same_as(desired)) {
        return Ok(());
    }
    client
        .update_assume_role_policy()
        .role_name(role.role_name())
        .policy_document(desired.to_json())
        .send()
        .await
        .or_cloud(
            Service::Iam,
            "UpdateAssumeRolePolicy",
            &what(role.role_name()),
        )?;
    Ok(())
}

async fn converge_boundary(
    client: &Client,
    role: &Role,
    desired: Option<&str>,
) -> Result<(), CloudError> {
    let actual = role
        .permissions_boundary()
        .and_then(|b| b.permissions_boundary_arn());
    let name = role.role_name();
    match (desired, actual) {
        (Some(want), Some(have)) if want == have => Ok(()),
        (Some(want), _) => {
            client
                .put_role_permissions_boundary()
                .role_name(name)
                .permissions_boundary(want)
                .send()
                .await
                .or_cloud(Service::Iam, "PutRolePermissionsBoundary", &what(name))?;
            Ok(())
        }
        (None, Some(_)) => {
            client
                .delete_role_permissions_boundary()
                .role_name(name)
                .send()
                .await
                .or_cloud(Service::Iam, "DeleteRolePermissionsBoundary", &what(name))?;
            Ok(())
        }
        (None, None) => Ok(()),
    }
}

async fn converge_tags(client: &Client, role: &Role, desired: &Tags) -> Result<(), CloudError> {
    let actual: Tags = role
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    let changes = TagChanges::between(&actual, desired);
    let name = role.role_name();
    if !changes.set.is_empty() {
        client
            .tag_role()
            .role_name(name)
            .set_tags(Some(iam_tags(&changes.set)?))
            .send()
            .await
            .or_cloud(Service::Iam, "TagRole", &what(name))?;
    }
    if !changes.remove.is_empty() {
        client
            .untag_role()
            .role_name(name)
            .set_tag_keys(Some(changes.remove))
            .send()
            .await
            .or_cloud(Service::Iam, "UntagRole", &what(name))?;
    }
    Ok(())
}

impl AwsBackend {
    /// The trust policy for the spec; a workload's names the OIDC provider of its
    /// cluster's issuer.
    async fn expand_trust(&self, spec: &IdentitySpec) -> Result<PolicyDocument, CloudError> {
        let caller = self.clients.caller().await?;
        let web_identity = match (&spec.purpose, &spec.workload) {
            (Purpose::Workload, Some(binding)) => {
                let (cluster_arn, cluster) = arn::cluster_name(&binding.cluster_id)?;
                let eks = self.clients.regional(cluster_arn.region).eks.clone();
                let found = find_cluster(&eks, cluster).await?;
                let issuer = found
                    .identity()
                    .and_then(|i| i.oidc())
                    .and_then(|o| o.issuer())
                    .ok_or_else(|| {
                        CloudError::Invalid(format!(
                            "EKS cluster {cluster:?} has no OIDC issuer yet"
                        ))
                    })?;
                Some(WebIdentityTrust {
                    provider_arn: arn::oidc_provider_arn(
                        cluster_arn.partition,
                        cluster_arn.account,
                        issuer,
                    ),
                    issuer: arn::issuer_host_path(issuer).to_string(),
                    namespace: binding.namespace.clone(),
                    service_account: binding.service_account.clone(),
                })
            }
            _ => None,
        };
        policy::trust_policy(
            spec.purpose,
            &caller.partition,
            &caller.account,
            web_identity.as_ref(),
        )
    }

    async fn identity_state(&self, name: &str) -> Result<Option<IdentityState>, CloudError> {
        let client = &self.clients.iam;
        let Some(role) = found(find_role(client, name).await)? else {
            return Ok(None);
        };
        let grants = find_grants_policy(client, name).await?;
        let mut state = flatten_identity(&role, grants.as_ref())?;
        state.policy_drift = self.policy_drift(&role, &state, grants.as_ref()).await?;
        Ok(Some(state))
    }

    /// What the role holds beyond what mlcloud writes for `state` (see
    /// `policy_drift.rs`).
    async fn policy_drift(
        &self,
        role: &Role,
        state: &IdentityState,
        grants: Option<&PolicyDocument>,
    ) -> Result<BTreeSet<String>, CloudError> {
        let partition = Arn::parse(role.arn()).map_or("aws", |a| a.partition);
        let account = &self.clients.caller().await?.account;
        let mut drift = BTreeSet::new();
        if let Some(actual) = role
            .assume_role_policy_document()
            .map(PolicyDocument::parse)
            .transpose()?
        {
            let (_, web_identity) = policy::read_trust(&actual);
            let expected =
                policy::trust_policy(state.purpose, partition, account, web_identity.as_ref()).ok();
            drift.extend(policy_drift::extra_statements(
                "the trust policy",
                &actual,
                expected.as_ref(),
            ));
        }
        if let Some(actual) = grants {
            let expected = policy::grants_policy(&state.grants, partition, account)
                .ok()
                .flatten();
            drift.extend(policy_drift::extra_statements(
                &format!("the inline policy {GRANTS_POLICY_NAME}"),
                actual,
                expected.as_ref(),
            ));
        }
        let inline = find_inline_policy_names(&self.clients.iam, role.role_name()).await?;
        drift.extend(
            inline
                .iter()
                .filter(|name| !is_ours_inline(name))
                .map(|name| format!("inline policy {name} was not written by mlcloud")),
        );
        let attached = find_attached_policies(&self.clients.iam, role.role_name()).await?;
        drift.extend(policy_drift::extra_attachments(
            &attached,
            &managed_policy_arns(partition, state.purpose),
        ));
        Ok(drift)
    }

    /// Everything after CreateRole (also the whole of an update): policies, boundary,
    /// trust and tags as the spec says.
    async fn converge_identity(
        &self,
        name: &str,
        spec: &IdentitySpec,
        trust: &PolicyDocument,
    ) -> Result<(), CloudError> {
        let client = &self.clients.iam;
        let role = find_role(client, name).await?;
        let partition = Arn::parse(role.arn())
            .map_or("aws", |a| a.partition)
            .to_string();
        let caller = self.clients.caller().await?;
        let grants = policy::grants_policy(&spec.grants, &partition, &caller.account)?;
        // The clusters using the role are admitted by name; a rewrite keeps them.
        let actual_trust = role
            .assume_role_policy_document()
            .map(PolicyDocument::parse)
            .transpose()?;
        let trust =
            cluster_trust::carry_over(actual_trust.as_ref(), trust.clone(), &caller.account);
        converge_trust(client, &role, &trust).await?;
        converge_boundary(client, &role, boundary(spec)).await?;
        attach_managed_policies(client, name, &partition, spec.purpose).await?;
        converge_grants(client, name, grants.as_ref()).await?;
        remove_foreign_inline_policies(client, name).await?;
        converge_tags(client, &role, &expand_tags(spec)).await
    }

    async fn identity_partial(
        &self,
        name: &str,
        error: CloudError,
    ) -> PartialFailure<IdentityState> {
        PartialFailure {
            created: self.identity_state(name).await.ok().flatten(),
            error,
        }
    }
}

#[async_trait::async_trait]
impl ObjectBackend<IdentitySpec, IdentityState> for AwsBackend {
    async fn create(&self, spec: &IdentitySpec, op: &Op) -> Outcome<IdentityState> {
        let trust = self.expand_trust(spec).await?;
        let caller = self.clients.caller().await?;
        // Checked before the role exists, so bad grant targets leave nothing behind.
        policy::grants_policy(&spec.grants, &caller.partition, &caller.account)?;
        let deadline = Deadline::new(op);
        let waits = (&self.backoff, &deadline);
        let new_role = iam_create::NewRole {
            name: &spec.name,
            trust: trust.to_json(),
            boundary: boundary(spec),
            tags: iam_tags(&expand_tags(spec))?,
        };
        let role =
            iam_create::create_role(&self.clients.iam, &new_role, &fresh_token(), waits).await?;
        // The role exists: every failure from here on hands it to the state.
        op.record(&made(&role, spec));
        // Right after CreateRole, IAM may not show the role to every call yet.
        let converged = read_after_write(&what(&spec.name), waits, || async {
            self.converge_identity(&spec.name, spec, &trust)
                .await
                .map(Some)
        })
        .await;
        if let Err(error) = converged {
            return Err(self.identity_partial(&spec.name, error).await);
        }
        match read_after_write(&what(&spec.name), waits, || self.identity_state(&spec.name)).await {
            Ok(state) => Ok(state),
            Err(error) => Err(self.identity_partial(&spec.name, error).await),
        }
    }

    async fn read(&self, id: &str) -> Result<Option<IdentityState>, CloudError> {
        self.identity_state(arn::role_name(id)?).await
    }

    async fn update(
        &self,
        id: &str,
        _prior: &IdentityState,
        spec: &IdentitySpec,
        _op: &Op,
    ) -> Outcome<IdentityState> {
        let name = arn::role_name(id)?;
        let trust = self.expand_trust(spec).await?;
        if let Err(error) = self.converge_identity(name, spec, &trust).await {
            return Err(self.identity_partial(name, error).await);
        }
        self.identity_state(name).await?.ok_or_else(|| {
            CloudError::NotFound {
                what: what(name),
                message: "the role disappeared during the update".into(),
            }
            .into()
        })
    }

    async fn delete(&self, id: &str, _spec: &IdentitySpec, _op: &Op) -> Result<(), CloudError> {
        let name = arn::role_name(id)?;
        let client = &self.clients.iam;
        // IAM refuses to delete a role with policies or instance profiles attached.
        let attached = match found(find_attached_policies(client, name).await)? {
            Some(arns) => arns,
            None => return Ok(()),
        };
        for policy_arn in attached {
            gone_is_ok(
                client
                    .detach_role_policy()
                    .role_name(name)
                    .policy_arn(&policy_arn)
                    .send()
                    .await
                    .map(|_| ())
                    .or_cloud(Service::Iam, "DetachRolePolicy", &what(name)),
            )?;
        }
        for policy_name in find_inline_policy_names(client, name).await? {
            gone_is_ok(
                client
                    .delete_role_policy()
                    .role_name(name)
                    .policy_name(&policy_name)
                    .send()
                    .await
                    .map(|_| ())
                    .or_cloud(Service::Iam, "DeleteRolePolicy", &what(name)),
            )?;
        }
        for profile in find_instance_profiles(client, name).await? {
            gone_is_ok(
                client
                    .remove_role_from_instance_profile()
                    .role_name(name)
                    .instance_profile_name(&profile)
                    .send()
                    .await
                    .map(|_| ())
                    .or_cloud(Service::Iam, "RemoveRoleFromInstanceProfile", &what(name)),
            )?;
        }
        gone_is_ok(
            client
                .delete_role()
                .role_name(name)
                .send()
                .await
                .map(|_| ())
                .or_cloud(Service::Iam, "DeleteRole", &what(name)),
        )
    }
}
