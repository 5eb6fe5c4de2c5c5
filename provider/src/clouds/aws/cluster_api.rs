//! Finding EKS clusters and waiting for them: the lookups that the cluster, its node
//! groups and workload identities all need, with no dependency on any of them.

use super::errors::{SdkResultExt, Service, found};
use crate::clouds::CloudError;
use crate::clouds::wait::{Backoff, Deadline, Observed, StateChange, Target};
use aws_sdk_eks::Client;
use aws_sdk_eks::types::Cluster;

pub fn what(name: &str) -> String {
    format!("EKS cluster {name:?}")
}

pub fn issuer(cluster: &Cluster) -> Option<&str> {
    cluster
        .identity()
        .and_then(|i| i.oidc())
        .and_then(|o| o.issuer())
}

fn health_detail(cluster: &Cluster) -> String {
    cluster
        .health()
        .map(|h| h.issues())
        .unwrap_or_default()
        .iter()
        .map(|i| {
            format!(
                "{}: {}",
                i.code().map(|c| c.as_str()).unwrap_or("issue"),
                i.message().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn find_cluster(eks: &Client, name: &str) -> Result<Cluster, CloudError> {
    eks.describe_cluster()
        .name(name)
        .send()
        .await
        .or_cloud(Service::Eks, "DescribeCluster", &what(name))?
        .cluster
        .ok_or_else(|| CloudError::NotFound {
            what: what(name),
            message: "DescribeCluster returned no cluster".into(),
        })
}

/// One poll: the cluster and its status, `None` when it does not exist.
pub async fn status_cluster(
    eks: &Client,
    name: &str,
) -> Result<Option<Observed<Cluster>>, CloudError> {
    Ok(found(find_cluster(eks, name).await)?.map(|c| {
        let state = c
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        let detail = health_detail(&c);
        Observed::new(c, state).with_detail(detail)
    }))
}

/// Waits for ACTIVE, from `pending` (CREATING after a create, UPDATING after an update).
pub async fn wait_cluster_active(
    eks: &Client,
    name: &str,
    pending: &[&str],
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<Cluster, CloudError> {
    let change = StateChange {
        what: format!("{} to become ACTIVE", what(name)),
        pending,
        target: Target::States(&["ACTIVE"]),
        failure: &["FAILED"],
    };
    change
        .wait(backoff, deadline, || status_cluster(eks, name))
        .await?
        .ok_or_else(|| CloudError::NotFound {
            what: what(name),
            message: "gone while waiting".into(),
        })
}

pub async fn wait_cluster_deleted(
    eks: &Client,
    name: &str,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let change = StateChange {
        what: format!("{} to be deleted", what(name)),
        pending: &["DELETING", "ACTIVE", "UPDATING", "FAILED"],
        target: Target::Gone,
        failure: &[],
    };
    change
        .wait(backoff, deadline, || status_cluster(eks, name))
        .await
        .map(|_| ())
}
