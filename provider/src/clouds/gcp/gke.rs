//! `mlcloud_cluster` on Google Cloud: a GKE Standard cluster, secure by default:
//! private nodes, a private endpoint unless `endpoint_access = "public"` (then only
//! `authorized_cidrs`), application-layer secrets encryption with the Cloud KMS key,
//! a Workload Identity pool, shielded nodes, the REGULAR release channel, binary
//! authorization enforcing the project policy, and a system pool running as the node
//! identity (never the default compute service account).
//!
//! GKE refuses database encryption with a key its service agent cannot use, so the
//! `roles/cloudkms.cryptoKeyEncrypterDecrypter` binding for
//! `service-PROJECT_NUMBER@container-engine-robot.iam.gserviceaccount.com` is written
//! on the key before the cluster is created (the project number comes from Resource
//! Manager).
//!
//! The system pool's boot disks use the same key: the Compute Engine service agent
//! (`service-PROJECT_NUMBER@compute-system.iam.gserviceaccount.com`) gets the same
//! role on it first. A Kubernetes upgrade moves the control plane
//! (`desiredMasterVersion`), then the system pool (`nodeVersion`), each one operation.
//! `admin_principals` are project IAM bindings (see `cluster_admins.rs`).
//!
//! CreateCluster is a POST the client never retries; the cluster name is fixed, so a
//! create that finds it taken adopts the cluster when our `mlcloud-name` label marks it.

// `privateClusterConfig.enablePrivateEndpoint`, `masterAuthorizedNetworksConfig` and
// `statusMessage` are deprecated in the v1 protos in favour of
// `controlPlaneEndpointsConfig` and conditions, but GKE still serves and honours them,
// and they are what every GKE version (and the contract's emulator) understands.
#![allow(deprecated)]

use super::GcpBackend;
use super::cluster_admins::{self, admin_label};
use super::errors::{Service, err, found, gone_is_ok};
use super::identity::PolicyTarget;
use super::labels;
use super::names::{ClusterName, ServiceAccountName};
use super::node_pool::{node_config, node_identity_of};
use crate::clouds::model::{
    ClusterSpec, ClusterState, EndpointAccess, GcpClusterSettings, ListScope, Op, PerCloud,
    SystemPool,
};
use crate::clouds::wait::{Deadline, retry_transient};
use crate::clouds::{CloudError, ObjectBackend, Outcome, PartialFailure};
use futures::FutureExt as _;
use futures::future::BoxFuture;
use google_cloud_container_v1::model::binary_authorization::EvaluationMode;
use google_cloud_container_v1::model::cluster::Status as ClusterStatus;
use google_cloud_container_v1::model::database_encryption::State as EncryptionState;
use google_cloud_container_v1::model::logging_component_config::Component;
use google_cloud_container_v1::model::master_authorized_networks_config::CidrBlock;
use google_cloud_container_v1::model::release_channel::Channel;
use google_cloud_container_v1::model::{
    BinaryAuthorization, Cluster, ClusterUpdate, DatabaseEncryption, LoggingComponentConfig,
    LoggingConfig, MasterAuthorizedNetworksConfig, NodePool, PrivateClusterConfig, ReleaseChannel,
    ShieldedNodes, WorkloadIdentityConfig,
};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// The system pool's name inside the cluster.
pub const SYSTEM_POOL: &str = "system";
/// The control plane's private range when `gcp { master_ipv4_cidr_block }` is unset.
const DEFAULT_MASTER_CIDR: &str = "172.16.0.0/28";
pub const KEY_USER_ROLE: &str = "roles/cloudkms.cryptoKeyEncrypterDecrypter";
/// How long GKE gets to finish another operation on the cluster before ours.
const BUSY_FOR: Duration = Duration::from_secs(600);

fn what(name: &str) -> String {
    format!("GKE cluster {name:?}")
}

fn component(name: &str) -> Option<Component> {
    Some(match name {
        "SYSTEM_COMPONENTS" => Component::SystemComponents,
        "APISERVER" => Component::Apiserver,
        "CONTROLLER_MANAGER" => Component::ControllerManager,
        "SCHEDULER" => Component::Scheduler,
        "WORKLOADS" => Component::Workloads,
        _ => return None,
    })
}

