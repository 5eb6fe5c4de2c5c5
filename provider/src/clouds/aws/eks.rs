//! `mlcloud_cluster` on AWS: an EKS cluster (secrets encrypted with the KMS key,
//! private endpoint unless made public for named CIDRs, control-plane logs, API
//! authentication mode), the IAM OIDC provider for its issuer (see `oidc.rs`) and the
//! system node group (see `nodegroup.rs`). In-place updates (version, logging, endpoint
//! access, tags, system pool size) each wait for EKS to finish.

use super::AwsBackend;
use super::access_entries;
use super::arn;
use super::clients::Regional;
use super::cluster_api::{find_cluster, issuer, wait_cluster_active, wait_cluster_deleted, what};
use super::cluster_key_access;
use super::cluster_trust;
use super::errors::{SdkResultExt, Service, found, gone_is_ok};
use super::nodegroup;
use super::oidc;
use super::propagation::retry_while_propagating;
use super::rules::LOG_TYPES;
use super::system_pool;
use super::tags;
use super::tokens::fresh_token;
use super::updates::wait_update;
use super::upgrades;
use crate::clouds::markers;
use crate::clouds::model::{
    AwsClusterSettings, AwsNodePoolSettings, CapacityType, ClusterSpec, ClusterState,
    EndpointAccess, ListScope, NodePoolSpec, Op, PerCloud, Scaling, SystemPool,
};
use crate::clouds::wait::Deadline;
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use aws_sdk_eks::Client;
use aws_sdk_eks::types::{
    AuthenticationMode, Cluster, CreateAccessConfigRequest, EncryptionConfig, LogSetup, LogType,
    Logging, Nodegroup, Provider, Update, VpcConfigRequest,
};
use std::collections::{BTreeMap, BTreeSet};

/// What EKS reports as the public CIDRs when none were authorized.
const EKS_DEFAULT_CIDR: &str = "0.0.0.0/0";
/// Root volume of system nodes: they run cluster add-ons, not models.
const SYSTEM_DISK_GB: u32 = 50;

// ---------------------------------------------------------------- expand

/// The cluster's AWS settings (a spec always has them: its cloud is aws).
fn aws_settings(spec: &ClusterSpec) -> Result<&AwsClusterSettings, CloudError> {
    spec.cloud.aws().ok_or_else(|| {
        CloudError::Invalid("the AWS backend was handed another cloud's cluster".into())
    })
}

/// Who may reach the API server: always from inside the VPC, and from the internet
/// only for named CIDRs.
fn expand_endpoint_access(spec: &ClusterSpec) -> Result<VpcConfigRequest, CloudError> {
    Ok(endpoint_access(spec, VpcConfigRequest::builder())?.build())
}

fn endpoint_access(
    spec: &ClusterSpec,
    builder: aws_sdk_eks::types::builders::VpcConfigRequestBuilder,
) -> Result<aws_sdk_eks::types::builders::VpcConfigRequestBuilder, CloudError> {
    let public = spec.endpoint_access == EndpointAccess::Public;
    if public && spec.authorized_cidrs.is_empty() {
        // EKS would open the endpoint to 0.0.0.0/0.
        return Err(CloudError::Invalid(
            "a public endpoint needs authorized_cidrs (EKS would otherwise allow 0.0.0.0/0)".into(),
        ));
    }
    // A private endpoint resets the CIDRs to EKS's default ("0.0.0.0/0", inert while
    // public access is off): EKS keeps the CIDRs of a request that names none, so a
    // switch from public to private would otherwise leave the old ones behind.
    let cidrs: Vec<String> = if public {
        spec.authorized_cidrs.iter().cloned().collect()
    } else {
        vec![EKS_DEFAULT_CIDR.into()]
    };
    Ok(builder
        .endpoint_private_access(true)
        .endpoint_public_access(public)
        .set_public_access_cidrs(Some(cidrs)))
}

/// The whole VPC configuration of a new cluster: subnets, security groups, endpoint.
fn expand_vpc_config(spec: &ClusterSpec) -> Result<VpcConfigRequest, CloudError> {
    let aws = aws_settings(spec)?;
    let builder = VpcConfigRequest::builder()
        .set_subnet_ids(Some(aws.subnet_ids.iter().cloned().collect()))
        .set_security_group_ids(Some(aws.security_group_ids.iter().cloned().collect()));
    Ok(endpoint_access(spec, builder)?.build())
}

