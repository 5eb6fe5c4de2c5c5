//! `mlcloud_node_pool` on AWS (and the cluster's system pool): an EKS managed node
//! group with the catalog's instance type, the NVIDIA AMI type for GPU instances, spot
//! or on-demand capacity, taints, labels, scaling, and a launch template of ours
//! (`launch_template.rs`). Scaling, labels and taints change in place with one
//! `UpdateNodegroupConfig`; tags with `TagResource`/`UntagResource`.

use super::autoscaler_tags;
use super::clients::Regional;
use super::errors::{SdkResultExt, Service, found, gone_is_ok, outcome_unknown};
use super::launch_template::{self, TemplateRef};
use super::propagation::retry_while_propagating;
use super::tags;
use super::tokens::fresh_token;
use super::updates::wait_update;
use crate::clouds::CloudError;
use crate::clouds::markers;
use crate::clouds::model::{
    Architecture, AwsNodePoolSettings, CapacityType, NodePoolSpec, NodePoolState, PerCloud,
    Scaling, Taint, TaintEffect,
};
use crate::clouds::wait::{Backoff, Deadline, Observed, StateChange, Target};
use aws_sdk_eks::Client;
use aws_sdk_eks::types::{
    self as eks_types, AmiTypes, CapacityTypes, LaunchTemplateSpecification, Nodegroup,
    NodegroupScalingConfig, UpdateLabelsPayload, UpdateTaintsPayload,
};
use std::collections::{BTreeMap, BTreeSet};

pub fn what(cluster: &str, group: &str) -> String {
    format!("EKS node group {group:?} of cluster {cluster:?}")
}

/// A create that failed; `arn` is set when the node group exists anyway.
#[derive(Debug)]
pub struct GroupFailure {
    pub arn: Option<String>,
    pub error: CloudError,
}

impl From<CloudError> for GroupFailure {
    fn from(error: CloudError) -> Self {
        GroupFailure { arn: None, error }
    }
}

// ---------------------------------------------------------------- expand

/// Fixed: min = max = desired. Autoscaling: min and max, desired kept where the
/// autoscaler put it (within the new bounds), or min for a new group.
fn expand_scaling(
    scaling: Scaling,
    current_desired: Option<i32>,
) -> Result<NodegroupScalingConfig, CloudError> {
    let (min, max, desired) = match scaling {
        Scaling::Fixed(0) => {
            return Err(CloudError::Invalid(
                "EKS node groups need a maximum size of at least 1: use autoscaling { min = 0, max = N } for a pool that can be empty".into(),
            ));
        }
        Scaling::Fixed(n) => (n, n, n),
        Scaling::Auto { min, max } if max == 0 || min > max => {
            return Err(CloudError::Invalid(format!(
                "autoscaling needs 0 <= min <= max and max >= 1, got min {min}, max {max}"
            )));
        }
        Scaling::Auto { min, max } => {
            let desired = current_desired.map_or(min, |d| (d.max(0) as u32).clamp(min, max));
            (min, max, desired)
        }
    };
    Ok(NodegroupScalingConfig::builder()
        .min_size(min as i32)
        .max_size(max as i32)
        .desired_size(desired as i32)
        .build())
}

fn expand_taint(taint: &Taint) -> eks_types::Taint {
    let effect = match taint.effect {
        TaintEffect::NoSchedule => eks_types::TaintEffect::NoSchedule,
        TaintEffect::PreferNoSchedule => eks_types::TaintEffect::PreferNoSchedule,
        TaintEffect::NoExecute => eks_types::TaintEffect::NoExecute,
    };
    eks_types::Taint::builder()
        .key(&taint.key)
        .value(&taint.value)
        .effect(effect)
        .build()
}

/// The Amazon Linux 2023 AMI type for the instance: NVIDIA for GPU instances.
fn expand_ami_type(spec: &NodePoolSpec) -> AmiTypes {
    let arm = spec.machine.architecture == Architecture::Arm64;
    match (arm, spec.machine.has_gpu()) {
        (false, false) => AmiTypes::Al2023X8664Standard,
        (false, true) => AmiTypes::Al2023X8664Nvidia,
        (true, false) => AmiTypes::Al2023Arm64Standard,
        (true, true) => AmiTypes::Al2023Arm64Nvidia,
    }
}

