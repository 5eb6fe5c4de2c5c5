//! `mlcloud_identity` on Google Cloud: a service account named after the resource,
//! and IAM bindings on the exact resources it may use:
//!
//! - `kms_decrypt` / `kms_encrypt_decrypt` → `roles/cloudkms.cryptoKeyDecrypter` /
//!   `roles/cloudkms.cryptoKeyEncrypterDecrypter` on that crypto key;
//! - `model_store_read` / `model_store_write` on `gs://BUCKET/PREFIX` →
//!   `roles/storage.objectViewer` / `roles/storage.objectUser` (objects only: no
//!   object ACLs or IAM, unlike `objectAdmin`) on the bucket; with a prefix, the
//!   binding carries an IAM condition limiting it to objects under the prefix and to
//!   listings of that prefix (policy version 3; Cloud Storage allows conditions only
//!   on buckets with uniform bucket-level access);
//! - purpose `workload` → `roles/iam.workloadIdentityUser` on the service account for
//!   `serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA]` (the cluster's project);
//! - purpose `node` → only `roles/logging.logWriter` and
//!   `roles/monitoring.metricWriter` on the project (never the default compute
//!   service account's editor role).
//!
//! Service accounts carry no labels, so what mlcloud needs to read the identity back
//! (our marker, purpose, workload, tags, grants) is recorded as compact JSON in the
//! account's description (at most 256 characters); every binding it lists is checked
//! on read, so a binding removed out of band shows as drift. A workload whose
//! namespace and Kubernetes service account (up to 63 and 253 characters) would not
//! fit is recorded by its cluster only: the two names are read back from the
//! `workloadIdentityUser` binding on the account itself, which holds them.
//!
//! Creating a service account is a POST the client never retries; the account id is
//! fixed, so a create that finds it taken adopts the account when its description
//! carries our marker for this name.

use super::GcpBackend;
use super::errors::{Service, err, found, gone_is_ok};
use super::iam_policy::{self, add_member_if, remove_member_if};
use super::names::{ClusterName, KeyName, ServiceAccountName};
use crate::clouds::markers;
use crate::clouds::model::{
    GcpIdentitySettings, Grant, GrantAction, IdentitySpec, IdentityState, Op, PerCloud, Purpose,
    Tags, WorkloadBinding,
};
use crate::clouds::wait::Deadline;
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use google_cloud_iam_admin_v1::model::ServiceAccount;
use google_cloud_iam_v1::model::Policy;
use google_cloud_type::model::Expr;
use google_cloud_wkt::FieldMask;
use serde::{Deserialize, Serialize};

/// What IAM allows in a service account's description.
const DESCRIPTION_MAX: usize = 256;
pub const WORKLOAD_IDENTITY_USER: &str = "roles/iam.workloadIdentityUser";
/// The only roles a node identity gets, on its project.
pub const NODE_ROLES: [&str; 2] = ["roles/logging.logWriter", "roles/monitoring.metricWriter"];

fn grant_role(action: GrantAction) -> Option<&'static str> {
    match action {
        GrantAction::KmsDecrypt => Some("roles/cloudkms.cryptoKeyDecrypter"),
        GrantAction::KmsEncryptDecrypt => Some("roles/cloudkms.cryptoKeyEncrypterDecrypter"),
        GrantAction::ModelStoreRead => Some("roles/storage.objectViewer"),
        GrantAction::ModelStoreWrite => Some("roles/storage.objectUser"),
    }
}

fn what(name: &str) -> String {
    format!("service account {name:?}")
}