/// The logging setup enabling exactly `enabled` (the others explicitly disabled, since
/// EKS only changes the types a request names).
fn expand_logging(enabled: &BTreeSet<String>) -> Result<Logging, CloudError> {
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

/// The system pool as a node pool spec named `group`, so it is created like any other.
fn expand_system_pool(spec: &ClusterSpec, cluster_arn: &str, group: &str) -> NodePoolSpec {
    NodePoolSpec {
        cluster_id: cluster_arn.to_string(),
        name: group.into(),
        machine: spec.system_pool.machine.clone(),
        scaling: Scaling::Fixed(spec.system_pool.node_count),
        capacity_type: CapacityType::OnDemand,
        taints: BTreeSet::new(),
        labels: BTreeMap::new(),
        disk_size_gb: SYSTEM_DISK_GB,
        zones: BTreeSet::new(),
        node_identity_id: spec.system_pool.node_identity_id.clone(),
        tpu_topology: None,
        kubernetes_version: spec.kubernetes_version.clone(),
        // System nodes' disks are encrypted with the cluster's key.
        disk_encryption_key_id: spec.encryption_key_id.clone(),
        tags: spec.tags.clone(),
        cloud: PerCloud::Aws(AwsNodePoolSettings {}),
    }
}

fn required<'a>(value: &'a Option<String>, what: &str) -> Result<&'a str, CloudError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| CloudError::Invalid(format!("{what} is required on aws")))
}

/// What is known of a cluster the moment CreateCluster answered: its ARN and the spec.
fn made(spec: &ClusterSpec, arn: &str) -> ClusterState {
    ClusterState {
        id: arn.to_string(),
        name: spec.name.clone(),
        location: spec.location.clone(),
        kubernetes_version: spec.kubernetes_version.clone().unwrap_or_default(),
        endpoint_access: spec.endpoint_access,
        authorized_cidrs: spec.authorized_cidrs.clone(),
        encryption_key_id: spec.encryption_key_id.clone(),
        identity_id: spec.identity_id.clone(),
        system_pool: flatten_system_pool(None),
        admin_principals: spec.admin_principals.clone(),
        logging: spec.logging.clone(),
        cloud: spec.cloud.clone(),
        tags: spec.tags.clone(),
        endpoint: String::new(),
        ca_certificate: String::new(),
        oidc_issuer_url: String::new(),
        status: "CREATING".into(),
    }
}

// ---------------------------------------------------------------- flatten

