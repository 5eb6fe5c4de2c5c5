//! The cluster role trusts EKS only for the clusters that use it. The identity writes
//! its trust before any cluster exists, pinned to the account (`aws:SourceAccount`);
//! the cluster backend then narrows it with `aws:SourceArn` (`ArnLike`, exact cluster
//! ARNs, as AWS's EKS guide shows for confused-deputy prevention): before
//! CreateCluster it adds the ARN the new cluster will have
//! (`arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME`, known from the name alone), so EKS
//! can assume the role during the create, and after the cluster is deleted it takes
//! the ARN out again. Two clusters may share a role: the list holds every one.
//!
//! Only a role mlcloud made for purpose `cluster` is touched (its `mlcloud-purpose`
//! tag and the `EksControlPlane` statement): a role the user made keeps its trust as it
//! is, as a foreign OIDC provider does. The identity backend carries the cluster ARNs
//! over when it rewrites the trust ([`carry_over`]), and its `policy_drift` does not
//! compare conditions, so the narrowing is never drift.

use super::arn::{self, Arn};
use super::errors::{SdkResultExt, Service, found};
use super::iam::{find_role, what};
use super::policy::{PolicyDocument, Principal, Statement, Values};
use super::tags;
use crate::clouds::CloudError;
use crate::clouds::model::{Purpose, Tags};
use aws_sdk_iam::Client;
use std::collections::{BTreeMap, BTreeSet};

/// The Sid of the statement mlcloud writes into a cluster role's trust.
pub const STATEMENT_SID: &str = "EksControlPlane";
const OPERATOR: &str = "ArnLike";
const SOURCE_ARN: &str = "aws:SourceArn";

/// One trust edit at a time in this provider process (clusters sharing a role are
/// created in parallel, and each edit reads, changes and writes the whole document),
/// and what this process admitted (`true`) or released per role and cluster: IAM is
/// eventually consistent, so a read right after another edit's write may not show it
/// yet, and those edits are applied again on top of what the read returns.
static EDITS: tokio::sync::Mutex<BTreeMap<String, BTreeMap<String, bool>>> =
    tokio::sync::Mutex::const_new(BTreeMap::new());

/// mlcloud's EKS statement in a trust policy.
fn eks_statement(doc: &mut PolicyDocument) -> Option<&mut Statement> {
    doc.statement.iter_mut().find(|s| {
        s.sid.as_deref() == Some(STATEMENT_SID)
            && s.effect == "Allow"
            && matches!(&s.principal, Some(Principal::Of(p))
                if p.get("Service").is_some_and(|v| v.contains("eks.amazonaws.com")))
    })
}

/// The clusters the trust admits (empty: any cluster of the account).
pub fn admitted(doc: &PolicyDocument) -> BTreeSet<String> {
    let mut doc = doc.clone();
    eks_statement(&mut doc)
        .and_then(|s| s.condition.get(OPERATOR))
        .and_then(|keys| keys.get(SOURCE_ARN))
        .map(|v| v.0.iter().cloned().collect())
        .unwrap_or_default()
}

/// `doc` admitting exactly `clusters` (none: the condition goes, leaving the account
/// pin); `None` when the document has no statement of mlcloud's for EKS.
pub fn admitting(doc: &PolicyDocument, clusters: &BTreeSet<String>) -> Option<PolicyDocument> {
    let mut doc = doc.clone();
    let statement = eks_statement(&mut doc)?;
    let operator = statement.condition.entry(OPERATOR.into()).or_default();
    if clusters.is_empty() {
        operator.remove(SOURCE_ARN);
    } else {
        operator.insert(
            SOURCE_ARN.into(),
            Values(clusters.iter().cloned().collect()),
        );
    }
    if operator.is_empty() {
        statement.condition.remove(OPERATOR);
    }
    Some(doc)
}

/// The trust the identity backend writes: `desired`, still admitting the clusters of
/// `account` that `actual` admits (a rewrite must not lock a running cluster out).
/// Anything else in the condition is not carried over.
pub fn carry_over(
    actual: Option<&PolicyDocument>,
    desired: PolicyDocument,
    account: &str,
) -> PolicyDocument {
    let clusters: BTreeSet<String> = actual
        .map(admitted)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| arn::cluster_name(a).is_ok_and(|(arn, _)| arn.account == account))
        .collect();
    if clusters.is_empty() {
        return desired;
    }
    admitting(&desired, &clusters).unwrap_or(desired)
}

/// Whether mlcloud made the role for a cluster (its purpose tag says so).
fn is_mlcloud_cluster_role(role: &aws_sdk_iam::types::Role) -> bool {
    let all: Tags = role
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    tags::get(&all, tags::PURPOSE).map(String::as_str) == Some(Purpose::Cluster.as_str())
}