/// What the description records: short keys, and names in the account's own project
/// without their `projects/P/locations/` (the description holds 256 characters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    /// Our marker: the resource's name.
    #[serde(rename = "m")]
    name: String,
    #[serde(rename = "p")]
    purpose: String,
    /// `[cluster_id, namespace, service_account]`, or `[cluster_id]` when the names
    /// do not fit (they are in the account's own binding).
    #[serde(rename = "w", default, skip_serializing_if = "Option::is_none")]
    workload: Option<Vec<String>>,
    #[serde(rename = "t", default, skip_serializing_if = "Tags::is_empty")]
    tags: Tags,
    /// `[action, target]` pairs.
    #[serde(rename = "g", default, skip_serializing_if = "Vec::is_empty")]
    grants: Vec<[String; 2]>,
}

// ---------------------------------------------------------------- expand

/// `projects/P/locations/REST` → `REST` when P is `project` (back: [`full_name`]).
fn short_name(name: &str, project: &str) -> String {
    name.strip_prefix(&format!("projects/{project}/locations/"))
        .map_or_else(|| name.to_string(), str::to_string)
}

fn full_name(name: &str, project: &str) -> String {
    if name.starts_with("projects/") || name.starts_with("gs://") {
        name.to_string()
    } else {
        format!("projects/{project}/locations/{name}")
    }
}

/// The project in a service account's resource name.
fn project_of(account: &ServiceAccount) -> String {
    ServiceAccountName::parse(&account.name)
        .map_or_else(|| account.project_id.clone(), |sa| sa.project)
}

fn expand_record(spec: &IdentitySpec, project: &str) -> Record {
    Record {
        name: markers::label_value(&spec.name),
        purpose: spec.purpose.as_str().into(),
        workload: spec.workload.as_ref().map(|w| {
            vec![
                short_name(&w.cluster_id, project),
                w.namespace.clone(),
                w.service_account.clone(),
            ]
        }),
        tags: spec.tags.clone(),
        grants: spec
            .grants
            .iter()
            .map(|g| [g.action.as_str().into(), short_name(&g.target, project)])
            .collect(),
    }
}

fn record_text(record: &Record) -> Result<String, CloudError> {
    serde_json::to_string(record)
        .map_err(|e| CloudError::Invalid(format!("recording the identity: {e}")))
}

/// The description: the whole record, or, when it does not fit, the record with the
/// workload's cluster only (namespace and service account are in its binding).
fn expand_description(spec: &IdentitySpec, project: &str) -> Result<String, CloudError> {
    let mut record = expand_record(spec, project);
    let mut text = record_text(&record)?;
    if text.len() > DESCRIPTION_MAX
        && let Some(workload) = &mut record.workload
    {
        workload.truncate(1);
        text = record_text(&record)?;
    }
    if text.len() > DESCRIPTION_MAX {
        return Err(CloudError::Invalid(format!(
            "On gcp, an identity's purpose, workload, tags and grants are recorded in its service account's description, which holds {DESCRIPTION_MAX} characters; this one needs {}. Use fewer tags or grants.",
            text.len()
        )));
    }
    Ok(text)
}

fn expand_account(spec: &IdentitySpec, project: &str) -> Result<ServiceAccount, CloudError> {
    Ok(ServiceAccount::new()
        .set_display_name(format!(
            "mlcloud {} identity {}",
            spec.purpose.as_str(),
            spec.name
        ))
        .set_description(expand_description(spec, project)?))
}

/// The Kubernetes service account a workload identity trusts, as an IAM member.
fn workload_member(w: &WorkloadBinding) -> Result<String, CloudError> {
    let cluster = ClusterName::parse(&w.cluster_id).ok_or_else(|| {
        CloudError::Invalid(format!("{:?} is not a GKE cluster id", w.cluster_id))
    })?;
    Ok(format!(
        "serviceAccount:{}[{}/{}]",
        cluster.workload_pool(),
        w.namespace,
        w.service_account
    ))
}

// ---------------------------------------------------------------- flatten

fn parse_record(account: &ServiceAccount) -> Option<Record> {
    serde_json::from_str(&account.description).ok()
}

