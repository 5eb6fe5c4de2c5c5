//! Role assignments (Microsoft.Authorization): how grants, and a cluster's use of its
//! key, become permissions at the narrowest scope. An assignment's name is a GUID
//! derived from (scope, principal, role), so writing one again after a lost answer
//! finds the same assignment instead of adding a second; its description records
//! which mlcloud grant made it, so reads give back the grant.

use super::PROPAGATION_LIMIT;
use super::api_versions::AUTHORIZATION;
use super::arm::ArmClient;
use crate::clouds::CloudError;
use crate::clouds::wait::{Deadline, retry_transient};
use serde_json::{Value, json};

pub const SERVICE: &str = "Microsoft.Authorization";

/// Built-in role definitions (their GUIDs are the same in every tenant).
pub mod role {
    /// Cryptographic operations on keys.
    pub const KEY_VAULT_CRYPTO_USER: &str = "12338af0-0e69-4776-bea7-57ae8d297424";
    pub const STORAGE_BLOB_DATA_READER: &str = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    pub const STORAGE_BLOB_DATA_CONTRIBUTOR: &str = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    /// Kubernetes `cluster-admin` on an AKS cluster with Azure RBAC.
    pub const AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
}

/// Prefix of the description of every assignment mlcloud makes.
pub const DESCRIPTION_PREFIX: &str = "mlcloud:";

/// One role assignment as mlcloud sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub scope: String,
    /// The role definition's GUID.
    pub role: String,
    /// What mlcloud wrote in the description after the prefix (e.g. the grant).
    pub purpose: String,
}

/// A GUID from (scope, principal, role), stable across runs.
pub fn assignment_name(scope: &str, principal_id: &str, role: &str) -> String {
    let seed = format!(
        "{}|{}|{}",
        scope.to_ascii_lowercase(),
        principal_id.to_ascii_lowercase(),
        role
    );
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_ref()[..16]);
    // A name-based (version 5 layout) GUID.
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn assignment_id(scope: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
        scope.trim_end_matches('/')
    )
}

fn role_definition_id(subscription: &str, role: &str) -> String {
    format!(
        "/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}"
    )
}

/// Assigns `role` to the service principal `principal_id` at `scope`; one that
/// exists already is fine. A principal a few seconds old may not have replicated
/// yet: retried.
pub async fn assign(
    arm: &ArmClient,
    a: &Assignment,
    principal_id: &str,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    assign_as(arm, a, principal_id, Some("ServicePrincipal"), deadline).await
}

/// [`assign`] for a principal of `principal_type`; `None` lets ARM look the
/// principal up (a user, group or service principal the user named).
pub async fn assign_as(
    arm: &ArmClient,
    a: &Assignment,
    principal_id: &str,
    principal_type: Option<&str>,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let id = assignment_id(&a.scope, &assignment_name(&a.scope, principal_id, &a.role));
    let mut body = json!({"properties": {
        "roleDefinitionId": role_definition_id(arm.subscription(), &a.role),
        "principalId": principal_id,
        "description": format!("{DESCRIPTION_PREFIX}{}", a.purpose),
    }});
    if let Some(t) = principal_type {
        body["properties"]["principalType"] = json!(t);
    }
    let result = retry_transient(
        "waiting for a new principal to replicate",
        &arm.backoff(),
        deadline,
        PROPAGATION_LIMIT,
        |e| e.has_code("PrincipalNotFound"),
        || async {
            arm.put(&id, AUTHORIZATION, SERVICE, &body, deadline)
                .await
                .map(|_| ())
        },
    )
    .await;
    match result {
        Err(e) if e.has_code("RoleAssignmentExists") => Ok(()),
        other => other,
    }
}

/// Removes an assignment mlcloud made; one already gone is fine.
pub async fn unassign(
    arm: &ArmClient,
    a: &Assignment,
    principal_id: &str,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let id = assignment_id(&a.scope, &assignment_name(&a.scope, principal_id, &a.role));
    arm.delete(&id, AUTHORIZATION, SERVICE, deadline).await
}

/// The assignments mlcloud made for `principal_id` anywhere in the subscription.
pub async fn list_for(arm: &ArmClient, principal_id: &str) -> Result<Vec<Assignment>, CloudError> {
    let path = format!(
        "/subscriptions/{}/providers/Microsoft.Authorization/roleAssignments?$filter=principalId eq '{principal_id}'",
        arm.subscription()
    );
    let items = arm.list(&path, AUTHORIZATION, SERVICE).await?;
    Ok(items.iter().filter_map(flatten).collect())
}

fn flatten(v: &Value) -> Option<Assignment> {
    let p = v.get("properties")?;
    let purpose = p
        .get("description")?
        .as_str()?
        .strip_prefix(DESCRIPTION_PREFIX)?;
    let role = p.get("roleDefinitionId")?.as_str()?.rsplit('/').next()?;
    Some(Assignment {
        scope: p.get("scope")?.as_str()?.to_string(),
        role: role.to_ascii_lowercase(),
        purpose: purpose.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_guids() {
        let a = assignment_name("/subscriptions/s/x", "p", role::KEY_VAULT_CRYPTO_USER);
        assert_eq!(
            a,
            assignment_name("/SUBSCRIPTIONS/s/x", "P", role::KEY_VAULT_CRYPTO_USER)
        );
        assert_ne!(
            a,
            assignment_name("/subscriptions/s/y", "p", role::KEY_VAULT_CRYPTO_USER)
        );
        let parts: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(&a[14..15], "5");
    }

    #[test]
    fn reads_back_only_mlcloud_assignments() {
        let ours = json!({"properties": {"scope": "/s", "principalId": "p", "description": "mlcloud:grant kms_decrypt",
            "roleDefinitionId": format!("/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/{}", role::KEY_VAULT_CRYPTO_USER)}});
        let theirs =
            json!({"properties": {"scope": "/s", "principalId": "p", "roleDefinitionId": "/x/y"}});
        assert_eq!(flatten(&ours).unwrap().purpose, "grant kms_decrypt");
        assert!(flatten(&theirs).is_none());
    }
}
