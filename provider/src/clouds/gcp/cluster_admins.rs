//! `admin_principals` on GKE: each principal (an IAM member, `user:`, `serviceAccount:`
//! or `group:`) holds `roles/container.admin` on the cluster's project, an
//! unconditional binding written read-modify-write with the policy's etag (GKE has no
//! per-cluster IAM; Kubernetes RBAC inside the cluster is not Terraform-visible).
//!
//! The project's policy is shared by everyone, so the cluster records which admins
//! are its own as labels `mlcloud-admin-<hash of the member>`: `written` when mlcloud
//! added the binding, `kept` when the member already held the role. Read back, the
//! admins are the recorded members that still hold the role (a binding removed out of
//! band shows as drift). Removing an admin (or the cluster) revokes the binding only
//! when this cluster wrote it and no other cluster of the project records that member:
//! a binding someone else made, or one another cluster relies on, is never removed.

use super::GcpBackend;
use super::errors::{Service, err};
use super::identity::PolicyTarget;
use super::names::ClusterName;
use crate::clouds::CloudError;
use crate::clouds::wait::Deadline;
use aws_lc_rs::digest::{SHA256, digest};
use futures::FutureExt as _;
use std::collections::{BTreeSet, HashMap};

pub const CLUSTER_ADMIN: &str = "roles/container.admin";
const LABEL_PREFIX: &str = "mlcloud-admin-";
/// The label value of a binding this cluster wrote (and may revoke).
const WRITTEN: &str = "written";
/// The label value of a binding that existed before (never revoked by mlcloud).
const KEPT: &str = "kept";

/// The label recording `member` as an admin: a legal label key whatever the email.
pub fn admin_label(member: &str) -> String {
    let hash = digest(&SHA256, member.as_bytes());
    let hex: String = hash.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{LABEL_PREFIX}{hex}")
}