/// The state of `account` from its record; `grants` are those whose bindings exist.
fn flatten_identity(
    account: &ServiceAccount,
    record: &Record,
    grants: Vec<Grant>,
    workload: Option<WorkloadBinding>,
    default_project: Option<&str>,
) -> Result<IdentityState, CloudError> {
    let sa = ServiceAccountName::parse(&account.name).ok_or_else(|| {
        CloudError::Invalid(format!("{:?} is not a service account name", account.name))
    })?;
    Ok(IdentityState {
        policy_drift: Default::default(),
        id: sa.name(),
        principal: account.email.clone(),
        client_id: account.unique_id.clone(),
        name: sa.account_id.clone(),
        location: None,
        purpose: Purpose::parse(&record.purpose).unwrap_or(Purpose::Workload),
        workload,
        grants,
        tags: record.tags.clone(),
        cloud: PerCloud::Gcp(GcpIdentitySettings {
            project: Some(sa.project).filter(|p| Some(p.as_str()) != default_project),
        }),
    })
}

// ---------------------------------------------------------------- find

impl GcpBackend {
    async fn find_account(&self, name: &str) -> Result<ServiceAccount, CloudError> {
        let w = what(name);
        self.clients
            .iam
            .get_service_account()
            .set_name(name)
            .send()
            .await
            .map_err(err(Service::Iam, "GetServiceAccount", &w))
    }

    async fn create_account(
        &self,
        sa: &ServiceAccountName,
        spec: &IdentitySpec,
    ) -> Result<ServiceAccount, CloudError> {
        let w = what(&sa.name());
        let created = self
            .clients
            .iam
            .create_service_account()
            .set_name(format!("projects/{}", sa.project))
            .set_account_id(&sa.account_id)
            .set_service_account(expand_account(spec, &sa.project)?)
            .send()
            .await
            .map_err(err(Service::Iam, "CreateServiceAccount", &w));
        match created {
            Err(taken @ CloudError::AlreadyExists { .. }) => {
                let existing = self.find_account(&sa.name()).await?;
                let ours = parse_record(&existing)
                    .is_some_and(|r| r.name == markers::label_value(&spec.name));
                if ours { Ok(existing) } else { Err(taken) }
            }
            other => other,
        }
    }

    async fn patch_description(
        &self,
        account: &ServiceAccount,
        spec: &IdentitySpec,
    ) -> Result<ServiceAccount, CloudError> {
        let w = what(&account.name);
        let updated = account
            .clone()
            .set_display_name(format!(
                "mlcloud {} identity {}",
                spec.purpose.as_str(),
                spec.name
            ))
            .set_description(expand_description(spec, &project_of(account))?);
        self.clients
            .iam
            .patch_service_account()
            .set_service_account(updated)
            .set_update_mask(FieldMask::default().set_paths(["description", "display_name"]))
            .send()
            .await
            .map_err(err(Service::Iam, "PatchServiceAccount", &w))
    }

    // -- policies: one get and one set per kind of resource

    pub(super) async fn policy_of(&self, resource: &PolicyTarget) -> Result<Policy, CloudError> {
        let w = resource.to_string();
        match resource {
            PolicyTarget::Key(name) => self
                .clients
                .kms
                .get_iam_policy()
                .set_resource(name)
                .send()
                .await
                .map_err(err(Service::CloudKms, "GetIamPolicy", &w)),
            PolicyTarget::Account(name) => self
                .clients
                .iam
                .get_iam_policy()
                .set_resource(name)
                .send()
                .await
                .map_err(err(Service::Iam, "GetIamPolicy", &w)),
            PolicyTarget::Project(name) => self
                .clients
                .projects
                .get_iam_policy()
                .set_resource(name)
                .send()
                .await
                .map_err(err(Service::ResourceManager, "GetIamPolicy", &w)),
            PolicyTarget::Bucket { bucket, .. } => self.clients.storage.get(bucket).await,
        }
    }