fn expand_capacity(capacity: CapacityType) -> CapacityTypes {
    match capacity {
        CapacityType::OnDemand => CapacityTypes::OnDemand,
        CapacityType::Spot => CapacityTypes::Spot,
    }
}

// ---------------------------------------------------------------- flatten

fn flatten_scaling(config: Option<&NodegroupScalingConfig>) -> Scaling {
    let min = config.and_then(|c| c.min_size()).unwrap_or_default().max(0) as u32;
    let max = config.and_then(|c| c.max_size()).unwrap_or_default().max(0) as u32;
    if min == max {
        Scaling::Fixed(max)
    } else {
        Scaling::Auto { min, max }
    }
}

fn flatten_taints(taints: &[eks_types::Taint]) -> BTreeSet<Taint> {
    taints
        .iter()
        .map(|t| Taint {
            key: t.key().unwrap_or_default().to_string(),
            value: t.value().unwrap_or_default().to_string(),
            effect: match t.effect() {
                Some(eks_types::TaintEffect::PreferNoSchedule) => TaintEffect::PreferNoSchedule,
                Some(eks_types::TaintEffect::NoExecute) => TaintEffect::NoExecute,
                _ => TaintEffect::NoSchedule,
            },
        })
        .collect()
}

pub fn flatten_group(
    group: &Nodegroup,
    cluster_arn: String,
    disk_size_gb: u32,
    zones: BTreeSet<String>,
    spans_cluster: bool,
) -> NodePoolState {
    NodePoolState {
        location: None,
        id: group.nodegroup_arn().unwrap_or_default().to_string(),
        cluster_id: cluster_arn,
        name: group.nodegroup_name().unwrap_or_default().to_string(),
        machine_type: group.instance_types().first().cloned().unwrap_or_default(),
        scaling: flatten_scaling(group.scaling_config()),
        capacity_type: match group.capacity_type() {
            Some(CapacityTypes::Spot) => CapacityType::Spot,
            _ => CapacityType::OnDemand,
        },
        taints: flatten_taints(group.taints()),
        labels: group
            .labels()
            .map(|l| l.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        disk_size_gb,
        zones,
        spans_cluster,
        node_identity_id: group.node_role().map(str::to_string),
        kubernetes_version: group.version().unwrap_or_default().to_string(),
        disk_encryption_key_id: None,
        tpu_topology: None,
        tags: tags::visible_map(group.tags()),
        status: group
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        cloud: PerCloud::Aws(AwsNodePoolSettings {}),
    }
}

fn health_detail(group: &Nodegroup) -> String {
    group
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

pub fn template_of(group: &Nodegroup) -> Option<TemplateRef> {
    let lt = group.launch_template()?;
    Some(TemplateRef {
        id: lt.id()?.to_string(),
        version: lt.version().unwrap_or("$Default").to_string(),
    })
}

// ---------------------------------------------------------------- find / status / wait

/// The names of every node group of `cluster`, across ListNodegroups' pages.
pub async fn group_names(eks: &Client, cluster: &str) -> Result<Vec<String>, CloudError> {
    let mut names = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = eks
            .list_nodegroups()
            .cluster_name(cluster)
            .set_next_token(next.take())
            .send()
            .await
            .or_cloud(
                Service::Eks,
                "ListNodegroups",
                &format!("the node groups of EKS cluster {cluster:?}"),
            )?;
        names.extend(page.nodegroups().iter().cloned());
        match page.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_string()),
            _ => break,
        }
    }
    Ok(names)
}

pub async fn find_group(eks: &Client, cluster: &str, group: &str) -> Result<Nodegroup, CloudError> {
    eks.describe_nodegroup()
        .cluster_name(cluster)
        .nodegroup_name(group)
        .send()
        .await
        .or_cloud(Service::Eks, "DescribeNodegroup", &what(cluster, group))?
        .nodegroup
        .ok_or_else(|| CloudError::NotFound {
            what: what(cluster, group),
            message: "DescribeNodegroup returned no node group".into(),
        })
}