fn component_name(c: &Component) -> Option<&'static str> {
    Some(match c {
        Component::SystemComponents => "SYSTEM_COMPONENTS",
        Component::Apiserver => "APISERVER",
        Component::ControllerManager => "CONTROLLER_MANAGER",
        Component::Scheduler => "SCHEDULER",
        Component::Workloads => "WORKLOADS",
        _ => return None,
    })
}

// ---------------------------------------------------------------- expand

fn expand_logging(spec: &ClusterSpec) -> LoggingConfig {
    LoggingConfig::new().set_component_config(
        LoggingComponentConfig::new()
            .set_enable_components(spec.logging.iter().filter_map(|l| component(l))),
    )
}

fn expand_authorized(cidrs: &BTreeSet<String>) -> MasterAuthorizedNetworksConfig {
    MasterAuthorizedNetworksConfig::new()
        .set_enabled(true)
        .set_cidr_blocks(cidrs.iter().map(|c| CidrBlock::new().set_cidr_block(c)))
}

fn expand_encryption(key: Option<&str>) -> DatabaseEncryption {
    match key {
        Some(k) => DatabaseEncryption::new()
            .set_state(EncryptionState::Encrypted)
            .set_key_name(k),
        None => DatabaseEncryption::new().set_state(EncryptionState::Decrypted),
    }
}