fn flatten_cluster(
    cluster: &Cluster,
    system: Option<&Nodegroup>,
    admin_principals: BTreeSet<String>,
) -> ClusterState {
    let arn = cluster.arn().unwrap_or_default().to_string();
    let vpc = cluster.resources_vpc_config();
    let public = vpc.is_some_and(|v| v.endpoint_public_access());
    // CIDRs only matter for a public endpoint; a private one reads as authorizing
    // nothing, whatever EKS still lists.
    let cidrs: BTreeSet<String> = match vpc {
        Some(v) if public => v.public_access_cidrs().iter().cloned().collect(),
        _ => BTreeSet::new(),
    };
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
        admin_principals,
        logging: flatten_logging(cluster.logging()),
        cloud: PerCloud::Aws(AwsClusterSettings {
            subnet_ids: vpc
                .map(|v| v.subnet_ids().iter().cloned().collect())
                .unwrap_or_default(),
            security_group_ids: vpc
                .map(|v| v.security_group_ids().iter().cloned().collect())
                .unwrap_or_default(),
        }),
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

/// The enabled log types (a set: EKS's order is not the user's).
fn flatten_logging(logging: Option<&Logging>) -> BTreeSet<String> {
    logging
        .map(|l| l.cluster_logging())
        .unwrap_or_default()
        .iter()
        .filter(|s| s.enabled() == Some(true))
        .flat_map(|s| s.types().iter().map(|t| t.as_str().to_string()))
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
        let system = system_pool::find_system_group(eks, name).await?;
        let admins = access_entries::find_admins(eks, name).await?;
        Ok(Some(flatten_cluster(&cluster, system.as_ref(), admins)))
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
            _ => made(spec, arn),
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
        let partition = arn::Arn::parse(arn).map_or("aws", |a| a.partition);
        for principal in &spec.admin_principals {
            access_entries::grant_admin(&regional.eks, &spec.name, principal, partition).await?;
        }
        let subnets = aws_settings(spec)?.subnet_ids.iter().cloned().collect();
        system_pool::create(
            regional,
            &expand_system_pool(spec, arn, system_pool::FIRST),
            &spec.name,
            subnets,
            &self.backoff,
            deadline,
        )
        .await
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
            .filter(|v| upgrades::is_upgrade(&prior.kubernetes_version, v))
        {
            // The control plane first, then the system nodes (never newer than it).
            upgrades::upgrade_cluster(eks, name, version, backoff, deadline).await?;
            if let Some(system) = system_pool::find_system_group(eks, name).await?
                && let Some(group) = system.nodegroup_name()
                && upgrades::is_upgrade(system.version().unwrap_or_default(), version)
            {
                upgrades::upgrade_group(eks, name, group, version, backoff, deadline).await?;
            }
        }
        if spec.logging != prior.logging {
            let out = eks
                .update_cluster_config()
                .name(name)
                .logging(expand_logging(&spec.logging)?)
                .send()
                .await
                .or_cloud(Service::Eks, "UpdateClusterConfig", &what(name))?;
            self.settle(eks, name, out.update(), deadline).await?;
        }
        if spec.endpoint_access != prior.endpoint_access
            || spec.authorized_cidrs != prior.authorized_cidrs
        {
            // Only the endpoint settings: EKS takes one kind of change per update.
            let out = eks
                .update_cluster_config()
                .name(name)
                .resources_vpc_config(expand_endpoint_access(spec)?)
                .send()
                .await
                .or_cloud(Service::Eks, "UpdateClusterConfig", &what(name))?;
            self.settle(eks, name, out.update(), deadline).await?;
        }
        if spec.admin_principals != prior.admin_principals {
            let partition = arn::Arn::parse(arn).map_or("aws", |a| a.partition);
            access_entries::converge_admins(
                eks,
                name,
                &prior.admin_principals,
                &spec.admin_principals,
                partition,
            )
            .await?;
        }
        let changes = tags::user_changes(&prior.tags, &spec.tags, &spec.name);
        tags::apply_to_eks(eks, arn, changes).await?;
        self.converge_system_pool(eks, name, arn, prior, spec, deadline)
            .await
    }

    /// Re-creates a missing system group, rotates one whose machine type or node
    /// role changed, and resizes one whose count changed.
    async fn converge_system_pool(
        &self,
        eks: &Client,
        name: &str,
        arn: &str,
        prior: &ClusterState,
        spec: &ClusterSpec,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let backoff = &self.backoff;
        let current = system_pool::find_system_group(eks, name).await?;
        let regional = self.regional_for(arn);
        let subnets: Vec<String> = match &prior.cloud {
            PerCloud::Aws(aws) if !aws.subnet_ids.is_empty() => {
                aws.subnet_ids.iter().cloned().collect()
            }
            _ => aws_settings(spec)?.subnet_ids.iter().cloned().collect(),
        };
        let Some(group) = current.as_ref().and_then(|g| g.nodegroup_name()) else {
            // Deleted out of band: the cluster gets it back, in place.
            let next = system_pool::FIRST;
            let pool = expand_system_pool(spec, arn, next);
            return system_pool::create(&regional, &pool, name, subnets, backoff, deadline).await;
        };
        let wanted = &spec.system_pool;
        if wanted.machine.machine_type != prior.system_pool.machine_type
            || wanted.node_identity_id != prior.system_pool.node_identity_id
        {
            let pool = expand_system_pool(spec, arn, &system_pool::next_name(group));
            return system_pool::rotate(&regional, &pool, name, subnets, backoff, deadline).await;
        }
        if wanted.node_count != prior.system_pool.node_count {
            nodegroup::resize_group(
                eks,
                name,
                group,
                Scaling::Fixed(wanted.node_count),
                backoff,
                deadline,
            )
            .await?;
        }
        Ok(())
    }

    /// Waits for an update of the cluster to finish: the update EKS reports, or, when
    /// the answer names none, the cluster settling back to ACTIVE.
    async fn settle(
        &self,
        eks: &Client,
        name: &str,
        update: Option<&Update>,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        match update {
            Some(update) => wait_update(eks, name, None, update, &self.backoff, deadline).await,
            None => wait_cluster_active(eks, name, &["UPDATING"], &self.backoff, deadline)
                .await
                .map(|_| ()),
        }
    }
}

