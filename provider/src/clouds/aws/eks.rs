//! `mlcloud_cluster` on AWS: an EKS cluster (secrets encrypted with the KMS key,
//! private endpoint unless made public for named CIDRs, control-plane logs, API
//! authentication mode), the IAM OIDC provider for its issuer (see `oidc.rs`) and the
//! system node group (see `nodegroup.rs`). In-place updates (version, logging, endpoint
//! access, tags, system pool size) each wait for EKS to finish.

use super::AwsBackend;
use super::arn;
use super::clients::Regional;
use super::errors::{SdkResultExt, Service, found, gone_is_ok, is_unsupported_operation};
use super::nodegroup::{self, GroupFailure};
use super::oidc;
use super::tags::{self, TagChanges};
use super::wait::{Backoff, Deadline, Observed, StateChange, Target, retry_transient};
use crate::clouds::model::{
    CapacityType, ClusterSpec, ClusterState, EndpointAccess, NodePoolSpec, Op, Scaling, SystemPool,
};
use crate::clouds::{CloudError, ClusterBackend, Outcome, PartialFailure};
use aws_sdk_eks::Client;
use aws_sdk_eks::types::{
    AuthenticationMode, Cluster, CreateAccessConfigRequest, EncryptionConfig, LogSetup, LogType,
    Logging, Nodegroup, Provider, Update, UpdateStatus, VpcConfigRequest,
};
use std::collections::BTreeMap;

/// The node group every cluster gets for its system workloads.
pub const SYSTEM_POOL: &str = "system";
/// Root volume of system nodes: they run cluster add-ons, not models.
const SYSTEM_DISK_GB: u32 = 50;
/// Every EKS control-plane log type.
pub const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

fn what(name: &str) -> String {
    format!("EKS cluster {name:?}")
}

/// A `clientRequestToken` derived from what is being created, so that a create retried
/// after a lost response is recognised by EKS instead of run twice.
pub fn request_token(parts: &[&str]) -> String {
    // FNV-1a: stable across builds and platforms, unlike `std`'s hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.join("\u{1f}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("mlcloud-{hash:016x}")
}

/// How long a role or key created moments ago may be unknown to EKS: IAM and KMS are
/// eventually consistent, and EKS answers `InvalidParameterException` meanwhile.
const PROPAGATION_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

fn is_propagation_delay(error: &CloudError) -> bool {
    matches!(error, CloudError::Api { code, message, .. }
        if code == "InvalidParameterException"
            && ["role", "Role", "KMS", "key"].iter().any(|w| message.contains(w)))
}

/// Runs an EKS create, retrying while IAM or KMS have not caught up.
pub async fn retry_while_propagating<T, F, Fut>(
    what: &str,
    backoff: &Backoff,
    deadline: &Deadline,
    call: F,
) -> Result<T, CloudError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, CloudError>>,
{
    retry_transient(
        what,
        backoff,
        deadline,
        PROPAGATION_LIMIT,
        is_propagation_delay,
        call,
    )
    .await
}

// ---------------------------------------------------------------- expand

fn expand_vpc_config(spec: &ClusterSpec) -> Result<VpcConfigRequest, CloudError> {
    let public = spec.endpoint_access == EndpointAccess::Public;
    if public && spec.authorized_cidrs.is_empty() {
        // EKS would open the endpoint to 0.0.0.0/0.
        return Err(CloudError::Invalid(
            "a public endpoint needs authorized_cidrs (EKS would otherwise allow 0.0.0.0/0)".into(),
        ));
    }
    Ok(VpcConfigRequest::builder()
        .set_subnet_ids(Some(spec.aws.subnet_ids.clone()))
        .set_security_group_ids(Some(spec.aws.security_group_ids.clone()))
        .endpoint_private_access(true)
        .endpoint_public_access(public)
        .set_public_access_cidrs(
            (!spec.authorized_cidrs.is_empty()).then(|| spec.authorized_cidrs.clone()),
        )
        .build())
}