/// The cluster's labels: the user's tags, our markers, and the admins it records.
fn cluster_labels(spec: &ClusterSpec, admins: &HashMap<String, String>) -> HashMap<String, String> {
    let mut all = labels::expand_labels(&spec.tags, &spec.name);
    all.extend(admins.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

fn expand_cluster(
    name: &ClusterName,
    spec: &ClusterSpec,
    admins: &HashMap<String, String>,
) -> Result<Cluster, CloudError> {
    let settings = spec.cloud.gcp().cloned().unwrap_or_default();
    let mut system_config = node_config(
        &spec.system_pool.machine.machine_type,
        spec.system_pool.node_identity_id.as_deref(),
        &labels::expand_labels(&spec.tags, &spec.name),
    )?;
    if let Some(key) = &spec.encryption_key_id {
        system_config = system_config.set_boot_disk_kms_key(key);
    }
    let system = NodePool::new()
        .set_name(SYSTEM_POOL)
        .set_initial_node_count(spec.system_pool.node_count as i32)
        .set_config(system_config);
    let mut cluster = Cluster::new()
        .set_name(&name.cluster)
        .set_resource_labels(cluster_labels(spec, admins))
        .set_node_pools([system])
        .set_private_cluster_config(
            PrivateClusterConfig::new()
                .set_enable_private_nodes(true)
                .set_enable_private_endpoint(spec.endpoint_access == EndpointAccess::Private)
                .set_master_ipv4_cidr_block(
                    settings
                        .master_ipv4_cidr_block
                        .as_deref()
                        .unwrap_or(DEFAULT_MASTER_CIDR),
                ),
        )
        .set_master_authorized_networks_config(expand_authorized(&spec.authorized_cidrs))
        .set_database_encryption(expand_encryption(spec.encryption_key_id.as_deref()))
        .set_workload_identity_config(
            WorkloadIdentityConfig::new().set_workload_pool(name.workload_pool()),
        )
        .set_shielded_nodes(ShieldedNodes::new().set_enabled(true))
        .set_release_channel(ReleaseChannel::new().set_channel(Channel::Regular))
        .set_binary_authorization(
            BinaryAuthorization::new()
                .set_evaluation_mode(EvaluationMode::ProjectSingletonPolicyEnforce),
        )
        .set_logging_config(expand_logging(spec));
    if let Some(v) = &spec.kubernetes_version {
        cluster = cluster.set_initial_cluster_version(v);
    }
    if let Some(n) = &settings.network {
        cluster = cluster.set_network(n);
    }
    if let Some(s) = &settings.subnetwork {
        cluster = cluster.set_subnetwork(s);
    }
    Ok(cluster)
}

// ---------------------------------------------------------------- flatten

/// `1.31.2-gke.1000` → `1.31`: the contract's version is the minor version.
pub(super) fn minor_version(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

fn status_name(c: &Cluster) -> &'static str {
    match c.status {
        ClusterStatus::Provisioning => "PROVISIONING",
        ClusterStatus::Running => "RUNNING",
        ClusterStatus::Reconciling => "RECONCILING",
        ClusterStatus::Stopping => "STOPPING",
        ClusterStatus::Error => "ERROR",
        ClusterStatus::Degraded => "DEGRADED",
        _ => "UNKNOWN",
    }
}

fn flatten_cluster(c: &Cluster, name: &ClusterName, default_project: Option<&str>) -> ClusterState {
    let private = c.private_cluster_config.as_ref();
    let system = c.node_pools.iter().find(|p| p.name == SYSTEM_POOL);
    let encryption = c
        .database_encryption
        .as_ref()
        .filter(|e| e.state == EncryptionState::Encrypted && !e.key_name.is_empty())
        .map(|e| e.key_name.clone());
    let master_cidr = private.map(|p| p.master_ipv4_cidr_block.clone());
    ClusterState {
        id: name.name(),
        name: name.cluster.clone(),
        location: name.location.clone(),
        kubernetes_version: minor_version(&c.current_master_version),
        // Read from the project's policy by the caller (`read_admins`).
        admin_principals: Default::default(),
        endpoint_access: if private.is_some_and(|p| p.enable_private_endpoint) {
            EndpointAccess::Private
        } else {
            EndpointAccess::Public
        },
        authorized_cidrs: c
            .master_authorized_networks_config
            .iter()
            .flat_map(|m| m.cidr_blocks.iter().map(|b| b.cidr_block.clone()))
            .collect(),
        encryption_key_id: encryption,
        identity_id: None,
        system_pool: SystemPool {
            machine_type: system
                .and_then(|p| p.config.as_ref())
                .map(|cfg| cfg.machine_type.clone())
                .unwrap_or_default(),
            node_count: system.map_or(0, |p| p.initial_node_count.max(0) as u32),
            node_identity_id: system
                .and_then(|p| p.config.as_ref())
                .and_then(|cfg| node_identity_of(&cfg.service_account)),
        },
        logging: c
            .logging_config
            .as_ref()
            .and_then(|l| l.component_config.as_ref())
            .map(|cc| {
                cc.enable_components
                    .iter()
                    .filter_map(component_name)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        tags: labels::flatten_labels(&c.resource_labels),
        cloud: PerCloud::Gcp(GcpClusterSettings {
            project: Some(name.project.clone()).filter(|p| Some(p.as_str()) != default_project),
            network: Some(c.network.clone()).filter(|n| !n.is_empty() && n != "default"),
            subnetwork: Some(c.subnetwork.clone()).filter(|n| !n.is_empty() && n != "default"),
            master_ipv4_cidr_block: master_cidr
                .filter(|m| !m.is_empty() && m != DEFAULT_MASTER_CIDR),
        }),
        endpoint: if c.endpoint.is_empty() {
            String::new()
        } else {
            format!("https://{}", c.endpoint)
        },
        ca_certificate: c
            .master_auth
            .as_ref()
            .map(|m| m.cluster_ca_certificate.clone())
            .unwrap_or_default(),
        oidc_issuer_url: format!("https://container.googleapis.com/v1/{}", name.name()),
        status: status_name(c).into(),
    }
}

// ---------------------------------------------------------------- find

impl GcpBackend {
    /// A plain function returning a boxed future: GKE's `Cluster` is large, and an
    /// `async fn` holding it by value makes debug-build poll frames of hundreds of KiB
    /// that overflow a 2 MiB thread stack when nested in the waiters.
    pub(super) fn find_cluster(
        &self,
        name: &ClusterName,
    ) -> BoxFuture<'static, Result<Box<Cluster>, CloudError>> {
        let w = what(&name.name());
        let sent = self
            .clients
            .container
            .get_cluster()
            .set_name(name.name())
            .send();
        async move {
            sent.await
                .map(Box::new)
                .map_err(err(Service::Container, "GetCluster", &w))
        }
        .boxed()
    }

    /// The project's number (`projects/NUMBER` is the project's canonical name).
    async fn project_number(&self, project: &str) -> Result<String, CloudError> {
        let w = format!("project {project:?}");
        let p = self
            .clients
            .projects
            .get_project()
            .set_name(format!("projects/{project}"))
            .send()
            .boxed()
            .await
            .map_err(err(Service::ResourceManager, "GetProject", &w))?;
        p.name
            .strip_prefix("projects/")
            .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_string)
            .ok_or_else(|| CloudError::Invalid(format!("{w} has no project number ({:?})", p.name)))
    }

    /// Lets the project's GKE service agent use the key, before the cluster needs it.
    async fn allow_gke_to_use(
        &self,
        project: &str,
        key: &str,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let number = self.project_number(project).await?;
        let agent = format!(
            "serviceAccount:service-{number}@container-engine-robot.iam.gserviceaccount.com"
        );
        self.bind(
            &PolicyTarget::Key(key.to_string()),
            KEY_USER_ROLE,
            &agent,
            true,
            deadline,
        )
        .await
    }

    /// Lets the project's Compute Engine service agent use the key for boot disks,
    /// before a pool's VMs need it.
    pub(super) async fn allow_compute_to_use(
        &self,
        project: &str,
        key: &str,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let number = self.project_number(project).await?;
        let agent =
            format!("serviceAccount:service-{number}@compute-system.iam.gserviceaccount.com");
        self.bind(
            &PolicyTarget::Key(key.to_string()),
            KEY_USER_ROLE,
            &agent,
            true,
            deadline,
        )
        .await
    }

    /// The cluster as read, with its admins from the project's policy.
    async fn read_cluster_state(
        &self,
        name: &ClusterName,
        c: &Cluster,
    ) -> Result<ClusterState, CloudError> {
        let mut state = flatten_cluster(c, name, self.default_project());
        // The system pool's size, as a node pool's: from its instance groups.
        if let Some(system) = c.node_pools.iter().find(|p| p.name == SYSTEM_POOL)
            && let Some(nodes) = self.pool_nodes(system).boxed().await?
        {
            state.system_pool.node_count = nodes;
        }
        state.admin_principals = self
            .read_admins(&name.project, &c.resource_labels)
            .boxed()
            .await?;
        Ok(state)
    }

    /// Runs one cluster operation, waiting while another holds the cluster (GKE
    /// refuses a second with FAILED_PRECONDITION).
    pub(super) async fn cluster_operation<F, Fut>(
        &self,
        cluster: &ClusterName,
        operation: &'static str,
        deadline: &Deadline,
        start: F,
    ) -> Result<(), CloudError>
    where
        F: Fn() -> Fut,
        Fut: Send
            + std::future::Future<
                Output = Result<google_cloud_container_v1::model::Operation, CloudError>,
            >,
    {
        let w = what(&cluster.name());
        let busy = |e: &CloudError| {
            matches!(
                e,
                CloudError::Conflict { .. } | CloudError::Throttled { .. }
            )
        };
        let op = retry_transient(&w, &self.backoff, deadline, BUSY_FOR, busy, || {
            start().boxed()
        })
        .await?;
        self.wait_operation(cluster, op, operation, &w, deadline)
            .await
    }

    async fn wait_cluster_running(
        &self,
        name: &ClusterName,
        deadline: &Deadline,
    ) -> Result<Box<Cluster>, CloudError> {
        use crate::clouds::wait::{Observed, StateChange, Target};
        let change = StateChange {
            what: format!("{} to become RUNNING", what(&name.name())),
            pending: &["PROVISIONING", "RECONCILING", "UNKNOWN"],
            target: Target::States(&["RUNNING"]),
            failure: &["ERROR", "DEGRADED", "STOPPING"],
        };
        change
            .wait(&self.backoff, deadline, || async {
                let c = found(self.find_cluster(name).await)?;
                Ok(c.map(|c| {
                    let state = status_name(&c);
                    let detail = c.status_message.clone();
                    Observed::new(c, state).with_detail(detail)
                }))
            })
            .await?
            .ok_or_else(|| CloudError::NotFound {
                what: what(&name.name()),
                message: "gone while waiting".into(),
            })
    }

    fn cluster_name(&self, spec: &ClusterSpec) -> Result<ClusterName, CloudError> {
        Ok(ClusterName {
            project: self.project(spec.cloud.gcp().and_then(|g| g.project.as_deref()))?,
            location: spec.location.clone(),
            cluster: spec.name.clone(),
        })
    }

    fn parse_cluster_id(id: &str) -> Result<ClusterName, CloudError> {
        ClusterName::parse(id)
            .ok_or_else(|| CloudError::Invalid(format!("{id:?} is not a GKE cluster id")))
    }

    /// One `clusters.update`. A plain function returning a boxed future, and the
    /// `ClusterUpdate` made inside it, for the reason `find_cluster` gives: the update
    /// below would otherwise hold every branch's large message in one poll frame.
    fn update_cluster<'a>(
        &'a self,
        name: &'a ClusterName,
        update: impl FnOnce() -> ClusterUpdate + Send + 'a,
        deadline: &'a Deadline,
    ) -> BoxFuture<'a, Result<(), CloudError>> {
        async move {
            let update = Box::new(update());
            let w = what(&name.name());
            self.cluster_operation(name, "UpdateCluster", deadline, || async {
                self.clients
                    .container
                    .update_cluster()
                    .set_name(name.name())
                    .set_update(update.as_ref().clone())
                    .send()
                    .boxed()
                    .await
                    .map_err(err(Service::Container, "UpdateCluster", &w))
            })
            .await
        }
        .boxed()
    }

    /// The cluster's resource labels, written with its current label fingerprint
    /// (boxed like `update_cluster`).
    /// Sets the cluster's labels to `wanted` unless they already are (tags, and the
    /// admins mlcloud records); boxed, as the poll frame is large in debug builds.
    fn set_cluster_labels<'a>(
        &'a self,
        name: &'a ClusterName,
        wanted: HashMap<String, String>,
        deadline: &'a Deadline,
    ) -> BoxFuture<'a, Result<(), CloudError>> {
        async move {
            let current = self.find_cluster(name).await?;
            if wanted == current.resource_labels {
                return Ok(());
            }
            let fingerprint = current.label_fingerprint;
            let w = what(&name.name());
            self.cluster_operation(name, "SetLabels", deadline, || async {
                self.clients
                    .container
                    .set_labels()
                    .set_name(name.name())
                    .set_resource_labels(wanted.clone())
                    .set_label_fingerprint(&fingerprint)
                    .send()
                    .boxed()
                    .await
                    .map_err(err(Service::Container, "SetLabels", &w))
            })
            .await
        }
        .boxed()
    }
}

