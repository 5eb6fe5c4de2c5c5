//! The Kubernetes cluster autoscaler's AWS side: an IAM role of its own per cluster
//! (IRSA, trusting only the service account `kube-system:cluster-autoscaler` through
//! the cluster's OIDC provider), and which node groups it discovers.
//!
//! The role's policy is least privilege: reading Auto Scaling groups, launch
//! configurations/templates, instance types and node groups has no resource-level
//! scoping in IAM, so those Describe actions are on `*`; the two actions that change
//! capacity (`SetDesiredCapacity`, `TerminateInstanceInAutoScalingGroup`) are allowed
//! only on groups tagged `k8s.io/cluster-autoscaler/<cluster> = owned`, so the
//! autoscaler of one cluster can neither grow nor shrink another cluster's (or
//! anything else's) groups.

use super::AwsBackend;
use super::arn;
use super::autoscaler_tags::{self, cluster_key};
use super::cluster_api::find_cluster;
use super::errors::{SdkResultExt, Service, found, gone_is_ok};
use super::iam::{find_role, what};
use super::policy::{PolicyDocument, Statement, Values, WebIdentityTrust, trust_policy};
use super::tags;
use crate::clouds::CloudError;
use crate::clouds::model::{ClusterState, Purpose};
use crate::serving::spec::WorkloadBinding;
use aws_sdk_iam::types::Tag;
use std::collections::BTreeMap;

pub const NAMESPACE: &str = "kube-system";
pub const SERVICE_ACCOUNT: &str = "cluster-autoscaler";
/// The inline policy on the role.
const POLICY_NAME: &str = "mlcloud-cluster-autoscaler";
/// The role's purpose tag value: a role of the autoscaler's name without it is not
/// ours, and is never changed or deleted.
const PURPOSE: &str = "cluster-autoscaler";
const SUFFIX: &str = "-cluster-autoscaler";
/// IAM role names are at most 64 characters.
const ROLE_NAME_MAX: usize = 64;

/// `<cluster>-cluster-autoscaler`, the cluster's name cut so the whole fits IAM.
pub fn role_name(cluster: &str) -> String {
    let room = ROLE_NAME_MAX - SUFFIX.len();
    let cut: String = cluster.chars().take(room).collect();
    format!("{cut}{SUFFIX}")
}

/// The autoscaler's permissions in `cluster` (see the module's comment for why the
/// writes carry the tag condition).
pub fn permissions(cluster: &str) -> PolicyDocument {
    let describe = Statement {
        sid: Some("Discover".into()),
        effect: "Allow".into(),
        principal: None,
        action: Values::of([
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeAutoScalingInstances",
            "autoscaling:DescribeLaunchConfigurations",
            "autoscaling:DescribeScalingActivities",
            "autoscaling:DescribeTags",
            "ec2:DescribeImages",
            "ec2:DescribeInstanceTypes",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:GetInstanceTypesFromInstanceRequirements",
            "eks:DescribeNodegroup",
        ]),
        resource: Values::of(["*"]),
        condition: BTreeMap::new(),
    };
    let scale = Statement {
        sid: Some("ScaleOwnGroups".into()),
        effect: "Allow".into(),
        principal: None,
        action: Values::of([
            "autoscaling:SetDesiredCapacity",
            "autoscaling:TerminateInstanceInAutoScalingGroup",
        ]),
        resource: Values::of(["*"]),
        condition: BTreeMap::from([(
            "StringEquals".to_string(),
            BTreeMap::from([(
                format!("aws:ResourceTag/{}", cluster_key(cluster)),
                Values::one("owned"),
            )]),
        )]),
    };
    PolicyDocument::new(vec![describe, scale])
}

fn iam_tag(key: &str, value: &str) -> Result<Tag, CloudError> {
    Tag::builder()
        .key(key)
        .value(value)
        .build()
        .map_err(|e| CloudError::Invalid(format!("tag {key:?}: {e}")))
}