    async fn set_policy_of(
        &self,
        resource: &PolicyTarget,
        policy: Policy,
    ) -> Result<Policy, CloudError> {
        let w = resource.to_string();
        match resource {
            PolicyTarget::Key(name) => self
                .clients
                .kms
                .set_iam_policy()
                .set_resource(name)
                .set_policy(policy)
                .send()
                .await
                .map_err(err(Service::CloudKms, "SetIamPolicy", &w)),
            PolicyTarget::Account(name) => self
                .clients
                .iam
                .set_iam_policy()
                .set_resource(name)
                .set_policy(policy)
                .send()
                .await
                .map_err(err(Service::Iam, "SetIamPolicy", &w)),
            PolicyTarget::Project(name) => self
                .clients
                .projects
                .set_iam_policy()
                .set_resource(name)
                .set_policy(policy)
                .send()
                .await
                .map_err(err(Service::ResourceManager, "SetIamPolicy", &w)),
            PolicyTarget::Bucket { bucket, .. } => self.clients.storage.set(bucket, policy).await,
        }
    }

    /// Adds (or removes) `member` in `role` on `resource`, read-modify-write.
    pub(super) async fn bind(
        &self,
        resource: &PolicyTarget,
        role: &str,
        member: &str,
        present: bool,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        iam_policy::modify(
            &format!("the {role} binding on {resource}"),
            &self.backoff,
            deadline,
            || self.policy_of(resource),
            |p| self.set_policy_of(resource, p),
            |p| {
                let condition = resource.condition();
                if present {
                    add_member_if(p, role, condition.as_ref(), member)
                } else {
                    remove_member_if(p, role, condition.as_ref(), member)
                }
            },
        )
        .await
    }

    pub(super) async fn has_binding(
        &self,
        resource: &PolicyTarget,
        role: &str,
        member: &str,
    ) -> Result<bool, CloudError> {
        let policy = found(self.policy_of(resource).await)?;
        let condition = resource.condition();
        Ok(policy.is_some_and(|p| iam_policy::has_member_if(&p, role, condition.as_ref(), member)))
    }

    /// Every binding `spec` implies, as (resource, role, member).
    fn bindings_of(
        &self,
        sa: &ServiceAccountName,
        spec: &IdentitySpec,
    ) -> Result<Vec<(PolicyTarget, String, String)>, CloudError> {
        let mut all = Vec::new();
        for g in &spec.grants {
            all.push(grant_binding(sa, g)?);
        }
        if let Some(w) = &spec.workload {
            all.push((
                PolicyTarget::Account(sa.name()),
                WORKLOAD_IDENTITY_USER.into(),
                workload_member(w)?,
            ));
        }
        if spec.purpose == Purpose::Node {
            for role in NODE_ROLES {
                all.push((
                    PolicyTarget::Project(format!("projects/{}", sa.project)),
                    role.into(),
                    sa.member(),
                ));
            }
        }
        Ok(all)
    }

    async fn apply_bindings(
        &self,
        wanted: &[(PolicyTarget, String, String)],
        stale: &[(PolicyTarget, String, String)],
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        for (resource, role, member) in wanted {
            self.bind(resource, role, member, true, deadline).await?;
        }
        for binding in stale.iter().filter(|b| !wanted.contains(b)) {
            let (resource, role, member) = binding;
            // A target already gone took its binding with it.
            gone_is_ok(self.bind(resource, role, member, false, deadline).await)?;
        }
        Ok(())
    }
}

/// The resources whose IAM policies an identity writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyTarget {
    Key(String),
    Account(String),
    Project(String),
    /// A bucket's objects under `prefix` (empty: the whole bucket).
    Bucket {
        bucket: String,
        prefix: String,
    },
}

