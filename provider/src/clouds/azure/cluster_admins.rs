//! `admin_principals` on AKS: with Azure RBAC for Kubernetes and local accounts off,
//! cluster access is Azure role assignments Terraform sees. Each admin is one
//! assignment of "Azure Kubernetes Service RBAC Cluster Admin" at exactly the
//! cluster's scope. Assignments of that role at the cluster's scope are the admins
//! whoever made them (as on EKS, where every cluster-admin access entry counts);
//! assignments above the cluster (a resource group, the subscription) or of other
//! roles are not the cluster's and are left alone.

use super::api_versions::AUTHORIZATION;
use super::arm::ArmClient;
use super::roles::{self, Assignment, role};
use crate::clouds::CloudError;
use crate::clouds::wait::Deadline;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const PURPOSE: &str = "cluster admin";

fn assignments_path(cluster_id: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()",
        cluster_id.trim_end_matches('/')
    )
}

/// The cluster's admins (object id → the assignment's ARM id), from the
/// assignments listed at (and above) the cluster's scope.
pub fn flatten_admins(cluster_id: &str, assignments: &[Value]) -> BTreeMap<String, String> {
    assignments
        .iter()
        .filter_map(|a| {
            let p = a.get("properties")?;
            let at_cluster = p
                .get("scope")?
                .as_str()?
                .trim_end_matches('/')
                .eq_ignore_ascii_case(cluster_id.trim_end_matches('/'));
            let guid = p.get("roleDefinitionId")?.as_str()?.rsplit('/').next()?;
            let admin = guid.eq_ignore_ascii_case(role::AKS_RBAC_CLUSTER_ADMIN);
            let principal = p.get("principalId")?.as_str()?.to_ascii_lowercase();
            let id = a.get("id")?.as_str()?.to_string();
            (at_cluster && admin).then_some((principal, id))
        })
        .collect()
}

/// The cluster's admins as its role assignments say.
pub async fn find_admins(
    arm: &ArmClient,
    cluster_id: &str,
) -> Result<BTreeMap<String, String>, CloudError> {
    let listed = arm
        .list(&assignments_path(cluster_id), AUTHORIZATION, roles::SERVICE)
        .await?;
    Ok(flatten_admins(cluster_id, &listed))
}

/// Makes `principal` an admin of the cluster. ARM looks the principal up (no
/// `principalType`: a user, a group and a service principal are all fine), and a
/// principal a few seconds old is retried until it has replicated.
async fn grant_admin(
    arm: &ArmClient,
    cluster_id: &str,
    principal: &str,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let assignment = Assignment {
        scope: cluster_id.to_string(),
        role: role::AKS_RBAC_CLUSTER_ADMIN.into(),
        purpose: PURPOSE.into(),
    };
    roles::assign_as(arm, &assignment, principal, None, deadline).await
}

/// Removes one admin's assignment (by its own id: it may be one mlcloud did not
/// name); gone already is fine.
pub async fn revoke_admin(
    arm: &ArmClient,
    assignment_id: &str,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    match arm
        .delete(assignment_id, AUTHORIZATION, roles::SERVICE, deadline)
        .await
    {
        Err(e) if !e.is_not_found() => Err(e),
        _ => Ok(()),
    }
}

/// Grants what `desired` adds to the cluster's admins and revokes what it drops;
/// nothing else changes.
pub async fn converge_admins(
    arm: &ArmClient,
    cluster_id: &str,
    desired: &BTreeSet<String>,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let current = find_admins(arm, cluster_id).await?;
    for principal in desired {
        if !current.contains_key(&principal.to_ascii_lowercase()) {
            grant_admin(arm, cluster_id, principal, deadline).await?;
        }
    }
    let wanted: BTreeSet<String> = desired.iter().map(|p| p.to_ascii_lowercase()).collect();
    for (principal, assignment_id) in &current {
        if !wanted.contains(principal) {
            revoke_admin(arm, assignment_id, deadline).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CLUSTER: &str = "/subscriptions/s/resourceGroups/ml/providers/Microsoft.ContainerService/managedClusters/main";

    fn assignment(scope: &str, role: &str, principal: &str) -> Value {
        json!({"id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{principal}"),
            "properties": {"scope": scope, "principalId": principal,
            "roleDefinitionId": format!("/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/{role}")}})
    }

    #[test]
    fn admins_are_cluster_admin_assignments_at_the_cluster_only() {
        let listed = [
            assignment(CLUSTER, role::AKS_RBAC_CLUSTER_ADMIN, "AAAA"),
            // Above the cluster, or another role: not the cluster's admins.
            assignment(
                "/subscriptions/s/resourceGroups/ml",
                role::AKS_RBAC_CLUSTER_ADMIN,
                "bbbb",
            ),
            assignment(CLUSTER, role::KEY_VAULT_CRYPTO_USER, "cccc"),
        ];
        let admins = flatten_admins(CLUSTER, &listed);
        assert_eq!(admins.keys().collect::<Vec<_>>(), ["aaaa"]);
        assert!(admins["aaaa"].starts_with(CLUSTER));
    }
}