/// The logging setup enabling exactly `enabled` (the others explicitly disabled, since
/// EKS only changes the types a request names).
fn expand_logging(enabled: &[String]) -> Result<Logging, CloudError> {
    if let Some(bad) = enabled.iter().find(|t| !LOG_TYPES.contains(&t.as_str())) {
        return Err(CloudError::Invalid(format!(
            "{bad:?} is not an EKS log type (one of {})",
            LOG_TYPES.join(", ")
        )));
    }
    let on: Vec<LogType> = enabled.iter().map(|t| LogType::from(t.as_str())).collect();
    let off: Vec<LogType> = LOG_TYPES
        .iter()
        .filter(|t| !enabled.iter().any(|e| e == *t))
        .map(|t| LogType::from(*t))
        .collect();
    let mut setups = Vec::new();
    if !on.is_empty() {
        setups.push(
            LogSetup::builder()
                .set_types(Some(on))
                .enabled(true)
                .build(),
        );
    }
    if !off.is_empty() {
        setups.push(
            LogSetup::builder()
                .set_types(Some(off))
                .enabled(false)
                .build(),
        );
    }
    Ok(Logging::builder().set_cluster_logging(Some(setups)).build())
}

// `resources` is deprecated in the SDK because EKS now encrypts all API data by default;
// the API still takes ["secrets"] to enable envelope encryption with our key.
#[allow(deprecated)]
fn expand_encryption(key_arn: &str) -> EncryptionConfig {
    EncryptionConfig::builder()
        .resources("secrets")
        .provider(Provider::builder().key_arn(key_arn).build())
        .build()
}

/// The system pool as a node pool spec, so it is created like any other.
fn expand_system_pool(spec: &ClusterSpec, cluster_arn: &str) -> NodePoolSpec {
    NodePoolSpec {
        cluster_id: cluster_arn.to_string(),
        name: SYSTEM_POOL.into(),
        machine_type: spec.system_pool.machine_type.clone(),
        accelerator: None,
        scaling: Scaling::Fixed(spec.system_pool.node_count),
        capacity_type: CapacityType::OnDemand,
        taints: Vec::new(),
        labels: BTreeMap::new(),
        disk_size_gb: SYSTEM_DISK_GB,
        zones: Vec::new(),
        node_identity_id: spec.system_pool.node_identity_id.clone(),
        tags: spec.tags.clone(),
    }
}

fn required<'a>(value: &'a Option<String>, what: &str) -> Result<&'a str, CloudError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| CloudError::Invalid(format!("{what} is required on aws")))
}

// ---------------------------------------------------------------- flatten

fn flatten_cluster(cluster: &Cluster, system: Option<&Nodegroup>) -> ClusterState {
    let arn = cluster.arn().unwrap_or_default().to_string();
    let vpc = cluster.resources_vpc_config();
    let public = vpc.is_some_and(|v| v.endpoint_public_access());
    let mut cidrs: Vec<String> = vpc
        .map(|v| v.public_access_cidrs().to_vec())
        .unwrap_or_default();
    if !public && cidrs == ["0.0.0.0/0"] {
        // What EKS reports for a private-only endpoint: nothing was authorized.
        cidrs.clear();
    }
    ClusterState {
        location: arn::Arn::parse(&arn)
            .map(|a| a.region.to_string())
            .unwrap_or_default(),
        id: arn,
        name: cluster.name().unwrap_or_default().to_string(),
        kubernetes_version: cluster.version().unwrap_or_default().to_string(),
        endpoint_access: if public {
            EndpointAccess::Public
        } else {
            EndpointAccess::Private
        },
        authorized_cidrs: cidrs,
        encryption_key_id: cluster
            .encryption_config()
            .iter()
            .find_map(|e| e.provider().and_then(|p| p.key_arn()))
            .map(str::to_string),
        identity_id: cluster.role_arn().map(str::to_string),
        system_pool: flatten_system_pool(system),
        logging: flatten_logging(cluster.logging()),
        aws: crate::clouds::model::AwsClusterSettings {
            subnet_ids: vpc.map(|v| v.subnet_ids().to_vec()).unwrap_or_default(),
            security_group_ids: vpc
                .map(|v| v.security_group_ids().to_vec())
                .unwrap_or_default(),
        },
        tags: tags::visible_map(cluster.tags()),
        endpoint: cluster.endpoint().unwrap_or_default().to_string(),
        ca_certificate: cluster
            .certificate_authority()
            .and_then(|c| c.data())
            .unwrap_or_default()
            .to_string(),
        oidc_issuer_url: issuer(cluster).unwrap_or_default().to_string(),
        status: cluster
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
    }
}