impl PolicyTarget {
    /// `gs://BUCKET[/PREFIX]` as a bucket target.
    pub fn bucket(location: &str) -> Option<PolicyTarget> {
        let rest = location.strip_prefix("gs://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        (!bucket.is_empty()).then(|| PolicyTarget::Bucket {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }

    /// The IAM condition a binding on this target carries: for a bucket prefix, the
    /// objects under it and listings of it (Cloud Storage checks `objects.list` on
    /// the bucket, with the listing's prefix as `objectListPrefix`).
    pub fn condition(&self) -> Option<Expr> {
        let PolicyTarget::Bucket { bucket, prefix } = self else {
            return None;
        };
        if prefix.is_empty() {
            return None;
        }
        let title: String = format!("mlcloud gs://{bucket}/{prefix}")
            .chars()
            .take(100)
            .collect();
        Some(
            Expr::new()
                .set_title(title)
                .set_description("Objects under the prefix, and listings of it (written by mlcloud)")
                .set_expression(format!(
                    "resource.name.startsWith(\"projects/_/buckets/{bucket}/objects/{prefix}\") || api.getAttribute(\"storage.googleapis.com/objectListPrefix\", \"\").startsWith(\"{prefix}\")"
                )),
        )
    }
}

impl std::fmt::Display for PolicyTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyTarget::Key(n) => write!(f, "crypto key {n:?}"),
            PolicyTarget::Account(n) => write!(f, "service account {n:?}"),
            PolicyTarget::Project(n) => write!(f, "project {n:?}"),
            PolicyTarget::Bucket { bucket, prefix } if prefix.is_empty() => {
                write!(f, "bucket {bucket:?}")
            }
            PolicyTarget::Bucket { bucket, prefix } => {
                write!(f, "bucket {bucket:?} (objects under {prefix:?})")
            }
        }
    }
}

fn grant_binding(
    sa: &ServiceAccountName,
    g: &Grant,
) -> Result<(PolicyTarget, String, String), CloudError> {
    let role = grant_role(g.action).ok_or_else(|| {
        CloudError::Invalid(format!("{} is not supported on gcp yet", g.action.as_str()))
    })?;
    if !g.action.targets_key() {
        let bucket = PolicyTarget::bucket(&g.target).ok_or_else(|| {
            CloudError::Invalid(format!(
                "{:?} is not a gs://bucket/prefix location",
                g.target
            ))
        })?;
        return Ok((bucket, role.into(), sa.member()));
    }
    let key = KeyName::parse(&g.target)
        .ok_or_else(|| CloudError::Invalid(format!("{:?} is not a crypto key name", g.target)))?;
    Ok((PolicyTarget::Key(key.name()), role.into(), sa.member()))
}

/// What a record says of the workload: all of it, or its cluster only (the names are
/// then read from the account's binding, [`workload_of_member`]).
#[derive(Debug, Clone, PartialEq)]
enum RecordedWorkload {
    Whole(WorkloadBinding),
    ClusterOnly(String),
}

/// The workload a `workloadIdentityUser` member names
/// (`serviceAccount:POOL[NAMESPACE/KSA]`), when it is in `cluster_id`'s pool.
fn workload_of_member(member: &str, cluster_id: &str) -> Option<WorkloadBinding> {
    let pool = ClusterName::parse(cluster_id)?.workload_pool();
    let names = member
        .strip_prefix("serviceAccount:")?
        .strip_prefix(&pool)?
        .strip_prefix('[')?
        .strip_suffix(']')?;
    let (namespace, service_account) = names.split_once('/')?;
    Some(WorkloadBinding {
        cluster_id: cluster_id.to_string(),
        namespace: namespace.to_string(),
        service_account: service_account.to_string(),
    })
}

fn record_spec(record: &Record, project: &str) -> (Vec<Grant>, Option<RecordedWorkload>) {
    let grants = record
        .grants
        .iter()
        .filter_map(|[a, t]| {
            Some(Grant {
                action: GrantAction::parse(a)?,
                target: full_name(t, project),
            })
        })
        .collect();
    let workload = match record.workload.as_deref() {
        Some([c, n, s]) => Some(RecordedWorkload::Whole(WorkloadBinding {
            cluster_id: full_name(c, project),
            namespace: n.clone(),
            service_account: s.clone(),
        })),
        Some([c]) => Some(RecordedWorkload::ClusterOnly(full_name(c, project))),
        _ => None,
    };
    (grants, workload)
}

