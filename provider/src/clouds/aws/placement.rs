//! Where a node pool's nodes go: the cluster's subnets, narrowed to the pool's zones
//! through EC2 (and, on read, the zones the pool's subnets are in).

use super::arn;
use super::clients::{Clients, Regional};
use super::cluster_api::find_cluster;
use super::errors::{SdkResultExt, Service};
use crate::clouds::CloudError;
use crate::clouds::model::NodePoolSpec;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The cluster subnets in `zones` (all of them when `zones` is empty).
async fn expand_subnets(
    ec2: &aws_sdk_ec2::Client,
    cluster_subnets: Vec<String>,
    zones: &BTreeSet<String>,
) -> Result<Vec<String>, CloudError> {
    if zones.is_empty() {
        return Ok(cluster_subnets);
    }
    let subnets = find_subnet_zones(ec2, &cluster_subnets).await?;
    let chosen: Vec<String> = subnets
        .iter()
        .filter(|(_, zone)| zones.contains(zone))
        .map(|(id, _)| id.clone())
        .collect();
    if chosen.is_empty() {
        let offered: Vec<&str> = subnets.iter().map(|(_, z)| z.as_str()).collect();
        return Err(CloudError::Invalid(format!(
            "none of the cluster's subnets is in zones {zones:?}; they are in {offered:?}"
        )));
    }
    Ok(chosen)
}

/// (subnet id, availability zone) for each subnet.
async fn find_subnet_zones(
    ec2: &aws_sdk_ec2::Client,
    subnets: &[String],
) -> Result<Vec<(String, String)>, CloudError> {
    let out = ec2
        .describe_subnets()
        .set_subnet_ids(Some(subnets.to_vec()))
        .send()
        .await
        .or_cloud(
            Service::Ec2,
            "DescribeSubnets",
            &format!("subnets {subnets:?}"),
        )?;
    Ok(out
        .subnets()
        .iter()
        .filter_map(|s| {
            Some((
                s.subnet_id()?.to_string(),
                s.availability_zone()?.to_string(),
            ))
        })
        .collect())
}

/// The IPv4 ranges of `subnets`.
pub async fn subnet_cidrs(
    ec2: &aws_sdk_ec2::Client,
    subnets: &[String],
) -> Result<Vec<String>, CloudError> {
    let out = ec2
        .describe_subnets()
        .set_subnet_ids(Some(subnets.to_vec()))
        .send()
        .await
        .or_cloud(
            Service::Ec2,
            "DescribeSubnets",
            &format!("subnets {subnets:?}"),
        )?;
    Ok(out
        .subnets()
        .iter()
        .filter_map(|s| s.cidr_block().map(str::to_string))
        .collect())
}

/// The zones of a pool's subnets, and whether those are all of the cluster's subnets
/// (where a pool without `zones` goes). Both count: a pool whose `zones` name every
/// zone of its cluster spans the cluster too, and its state keeps those zones.
pub async fn flatten_zones(
    ec2: &aws_sdk_ec2::Client,
    group_subnets: &[String],
    cluster_subnets: &[String],
) -> Result<(BTreeSet<String>, bool), CloudError> {
    let mine: BTreeSet<&String> = group_subnets.iter().collect();
    let all: BTreeSet<&String> = cluster_subnets.iter().collect();
    let zones = find_subnet_zones(ec2, group_subnets)
        .await?
        .into_iter()
        .map(|(_, z)| z)
        .collect();
    Ok((zones, mine == all))
}

/// The clients for a cluster ARN's region, and the cluster's subnets for a new pool.
pub async fn pool_placement(
    clients: &Clients,
    spec: &NodePoolSpec,
) -> Result<(Arc<Regional>, String, Vec<String>), CloudError> {
    let (cluster_arn, cluster) = arn::cluster_name(&spec.cluster_id)?;
    let regional = clients.regional(cluster_arn.region);
    let found_cluster = find_cluster(&regional.eks, cluster)
        .await
        .map_err(|e| match e {
            CloudError::NotFound { .. } => CloudError::Invalid(format!(
                "cluster_id {:?}: no such EKS cluster",
                spec.cluster_id
            )),
            other => other,
        })?;
    let cluster_subnets = found_cluster
        .resources_vpc_config()
        .map(|v| v.subnet_ids().to_vec())
        .unwrap_or_default();
    let subnets = expand_subnets(&regional.ec2, cluster_subnets, &spec.zones).await?;
    Ok((regional, cluster.to_string(), subnets))
}