/// Adds (`admit = true`) or removes `cluster_arn` in the trust of `role_arn`, when the
/// role is mlcloud's cluster role. A role already gone is fine.
async fn edit(
    iam: &Client,
    role_arn: &str,
    cluster_arn: &str,
    admit: bool,
) -> Result<(), CloudError> {
    let name = arn::role_name(role_arn)?;
    let mut edits = EDITS.lock().await;
    let ours = edits.entry(name.to_string()).or_default();
    ours.insert(cluster_arn.to_string(), admit);
    let Some(role) = found(find_role(iam, name).await)? else {
        return Ok(());
    };
    if !is_mlcloud_cluster_role(&role) {
        return Ok(());
    }
    let Some(actual) = role
        .assume_role_policy_document()
        .map(PolicyDocument::parse)
        .transpose()?
    else {
        return Ok(());
    };
    let before = admitted(&actual);
    let mut clusters = before.clone();
    for (cluster, admitted) in ours.iter() {
        if *admitted {
            clusters.insert(cluster.clone());
        } else {
            clusters.remove(cluster);
        }
    }
    let Some(desired) = admitting(&actual, &clusters).filter(|_| clusters != before) else {
        return Ok(());
    };
    iam.update_assume_role_policy()
        .role_name(name)
        .policy_document(desired.to_json())
        .send()
        .await
        .map(|_| ())
        .or_cloud(Service::Iam, "UpdateAssumeRolePolicy", &what(name))
}

/// Lets EKS assume the role for `cluster_arn` (before CreateCluster: the ARN is the
/// one the cluster will get).
pub async fn admit(iam: &Client, role_arn: &str, cluster_arn: &str) -> Result<(), CloudError> {
    edit(iam, role_arn, cluster_arn, true).await
}

/// Takes `cluster_arn` out of the role's trust (the cluster is gone, or was never made).
pub async fn release(iam: &Client, role_arn: &str, cluster_arn: &str) -> Result<(), CloudError> {
    edit(iam, role_arn, cluster_arn, false).await
}

/// The ARN a cluster called `name` gets in `region`, in the partition and account of
/// its role (the caller's).
pub fn future_cluster_arn(role_arn: &str, region: &str, name: &str) -> Result<String, CloudError> {
    let role = Arn::parse(role_arn)
        .filter(|a| a.service == "iam")
        .ok_or_else(|| CloudError::Invalid(format!("{role_arn:?} is not an IAM role ARN")))?;
    Ok(arn::cluster_arn(role.partition, region, role.account, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clouds::aws::policy::trust_policy;
    use serde_json::json;

    const ACCOUNT: &str = "123456789012";
    const MAIN: &str = "arn:aws:eks:us-east-1:123456789012:cluster/ml-main";
    const OTHER: &str = "arn:aws:eks:eu-west-1:123456789012:cluster/ml-other";

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn ours() -> PolicyDocument {
        trust_policy(Purpose::Cluster, "aws", ACCOUNT, None).unwrap()
    }

    #[test]
    fn admitting_adds_the_exact_cluster_arns_next_to_the_account_pin() {
        let doc = admitting(&ours(), &set(&[MAIN, OTHER])).unwrap();
        let json: serde_json::Value = serde_json::from_str(&doc.to_json()).unwrap();
        assert_eq!(
            json["Statement"][0]["Condition"],
            json!({
                "ArnLike": {"aws:SourceArn": [OTHER, MAIN]},
                "StringEquals": {"aws:SourceAccount": [ACCOUNT]}
            })
        );
        assert_eq!(admitted(&doc), set(&[MAIN, OTHER]));
        let back = admitting(&doc, &BTreeSet::new()).unwrap();
        assert!(
            back.same_as(&ours()),
            "the last cluster gone: the account pin alone"
        );
    }

    #[test]
    fn a_trust_without_mlcloud_s_eks_statement_is_not_edited() {
        let node = trust_policy(Purpose::Node, "aws", ACCOUNT, None).unwrap();
        assert!(admitting(&node, &set(&[MAIN])).is_none());
        let mut renamed = ours();
        renamed.statement[0].sid = Some("Theirs".into());
        assert!(admitting(&renamed, &set(&[MAIN])).is_none());
    }

    #[test]
    fn a_rewrite_keeps_the_account_s_clusters_and_drops_anything_else() {
        let actual = admitting(
            &ours(),
            &set(&[
                MAIN,
                "arn:aws:eks:us-east-1:210987654321:cluster/theirs",
                "*",
            ]),
        )
        .unwrap();
        let rewritten = carry_over(Some(&actual), ours(), ACCOUNT);
        assert_eq!(admitted(&rewritten), set(&[MAIN]));
        assert!(carry_over(None, ours(), ACCOUNT).same_as(&ours()));
    }

    #[test]
    fn the_narrowing_is_not_policy_drift() {
        let actual = admitting(&ours(), &set(&[MAIN])).unwrap();
        assert!(
            crate::clouds::aws::policy_drift::extra_statements("trust", &actual, Some(&ours()))
                .is_empty()
        );
    }

    #[test]
    fn the_future_arn_follows_the_role_s_partition_and_account() {
        assert_eq!(
            future_cluster_arn(
                "arn:aws:iam::123456789012:role/ml-cluster",
                "us-east-1",
                "ml-main"
            )
            .unwrap(),
            MAIN
        );
        assert_eq!(
            future_cluster_arn("arn:aws-cn:iam::123456789012:role/x", "cn-north-1", "c").unwrap(),
            "arn:aws-cn:eks:cn-north-1:123456789012:cluster/c"
        );
        assert!(future_cluster_arn("ml-cluster", "us-east-1", "c").is_err());
    }
}