// ---------------------------------------------------------------- backend

impl GcpBackend {
    fn account_name(&self, spec: &IdentitySpec) -> Result<ServiceAccountName, CloudError> {
        let project = self.project(spec.cloud.gcp().and_then(|g| g.project.as_deref()))?;
        Ok(ServiceAccountName::new(&project, &spec.name))
    }

    fn spec_state(
        &self,
        account: &ServiceAccount,
        spec: &IdentitySpec,
    ) -> Result<IdentityState, CloudError> {
        let record = expand_record(spec, &project_of(account));
        let mut state = flatten_identity(
            account,
            &record,
            spec.grants.clone(),
            spec.workload.clone(),
            self.default_project(),
        )?;
        state.tags = spec.tags.clone();
        Ok(state)
    }
}

#[async_trait::async_trait]
impl ObjectBackend<IdentitySpec, IdentityState> for GcpBackend {
    async fn create(&self, spec: &IdentitySpec, op: &Op) -> Outcome<IdentityState> {
        let deadline = Deadline::new(op);
        let sa = self.account_name(spec)?;
        let bindings = self.bindings_of(&sa, spec)?;
        let account = self.create_account(&sa, spec).await?;
        let state = self.spec_state(&account, spec)?;
        op.record(&state);
        let finished = async {
            // An adopted account may carry an earlier apply's record.
            if account.description != expand_description(spec, &sa.project)? {
                self.patch_description(&account, spec).await?;
            }
            // IAM may not know a brand-new account for a few seconds: retried as a
            // failed precondition / bad request until it does.
            self.apply_bindings(&bindings, &[], &deadline).await
        };
        match finished.await {
            Ok(()) => Ok(state),
            Err(error) => Err(PartialFailure {
                created: Some(state),
                error,
            }),
        }
    }

    async fn read(&self, id: &str) -> Result<Option<IdentityState>, CloudError> {
        let Some(account) = found(self.find_account(id).await)? else {
            return Ok(None);
        };
        let sa = ServiceAccountName::parse(id)
            .ok_or_else(|| CloudError::Invalid(format!("{id:?} is not a service account id")))?;
        let record = parse_record(&account).unwrap_or(Record {
            name: sa.account_id.clone(),
            purpose: Purpose::Workload.as_str().into(),
            workload: None,
            tags: Tags::new(),
            grants: Vec::new(),
        });
        let (recorded_grants, recorded_workload) = record_spec(&record, &sa.project);
        let mut grants = Vec::new();
        for g in recorded_grants {
            let (resource, role, member) = grant_binding(&sa, &g)?;
            if self.has_binding(&resource, &role, &member).await? {
                grants.push(g);
            }
        }
        let account_policy = PolicyTarget::Account(sa.name());
        let workload = match recorded_workload {
            Some(RecordedWorkload::Whole(w)) => {
                let member = workload_member(&w)?;
                self.has_binding(&account_policy, WORKLOAD_IDENTITY_USER, &member)
                    .await?
                    .then_some(w)
            }
            Some(RecordedWorkload::ClusterOnly(cluster_id)) => {
                let policy = found(self.policy_of(&account_policy).await)?;
                policy.and_then(|p| {
                    p.bindings
                        .iter()
                        .filter(|b| b.role == WORKLOAD_IDENTITY_USER && b.condition.is_none())
                        .flat_map(|b| b.members.iter())
                        .find_map(|m| workload_of_member(m, &cluster_id))
                })
            }
            None => None,
        };
        flatten_identity(&account, &record, grants, workload, self.default_project()).map(Some)
    }