/// Enabled log types in the canonical order.
fn flatten_logging(logging: Option<&Logging>) -> Vec<String> {
    let enabled: Vec<&str> = logging
        .map(|l| l.cluster_logging())
        .unwrap_or_default()
        .iter()
        .filter(|s| s.enabled() == Some(true))
        .flat_map(|s| s.types().iter().map(|t| t.as_str()))
        .collect();
    LOG_TYPES
        .iter()
        .filter(|t| enabled.contains(t))
        .map(|t| t.to_string())
        .collect()
}

/// A missing system node group reads as an empty pool, which plans to replace it.
fn flatten_system_pool(group: Option<&Nodegroup>) -> SystemPool {
    match group {
        Some(g) => SystemPool {
            machine_type: g.instance_types().first().cloned().unwrap_or_default(),
            node_count: g
                .scaling_config()
                .and_then(|s| s.desired_size())
                .unwrap_or_default()
                .max(0) as u32,
            node_identity_id: g.node_role().map(str::to_string),
        },
        None => SystemPool {
            machine_type: String::new(),
            node_count: 0,
            node_identity_id: None,
        },
    }
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

// ---------------------------------------------------------------- find / status / wait

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

async fn status_update(
    eks: &Client,
    cluster: &str,
    nodegroup: Option<&str>,
    id: &str,
) -> Result<Option<Observed<()>>, CloudError> {
    let out = eks
        .describe_update()
        .name(cluster)
        .update_id(id)
        .set_nodegroup_name(nodegroup.map(str::to_string))
        .send()
        .await
        .or_cloud(Service::Eks, "DescribeUpdate", &format!("EKS update {id}"))?;
    Ok(out.update.map(|u| {
        let detail = update_errors(&u);
        Observed::new((), u.status().map(|s| s.as_str()).unwrap_or_default()).with_detail(detail)
    }))
}

fn update_errors(update: &Update) -> String {
    update
        .errors()
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e.error_code().map(|c| c.as_str()).unwrap_or("error"),
                e.error_message().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Waits for an update EKS started (of the cluster, or of `nodegroup` in it). When the
/// API answered without an update (moto returns the cluster) or cannot describe
/// updates, waits for the cluster or node group to be ACTIVE instead.
pub async fn wait_update(
    eks: &Client,
    cluster: &str,
    nodegroup: Option<&str>,
    update: Option<&Update>,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let subject = match nodegroup {
        Some(g) => format!("EKS node group {g:?} of cluster {cluster:?}"),
        None => what(cluster),
    };
    let settled = || async {
        match nodegroup {
            Some(g) => {
                nodegroup::wait_group_active(eks, cluster, g, &["UPDATING"], backoff, deadline)
                    .await
                    .map(|_| ())
            }
            None => wait_cluster_active(eks, cluster, &["UPDATING"], backoff, deadline)
                .await
                .map(|_| ()),
        }
    };
    let Some((update, id)) = update.and_then(|u| u.id().map(|id| (u, id))) else {
        return settled().await;
    };
    match update.status() {
        Some(UpdateStatus::Successful) => return Ok(()),
        Some(UpdateStatus::Failed | UpdateStatus::Cancelled) => {
            return Err(CloudError::FailedState {
                what: format!("update {id} of {subject}"),
                state: update
                    .status()
                    .map(|s| s.as_str())
                    .unwrap_or_default()
                    .into(),
                detail: update_errors(update),
            });
        }
        _ => {}
    }
    let change = StateChange {
        what: format!("update {id} of {subject} to finish"),
        pending: &["InProgress"],
        target: Target::States(&["Successful"]),
        failure: &["Failed", "Cancelled"],
    };
    match change
        .wait(backoff, deadline, || {
            status_update(eks, cluster, nodegroup, id)
        })
        .await
    {
        Err(e) if is_unsupported_operation(&e) => settled().await,
        other => other.map(|_| ()),
    }
}

// ---------------------------------------------------------------- the resource

impl AwsBackend {
    async fn cluster_state(
        &self,
        eks: &Client,
        name: &str,
    ) -> Result<Option<ClusterState>, CloudError> {
        let Some(cluster) = found(find_cluster(eks, name).await)? else {
            return Ok(None);
        };
        let system = found(nodegroup::find_group(eks, name, SYSTEM_POOL).await)?;
        Ok(Some(flatten_cluster(&cluster, system.as_ref())))
    }

    /// The state to keep when a step after CreateCluster failed: as read now, or the
    /// spec with the cluster's ARN if even reading fails.
    async fn cluster_partial(
        &self,
        eks: &Client,
        spec: &ClusterSpec,
        arn: &str,
        error: CloudError,
    ) -> PartialFailure<ClusterState> {
        let created = match self.cluster_state(eks, &spec.name).await {
            Ok(Some(state)) => state,
            _ => ClusterState {
                id: arn.to_string(),
                name: spec.name.clone(),
                location: spec.location.clone(),
                kubernetes_version: spec.kubernetes_version.clone().unwrap_or_default(),
                endpoint_access: spec.endpoint_access,
                authorized_cidrs: spec.authorized_cidrs.clone(),
                encryption_key_id: spec.encryption_key_id.clone(),
                identity_id: spec.identity_id.clone(),
                system_pool: flatten_system_pool(None),
                logging: spec.logging.clone(),
                aws: spec.aws.clone(),
                tags: spec.tags.clone(),
                endpoint: String::new(),
                ca_certificate: String::new(),
                oidc_issuer_url: String::new(),
                status: "UNKNOWN".into(),
            },
        };
        PartialFailure {
            created: Some(created),
            error,
        }
    }

    /// What follows CreateCluster: wait, OIDC provider, system node group.
    async fn finish_cluster(
        &self,
        regional: &Regional,
        spec: &ClusterSpec,
        arn: &str,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let cluster = wait_cluster_active(
            &regional.eks,
            &spec.name,
            &["CREATING", "PENDING"],
            &self.backoff,
            deadline,
        )
        .await?;
        let issuer = issuer(&cluster).ok_or_else(|| {
            CloudError::Transport(format!(
                "{} is ACTIVE but reports no OIDC issuer",
                what(&spec.name)
            ))
        })?;
        oidc::ensure_provider(&self.clients.iam, issuer, &spec.name, arn, &spec.tags).await?;
        let subnets = spec.aws.subnet_ids.clone();
        nodegroup::create_group(
            regional,
            &expand_system_pool(spec, arn),
            &spec.name,
            subnets,
            &self.backoff,
            deadline,
        )
        .await
        .map(|_| ())
        .map_err(|GroupFailure { error, .. }| error)
    }

    async fn apply_cluster_changes(
        &self,
        eks: &Client,
        name: &str,
        arn: &str,
        prior: &ClusterState,
        spec: &ClusterSpec,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let backoff = &self.backoff;
        if let Some(version) = spec
            .kubernetes_version
            .as_deref()
            .filter(|v| *v != prior.kubernetes_version)
        {
            let out = eks
                .update_cluster_version()
                .name(name)
                .version(version)
                .send()
                .await
                .or_cloud(Service::Eks, "UpdateClusterVersion", &what(name))?;
            wait_update(eks, name, None, out.update(), backoff, deadline).await?;
        }
        if sorted(&spec.logging) != sorted(&prior.logging) {
            let out = eks
                .update_cluster_config()
                .name(name)
                .logging(expand_logging(&spec.logging)?)
                .send()
                .await
                .or_cloud(Service::Eks, "UpdateClusterConfig", &what(name))?;
            wait_update(eks, name, None, out.update(), backoff, deadline).await?;
        }
        if spec.endpoint_access != prior.endpoint_access
            || sorted(&spec.authorized_cidrs) != sorted(&prior.authorized_cidrs)
        {
            // Subnets and security groups are sent unchanged: EKS keeps them either way,
            // and moto replaces the whole VPC config with what the request holds.
            let out = eks
                .update_cluster_config()
                .name(name)
                .resources_vpc_config(expand_vpc_config(spec)?)
                .send()
                .await
                .or_cloud(Service::Eks, "UpdateClusterConfig", &what(name))?;
            wait_update(eks, name, None, out.update(), backoff, deadline).await?;
        }
        let changes = TagChanges::between(&prior.tags, &spec.tags);
        if !changes.set.is_empty() {
            eks.tag_resource()
                .resource_arn(arn)
                .set_tags(Some(tags::to_map(&changes.set)))
                .send()
                .await
                .or_api(Service::Eks, "TagResource")?;
        }
        if !changes.remove.is_empty() {
            eks.untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(changes.remove))
                .send()
                .await
                .or_api(Service::Eks, "UntagResource")?;
        }
        if spec.system_pool.node_count != prior.system_pool.node_count {
            nodegroup::resize_group(
                eks,
                name,
                SYSTEM_POOL,
                Scaling::Fixed(spec.system_pool.node_count),
                backoff,
                deadline,
            )
            .await?;
        }
        Ok(())
    }
}

fn sorted(items: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = items.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

#[async_trait::async_trait]
impl ClusterBackend for AwsBackend {
    async fn create_cluster(&self, spec: &ClusterSpec, op: &Op) -> Outcome<ClusterState> {
        let deadline = Deadline::new(op);
        let regional = self.clients.regional(&spec.location);
        let eks = &regional.eks;
        let role = required(&spec.identity_id, "identity_id (the cluster role)")?;
        let key = required(&spec.encryption_key_id, "encryption_key_id")?;
        required(
            &spec.system_pool.node_identity_id,
            "system_pool.node_identity_id",
        )?;
        if spec.aws.subnet_ids.len() < 2 {
            return Err(CloudError::Invalid(
                "aws.subnet_ids needs at least two subnets in different zones".into(),
            )
            .into());
        }
        let token = request_token(&["cluster", &spec.name, &format!("{spec:?}")]);
        let request = eks
            .create_cluster()
            .name(&spec.name)
            .set_version(spec.kubernetes_version.clone())
            .role_arn(role)
            .resources_vpc_config(expand_vpc_config(spec)?)
            .encryption_config(expand_encryption(key))
            .logging(expand_logging(&spec.logging)?)
            .access_config(
                CreateAccessConfigRequest::builder()
                    .authentication_mode(AuthenticationMode::Api)
                    .build(),
            )
            .set_tags(Some(tags::to_map(&spec.tags)))
            .client_request_token(token);
        let created = retry_while_propagating(
            &format!("creating {}", what(&spec.name)),
            &self.backoff,
            &deadline,
            || {
                let request = request.clone();
                async move {
                    request
                        .send()
                        .await
                        .or_cloud(Service::Eks, "CreateCluster", &what(&spec.name))
                }
            },
        )
        .await?;
        let arn = created
            .cluster()
            .and_then(|c| c.arn())
            .ok_or_else(|| {
                CloudError::Transport("EKS CreateCluster returned no cluster ARN".into())
            })?
            .to_string();
        // The cluster exists: from here on every failure hands it to the state.
        if let Err(error) = self.finish_cluster(&regional, spec, &arn, &deadline).await {
            return Err(self.cluster_partial(eks, spec, &arn, error).await);
        }
        match self.cluster_state(eks, &spec.name).await {
            Ok(Some(state)) => Ok(state),
            Ok(None) => Err(CloudError::NotFound {
                what: what(&spec.name),
                message: "created but gone when read back".into(),
            }
            .into()),
            Err(error) => Err(self.cluster_partial(eks, spec, &arn, error).await),
        }
    }

    async fn read_cluster(&self, id: &str) -> Result<Option<ClusterState>, CloudError> {
        let (_, name) = arn::cluster_name(id)?;
        self.cluster_state(&self.regional_for(id).eks, name).await
    }

    async fn update_cluster(
        &self,
        id: &str,
        prior: &ClusterState,
        spec: &ClusterSpec,
        op: &Op,
    ) -> Outcome<ClusterState> {
        let deadline = Deadline::new(op);
        let (_, name) = arn::cluster_name(id)?;
        let eks = &self.regional_for(id).eks;
        if let Err(error) = self
            .apply_cluster_changes(eks, name, id, prior, spec, &deadline)
            .await
        {
            let created = self.cluster_state(eks, name).await.ok().flatten();
            return Err(PartialFailure { created, error });
        }
        self.cluster_state(eks, name).await?.ok_or_else(|| {
            CloudError::NotFound {
                what: what(name),
                message: "gone after the update".into(),
            }
            .into()
        })
    }

    async fn delete_cluster(&self, id: &str, op: &Op) -> Result<(), CloudError> {
        let deadline = Deadline::new(op);
        let (_, name) = arn::cluster_name(id)?;
        let regional = self.regional_for(id);
        let eks = &regional.eks;
        let Some(cluster) = found(find_cluster(eks, name).await)? else {
            return Ok(());
        };
        let issuer = issuer(&cluster).map(str::to_string);
        // EKS refuses to delete a cluster that still has node groups.
        nodegroup::delete_group(&regional, name, SYSTEM_POOL, &self.backoff, &deadline).await?;
        gone_is_ok(
            eks.delete_cluster()
                .name(name)
                .send()
                .await
                .map(|_| ())
                .or_cloud(Service::Eks, "DeleteCluster", &what(name)),
        )?;
        wait_cluster_deleted(eks, name, &self.backoff, &deadline).await?;
        // Last, so that workloads keep their identities until the cluster is gone.
        if let Some(issuer) = issuer {
            oidc::release_provider(&self.clients.iam, &issuer, id).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_tokens_are_deterministic_and_distinct() {
        let a = request_token(&["cluster", "ml-main", "spec"]);
        assert_eq!(a, request_token(&["cluster", "ml-main", "spec"]));
        assert_ne!(a, request_token(&["cluster", "ml-other", "spec"]));
        assert_ne!(request_token(&["ab", "c"]), request_token(&["a", "bc"]));
        assert!(a.len() <= 64 && a.starts_with("mlcloud-"));
    }

    #[test]
    fn logging_enables_what_is_asked_and_disables_the_rest() {
        let logging = expand_logging(&["api".into(), "audit".into()]).unwrap();
        let setups = logging.cluster_logging();
        assert_eq!(setups.len(), 2);
        assert_eq!(setups[0].enabled(), Some(true));
        assert_eq!(
            setups[0]
                .types()
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>(),
            ["api", "audit"]
        );
        assert_eq!(setups[1].enabled(), Some(false));
        assert_eq!(setups[1].types().len(), 3);
        assert_eq!(flatten_logging(Some(&logging)), ["api", "audit"]);
        assert!(expand_logging(&["kubelet".into()]).is_err());
    }

    fn spec(access: EndpointAccess, cidrs: &[&str]) -> ClusterSpec {
        ClusterSpec {
            name: "ml".into(),
            location: "us-east-1".into(),
            kubernetes_version: None,
            endpoint_access: access,
            authorized_cidrs: cidrs.iter().map(|c| c.to_string()).collect(),
            encryption_key_id: None,
            identity_id: None,
            system_pool: SystemPool {
                machine_type: "m6i.large".into(),
                node_count: 2,
                node_identity_id: None,
            },
            logging: Vec::new(),
            aws: crate::clouds::model::AwsClusterSettings {
                subnet_ids: vec!["subnet-1".into(), "subnet-2".into()],
                security_group_ids: Vec::new(),
            },
            tags: Default::default(),
        }
    }

    #[test]
    fn the_endpoint_is_private_unless_public_for_named_cidrs() {
        let private = expand_vpc_config(&spec(EndpointAccess::Private, &[])).unwrap();
        assert_eq!(private.endpoint_private_access(), Some(true));
        assert_eq!(private.endpoint_public_access(), Some(false));
        assert!(private.public_access_cidrs().is_empty());

        let public = expand_vpc_config(&spec(EndpointAccess::Public, &["203.0.113.0/24"])).unwrap();
        assert_eq!(public.endpoint_public_access(), Some(true));
        assert_eq!(public.public_access_cidrs(), ["203.0.113.0/24"]);

        assert!(expand_vpc_config(&spec(EndpointAccess::Public, &[])).is_err());
    }
}