fn with_spec_only(mut state: ClusterState, spec: &ClusterSpec) -> ClusterState {
    // GKE has no cluster identity; the state keeps what the configuration says.
    state.identity_id = spec.identity_id.clone();
    state
}

// ---------------------------------------------------------------- backend

#[async_trait::async_trait]
impl ObjectBackend<ClusterSpec, ClusterState> for GcpBackend {
    async fn create(&self, spec: &ClusterSpec, op: &Op) -> Outcome<ClusterState> {
        let deadline = Deadline::new(op);
        let name = self.cluster_name(spec)?;
        if let Some(key) = &spec.encryption_key_id {
            self.allow_gke_to_use(&name.project, key, &deadline).await?;
            self.allow_compute_to_use(&name.project, key, &deadline)
                .boxed()
                .await?;
        }
        let admins = self
            .grant_admins(&name.project, &spec.admin_principals, &deadline)
            .boxed()
            .await?;
        let w = what(&name.name());
        let cluster = expand_cluster(&name, spec, &admins)?;
        let created = self
            .cluster_operation(&name, "CreateCluster", &deadline, || async {
                self.clients
                    .container
                    .create_cluster()
                    .set_parent(name.parent())
                    .set_cluster(cluster.clone())
                    .send()
                    .boxed()
                    .await
                    .map_err(err(Service::Container, "CreateCluster", &w))
            })
            .await;
        match created {
            Ok(()) => {}
            Err(taken @ CloudError::AlreadyExists { .. }) => {
                let existing = self.find_cluster(&name).await?;
                if !labels::is_ours(&existing.resource_labels, &spec.name) {
                    return Err(taken.into());
                }
            }
            Err(e) => {
                // The operation may have failed after GKE made the cluster.
                let made = found(self.find_cluster(&name).await).ok().flatten();
                return Err(PartialFailure {
                    created: made.map(|c| {
                        with_spec_only(flatten_cluster(&c, &name, self.default_project()), spec)
                    }),
                    error: e,
                });
            }
        }
        let mut provisional = with_spec_only(
            flatten_cluster(&cluster, &name, self.default_project()),
            spec,
        );
        provisional.admin_principals = spec.admin_principals.clone();
        op.record(&provisional);
        match self.wait_cluster_running(&name, &deadline).await {
            Ok(c) => {
                let mut state =
                    with_spec_only(flatten_cluster(&c, &name, self.default_project()), spec);
                state.admin_principals = spec.admin_principals.clone();
                Ok(state)
            }
            Err(error) => Err(PartialFailure {
                created: Some(provisional),
                error,
            }),
        }
    }

