//! `mlcloud_node_pool` on AWS: an EKS managed node group (see `nodegroup.rs` for the
//! steps it shares with the cluster's system pool) placed by `placement.rs`.

use super::AwsBackend;
use super::arn;
use super::autoscaler_tags;
use super::cluster_api::find_cluster;
use super::errors::found;
use super::launch_template;
use super::nodegroup::{
    GroupFailure, create_group, delete_group, expand_label_changes, expand_taint_changes,
    find_group, flatten_group, group_names, template_of, update_group_config, what,
};
use super::placement::{flatten_zones, pool_placement};
use super::system_pool;
use super::tags;
use super::upgrades;
use crate::clouds::model::{ListScope, NodePoolSpec, NodePoolState, Op};
use crate::clouds::wait::Deadline;
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};

impl AwsBackend {
    async fn node_pool_state(&self, id: &str) -> Result<Option<NodePoolState>, CloudError> {
        let (group_arn, cluster, group) = arn::nodegroup_names(id)?;
        let regional = self.regional_for(id);
        let Some(found_group) = found(find_group(&regional.eks, cluster, group).await)? else {
            return Ok(None);
        };
        if !is_same_group(id, found_group.nodegroup_arn().unwrap_or_default()) {
            return Ok(None);
        }
        let Some(found_cluster) = found(find_cluster(&regional.eks, cluster).await)? else {
            return Ok(None);
        };
        let cluster_subnets = found_cluster
            .resources_vpc_config()
            .map(|v| v.subnet_ids().to_vec())
            .unwrap_or_default();
        let disk = match template_of(&found_group) {
            Some(template) => launch_template::find_root_disk(&regional.ec2, &template).await?,
            None => found_group.disk_size().map(|d| launch_template::RootDisk {
                size_gb: d.max(0) as u32,
                kms_key_id: None,
            }),
        };
        let (zones, spans_cluster) =
            flatten_zones(&regional.ec2, found_group.subnets(), &cluster_subnets).await?;
        let cluster_arn = arn::cluster_arn(
            group_arn.partition,
            group_arn.region,
            group_arn.account,
            cluster,
        );
        let mut state = flatten_group(
            &found_group,
            cluster_arn,
            disk.as_ref().map_or(0, |d| d.size_gb),
            zones,
            spans_cluster,
        );
        state.disk_encryption_key_id = disk.and_then(|d| d.kms_key_id);
        Ok(Some(state))
    }

    /// What to keep when a node group exists but its create failed.
    async fn node_pool_partial(
        &self,
        arn: &str,
        spec: &NodePoolSpec,
        error: CloudError,
    ) -> PartialFailure<NodePoolState> {
        let created = match self.node_pool_state(arn).await {
            Ok(Some(state)) => state,
            _ => made(arn, spec),
        };
        PartialFailure {
            created: Some(created),
            error,
        }
    }

    async fn apply_node_pool_changes(
        &self,
        id: &str,
        prior: &NodePoolState,
        spec: &NodePoolSpec,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let (_, cluster, group) = arn::nodegroup_names(id)?;
        let eks = &self.regional_for(id).eks;
        let scaling = (prior.scaling != spec.scaling).then_some(spec.scaling);
        let labels = expand_label_changes(&prior.labels, &spec.labels);
        let taints = expand_taint_changes(&prior.taints, &spec.taints);
        if scaling.is_some() || labels.is_some() || taints.is_some() {
            update_group_config(
                eks,
                cluster,
                group,
                scaling,
                labels,
                taints,
                &self.backoff,
                deadline,
            )
            .await?;
        }
        if let Some(version) = spec
            .kubernetes_version
            .as_deref()
            .filter(|v| upgrades::is_upgrade(&prior.kubernetes_version, v))
        {
            upgrades::upgrade_group(eks, cluster, group, version, &self.backoff, deadline).await?;
        }
        let changes = tags::user_changes(&prior.tags, &spec.tags, &spec.name);
        tags::apply_to_eks(eks, id, changes).await?;
        // The autoscaler's tags follow scaling, labels and taints (hidden from
        // `prior.tags`, so compared with what the group holds).
        let group = find_group(eks, cluster, group).await?;
        let desired = autoscaler_tags::discovery_tags(cluster, spec);
        tags::apply_to_eks(eks, id, autoscaler_tags::changes(group.tags(), &desired)).await?;
        Ok(())
    }
}

/// Whether the node group AWS returns under the state's names is the one in state. A
/// group deleted and recreated out of band keeps its name but gets a new ARN (the last
/// segment is a fresh id): that is another object, and the state's is gone. As
/// terraform-provider-aws does for an object whose id no longer resolves, read reports
/// it gone, so the plan shows the pool to be created; the create then meets the
/// stranger's name and fails asking for an import, instead of silently managing (and
/// later deleting) a group Terraform never made. An id without the trailing segment
/// (an import by `.../nodegroup/<cluster>/<name>`) names any group of that name.
fn is_same_group(state_id: &str, aws_arn: &str) -> bool {
    let names_one_group = state_id
        .split_once(":nodegroup/")
        .is_some_and(|(_, rest)| rest.split('/').count() >= 3);
    !names_one_group || aws_arn.is_empty() || state_id == aws_arn
}

