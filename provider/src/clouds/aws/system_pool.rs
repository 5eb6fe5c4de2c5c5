//! The system pool is part of the cluster but not the cluster: changing its machine
//! type or node role rotates it (a new node group, ACTIVE, then the old one removed:
//! system pods always have somewhere to run), and a system group deleted out of band
//! is re-created in place. Neither replaces the EKS cluster.
//!
//! A node group's instance type and node role cannot change, so each rotation needs
//! a new group name: `system`, then `system-2`, `system-3`, ... . Pool names starting
//! `system` are reserved for this (see the AWS rules).

use super::clients::Regional;
use super::errors::found;
use super::nodegroup::{self, GroupFailure};
use crate::clouds::CloudError;
use crate::clouds::model::NodePoolSpec;
use crate::clouds::wait::{Backoff, Deadline};
use aws_sdk_eks::Client;
use aws_sdk_eks::types::Nodegroup;

/// The first system group's name.
pub const FIRST: &str = "system";

/// Whether a node group of the cluster is (a generation of) its system pool.
pub fn is_system_group(name: &str) -> bool {
    name == FIRST
        || name
            .strip_prefix("system-")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The name of the generation after `current`.
pub fn next_name(current: &str) -> String {
    let generation = current
        .strip_prefix("system-")
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(1);
    format!("system-{}", generation + 1)
}

/// The generation a name carries (`system` is 1).
fn generation(name: &str) -> u32 {
    name.strip_prefix("system-")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// Every system group of `cluster`, oldest generation first.
pub async fn system_group_names(eks: &Client, cluster: &str) -> Result<Vec<String>, CloudError> {
    let mut names = super::nodegroup::group_names(eks, cluster).await?;
    names.retain(|name| is_system_group(name));
    names.sort_by_key(|name| generation(name));
    Ok(names)
}

/// The current system group: the newest generation (an interrupted rotation leaves
/// two; the newer one is what the cluster moved to).
pub async fn find_system_group(
    eks: &Client,
    cluster: &str,
) -> Result<Option<Nodegroup>, CloudError> {
    let Some(newest) = system_group_names(eks, cluster).await?.pop() else {
        return Ok(None);
    };
    found(nodegroup::find_group(eks, cluster, &newest).await)
}

/// Creates the system group generation `spec.name` and waits until it is ACTIVE.
pub async fn create(
    regional: &Regional,
    spec: &NodePoolSpec,
    cluster: &str,
    subnets: Vec<String>,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    nodegroup::create_group(
        regional,
        spec,
        cluster,
        subnets,
        (backoff, deadline),
        // The cluster is recorded already; its system group is part of it.
        &|_| {},
    )
    .await
    .map(|_| ())
    .map_err(|GroupFailure { error, .. }| error)
}

/// Replaces the system group: `spec` (named by the caller with [`next_name`]) is
/// created and ACTIVE before every older generation is deleted.
pub async fn rotate(
    regional: &Regional,
    spec: &NodePoolSpec,
    cluster: &str,
    subnets: Vec<String>,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let older = system_group_names(&regional.eks, cluster).await?;
    create(regional, spec, cluster, subnets, backoff, deadline).await?;
    for name in older.iter().filter(|name| **name != spec.name) {
        nodegroup::delete_group(regional, cluster, name, backoff, deadline).await?;
    }
    Ok(())
}

/// Deletes every system group (before the cluster itself).
pub async fn delete_all(
    regional: &Regional,
    cluster: &str,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    for name in system_group_names(&regional.eks, cluster).await? {
        nodegroup::delete_group(regional, cluster, &name, backoff, deadline).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_follow_one_another() {
        assert_eq!(next_name("system"), "system-2");
        assert_eq!(next_name("system-2"), "system-3");
        assert!(is_system_group("system") && is_system_group("system-12"));
        assert!(!is_system_group("system-gpu") && !is_system_group("systems"));
        assert!(!is_system_group("system-") && !is_system_group("gpu"));
        assert!(generation("system-3") > generation("system"));
    }
}