fn is_ours(role: &aws_sdk_iam::types::Role) -> bool {
    role.tags()
        .iter()
        .any(|t| t.key() == tags::PURPOSE && t.value() == PURPOSE)
}

impl AwsBackend {
    /// The trust of the autoscaler's role: the cluster's OIDC provider, for its
    /// service account only. Says what is missing when the cluster has no issuer.
    async fn autoscaler_trust(&self, cluster: &ClusterState) -> Result<String, CloudError> {
        let (cluster_arn, name) = arn::cluster_name(&cluster.id)?;
        let issuer = if cluster.oidc_issuer_url.is_empty() {
            let eks = self.clients.regional(cluster_arn.region).eks.clone();
            find_cluster(&eks, name)
                .await?
                .identity()
                .and_then(|i| i.oidc())
                .and_then(|o| o.issuer())
                .map(str::to_string)
                .unwrap_or_default()
        } else {
            cluster.oidc_issuer_url.clone()
        };
        if issuer.is_empty() {
            return Err(CloudError::Invalid(format!(
                "EKS cluster {name:?} has no OIDC issuer, so the cluster autoscaler's IAM role cannot trust its service account (IRSA); wait until the cluster is ACTIVE"
            )));
        }
        let provider_arn =
            arn::oidc_provider_arn(cluster_arn.partition, cluster_arn.account, &issuer);
        let provider = self
            .clients
            .iam
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(&provider_arn)
            .send()
            .await
            .or_cloud(
                Service::Iam,
                "GetOpenIDConnectProvider",
                &format!("IAM OIDC provider {provider_arn:?}"),
            );
        if found(provider)?.is_none() {
            return Err(CloudError::Invalid(format!(
                "EKS cluster {name:?} has no IAM OIDC provider for its issuer ({provider_arn}), so the cluster autoscaler's IAM role cannot trust its service account (IRSA); mlcloud_cluster creates it, or create it for the issuer {issuer}"
            )));
        }
        let caller = self.clients.caller().await?;
        let trust = trust_policy(
            Purpose::Workload,
            &caller.partition,
            &caller.account,
            Some(&WebIdentityTrust {
                provider_arn,
                issuer: arn::issuer_host_path(&issuer).to_string(),
                namespace: NAMESPACE.into(),
                service_account: SERVICE_ACCOUNT.into(),
            }),
        )?;
        Ok(trust.to_json())
    }

    /// Creates the role (or brings ours in line) and writes its policy.
    pub(super) async fn ensure_autoscaler_role(
        &self,
        cluster: &ClusterState,
    ) -> Result<String, CloudError> {
        let (_, name) = arn::cluster_name(&cluster.id)?;
        let role = role_name(name);
        let iam = &self.clients.iam;
        let trust = self.autoscaler_trust(cluster).await?;
        let arn = match found(find_role(iam, &role).await)? {
            Some(existing) if is_ours(&existing) => {
                iam.update_assume_role_policy()
                    .role_name(&role)
                    .policy_document(&trust)
                    .send()
                    .await
                    .or_cloud(Service::Iam, "UpdateAssumeRolePolicy", &what(&role))?;
                existing.arn().to_string()
            }
            Some(existing) => {
                return Err(CloudError::Invalid(format!(
                    "the IAM role {role} ({}) exists and was not made by mlcloud for the cluster autoscaler of EKS cluster {name:?}; it is left alone. Delete or rename it so that the autoscaler gets a role of its own",
                    existing.arn()
                )));
            }
            None => {
                // Only the purpose tag, not the markers of managed objects: no
                // resource holds this role, so listings of identities leave it out.
                let role_tags = vec![iam_tag(tags::PURPOSE, PURPOSE)?];
                iam.create_role()
                    .role_name(&role)
                    .path("/")
                    .description(format!(
                        "The Kubernetes cluster autoscaler of EKS cluster {name} (mlcloud)"
                    ))
                    .assume_role_policy_document(&trust)
                    .set_tags(Some(role_tags))
                    .send()
                    .await
                    .or_cloud(Service::Iam, "CreateRole", &what(&role))?
                    .role
                    .map(|r| r.arn().to_string())
                    .ok_or_else(|| {
                        CloudError::Transport("IAM CreateRole returned no role".into())
                    })?
            }
        };
        iam.put_role_policy()
            .role_name(&role)
            .policy_name(POLICY_NAME)
            .policy_document(permissions(name).to_json())
            .send()
            .await
            .or_cloud(Service::Iam, "PutRolePolicy", &what(&role))?;
        Ok(arn)
    }