/// What is known of a node group the moment EKS accepted it: its ARN and the spec.
fn made(arn: &str, spec: &NodePoolSpec) -> NodePoolState {
    NodePoolState {
        location: None,
        id: arn.to_string(),
        cluster_id: spec.cluster_id.clone(),
        name: spec.name.clone(),
        machine_type: spec.machine.machine_type.clone(),
        scaling: spec.scaling,
        capacity_type: spec.capacity_type,
        taints: spec.taints.clone(),
        labels: spec.labels.clone(),
        disk_size_gb: spec.disk_size_gb,
        zones: spec.zones.clone(),
        spans_cluster: spec.zones.is_empty(),
        node_identity_id: spec.node_identity_id.clone(),
        kubernetes_version: spec.kubernetes_version.clone().unwrap_or_default(),
        disk_encryption_key_id: spec.disk_encryption_key_id.clone(),
        tpu_topology: None,
        tags: spec.tags.clone(),
        status: "CREATING".into(),
        cloud: spec.cloud.clone(),
    }
}

/// A node group by name, `None` when it is gone.
async fn found_group(
    eks: &aws_sdk_eks::Client,
    cluster: &str,
    group: &str,
) -> Result<Option<aws_sdk_eks::types::Nodegroup>, CloudError> {
    found(find_group(eks, cluster, group).await)
}

#[async_trait::async_trait]
impl ObjectBackend<NodePoolSpec, NodePoolState> for AwsBackend {
    async fn create(&self, spec: &NodePoolSpec, op: &Op) -> Outcome<NodePoolState> {
        let deadline = Deadline::new(op);
        let (regional, cluster, subnets) = pool_placement(&self.clients, spec).await?;
        let record = |arn: &str| op.record(&made(arn, spec));
        let created = create_group(
            &regional,
            spec,
            &cluster,
            subnets,
            (&self.backoff, &deadline),
            &record,
        )
        .await;
        match created {
            Ok(group) => {
                let arn = group.nodegroup_arn().unwrap_or_default().to_string();
                match self.node_pool_state(&arn).await {
                    Ok(Some(state)) => Ok(state),
                    Ok(None) => Err(CloudError::NotFound {
                        what: what(&cluster, &spec.name),
                        message: "created but gone when read back".into(),
                    }
                    .into()),
                    Err(error) => Err(self.node_pool_partial(&arn, spec, error).await),
                }
            }
            Err(GroupFailure {
                arn: Some(arn),
                error,
            }) => Err(self.node_pool_partial(&arn, spec, error).await),
            Err(GroupFailure { arn: None, error }) => Err(error.into()),
        }
    }

    async fn read(&self, id: &str) -> Result<Option<NodePoolState>, CloudError> {
        self.node_pool_state(id).await
    }

    async fn update(
        &self,
        id: &str,
        prior: &NodePoolState,
        spec: &NodePoolSpec,
        op: &Op,
    ) -> Outcome<NodePoolState> {
        let deadline = Deadline::new(op);
        if let Err(error) = self
            .apply_node_pool_changes(id, prior, spec, &deadline)
            .await
        {
            let created = self.node_pool_state(id).await.ok().flatten();
            return Err(PartialFailure { created, error });
        }
        self.node_pool_state(id).await?.ok_or_else(|| {
            CloudError::NotFound {
                what: id.to_string(),
                message: "the node group is gone after the update".into(),
            }
            .into()
        })
    }

    /// The node groups of the scope's cluster, except the cluster's own system pool
    /// (which belongs to the `mlcloud_cluster`).
    async fn list(&self, scope: &ListScope) -> Result<Vec<NodePoolState>, CloudError> {
        let cluster_id = scope.parent_id.as_deref().ok_or_else(|| {
            CloudError::Invalid("listing node pools needs the cluster_id of their cluster".into())
        })?;
        let (_, cluster) = arn::cluster_name(cluster_id)?;
        let eks = &self.regional_for(cluster_id).eks;
        let groups = group_names(eks, cluster).await?;
        let mut found = Vec::new();
        for group in groups.iter().filter(|g| !system_pool::is_system_group(g)) {
            let Some(described) = found_group(eks, cluster, group).await? else {
                continue;
            };
            let Some(arn) = described.nodegroup_arn() else {
                continue;
            };
            if let Some(state) = self.node_pool_state(arn).await? {
                found.push(state);
            }
        }
        Ok(found)
    }

    async fn delete(&self, id: &str, _spec: &NodePoolSpec, op: &Op) -> Result<(), CloudError> {
        let deadline = Deadline::new(op);
        let (_, cluster, group) = arn::nodegroup_names(id)?;
        delete_group(
            &self.regional_for(id),
            cluster,
            group,
            &self.backoff,
            &deadline,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::is_same_group;

    const GROUP: &str = "arn:aws:eks:us-east-1:123456789012:nodegroup/ml-main/gpu/1c2e0a9f-aaaa";

    #[test]
    fn a_group_recreated_under_the_same_name_is_another_object() {
        assert!(is_same_group(GROUP, GROUP));
        let recreated = "arn:aws:eks:us-east-1:123456789012:nodegroup/ml-main/gpu/77b1d3c4-bbbb";
        assert!(!is_same_group(GROUP, recreated));
        // Imported by cluster and name only: whichever group has that name.
        let by_name = "arn:aws:eks:us-east-1:123456789012:nodegroup/ml-main/gpu";
        assert!(is_same_group(by_name, recreated));
    }
}