#[async_trait::async_trait]
impl ObjectBackend<ClusterSpec, ClusterState> for AwsBackend {
    async fn create(&self, spec: &ClusterSpec, op: &Op) -> Outcome<ClusterState> {
        let deadline = Deadline::new(op);
        let regional = self.clients.regional(&spec.location);
        let eks = &regional.eks;
        let role = required(&spec.identity_id, "identity_id (the cluster role)")?;
        let key = required(&spec.encryption_key_id, "encryption_key_id")?;
        required(
            &spec.system_pool.node_identity_id,
            "system_pool.node_identity_id",
        )?;
        if aws_settings(spec)?.subnet_ids.len() < 2 {
            return Err(CloudError::Invalid(
                "aws.subnet_ids needs at least two subnets in different zones".into(),
            )
            .into());
        }
        // EKS checks at creation that the cluster role can use the key, and assumes
        // the role as the cluster it creates: the trust must admit that ARN already.
        let future_arn = cluster_trust::future_cluster_arn(role, &spec.location, &spec.name)?;
        cluster_key_access::grant(&self.clients.iam, role, &spec.name, key).await?;
        if let Err(error) = cluster_trust::admit(&self.clients.iam, role, &future_arn).await {
            let _ = cluster_key_access::revoke(&self.clients.iam, role, &spec.name).await;
            return Err(error.into());
        }
        // One token for this create: the propagation retries below resend the same
        // request, so a lost response is answered with this create's cluster.
        let token = fresh_token();
        let request = eks
            .create_cluster()
            .name(&spec.name)
            .set_version(spec.kubernetes_version.clone())
            .role_arn(role)
            .resources_vpc_config(expand_vpc_config(spec)?)
            .encryption_config(expand_encryption(key))
            .logging(expand_logging(&spec.logging)?)
            .access_config(
                // No hidden creator-admin: access is `admin_principals`, as access
                // entries that Terraform reads back.
                CreateAccessConfigRequest::builder()
                    .authentication_mode(AuthenticationMode::Api)
                    .bootstrap_cluster_creator_admin_permissions(false)
                    .build(),
            )
            .set_tags(Some(tags::to_map(&markers::with_markers(
                &spec.tags, &spec.name,
            ))))
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
        .await;
        let created = match created {
            Ok(created) => created,
            Err(error) => {
                // No cluster: its grant and its place in the role's trust go too
                // (best effort; the error that matters is CreateCluster's).
                let _ = cluster_key_access::revoke(&self.clients.iam, role, &spec.name).await;
                let _ = cluster_trust::release(&self.clients.iam, role, &future_arn).await;
                return Err(error.into());
            }
        };
        let arn = created
            .cluster()
            .and_then(|c| c.arn())
            .ok_or_else(|| {
                CloudError::Transport("EKS CreateCluster returned no cluster ARN".into())
            })?
            .to_string();
        // The cluster exists: from here on every failure hands it to the state, and so
        // does a panic or a stop during the long wait that follows.
        op.record(&made(spec, &arn));
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

    async fn read(&self, id: &str) -> Result<Option<ClusterState>, CloudError> {
        let (_, name) = arn::cluster_name(id)?;
        self.cluster_state(&self.regional_for(id).eks, name).await
    }

    async fn update(
        &self,
        id: &str,
        prior: &ClusterState,
        spec: &ClusterSpec,
        op: &Op,
    ) -> Outcome<ClusterState> {
        let deadline = Deadline::new(op);
        let (_, name) = arn::cluster_name(id)?;
        let eks = &self.regional_for(id).eks;
        // Clusters made before the trust named them get their place on any update.
        if let Some(role) = &prior.identity_id {
            cluster_trust::admit(&self.clients.iam, role, id).await?;
        }
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

    /// The EKS clusters of the scope's region (the provider's region by default).
    async fn list(&self, scope: &ListScope) -> Result<Vec<ClusterState>, CloudError> {
        let regional = self
            .clients
            .regional(scope.location.as_deref().unwrap_or(""));
        let eks = &regional.eks;
        let mut names = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = eks
                .list_clusters()
                .set_next_token(next.take())
                .send()
                .await
                .or_cloud(Service::Eks, "ListClusters", "EKS clusters")?;
            names.extend(page.clusters().iter().cloned());
            match page.next_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_string()),
                _ => break,
            }
        }
        let mut found = Vec::new();
        for name in names {
            // A cluster deleted between the listing and its read is simply not there.
            if let Some(state) = self.cluster_state(eks, &name).await? {
                found.push(state);
            }
        }
        Ok(found)
    }

    async fn delete(&self, id: &str, _spec: &ClusterSpec, op: &Op) -> Result<(), CloudError> {
        let deadline = Deadline::new(op);
        let (_, name) = arn::cluster_name(id)?;
        let regional = self.regional_for(id);
        let eks = &regional.eks;
        let Some(cluster) = found(find_cluster(eks, name).await)? else {
            return Ok(());
        };
        let issuer = issuer(&cluster).map(str::to_string);
        let role = cluster.role_arn().map(str::to_string);
        let cluster_arn = cluster.arn().unwrap_or(id).to_string();
        // EKS refuses to delete a cluster that still has node groups.
        system_pool::delete_all(&regional, name, &self.backoff, &deadline).await?;
        gone_is_ok(
            eks.delete_cluster()
                .name(name)
                .send()
                .await
                .map(|_| ())
                .or_cloud(Service::Eks, "DeleteCluster", &what(name)),
        )?;
        wait_cluster_deleted(eks, name, &self.backoff, &deadline).await?;
        if let Some(role) = role {
            cluster_key_access::revoke(&self.clients.iam, &role, name).await?;
            cluster_trust::release(&self.clients.iam, &role, &cluster_arn).await?;
        }
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
    fn logging_enables_what_is_asked_and_disables_the_rest() {
        let set = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let logging = expand_logging(&set(&["api", "audit"])).unwrap();
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
        assert_eq!(flatten_logging(Some(&logging)), set(&["api", "audit"]));
        assert!(expand_logging(&set(&["kubelet"])).is_err());
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
            system_pool: crate::clouds::model::SystemPoolSpec {
                machine: crate::clouds::model::Machine {
                    machine_type: "m6i.large".into(),
                    ..Default::default()
                },
                node_count: 2,
                node_identity_id: None,
            },
            admin_principals: BTreeSet::new(),
            logging: BTreeSet::new(),
            cloud: PerCloud::Aws(AwsClusterSettings {
                subnet_ids: ["subnet-1".to_string(), "subnet-2".to_string()].into(),
                security_group_ids: BTreeSet::new(),
            }),
            tags: Default::default(),
        }
    }

    #[test]
    fn the_endpoint_is_private_unless_public_for_named_cidrs() {
        let private = expand_vpc_config(&spec(EndpointAccess::Private, &[])).unwrap();
        assert_eq!(private.endpoint_private_access(), Some(true));
        assert_eq!(private.endpoint_public_access(), Some(false));
        // EKS keeps CIDRs a request does not name: going private resets them.
        assert_eq!(private.public_access_cidrs(), ["0.0.0.0/0"]);

        let public = expand_vpc_config(&spec(EndpointAccess::Public, &["203.0.113.0/24"])).unwrap();
        assert_eq!(public.endpoint_public_access(), Some(true));
        assert_eq!(public.public_access_cidrs(), ["203.0.113.0/24"]);
        assert_eq!(public.subnet_ids(), ["subnet-1", "subnet-2"]);

        assert!(expand_vpc_config(&spec(EndpointAccess::Public, &[])).is_err());

        // An endpoint change carries nothing else: EKS takes one kind per update.
        let change =
            expand_endpoint_access(&spec(EndpointAccess::Public, &["203.0.113.0/24"])).unwrap();
        assert!(change.subnet_ids().is_empty() && change.security_group_ids().is_empty());
        assert_eq!(change.endpoint_public_access(), Some(true));
    }
}
