//! The cluster can use its secrets key: EKS envelope-encrypts Kubernetes secrets by
//! calling KMS as the cluster role, so that role needs `kms:Encrypt`, `kms:Decrypt`,
//! `kms:ListGrants` and `kms:DescribeKey` on the key (what terraform-aws-eks attaches
//! as its `cluster_encryption` policy). Setting `encryption_key_id` implies that grant:
//! an inline policy on the cluster role, named after the cluster (two clusters may
//! share a role), scoped to exactly that key ARN, written before CreateCluster and
//! removed with the cluster.

use super::arn;
use super::errors::{SdkResultExt, Service, gone_is_ok};
use super::policy::{PolicyDocument, Statement, Values};
use crate::clouds::CloudError;
use aws_sdk_iam::Client;
use std::collections::BTreeMap;

/// What EKS calls on the key with the cluster role.
pub const CLUSTER_KEY_ACTIONS: [&str; 4] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ListGrants",
    "kms:DescribeKey",
];

/// The inline policy's name prefix; the identity backend treats policies with this
/// prefix as its cluster's, not as drift of its own grants.
pub const POLICY_PREFIX: &str = "mlcloud-cluster-encryption-";

/// The inline policy on the cluster role for cluster `cluster` (IAM allows 128
/// characters; EKS names are at most 100).
pub fn policy_name(cluster: &str) -> String {
    format!("{POLICY_PREFIX}{cluster}")
}

/// The grant: exactly the four actions on exactly the key.
pub fn policy(key_arn: &str) -> PolicyDocument {
    PolicyDocument::new(vec![Statement {
        sid: Some("ClusterSecretsEncryption".into()),
        effect: "Allow".into(),
        principal: None,
        action: Values::of(CLUSTER_KEY_ACTIONS),
        resource: Values::one(key_arn),
        condition: BTreeMap::new(),
    }])
}

/// Writes the grant (PutRolePolicy replaces a policy of the same name: a retry, or a
/// re-created cluster, converges).
pub async fn grant(
    iam: &Client,
    role_arn: &str,
    cluster: &str,
    key_arn: &str,
) -> Result<(), CloudError> {
    let role = arn::role_name(role_arn)?;
    iam.put_role_policy()
        .role_name(role)
        .policy_name(policy_name(cluster))
        .policy_document(policy(key_arn).to_json())
        .send()
        .await
        .map(|_| ())
        .or_cloud(
            Service::Iam,
            "PutRolePolicy",
            &format!("the key grant of cluster {cluster:?} on role {role:?}"),
        )
}

/// Removes the grant; a role or policy already gone is fine.
pub async fn revoke(iam: &Client, role_arn: &str, cluster: &str) -> Result<(), CloudError> {
    let role = arn::role_name(role_arn)?;
    gone_is_ok(
        iam.delete_role_policy()
            .role_name(role)
            .policy_name(policy_name(cluster))
            .send()
            .await
            .map(|_| ())
            .or_cloud(
                Service::Iam,
                "DeleteRolePolicy",
                &format!("the key grant of cluster {cluster:?} on role {role:?}"),
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grant_names_exactly_the_four_actions_on_exactly_the_key() {
        let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let json: serde_json::Value = serde_json::from_str(&policy(key).to_json()).unwrap();
        let statement = &json["Statement"][0];
        assert_eq!(statement["Effect"], "Allow");
        assert_eq!(
            statement["Action"],
            serde_json::json!([
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ListGrants",
                "kms:DescribeKey"
            ])
        );
        assert_eq!(statement["Resource"], serde_json::json!([key]));
        assert!(statement.get("Principal").is_none());
        assert_eq!(policy_name("ml-main"), "mlcloud-cluster-encryption-ml-main");
    }
}