    async fn read(&self, id: &str) -> Result<Option<ClusterState>, CloudError> {
        let name = Self::parse_cluster_id(id)?;
        match found(self.find_cluster(&name).await)? {
            Some(c) => self.read_cluster_state(&name, &c).boxed().await.map(Some),
            None => Ok(None),
        }
    }

    /// One GKE update per changed setting (GKE takes one `desired_*` field at a
    /// time), then the system pool's size and the labels.
    async fn update(
        &self,
        id: &str,
        prior: &ClusterState,
        spec: &ClusterSpec,
        op: &Op,
    ) -> Outcome<ClusterState> {
        let deadline = Deadline::new(op);
        let name = Self::parse_cluster_id(id)?;
        if let Some(v) = &spec.kubernetes_version
            && *v != prior.kubernetes_version
        {
            self.update_cluster(
                &name,
                || ClusterUpdate::new().set_desired_master_version(v),
                &deadline,
            )
            .boxed()
            .await?;
            // The system pool follows, never ahead of the control plane.
            let pool = format!("{}/nodePools/{SYSTEM_POOL}", name.name());
            let w = what(&name.name());
            self.cluster_operation(&name, "UpdateNodePool", &deadline, || async {
                self.clients
                    .container
                    .update_node_pool()
                    .set_name(&pool)
                    .set_node_version(v)
                    .send()
                    .boxed()
                    .await
                    .map_err(err(Service::Container, "UpdateNodePool", &w))
            })
            .boxed()
            .await?;
        }
        let current = self.find_cluster(&name).await?;
        let mut admins = cluster_admins::admin_labels(&current.resource_labels);
        let added = spec.admin_principals.difference(&prior.admin_principals);
        admins.extend(
            self.grant_admins(&name.project, added, &deadline)
                .boxed()
                .await?,
        );
        let removed: Vec<&String> = prior
            .admin_principals
            .difference(&spec.admin_principals)
            .collect();
        self.revoke_admins(
            &name,
            &current.resource_labels,
            removed.iter().copied(),
            &deadline,
        )
        .boxed()
        .await?;
        for member in removed {
            admins.remove(&admin_label(member));
        }
        if spec.encryption_key_id != prior.encryption_key_id {
            if let Some(key) = &spec.encryption_key_id {
                self.allow_gke_to_use(&name.project, key, &deadline).await?;
            }
            self.update_cluster(
                &name,
                || {
                    ClusterUpdate::new().set_desired_database_encryption(expand_encryption(
                        spec.encryption_key_id.as_deref(),
                    ))
                },
                &deadline,
            )
            .boxed()
            .await?;
        }
        if spec.endpoint_access != prior.endpoint_access {
            self.update_cluster(
                &name,
                || {
                    ClusterUpdate::new().set_desired_enable_private_endpoint(
                        spec.endpoint_access == EndpointAccess::Private,
                    )
                },
                &deadline,
            )
            .boxed()
            .await?;
        }
        if spec.authorized_cidrs != prior.authorized_cidrs {
            self.update_cluster(
                &name,
                || {
                    ClusterUpdate::new().set_desired_master_authorized_networks_config(
                        expand_authorized(&spec.authorized_cidrs),
                    )
                },
                &deadline,
            )
            .boxed()
            .await?;
        }
        if spec.logging != prior.logging {
            self.update_cluster(
                &name,
                || ClusterUpdate::new().set_desired_logging_config(expand_logging(spec)),
                &deadline,
            )
            .boxed()
            .await?;
        }
        if spec.system_pool.node_count != prior.system_pool.node_count {
            let pool = format!("{}/nodePools/{SYSTEM_POOL}", name.name());
            let w = what(&name.name());
            let count = spec.system_pool.node_count as i32;
            self.cluster_operation(&name, "SetNodePoolSize", &deadline, || async {
                self.clients
                    .container
                    .set_node_pool_size()
                    .set_name(&pool)
                    .set_node_count(count)
                    .send()
                    .boxed()
                    .await
                    .map_err(err(Service::Container, "SetNodePoolSize", &w))
            })
            .await?;
        }
        self.set_cluster_labels(&name, cluster_labels(spec, &admins), &deadline)
            .await?;
        let c = self.wait_cluster_running(&name, &deadline).await?;
        Ok(with_spec_only(
            self.read_cluster_state(&name, &c).boxed().await?,
            spec,
        ))
    }