    async fn update(
        &self,
        id: &str,
        prior: &IdentityState,
        spec: &IdentitySpec,
        op: &Op,
    ) -> Outcome<IdentityState> {
        let deadline = Deadline::new(op);
        let sa = ServiceAccountName::parse(id)
            .ok_or_else(|| CloudError::Invalid(format!("{id:?} is not a service account id")))?;
        let account = self.find_account(id).await?;
        let prior_spec = IdentitySpec {
            name: spec.name.clone(),
            location: spec.location.clone(),
            purpose: prior.purpose,
            workload: prior.workload.clone(),
            grants: prior.grants.clone(),
            tags: prior.tags.clone(),
            cloud: spec.cloud.clone(),
        };
        let stale = self.bindings_of(&sa, &prior_spec)?;
        let wanted = self.bindings_of(&sa, spec)?;
        let account = if account.description != expand_description(spec, &sa.project)? {
            self.patch_description(&account, spec).await?
        } else {
            account
        };
        self.apply_bindings(&wanted, &stale, &deadline).await?;
        Ok(self.spec_state(&account, spec)?)
    }

    /// Removes the bindings on other resources (they outlive the account as
    /// `deleted:serviceAccount:` members otherwise), then the account.
    async fn delete(&self, id: &str, spec: &IdentitySpec, op: &Op) -> Result<(), CloudError> {
        let deadline = Deadline::new(op);
        let Some(sa) = ServiceAccountName::parse(id) else {
            return Err(CloudError::Invalid(format!(
                "{id:?} is not a service account id"
            )));
        };
        let stale: Vec<_> = self
            .bindings_of(&sa, spec)?
            .into_iter()
            .filter(|(r, _, _)| !matches!(r, PolicyTarget::Account(_)))
            .collect();
        self.apply_bindings(&[], &stale, &deadline).await?;
        let w = what(id);
        gone_is_ok(
            self.clients
                .iam
                .delete_service_account()
                .set_name(id)
                .send()
                .await
                .map(|_| ())
                .map_err(err(Service::Iam, "DeleteServiceAccount", &w)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> IdentitySpec {
        IdentitySpec {
            name: "ml-serving".into(),
            location: "us-central1".into(),
            purpose: Purpose::Workload,
            workload: Some(WorkloadBinding {
                cluster_id: "projects/ml-proj/locations/us-central1/clusters/ml".into(),
                namespace: "ml-serving".into(),
                service_account: "llama".into(),
            }),
            grants: vec![Grant {
                action: GrantAction::KmsDecrypt,
                target: "projects/ml-proj/locations/us-central1/keyRings/r/cryptoKeys/k".into(),
            }],
            tags: Tags::from([("team".to_string(), "ml".to_string())]),
            cloud: PerCloud::Gcp(GcpIdentitySettings::default()),
        }
    }

    #[test]
    fn the_description_records_what_reads_back() {
        let text = expand_description(&spec(), "ml-proj").unwrap();
        assert!(
            !text.contains("projects/ml-proj"),
            "names in its project are short: {text}"
        );
        assert!(text.len() <= DESCRIPTION_MAX, "{text}");
        let account = ServiceAccount::new()
            .set_name("projects/ml-proj/serviceAccounts/ml-serving@ml-proj.iam.gserviceaccount.com")
            .set_email("ml-serving@ml-proj.iam.gserviceaccount.com")
            .set_description(text);
        let record = parse_record(&account).unwrap();
        let (grants, workload) = record_spec(&record, "ml-proj");
        let Some(RecordedWorkload::Whole(workload)) = workload else {
            panic!("the whole workload is recorded: {record:?}");
        };
        let state =
            flatten_identity(&account, &record, grants, Some(workload), Some("ml-proj")).unwrap();
        assert_eq!(state.grants, spec().grants);
        assert_eq!(state.workload, spec().workload);
        assert_eq!(state.tags, spec().tags);
        assert_eq!(
            state.principal,
            "ml-serving@ml-proj.iam.gserviceaccount.com"
        );
        assert_eq!(state.cloud.gcp(), Some(&GcpIdentitySettings::default()));
    }

    #[test]
    fn a_workload_trusts_one_kubernetes_service_account_in_the_clusters_pool() {
        let member = workload_member(spec().workload.as_ref().unwrap()).unwrap();
        assert_eq!(
            member,
            "serviceAccount:ml-proj.svc.id.goog[ml-serving/llama]"
        );
    }

    #[test]
    fn bindings_are_on_the_exact_key_and_nodes_get_only_writer_roles() {
        let sa = ServiceAccountName::new("ml-proj", "ml-nodes");
        let g = &spec().grants[0];
        let (target, role, member) = grant_binding(&sa, g).unwrap();
        assert_eq!(target, PolicyTarget::Key(g.target.clone()));
        assert_eq!(role, "roles/cloudkms.cryptoKeyDecrypter");
        assert_eq!(
            member,
            "serviceAccount:ml-nodes@ml-proj.iam.gserviceaccount.com"
        );
        assert!(NODE_ROLES.iter().all(|r| r.ends_with("Writer")));
    }

    /// The spec with a Kubernetes service account name of `length` characters.
    fn with_service_account(length: usize) -> IdentitySpec {
        let mut s = spec();
        if let Some(w) = &mut s.workload {
            w.service_account = "k".repeat(length);
        }
        s
    }

    #[test]
    fn a_workload_too_long_to_record_keeps_its_cluster_and_reads_its_names_from_the_binding() {
        let full_length = |n: usize| {
            record_text(&expand_record(&with_service_account(n), "ml-proj"))
                .unwrap()
                .len()
        };
        // The longest name whose whole record fits: exactly at the limit.
        let at_limit = (1..=253)
            .find(|n| full_length(*n) == DESCRIPTION_MAX)
            .expect("a name that fills the description exactly");
        let whole = expand_description(&with_service_account(at_limit), "ml-proj").unwrap();
        assert_eq!(whole.len(), DESCRIPTION_MAX);
        assert!(whole.contains(&"k".repeat(at_limit)), "{whole}");

        // One more character: the names go, the cluster stays.
        let over = with_service_account(at_limit + 1);
        let short = expand_description(&over, "ml-proj").unwrap();
        assert!(short.len() <= DESCRIPTION_MAX, "{short}");
        assert!(!short.contains("kkkk"), "{short}");
        let account = ServiceAccount::new().set_description(short);
        let record = parse_record(&account).unwrap();
        let (_, recorded) = record_spec(&record, "ml-proj");
        let cluster_id = "projects/ml-proj/locations/us-central1/clusters/ml";
        assert_eq!(
            recorded,
            Some(RecordedWorkload::ClusterOnly(cluster_id.into()))
        );
        // ... and the binding gives the names back.
        let wanted = over.workload.clone().unwrap();
        let member = workload_member(&wanted).unwrap();
        assert_eq!(workload_of_member(&member, cluster_id), Some(wanted));
        assert_eq!(
            workload_of_member("serviceAccount:other.svc.id.goog[a/b]", cluster_id),
            None,
            "another project's pool"
        );

        // The longest names Kubernetes allows fit this way too.
        let mut longest = with_service_account(253);
        if let Some(w) = &mut longest.workload {
            w.namespace = "n".repeat(63);
        }
        assert!(expand_description(&longest, "ml-proj").unwrap().len() <= DESCRIPTION_MAX);
    }

    #[test]
    fn an_oversized_record_is_refused_with_the_reason() {
        let mut s = spec();
        s.tags = (0..20)
            .map(|i| (format!("tag{i}"), "value".repeat(5)))
            .collect();
        let e = expand_description(&s, "ml-proj").unwrap_err();
        assert!(e.to_string().contains("256"), "{e}");
    }
}