async fn status_group(
    eks: &Client,
    cluster: &str,
    group: &str,
) -> Result<Option<Observed<Nodegroup>>, CloudError> {
    Ok(found(find_group(eks, cluster, group).await)?.map(|g| {
        let state = g
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        let detail = health_detail(&g);
        Observed::new(g, state).with_detail(detail)
    }))
}

pub async fn wait_group_active(
    eks: &Client,
    cluster: &str,
    group: &str,
    pending: &[&str],
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<Nodegroup, CloudError> {
    let change = StateChange {
        what: format!("{} to become ACTIVE", what(cluster, group)),
        pending,
        target: Target::States(&["ACTIVE"]),
        failure: &["CREATE_FAILED", "DEGRADED", "DELETE_FAILED"],
    };
    change
        .wait(backoff, deadline, || status_group(eks, cluster, group))
        .await?
        .ok_or_else(|| CloudError::NotFound {
            what: what(cluster, group),
            message: "gone while waiting".into(),
        })
}

async fn wait_group_deleted(
    eks: &Client,
    cluster: &str,
    group: &str,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let change = StateChange {
        what: format!("{} to be deleted", what(cluster, group)),
        pending: &[
            "DELETING",
            "ACTIVE",
            "UPDATING",
            "DEGRADED",
            "CREATE_FAILED",
        ],
        target: Target::Gone,
        failure: &["DELETE_FAILED"],
    };
    change
        .wait(backoff, deadline, || status_group(eks, cluster, group))
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------- steps shared with the cluster

/// Creates the launch template and the node group, and waits until it is ACTIVE.
/// `made` hears the node group's ARN as soon as EKS has accepted it, before the wait.
pub async fn create_group(
    regional: &Regional,
    spec: &NodePoolSpec,
    cluster: &str,
    subnets: Vec<String>,
    (backoff, deadline): (&Backoff, &Deadline),
    made: &(dyn Fn(&str) + Send + Sync),
) -> Result<Nodegroup, GroupFailure> {
    let node_role = spec.node_identity_id.as_deref().ok_or_else(|| {
        CloudError::Invalid("node_identity_id (the node role) is required on aws".into())
    })?;
    let scaling = expand_scaling(spec.scaling, None)?;
    let template_name = launch_template::template_name(cluster, &spec.name);
    let (template, made_now) = launch_template::create(
        &regional.ec2,
        &template_name,
        &launch_template::RootDisk {
            size_gb: spec.disk_size_gb,
            kms_key_id: spec.disk_encryption_key_id.clone(),
        },
        &spec.tags,
    )
    .await?;
    let request = regional
        .eks
        .create_nodegroup()
        .cluster_name(cluster)
        .nodegroup_name(&spec.name)
        .scaling_config(scaling)
        .set_subnets(Some(subnets))
        .instance_types(&spec.machine.machine_type)
        .ami_type(expand_ami_type(spec))
        .capacity_type(expand_capacity(spec.capacity_type))
        .node_role(node_role)
        .set_version(spec.kubernetes_version.clone())
        .set_labels(Some(
            spec.labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
        .set_taints(Some(spec.taints.iter().map(expand_taint).collect()))
        .set_tags(Some(tags::to_map(&{
            let mut all = markers::with_markers(&spec.tags, &spec.name);
            all.extend(autoscaler_tags::discovery_tags(cluster, spec));
            all
        })))
        .launch_template(
            LaunchTemplateSpecification::builder()
                .id(&template.id)
                .version(&template.version)
                .build(),
        )
        // Fresh per create; the retries below clone this request and so resend it.
        .client_request_token(fresh_token());
    let created = retry_while_propagating(
        &format!("creating {}", what(cluster, &spec.name)),
        backoff,
        deadline,
        || {
            let request = request.clone();
            async move {
                request.send().await.or_cloud(
                    Service::Eks,
                    "CreateNodegroup",
                    &what(cluster, &spec.name),
                )
            }
        },
    )
    .await;
    let arn = match created {
        Ok(out) => out.nodegroup.and_then(|g| g.nodegroup_arn),
        Err(error) if outcome_unknown(&error) => {
            match found_after_unknown_outcome(regional, cluster, &spec.name, &template).await {
                Some(arn) => Some(arn),
                None => return Err(GroupFailure::from(kept_template(error, &template_name))),
            }
        }
        Err(error) => {
            let error = match taken_by(&regional.eks, cluster, &spec.name, &error).await {
                Some(taken) => taken,
                None => error,
            };
            if !made_now {
                // There before this create: a group of an earlier, unanswered create
                // may use it.
                return Err(GroupFailure { arn: None, error });
            }
            // EKS refused: nothing uses the template this call made, so take it back,
            // keeping the first error.
            let error = match launch_template::delete(&regional.ec2, &template.id).await {
                Ok(()) => error,
                Err(cleanup) => CloudError::Invalid(format!(
                    "{error}; and launch template {template_name} could not be removed: {cleanup}"
                )),
            };
            return Err(GroupFailure { arn: None, error });
        }
    };
    if let Some(arn) = &arn {
        made(arn);
    }
    wait_group_active(
        &regional.eks,
        cluster,
        &spec.name,
        &["CREATING"],
        backoff,
        deadline,
    )
    .await
    .map_err(|error| GroupFailure { arn, error })
}

/// After a CreateNodegroup whose outcome is unknown (no answer), the group EKS may have
/// made anyway: ours only if it uses the launch template this create just made (a
/// template no other create can name), so a group of someone else is never adopted.
async fn found_after_unknown_outcome(
    regional: &Regional,
    cluster: &str,
    group: &str,
    template: &TemplateRef,
) -> Option<String> {
    let found = found(find_group(&regional.eks, cluster, group).await).ok()??;
    let ours = template_of(&found).is_some_and(|t| t.id == template.id);
    ours.then(|| found.nodegroup_arn().map(str::to_string))?
}

/// When EKS refused because a group of that name exists (one made out of band, or
/// re-made after Terraform's was deleted): the error saying whose it is and how to take
/// it over, instead of EKS's bare `ResourceInUseException`.
async fn taken_by(
    eks: &Client,
    cluster: &str,
    group: &str,
    error: &CloudError,
) -> Option<CloudError> {
    if !error.has_code("ResourceInUseException") {
        return None;
    }
    let existing = found(find_group(eks, cluster, group).await).ok()??;
    let arn = existing.nodegroup_arn()?;
    Some(CloudError::Taken {
        what: format!("a node group named {group} in EKS cluster {cluster}"),
        existing: arn.to_string(),
        import: format!("mlcloud_node_pool.<resource name> {arn}"),
    })
}

/// The error of a create whose outcome is unknown: the template stays, since the group
/// may be using it (EKS may yet show it); the next apply finds it by name and reuses it.
fn kept_template(error: CloudError, template_name: &str) -> CloudError {
    CloudError::Transport(format!(
        "{error}; the node group may have been created anyway, so launch template \
         {template_name} was kept (the next apply reuses it)"
    ))
}

/// Deletes the node group (if any), waits until it is gone, then its launch template.
pub async fn delete_group(
    regional: &Regional,
    cluster: &str,
    group: &str,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let Some(found_group) = found(find_group(&regional.eks, cluster, group).await)? else {
        return Ok(());
    };
    let template = found_group
        .launch_template()
        .filter(|lt| lt.name().is_none_or(launch_template::is_ours))
        .and(template_of(&found_group));
    gone_is_ok(
        regional
            .eks
            .delete_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(group)
            .send()
            .await
            .map(|_| ())
            .or_cloud(Service::Eks, "DeleteNodegroup", &what(cluster, group)),
    )?;
    wait_group_deleted(&regional.eks, cluster, group, backoff, deadline).await?;
    if let Some(template) = template {
        launch_template::delete(&regional.ec2, &template.id).await?;
    }
    Ok(())
}

/// Changes a node group's scaling and waits for EKS to finish.
pub async fn resize_group(
    eks: &Client,
    cluster: &str,
    group: &str,
    scaling: Scaling,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    update_group_config(
        eks,
        cluster,
        group,
        Some(scaling),
        None,
        None,
        backoff,
        deadline,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn update_group_config(
    eks: &Client,
    cluster: &str,
    group: &str,
    scaling: Option<Scaling>,
    labels: Option<UpdateLabelsPayload>,
    taints: Option<UpdateTaintsPayload>,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let scaling = match scaling {
        Some(s) => {
            let current = find_group(eks, cluster, group).await?;
            let desired = current.scaling_config().and_then(|c| c.desired_size());
            Some(expand_scaling(s, desired)?)
        }
        None => None,
    };
    let out = eks
        .update_nodegroup_config()
        .cluster_name(cluster)
        .nodegroup_name(group)
        .set_scaling_config(scaling)
        .set_labels(labels)
        .set_taints(taints)
        .send()
        .await
        .or_cloud(Service::Eks, "UpdateNodegroupConfig", &what(cluster, group))?;
    match out.update() {
        Some(update) => wait_update(eks, cluster, Some(group), update, backoff, deadline).await,
        // Nothing to track: the group settles back to ACTIVE once the change is in.
        None => wait_group_active(eks, cluster, group, &["UPDATING"], backoff, deadline)
            .await
            .map(|_| ()),
    }
}

/// Labels to add or change and keys to remove.
pub fn expand_label_changes(
    prior: &BTreeMap<String, String>,
    desired: &BTreeMap<String, String>,
) -> Option<UpdateLabelsPayload> {
    let set: std::collections::HashMap<String, String> = desired
        .iter()
        .filter(|(k, v)| prior.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove: Vec<String> = prior
        .keys()
        .filter(|k| !desired.contains_key(*k))
        .cloned()
        .collect();
    (!set.is_empty() || !remove.is_empty()).then(|| {
        UpdateLabelsPayload::builder()
            .set_add_or_update_labels((!set.is_empty()).then_some(set))
            .set_remove_labels((!remove.is_empty()).then_some(remove))
            .build()
    })
}

/// Taints to add or change, and those to remove (Kubernetes keys taints by key and
/// effect, so a changed value is an update, a changed effect a remove plus an add).
pub fn expand_taint_changes(
    prior: &BTreeSet<Taint>,
    desired: &BTreeSet<Taint>,
) -> Option<UpdateTaintsPayload> {
    let add: Vec<eks_types::Taint> = desired
        .iter()
        .filter(|t| !prior.contains(t))
        .map(expand_taint)
        .collect();
    let remove: Vec<eks_types::Taint> = prior
        .iter()
        .filter(|p| {
            !desired
                .iter()
                .any(|d| d.key == p.key && d.effect == p.effect)
        })
        .map(expand_taint)
        .collect();
    (!add.is_empty() || !remove.is_empty()).then(|| {
        UpdateTaintsPayload::builder()
            .set_add_or_update_taints((!add.is_empty()).then_some(add))
            .set_remove_taints((!remove.is_empty()).then_some(remove))
            .build()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clouds::model::{AcceleratorFamily, Machine, MachineAccelerator};

    fn spec(machine_type: &str, gpu: bool, architecture: Architecture) -> NodePoolSpec {
        NodePoolSpec {
            cluster_id: "arn:aws:eks:us-east-1:123456789012:cluster/ml".into(),
            name: "gpu".into(),
            machine: Machine {
                machine_type: machine_type.into(),
                accelerator: gpu.then(|| MachineAccelerator {
                    name: "nvidia-l4".into(),
                    per_node: 1,
                    family: AcceleratorFamily::Gpu,
                }),
                architecture,
            },
            scaling: Scaling::Fixed(1),
            capacity_type: CapacityType::OnDemand,
            taints: BTreeSet::new(),
            labels: BTreeMap::new(),
            disk_size_gb: 100,
            zones: BTreeSet::new(),
            node_identity_id: Some("arn:aws:iam::123456789012:role/node".into()),
            tpu_topology: None,
            kubernetes_version: None,
            disk_encryption_key_id: None,
            tags: Default::default(),
            cloud: PerCloud::Aws(AwsNodePoolSettings {}),
        }
    }

    #[test]
    fn the_ami_type_follows_the_resolved_machine() {
        use Architecture::{Arm64, X86_64};
        assert_eq!(
            expand_ami_type(&spec("g6.xlarge", true, X86_64)),
            AmiTypes::Al2023X8664Nvidia
        );
        assert_eq!(
            expand_ami_type(&spec("m6i.large", false, X86_64)),
            AmiTypes::Al2023X8664Standard
        );
        assert_eq!(
            expand_ami_type(&spec("m7g.large", false, Arm64)),
            AmiTypes::Al2023Arm64Standard
        );
        assert_eq!(
            expand_ami_type(&spec("g5g.xlarge", true, Arm64)),
            AmiTypes::Al2023Arm64Nvidia
        );
    }

    #[test]
    fn scaling_round_trips_and_keeps_the_autoscalers_desired_size() {
        let fixed = expand_scaling(Scaling::Fixed(3), None).unwrap();
        assert_eq!(
            (fixed.min_size(), fixed.max_size(), fixed.desired_size()),
            (Some(3), Some(3), Some(3))
        );
        assert_eq!(flatten_scaling(Some(&fixed)), Scaling::Fixed(3));

        let auto = expand_scaling(Scaling::Auto { min: 0, max: 4 }, None).unwrap();
        assert_eq!(
            (auto.min_size(), auto.max_size(), auto.desired_size()),
            (Some(0), Some(4), Some(0))
        );
        assert_eq!(
            flatten_scaling(Some(&auto)),
            Scaling::Auto { min: 0, max: 4 }
        );

        let kept = expand_scaling(Scaling::Auto { min: 1, max: 4 }, Some(3)).unwrap();
        assert_eq!(kept.desired_size(), Some(3));
        let clamped = expand_scaling(Scaling::Auto { min: 1, max: 2 }, Some(3)).unwrap();
        assert_eq!(clamped.desired_size(), Some(2));

        assert!(expand_scaling(Scaling::Fixed(0), None).is_err());
        assert!(expand_scaling(Scaling::Auto { min: 3, max: 2 }, None).is_err());
    }

    fn taint(key: &str, value: &str, effect: TaintEffect) -> Taint {
        Taint {
            key: key.into(),
            value: value.into(),
            effect,
        }
    }

    #[test]
    fn taint_changes_update_values_and_remove_what_is_gone() {
        let gpu = taint("nvidia.com/gpu", "present", TaintEffect::NoSchedule);
        let team = taint("team", "ml", TaintEffect::NoSchedule);
        let team2 = taint("team", "research", TaintEffect::NoSchedule);
        let set = |t: &[&Taint]| t.iter().map(|t| (*t).clone()).collect::<BTreeSet<_>>();
        let only_gpu = set(&[&gpu]);
        assert!(expand_taint_changes(&only_gpu, &only_gpu).is_none());

        let change = expand_taint_changes(&set(&[&gpu, &team]), &set(&[&gpu, &team2])).unwrap();
        assert_eq!(change.add_or_update_taints().len(), 1);
        assert_eq!(change.add_or_update_taints()[0].value(), Some("research"));
        assert!(change.remove_taints().is_empty());

        let change = expand_taint_changes(&set(&[&gpu, &team]), &set(&[&gpu])).unwrap();
        assert!(change.add_or_update_taints().is_empty());
        assert_eq!(change.remove_taints()[0].key(), Some("team"));
        assert_eq!(
            change.remove_taints()[0].effect(),
            Some(&eks_types::TaintEffect::NoSchedule)
        );
    }

    #[test]
    fn label_changes_add_change_and_remove() {
        let prior = BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string()),
        ]);
        let desired = BTreeMap::from([
            ("a".to_string(), "9".to_string()),
            ("c".to_string(), "3".to_string()),
        ]);
        let change = expand_label_changes(&prior, &desired).unwrap();
        let set = change.add_or_update_labels().unwrap();
        assert_eq!(
            (
                set.get("a").map(String::as_str),
                set.get("c").map(String::as_str)
            ),
            (Some("9"), Some("3"))
        );
        assert_eq!(change.remove_labels(), ["b"]);
        assert!(expand_label_changes(&prior, &prior).is_none());
    }
}
