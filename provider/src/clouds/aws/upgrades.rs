//! Kubernetes version upgrades: the control plane first (UpdateClusterVersion), then
//! node groups (UpdateNodegroupVersion), each one minor version and each tracked
//! through its update id until EKS reports it Successful. A node group is never
//! upgraded past its cluster (kubelet may not be newer than the API server), which
//! EKS would refuse only after the request.

use super::cluster_api::{find_cluster, what};
use super::errors::{SdkResultExt, Service};
use super::nodegroup;
use super::updates::wait_update;
use crate::clouds::CloudError;
use crate::clouds::wait::{Backoff, Deadline};
use crate::resources::versions::{Minor, PoolVersion, check_pool_version};
use aws_sdk_eks::Client;

/// Upgrades the control plane of `cluster` to `version` and waits for it.
pub async fn upgrade_cluster(
    eks: &Client,
    cluster: &str,
    version: &str,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let out = eks
        .update_cluster_version()
        .name(cluster)
        .version(version)
        .send()
        .await
        .or_cloud(Service::Eks, "UpdateClusterVersion", &what(cluster))?;
    match out.update() {
        Some(update) => wait_update(eks, cluster, None, update, backoff, deadline).await,
        None => Err(CloudError::Transport(format!(
            "EKS accepted the upgrade of {} to {version} without an update to follow",
            what(cluster)
        ))),
    }
}

/// Upgrades node group `group` to `version` (after checking its cluster runs at least
/// that) and waits for it.
pub async fn upgrade_group(
    eks: &Client,
    cluster: &str,
    group: &str,
    version: &str,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let running = find_cluster(eks, cluster).await?;
    let cluster_version = running.version().unwrap_or_default();
    if let PoolVersion::NeedsClusterUpgrade(why) | PoolVersion::Unreachable(why) =
        check_pool_version(version, cluster_version)
    {
        return Err(CloudError::InvalidAttribute {
            path: tfplug::AttributePath::attr("kubernetes_version"),
            message: why,
        });
    }
    let out = eks
        .update_nodegroup_version()
        .cluster_name(cluster)
        .nodegroup_name(group)
        .version(version)
        .send()
        .await
        .or_cloud(
            Service::Eks,
            "UpdateNodegroupVersion",
            &nodegroup::what(cluster, group),
        )?;
    match out.update() {
        Some(update) => wait_update(eks, cluster, Some(group), update, backoff, deadline).await,
        None => Err(CloudError::Transport(format!(
            "EKS accepted the upgrade of {} to {version} without an update to follow",
            nodegroup::what(cluster, group)
        ))),
    }
}

/// Whether `wanted` is another minor version than `running` (patch forms compare
/// equal: EKS versions node groups by minor version).
pub fn is_upgrade(running: &str, wanted: &str) -> bool {
    match (Minor::parse(running), Minor::parse(wanted)) {
        (Some(a), Some(b)) => a != b,
        _ => running != wanted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upgrade_is_another_minor_version() {
        assert!(is_upgrade("1.30", "1.31"));
        assert!(!is_upgrade("1.31", "1.31"));
        assert!(!is_upgrade("1.31", "1.31.4"));
    }
}