    /// Deletes the role (its inline policy first); a role not ours stays.
    pub(super) async fn remove_autoscaler_role(
        &self,
        cluster: &ClusterState,
    ) -> Result<(), CloudError> {
        let (_, name) = arn::cluster_name(&cluster.id)?;
        let role = role_name(name);
        let iam = &self.clients.iam;
        match found(find_role(iam, &role).await)? {
            Some(existing) if is_ours(&existing) => {}
            _ => return Ok(()),
        }
        gone_is_ok(
            iam.delete_role_policy()
                .role_name(&role)
                .policy_name(POLICY_NAME)
                .send()
                .await
                .map(|_| ())
                .or_cloud(Service::Iam, "DeleteRolePolicy", &what(&role)),
        )?;
        gone_is_ok(
            iam.delete_role()
                .role_name(&role)
                .send()
                .await
                .map(|_| ())
                .or_cloud(Service::Iam, "DeleteRole", &what(&role)),
        )
    }

    /// The node groups of the cluster carrying the discovery tags.
    pub(super) async fn discovered_groups(
        &self,
        cluster: &ClusterState,
    ) -> Result<Vec<String>, CloudError> {
        let (cluster_arn, name) = arn::cluster_name(&cluster.id)?;
        let eks = self.clients.regional(cluster_arn.region).eks.clone();
        let groups = super::nodegroup::group_names(&eks, name).await?;
        let mut discovered = Vec::new();
        for group in groups {
            let Some(described) = found(super::nodegroup::find_group(&eks, name, &group).await)?
            else {
                continue;
            };
            let tags = described.tags();
            if autoscaler_tags::is_discovered(tags, name) {
                discovered.push(group);
            }
        }
        Ok(discovered)
    }
}

/// How the autoscaler's service account is bound to its role (IRSA).
pub fn binding(role_arn: &str) -> WorkloadBinding {
    WorkloadBinding {
        service_account_annotations: [
            (
                "eks.amazonaws.com/role-arn".to_string(),
                role_arn.to_string(),
            ),
            (
                "eks.amazonaws.com/sts-regional-endpoints".to_string(),
                "true".to_string(),
            ),
        ]
        .into(),
        ..WorkloadBinding::default()
    }
}

/// The autoscaler's AWS arguments: discovery by the tags of `autoscaler_tags`.
pub fn args(cluster_name: &str) -> Vec<String> {
    vec![
        "--cloud-provider=aws".into(),
        format!(
            "--node-group-auto-discovery=asg:tag={},{}",
            autoscaler_tags::ENABLED,
            cluster_key(cluster_name)
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_writes_to_the_clusters_own_groups_carry_a_condition() {
        let doc = permissions("ml");
        let json: serde_json::Value = serde_json::from_str(&doc.to_json()).unwrap();
        let scale = &json["Statement"][1];
        assert_eq!(
            scale["Condition"]["StringEquals"]["aws:ResourceTag/k8s.io/cluster-autoscaler/ml"],
            serde_json::json!(["owned"])
        );
        assert_eq!(
            scale["Action"],
            serde_json::json!([
                "autoscaling:SetDesiredCapacity",
                "autoscaling:TerminateInstanceInAutoScalingGroup"
            ])
        );
        assert!(json["Statement"][0]["Condition"].is_null());
        assert_eq!(role_name("ml"), "ml-cluster-autoscaler");
        assert_eq!(role_name(&"c".repeat(100)).len(), 64);
        assert_eq!(
            args("ml")[1],
            "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/ml"
        );
    }
}
