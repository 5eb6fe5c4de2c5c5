//! `admin_principals` on EKS: cluster access through access entries Terraform sees,
//! never a hidden creator-admin (`bootstrapClusterCreatorAdminPermissions = false`).
//! Each admin is an access entry with `AmazonEKSClusterAdminPolicy` at cluster scope;
//! entries EKS makes for node roles, and entries with other policies, are not ours
//! and are left alone.

use super::errors::{SdkResultExt, Service, gone_is_ok};
use crate::clouds::CloudError;
use aws_sdk_eks::Client;
use aws_sdk_eks::types::{AccessScope, AccessScopeType};
use std::collections::BTreeSet;

const ADMIN_POLICY: &str = "AmazonEKSClusterAdminPolicy";

fn admin_policy_arn(partition: &str) -> String {
    format!("arn:{partition}:eks::aws:cluster-access-policy/{ADMIN_POLICY}")
}

fn what(cluster: &str, principal: &str) -> String {
    format!("the access entry of {principal} on EKS cluster {cluster:?}")
}

/// Every principal with an access entry on `cluster`.
async fn find_entries(eks: &Client, cluster: &str) -> Result<Vec<String>, CloudError> {
    let mut entries = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let listed = eks
            .list_access_entries()
            .cluster_name(cluster)
            .set_next_token(next.take())
            .send()
            .await
            .or_cloud(
                Service::Eks,
                "ListAccessEntries",
                &format!("the access entries of EKS cluster {cluster:?}"),
            );
        let page = match listed {
            Ok(page) => page,
            // A cluster in CONFIG_MAP authentication mode (made outside mlcloud, e.g.
            // read by the mlcloud_cluster data source) has no access entries, and EKS
            // refuses to list them rather than answering none.
            Err(CloudError::Api { code, message, .. })
                if code == "InvalidRequestException" && message.contains("authentication mode") =>
            {
                return Ok(entries);
            }
            Err(e) => return Err(e),
        };
        entries.extend(page.access_entries().iter().cloned());
        match page.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_string()),
            _ => return Ok(entries),
        }
    }
}

/// Whether `principal` holds the cluster-admin policy for the whole cluster.
async fn is_admin(eks: &Client, cluster: &str, principal: &str) -> Result<bool, CloudError> {
    let out = eks
        .list_associated_access_policies()
        .cluster_name(cluster)
        .principal_arn(principal)
        .send()
        .await
        .or_cloud(
            Service::Eks,
            "ListAssociatedAccessPolicies",
            &what(cluster, principal),
        )?;
    Ok(out.associated_access_policies().iter().any(|policy| {
        policy
            .policy_arn()
            .is_some_and(|arn| arn.ends_with(&format!("/{ADMIN_POLICY}")))
            && policy
                .access_scope()
                .is_some_and(|scope| scope.r#type() == Some(&AccessScopeType::Cluster))
    }))
}

/// The cluster's admins as access entries say.
pub async fn find_admins(eks: &Client, cluster: &str) -> Result<BTreeSet<String>, CloudError> {
    let mut admins = BTreeSet::new();
    for principal in find_entries(eks, cluster).await? {
        if is_admin(eks, cluster, &principal).await? {
            admins.insert(principal);
        }
    }
    Ok(admins)
}

/// Gives `principal` cluster-admin access: its access entry (kept if it exists) and
/// the policy (associating again is a no-op for EKS).
pub async fn grant_admin(
    eks: &Client,
    cluster: &str,
    principal: &str,
    partition: &str,
) -> Result<(), CloudError> {
    let created = eks
        .create_access_entry()
        .cluster_name(cluster)
        .principal_arn(principal)
        .send()
        .await
        .map(|_| ())
        .or_cloud(Service::Eks, "CreateAccessEntry", &what(cluster, principal));
    match created {
        Ok(()) | Err(CloudError::AlreadyExists { .. }) => {}
        Err(error) => return Err(error),
    }
    eks.associate_access_policy()
        .cluster_name(cluster)
        .principal_arn(principal)
        .policy_arn(admin_policy_arn(partition))
        .access_scope(
            AccessScope::builder()
                .r#type(AccessScopeType::Cluster)
                .build(),
        )
        .send()
        .await
        .map(|_| ())
        .or_cloud(
            Service::Eks,
            "AssociateAccessPolicy",
            &what(cluster, principal),
        )
}

/// Takes `principal`'s access away (its whole access entry); gone already is fine.
pub async fn revoke_admin(eks: &Client, cluster: &str, principal: &str) -> Result<(), CloudError> {
    gone_is_ok(
        eks.delete_access_entry()
            .cluster_name(cluster)
            .principal_arn(principal)
            .send()
            .await
            .map(|_| ())
            .or_cloud(Service::Eks, "DeleteAccessEntry", &what(cluster, principal)),
    )
}

/// Grants what `desired` adds to `current` and revokes what it drops.
pub async fn converge_admins(
    eks: &Client,
    cluster: &str,
    current: &BTreeSet<String>,
    desired: &BTreeSet<String>,
    partition: &str,
) -> Result<(), CloudError> {
    for principal in desired.difference(current) {
        grant_admin(eks, cluster, principal, partition).await?;
    }
    for principal in current.difference(desired) {
        revoke_admin(eks, cluster, principal).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_policy_is_eks_managed_in_the_clusters_partition() {
        assert_eq!(
            admin_policy_arn("aws"),
            "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
        );
        assert!(admin_policy_arn("aws-cn").starts_with("arn:aws-cn:eks::aws:"));
    }
}