/// The admin labels among a cluster's labels.
pub fn admin_labels(labels: &HashMap<String, String>) -> HashMap<String, String> {
    labels
        .iter()
        .filter(|(k, _)| k.starts_with(LABEL_PREFIX))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The members the labels record that hold the role in `policy`.
pub fn recorded_admins(
    labels: &HashMap<String, String>,
    policy: &google_cloud_iam_v1::model::Policy,
) -> BTreeSet<String> {
    policy
        .bindings
        .iter()
        .filter(|b| b.role == CLUSTER_ADMIN && b.condition.is_none())
        .flat_map(|b| b.members.iter())
        .filter(|m| labels.contains_key(&admin_label(m)))
        .cloned()
        .collect()
}

fn project_target(project: &str) -> PolicyTarget {
    PolicyTarget::Project(format!("projects/{project}"))
}

impl GcpBackend {
    /// The admins of a cluster with these labels, as the project's policy has them.
    pub(super) async fn read_admins(
        &self,
        project: &str,
        labels: &HashMap<String, String>,
    ) -> Result<BTreeSet<String>, CloudError> {
        if admin_labels(labels).is_empty() {
            return Ok(BTreeSet::new());
        }
        let policy = self.policy_of(&project_target(project)).await?;
        Ok(recorded_admins(labels, &policy))
    }

    /// Binds each of `members` that does not hold the role yet; the labels recording
    /// them (`written` or `kept`).
    pub(super) async fn grant_admins(
        &self,
        project: &str,
        members: impl IntoIterator<Item = &String>,
        deadline: &Deadline,
    ) -> Result<HashMap<String, String>, CloudError> {
        let target = project_target(project);
        let mut labels = HashMap::new();
        for member in members {
            let held = self.has_binding(&target, CLUSTER_ADMIN, member).await?;
            if !held {
                self.bind(&target, CLUSTER_ADMIN, member, true, deadline)
                    .await?;
            }
            labels.insert(
                admin_label(member),
                if held { KEPT } else { WRITTEN }.to_string(),
            );
        }
        Ok(labels)
    }

    /// Revokes the bindings of `members` that the labels say this cluster wrote and
    /// that no other cluster of the project records.
    pub(super) async fn revoke_admins(
        &self,
        cluster: &ClusterName,
        labels: &HashMap<String, String>,
        members: impl IntoIterator<Item = &String>,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let ours: Vec<&String> = members
            .into_iter()
            .filter(|m| labels.get(&admin_label(m)).map(String::as_str) == Some(WRITTEN))
            .collect();
        if ours.is_empty() {
            return Ok(());
        }
        let others = self.other_clusters_labels(cluster).await?;
        for member in ours {
            let label = admin_label(member);
            if others.iter().any(|l| l.contains_key(&label)) {
                continue;
            }
            self.bind(
                &project_target(&cluster.project),
                CLUSTER_ADMIN,
                member,
                false,
                deadline,
            )
            .await?;
        }
        Ok(())
    }

    /// The labels of every other cluster of the project, in every location.
    async fn other_clusters_labels(
        &self,
        cluster: &ClusterName,
    ) -> Result<Vec<HashMap<String, String>>, CloudError> {
        let parent = format!("projects/{}/locations/-", cluster.project);
        let listed = self
            .clients
            .container
            .list_clusters()
            .set_parent(&parent)
            .send()
            .boxed()
            .await
            .map_err(err(Service::Container, "ListClusters", &parent))?;
        Ok(listed
            .clusters
            .iter()
            .filter(|c| !(c.name == cluster.cluster && c.location == cluster.location))
            .map(|c| c.resource_labels.clone())
            .collect())
    }
}

/// Whether `member` is an IAM member an admin can be; the error says what is.
pub fn check_member(member: &str) -> Result<(), String> {
    let email = ["user:", "serviceAccount:", "group:"]
        .iter()
        .find_map(|p| member.strip_prefix(p));
    let legal = email.is_some_and(|e| {
        let mut parts = e.split('@');
        let (local, domain) = (parts.next(), parts.next());
        parts.next().is_none()
            && local.is_some_and(|l| !l.is_empty() && !l.contains(char::is_whitespace))
            && domain.is_some_and(|d| d.contains('.') && !d.contains(char::is_whitespace))
    });
    if legal {
        Ok(())
    } else {
        Err(format!(
            "On gcp, an admin principal is an IAM member: \"user:EMAIL\", \"serviceAccount:EMAIL\" or \"group:EMAIL\"; got \"{member}\"."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clouds::gcp::labels::check_label;
    use google_cloud_iam_v1::model::{Binding, Policy};

    #[test]
    fn admin_labels_are_legal_and_name_one_member_each() {
        let a = admin_label("user:alice@example.com");
        let b = admin_label("user:bob@example.com");
        assert_ne!(a, b);
        assert!(check_label(&a, WRITTEN).is_ok(), "{a}");
        assert_eq!(a, admin_label("user:alice@example.com"), "stable");
    }

    #[test]
    fn only_recorded_members_holding_the_role_are_admins() {
        let policy = Policy::new().set_bindings([
            Binding::new()
                .set_role(CLUSTER_ADMIN)
                .set_members(["user:alice@example.com", "user:other@example.com"]),
            Binding::new()
                .set_role("roles/viewer")
                .set_members(["user:bob@example.com"]),
        ]);
        let labels = HashMap::from([
            (admin_label("user:alice@example.com"), WRITTEN.to_string()),
            (admin_label("user:bob@example.com"), WRITTEN.to_string()),
            ("team".to_string(), "ml".to_string()),
        ]);
        assert_eq!(
            recorded_admins(&labels, &policy),
            BTreeSet::from(["user:alice@example.com".to_string()])
        );
        assert_eq!(admin_labels(&labels).len(), 2);
    }

    #[test]
    fn admins_are_iam_members_with_an_email() {
        for ok in [
            "user:alice@example.com",
            "serviceAccount:ci@p.iam.gserviceaccount.com",
            "group:ml-admins@example.com",
        ] {
            assert!(check_member(ok).is_ok(), "{ok}");
        }
        for bad in [
            "alice@example.com",
            "user:alice",
            "domain:example.com",
            "arn:aws:iam::1:role/x",
        ] {
            let e = check_member(bad).unwrap_err();
            assert!(e.contains("user:EMAIL"), "{e}");
        }
    }
}