    async fn delete(&self, id: &str, _spec: &ClusterSpec, op: &Op) -> Result<(), CloudError> {
        let deadline = Deadline::new(op);
        let name = Self::parse_cluster_id(id)?;
        let w = what(id);
        // What the cluster records of its admins, read before it is gone.
        let recorded = found(self.find_cluster(&name).await)?
            .map(|c| c.resource_labels.clone())
            .unwrap_or_default();
        let admins = match recorded.is_empty() {
            true => BTreeSet::new(),
            false => self.read_admins(&name.project, &recorded).boxed().await?,
        };
        gone_is_ok(
            self.cluster_operation(&name, "DeleteCluster", &deadline, || async {
                self.clients
                    .container
                    .delete_cluster()
                    .set_name(name.name())
                    .send()
                    .boxed()
                    .await
                    .map_err(err(Service::Container, "DeleteCluster", &w))
            })
            .await,
        )?;
        self.revoke_admins(&name, &recorded, &admins, &deadline)
            .boxed()
            .await
    }

    /// The clusters of the provider's project in `scope.location` (`-`: every
    /// location).
    async fn list(&self, scope: &ListScope) -> Result<Vec<ClusterState>, CloudError> {
        let project = self.project(None)?;
        let location = scope.location.clone().unwrap_or_else(|| "-".into());
        let parent = format!("projects/{project}/locations/{location}");
        let listed = self
            .clients
            .container
            .list_clusters()
            .set_parent(&parent)
            .send()
            .boxed()
            .await
            .map_err(err(Service::Container, "ListClusters", &parent))?;
        Ok(listed
            .clusters
            .iter()
            .map(|c| {
                let name = ClusterName {
                    project: project.clone(),
                    location: c.location.clone(),
                    cluster: c.name.clone(),
                };
                flatten_cluster(c, &name, self.default_project())
            })
            .collect())
    }
}

/// A node identity's service account email, from its id.
pub fn identity_email(id: &str) -> Result<String, CloudError> {
    ServiceAccountName::parse(id)
        .map(|sa| sa.email())
        .ok_or_else(|| CloudError::Invalid(format!("{id:?} is not an mlcloud_identity id on gcp")))
}

#[cfg(test)]
mod tests;
