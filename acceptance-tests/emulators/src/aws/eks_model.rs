//! The EKS state moto does not keep, with EKS's rules for it: access configuration,
//! access entries and their policies, pod identity associations, updates (with ids and
//! statuses) and the versions they set, which overlay what moto reports.
//!
//! No HTTP here: [`super::eks_http`] parses requests, asks moto for the facts moto
//! holds (does the cluster exist, its version) and renders what this returns.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::StatusCode;
use serde_json::{Value, json};

use super::errors::AwsError;
use super::ids;

/// The access policies EKS offers (`ListAccessPolicies`).
pub const ACCESS_POLICIES: [&str; 5] = [
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSClusterAdminPolicy",
    "AmazonEKSEditPolicy",
    "AmazonEKSViewPolicy",
];

const POLICY_ARN_PREFIX: &str = "arn:aws:eks::aws:cluster-access-policy/";

pub fn policy_arn(name: &str) -> String {
    format!("{POLICY_ARN_PREFIX}{name}")
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as f64 / 1000.0)
        .unwrap_or_default()
}

fn invalid_parameter(message: impl Into<String>) -> AwsError {
    AwsError::new(
        StatusCode::BAD_REQUEST,
        "InvalidParameterException",
        message,
    )
}

fn invalid_request(message: impl Into<String>) -> AwsError {
    AwsError::new(StatusCode::BAD_REQUEST, "InvalidRequestException", message)
}

fn not_found(message: impl Into<String>) -> AwsError {
    AwsError::new(StatusCode::NOT_FOUND, "ResourceNotFoundException", message)
}

fn in_use(message: impl Into<String>) -> AwsError {
    AwsError::new(StatusCode::CONFLICT, "ResourceInUseException", message)
}

/// `1.29` as (1, 29).
fn minor_version(version: &str) -> Option<(u32, u32)> {
    let (major, minor) = version.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// What moto says of a cluster, with the region and account its ARN names.
#[derive(Debug, Clone)]
pub struct ClusterFacts {
    pub name: String,
    pub arn: String,
    /// The version moto reports (before the overlay).
    pub version: String,
}

impl ClusterFacts {
    fn arn_part(&self, index: usize) -> &str {
        self.arn.split(':').nth(index).unwrap_or_default()
    }
    fn region(&self) -> &str {
        self.arn_part(3)
    }
    fn account(&self) -> &str {
        self.arn_part(4)
    }
}

#[derive(Debug, Clone)]
struct AccessConfig {
    authentication_mode: String,
    bootstrap_creator_admin: bool,
}

#[derive(Debug, Clone)]
struct AssociatedPolicy {
    scope: Value,
    associated_at: f64,
    modified_at: f64,
}

#[derive(Debug, Clone)]
struct AccessEntry {
    arn: String,
    kind: String,
    username: String,
    groups: Vec<String>,
    tags: Value,
    created_at: f64,
    modified_at: f64,
    policies: BTreeMap<String, AssociatedPolicy>,
}

#[derive(Debug, Clone)]
struct PodIdentity {
    arn: String,
    namespace: String,
    service_account: String,
    role_arn: String,
    tags: Value,
    created_at: f64,
}

/// What the emulator keeps per cluster beside moto.
#[derive(Debug, Clone)]
struct ClusterRecord {
    arn: String,
    access: AccessConfig,
    /// Node group versions set at create (moto defaults them to 1.19, not the
    /// cluster's) or by an update.
    nodegroup_versions: BTreeMap<String, String>,
    access_entries: BTreeMap<String, AccessEntry>,
    pod_identities: BTreeMap<String, PodIdentity>,
}

#[derive(Debug, Clone)]
struct UpdateRecord {
    cluster: String,
    nodegroup: Option<String>,
    kind: String,
    params: Vec<(String, String)>,
    created_at: f64,
    started: Instant,
    /// The version it sets once it succeeds.
    version: Option<String>,
}

#[derive(Default)]
struct State {
    clusters: BTreeMap<String, ClusterRecord>,
    /// By update id, in no order; listed by creation time.
    updates: BTreeMap<String, UpdateRecord>,
    /// A node group's tags once TagResource or UntagResource changed them (moto tags
    /// clusters only), by cluster and node group; before that, moto's.
    nodegroup_tags: BTreeMap<(String, String), serde_json::Map<String, Value>>,
}

/// The model; every method takes the facts moto holds as arguments.
pub struct EksModel {
    state: Mutex<State>,
    /// How long an update stays InProgress (`--operation-delay-ms`).
    delay: Duration,
}

impl UpdateRecord {
    fn done(&self, delay: Duration) -> bool {
        self.started.elapsed() >= delay
    }

    fn render(&self, id: &str, delay: Duration) -> Value {
        let status = if self.done(delay) {
            "Successful"
        } else {
            "InProgress"
        };
        json!({
            "id": id,
            "status": status,
            "type": self.kind,
            "params": self
                .params
                .iter()
                .map(|(kind, value)| json!({"type": kind, "value": value}))
                .collect::<Vec<_>>(),
            "createdAt": self.created_at,
            "errors": [],
        })
    }
}

impl AccessEntry {
    fn render(&self, cluster: &str, principal: &str) -> Value {
        json!({
            "clusterName": cluster,
            "principalArn": principal,
            "kubernetesGroups": self.groups,
            "accessEntryArn": self.arn,
            "createdAt": self.created_at,
            "modifiedAt": self.modified_at,
            "tags": self.tags,
            "username": self.username,
            "type": self.kind,
        })
    }
}

fn render_policy(arn: &str, policy: &AssociatedPolicy) -> Value {
    json!({
        "policyArn": arn,
        "accessScope": policy.scope,
        "associatedAt": policy.associated_at,
        "modifiedAt": policy.modified_at,
    })
}

impl PodIdentity {
    fn render(&self, cluster: &str, id: &str) -> Value {
        json!({
            "clusterName": cluster,
            "namespace": self.namespace,
            "serviceAccount": self.service_account,
            "roleArn": self.role_arn,
            "associationArn": self.arn,
            "associationId": id,
            "tags": self.tags,
            "createdAt": self.created_at,
            "modifiedAt": self.created_at,
        })
    }

    fn summary(&self, cluster: &str, id: &str) -> Value {
        json!({
            "clusterName": cluster,
            "namespace": self.namespace,
            "serviceAccount": self.service_account,
            "associationArn": self.arn,
            "associationId": id,
        })
    }
}

/// The IAM principal kinds an access entry takes, and the Kubernetes user name EKS
/// gives each by default.
fn default_username(principal: &str) -> Result<String, AwsError> {
    let invalid = || {
        invalid_parameter(format!(
            "The specified principalArn is invalid: {principal}"
        ))
    };
    let rest = principal
        .strip_prefix("arn:aws:iam::")
        .ok_or_else(invalid)?;
    let (account, resource) = rest.split_once(':').ok_or_else(invalid)?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    if let Some(role) = resource.strip_prefix("role/") {
        let role = role.rsplit('/').next().unwrap_or(role);
        Ok(format!(
            "arn:aws:sts::{account}:assumed-role/{role}/{{{{SessionName}}}}"
        ))
    } else if resource.starts_with("user/") {
        Ok(principal.to_string())
    } else {
        Err(invalid())
    }
}

impl EksModel {
    pub fn new(delay: Duration) -> Self {
        Self {
            state: Mutex::new(State::default()),
            delay,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("eks model")
    }

    pub fn reset(&self) {
        *self.state() = State::default();
    }

    // ----- clusters -------------------------------------------------------------------

    /// A cluster moto created: keeps its `accessConfig` (EKS's defaults when absent:
    /// CONFIG_MAP, the creator bootstrapped as admin), and with API authentication
    /// gives the creator (`creator`, the caller's ARN) an access entry with the
    /// cluster-admin policy, as EKS does.
    pub fn cluster_created(
        &self,
        cluster: &ClusterFacts,
        access_config: &Value,
        creator: Option<&str>,
    ) {
        let access = AccessConfig {
            authentication_mode: access_config["authenticationMode"]
                .as_str()
                .unwrap_or("CONFIG_MAP")
                .to_string(),
            bootstrap_creator_admin: access_config["bootstrapClusterCreatorAdminPermissions"]
                .as_bool()
                .unwrap_or(true),
        };
        let mut record = ClusterRecord {
            arn: cluster.arn.clone(),
            access: access.clone(),
            nodegroup_versions: BTreeMap::new(),
            access_entries: BTreeMap::new(),
            pod_identities: BTreeMap::new(),
        };
        if let Some(creator) = creator.filter(|_| {
            access.bootstrap_creator_admin && access.authentication_mode != "CONFIG_MAP"
        }) && let Ok(username) = default_username(creator)
        {
            let at = now();
            let mut entry = AccessEntry {
                arn: access_entry_arn(cluster, creator),
                kind: "STANDARD".into(),
                username,
                groups: Vec::new(),
                tags: json!({}),
                created_at: at,
                modified_at: at,
                policies: BTreeMap::new(),
            };
            entry.policies.insert(
                policy_arn("AmazonEKSClusterAdminPolicy"),
                AssociatedPolicy {
                    scope: json!({"type": "cluster", "namespaces": []}),
                    associated_at: at,
                    modified_at: at,
                },
            );
            record.access_entries.insert(creator.to_string(), entry);
        }
        self.state().clusters.insert(cluster.name.clone(), record);
    }

    /// A cluster moto deleted: its entries, associations, updates and overlay go.
    pub fn cluster_deleted(&self, cluster: &str) {
        let mut state = self.state();
        state.clusters.remove(cluster);
        state.updates.retain(|_, update| update.cluster != cluster);
        state.nodegroup_tags.retain(|(c, _), _| c != cluster);
    }

    /// A node group moto deleted.
    pub fn nodegroup_deleted(&self, cluster: &str, nodegroup: &str) {
        let mut state = self.state();
        if let Some(record) = state.clusters.get_mut(cluster) {
            record.nodegroup_versions.remove(nodegroup);
        }
        state.updates.retain(|_, update| {
            !(update.cluster == cluster && update.nodegroup.as_deref() == Some(nodegroup))
        });
        state
            .nodegroup_tags
            .remove(&(cluster.to_string(), nodegroup.to_string()));
    }

    /// TagResource (`set`) or UntagResource (`remove`) of a node group whose tags are
    /// `current` (its DescribeNodegroup `tags`); the tags afterwards. EKS refuses the
    /// `aws:` prefix, reserved for AWS's own tags.
    pub fn change_nodegroup_tags(
        &self,
        cluster: &str,
        nodegroup: &str,
        current: &Value,
        set: &serde_json::Map<String, Value>,
        remove: &[String],
    ) -> Result<(), AwsError> {
        if let Some(key) = set
            .keys()
            .chain(remove.iter())
            .find(|key| key.to_ascii_lowercase().starts_with("aws:"))
        {
            return Err(invalid_parameter(format!(
                "Tag keys starting with 'aws:' are reserved for AWS use: {key}"
            )));
        }
        let mut tags = current.as_object().cloned().unwrap_or_default();
        tags.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
        tags.retain(|key, _| !remove.contains(key));
        self.state()
            .nodegroup_tags
            .insert((cluster.to_string(), nodegroup.to_string()), tags);
        Ok(())
    }

    /// The version of the cluster: the last successful version update's, else moto's.
    pub fn cluster_version(&self, cluster: &ClusterFacts) -> String {
        self.latest_version(&cluster.name, None)
            .unwrap_or_else(|| cluster.version.clone())
    }

    fn latest_version(&self, cluster: &str, nodegroup: Option<&str>) -> Option<String> {
        let state = self.state();
        let mut done: Vec<&UpdateRecord> = state
            .updates
            .values()
            .filter(|update| {
                update.cluster == cluster
                    && update.nodegroup.as_deref() == nodegroup
                    && update.version.is_some()
                    && update.done(self.delay)
            })
            .collect();
        done.sort_by_key(|update| update.started);
        done.last().and_then(|update| update.version.clone())
    }

    /// Whether an update of the cluster (or of `nodegroup`) is still running.
    pub fn updating(&self, cluster: &str, nodegroup: Option<&str>) -> bool {
        self.state().updates.values().any(|update| {
            update.cluster == cluster
                && update.nodegroup.as_deref() == nodegroup
                && !update.done(self.delay)
        })
    }

    /// Applies the overlay to moto's `cluster` object (DescribeCluster, CreateCluster):
    /// the version updates set, UPDATING while one runs, the access configuration.
    pub fn overlay_cluster(&self, cluster: &mut Value) {
        let Some(name) = cluster["name"].as_str().map(str::to_string) else {
            return;
        };
        if let Some(version) = self.latest_version(&name, None) {
            cluster["version"] = json!(version);
        }
        if self.updating(&name, None) && cluster["status"] == "ACTIVE" {
            cluster["status"] = json!("UPDATING");
        }
        let access = self
            .state()
            .clusters
            .get(&name)
            .map(|record| record.access.clone());
        let access = access.unwrap_or(AccessConfig {
            authentication_mode: "CONFIG_MAP".into(),
            bootstrap_creator_admin: true,
        });
        cluster["accessConfig"] = json!({
            "authenticationMode": access.authentication_mode,
            "bootstrapClusterCreatorAdminPermissions": access.bootstrap_creator_admin,
        });
    }

    /// EKS refuses a second update while one runs.
    pub fn check_not_updating(
        &self,
        cluster: &str,
        nodegroup: Option<&str>,
    ) -> Result<(), AwsError> {
        if self.updating(cluster, nodegroup) {
            let what = match nodegroup {
                Some(nodegroup) => format!("Nodegroup {nodegroup}"),
                None => format!("Cluster {cluster}"),
            };
            return Err(in_use(format!("{what} has an update in progress")));
        }
        Ok(())
    }

    /// A node group moto created: without a requested version it runs the cluster's,
    /// as on EKS.
    pub fn nodegroup_created(&self, cluster: &str, nodegroup: &str, version: &str) {
        if let Some(record) = self.state().clusters.get_mut(cluster) {
            record
                .nodegroup_versions
                .insert(nodegroup.to_string(), version.to_string());
        }
    }

    /// Refuses a node group newer than its cluster (CreateNodegroup).
    pub fn check_nodegroup_version(requested: &str, cluster_version: &str) -> Result<(), AwsError> {
        match (minor_version(requested), minor_version(cluster_version)) {
            (Some(wanted), Some(cluster)) if wanted > cluster => Err(invalid_parameter(format!(
                "Requested Nodegroup version {requested} is newer than the cluster's version \
                 {cluster_version}; a node group may not be newer than its cluster"
            ))),
            (None, _) => Err(invalid_parameter(format!(
                "Requested Nodegroup version {requested} is invalid"
            ))),
            _ => Ok(()),
        }
    }

    /// Applies the overlay to moto's `nodegroup` object.
    pub fn overlay_nodegroup(&self, cluster: &str, nodegroup: &mut Value) {
        let Some(name) = nodegroup["nodegroupName"].as_str().map(str::to_string) else {
            return;
        };
        let version = self.latest_version(cluster, Some(&name)).or_else(|| {
            self.state()
                .clusters
                .get(cluster)
                .and_then(|record| record.nodegroup_versions.get(&name).cloned())
        });
        if let Some(version) = version {
            nodegroup["version"] = json!(version);
        }
        if self.updating(cluster, Some(&name)) && nodegroup["status"] == "ACTIVE" {
            nodegroup["status"] = json!("UPDATING");
        }
        let key = (cluster.to_string(), name);
        if let Some(tags) = self.state().nodegroup_tags.get(&key) {
            nodegroup["tags"] = Value::Object(tags.clone());
        }
    }

    // ----- updates --------------------------------------------------------------------

    fn start_update(
        &self,
        cluster: &str,
        nodegroup: Option<&str>,
        kind: &str,
        params: Vec<(String, String)>,
        version: Option<String>,
        id: Option<String>,
    ) -> Value {
        let id = id.unwrap_or_else(ids::uuid);
        let record = UpdateRecord {
            cluster: cluster.to_string(),
            nodegroup: nodegroup.map(str::to_string),
            kind: kind.to_string(),
            params,
            created_at: now(),
            started: Instant::now(),
            version,
        };
        // Always InProgress when started, as EKS answers; DescribeUpdate tells the rest.
        let mut rendered = record.render(&id, Duration::MAX);
        rendered["status"] = json!("InProgress");
        self.state().updates.insert(id, record);
        rendered
    }

    /// UpdateClusterVersion: one minor version up, no update running, every managed
    /// node group (`nodegroups`: name and version) at the cluster's version.
    pub fn update_cluster_version(
        &self,
        cluster: &ClusterFacts,
        requested: &str,
        nodegroups: &[(String, String)],
    ) -> Result<Value, AwsError> {
        let current = self.cluster_version(cluster);
        if self.updating(&cluster.name, None) {
            return Err(in_use(format!(
                "Cluster {} has an update in progress",
                cluster.name
            )));
        }
        let next = minor_version(&current).map(|(major, minor)| (major, minor + 1));
        if minor_version(requested).is_none() || minor_version(requested) != next {
            return Err(invalid_parameter(format!(
                "Unsupported Kubernetes minor version update from {current} to {requested}"
            )));
        }
        let behind: Vec<&str> = nodegroups
            .iter()
            .filter(|(_, version)| minor_version(version) != minor_version(&current))
            .map(|(name, _)| name.as_str())
            .collect();
        if !behind.is_empty() {
            return Err(invalid_request(format!(
                "Nodegroups [{}] must be updated to match cluster version {current} before \
                 updating cluster version",
                behind.join(", ")
            )));
        }
        Ok(self.start_update(
            &cluster.name,
            None,
            "VersionUpdate",
            vec![
                ("Version".into(), requested.to_string()),
                ("PlatformVersion".into(), "eks.1".into()),
            ],
            Some(requested.to_string()),
            None,
        ))
    }

    /// UpdateNodegroupVersion: to the cluster's version by default, never newer.
    pub fn update_nodegroup_version(
        &self,
        cluster: &ClusterFacts,
        nodegroup: &str,
        requested: Option<&str>,
        release_version: Option<&str>,
    ) -> Result<Value, AwsError> {
        let cluster_version = self.cluster_version(cluster);
        let version = requested.unwrap_or(&cluster_version).to_string();
        Self::check_nodegroup_version(&version, &cluster_version)?;
        if self.updating(&cluster.name, Some(nodegroup)) {
            return Err(in_use(format!(
                "Nodegroup {nodegroup} has an update in progress"
            )));
        }
        let release = release_version
            .map(str::to_string)
            .unwrap_or_else(|| format!("{version}.0-20260101"));
        Ok(self.start_update(
            &cluster.name,
            Some(nodegroup),
            "VersionUpdate",
            vec![
                ("Version".into(), version.clone()),
                ("ReleaseVersion".into(), release),
            ],
            Some(version),
            None,
        ))
    }

    /// An update moto started (UpdateNodegroupConfig) or that the part made of moto's
    /// answer (UpdateClusterConfig): remembered under its id, InProgress until the
    /// operation delay has passed.
    pub fn config_update(
        &self,
        cluster: &str,
        nodegroup: Option<&str>,
        kind: &str,
        params: Vec<(String, String)>,
        id: Option<String>,
    ) -> Value {
        self.start_update(cluster, nodegroup, kind, params, None, id)
    }

    /// UpdateClusterConfig with `accessConfig`: the authentication mode moves only
    /// towards API (CONFIG_MAP → API_AND_CONFIG_MAP → API), as on EKS.
    pub fn update_access_config(
        &self,
        cluster: &ClusterFacts,
        access_config: &Value,
    ) -> Result<Value, AwsError> {
        let Some(mode) = access_config["authenticationMode"].as_str() else {
            return Err(invalid_parameter(
                "accessConfig needs an authenticationMode",
            ));
        };
        let rank = |mode: &str| match mode {
            "CONFIG_MAP" => Some(0),
            "API_AND_CONFIG_MAP" => Some(1),
            "API" => Some(2),
            _ => None,
        };
        {
            let mut state = self.state();
            let record = state
                .clusters
                .entry(cluster.name.clone())
                .or_insert_with(|| ClusterRecord {
                    arn: cluster.arn.clone(),
                    access: AccessConfig {
                        authentication_mode: "CONFIG_MAP".into(),
                        bootstrap_creator_admin: true,
                    },
                    nodegroup_versions: BTreeMap::new(),
                    access_entries: BTreeMap::new(),
                    pod_identities: BTreeMap::new(),
                });
            let current = record.access.authentication_mode.clone();
            match (rank(&current), rank(mode)) {
                (Some(from), Some(to)) if to > from => {
                    record.access.authentication_mode = mode.to_string();
                }
                _ => {
                    return Err(invalid_parameter(format!(
                        "Unsupported authentication mode update from {current} to {mode}"
                    )));
                }
            }
        }
        Ok(self.start_update(
            &cluster.name,
            None,
            "AccessConfigUpdate",
            vec![("AuthenticationMode".into(), mode.to_string())],
            None,
            None,
        ))
    }

    /// DescribeUpdate: the update of the cluster, or of `nodegroup` when named.
    pub fn describe_update(
        &self,
        cluster: &str,
        nodegroup: Option<&str>,
        id: &str,
    ) -> Result<Value, AwsError> {
        let state = self.state();
        state
            .updates
            .get(id)
            .filter(|update| update.cluster == cluster && update.nodegroup.as_deref() == nodegroup)
            .map(|update| json!({ "update": update.render(id, self.delay) }))
            .ok_or_else(|| not_found(format!("No update found for ID: {id}")))
    }

    /// ListUpdates: the ids of the cluster's (or node group's) updates, oldest first.
    pub fn list_updates(&self, cluster: &str, nodegroup: Option<&str>) -> Value {
        let state = self.state();
        let mut updates: Vec<(&String, &UpdateRecord)> = state
            .updates
            .iter()
            .filter(|(_, update)| {
                update.cluster == cluster && update.nodegroup.as_deref() == nodegroup
            })
            .collect();
        updates.sort_by_key(|(_, update)| update.started);
        json!({ "updateIds": updates.iter().map(|(id, _)| id).collect::<Vec<_>>() })
    }

    // ----- access entries -------------------------------------------------------------

    fn with_api_cluster<T>(
        &self,
        cluster: &ClusterFacts,
        then: impl FnOnce(&mut ClusterRecord) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        let mut state = self.state();
        let record = state
            .clusters
            .get_mut(&cluster.name)
            .filter(|record| record.access.authentication_mode != "CONFIG_MAP")
            .ok_or_else(|| {
                invalid_request(
                    "The cluster's authentication mode must be set to one of \
                     [API, API_AND_CONFIG_MAP] to perform this operation.",
                )
            })?;
        then(record)
    }

    pub fn create_access_entry(
        &self,
        cluster: &ClusterFacts,
        body: &Value,
    ) -> Result<Value, AwsError> {
        let principal = body["principalArn"]
            .as_str()
            .ok_or_else(|| invalid_parameter("principalArn is required"))?
            .to_string();
        let username = match body["username"].as_str() {
            Some(name) => name.to_string(),
            None => default_username(&principal)?,
        };
        default_username(&principal)?;
        let kind = body["type"].as_str().unwrap_or("STANDARD").to_string();
        if !["STANDARD", "FARGATE_LINUX", "EC2_LINUX", "EC2_WINDOWS"].contains(&kind.as_str()) {
            return Err(invalid_parameter(format!(
                "The type {kind} is not supported"
            )));
        }
        let groups = string_list(&body["kubernetesGroups"]);
        check_groups(&kind, &groups)?;
        let arn = access_entry_arn(cluster, &principal);
        self.with_api_cluster(cluster, |record| {
            if record.access_entries.contains_key(&principal) {
                return Err(in_use(
                    "The specified access entry resource is already in use on this cluster.",
                ));
            }
            let at = now();
            let entry = AccessEntry {
                arn,
                kind,
                username,
                groups,
                tags: body.get("tags").cloned().unwrap_or(json!({})),
                created_at: at,
                modified_at: at,
                policies: BTreeMap::new(),
            };
            let rendered = entry.render(&cluster.name, &principal);
            record.access_entries.insert(principal, entry);
            Ok(json!({ "accessEntry": rendered }))
        })
    }

    fn with_entry<T>(
        &self,
        cluster: &ClusterFacts,
        principal: &str,
        then: impl FnOnce(&mut AccessEntry, &mut BTreeMap<String, AccessEntry>) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        self.with_api_cluster(cluster, |record| {
            let mut entry = record
                .access_entries
                .get(principal)
                .cloned()
                .ok_or_else(|| {
                    not_found(format!(
                        "The specified principalArn {principal} could not be found. You can view \
                         your available access entries with 'list-access-entries'."
                    ))
                })?;
            let result = then(&mut entry, &mut record.access_entries)?;
            if record.access_entries.contains_key(principal) {
                record.access_entries.insert(principal.to_string(), entry);
            }
            Ok(result)
        })
    }

    pub fn describe_access_entry(
        &self,
        cluster: &ClusterFacts,
        principal: &str,
    ) -> Result<Value, AwsError> {
        self.with_entry(cluster, principal, |entry, _| {
            Ok(json!({ "accessEntry": entry.render(&cluster.name, principal) }))
        })
    }

    pub fn update_access_entry(
        &self,
        cluster: &ClusterFacts,
        principal: &str,
        body: &Value,
    ) -> Result<Value, AwsError> {
        self.with_entry(cluster, principal, |entry, _| {
            if body.get("kubernetesGroups").is_some() {
                let groups = string_list(&body["kubernetesGroups"]);
                check_groups(&entry.kind, &groups)?;
                entry.groups = groups;
            }
            if let Some(username) = body["username"].as_str() {
                entry.username = username.to_string();
            }
            entry.modified_at = now();
            Ok(json!({ "accessEntry": entry.render(&cluster.name, principal) }))
        })
    }

    pub fn delete_access_entry(
        &self,
        cluster: &ClusterFacts,
        principal: &str,
    ) -> Result<Value, AwsError> {
        self.with_entry(cluster, principal, |_, entries| {
            entries.remove(principal);
            Ok(json!({}))
        })
    }

    /// ListAccessEntries: principal ARNs, those with `policy` associated when given.
    pub fn list_access_entries(
        &self,
        cluster: &ClusterFacts,
        policy: Option<&str>,
    ) -> Result<Value, AwsError> {
        self.with_api_cluster(cluster, |record| {
            let principals: Vec<&String> = record
                .access_entries
                .iter()
                .filter(|(_, entry)| {
                    policy.is_none_or(|policy| entry.policies.contains_key(policy))
                })
                .map(|(principal, _)| principal)
                .collect();
            Ok(json!({ "accessEntries": principals }))
        })
    }

    pub fn associate_access_policy(
        &self,
        cluster: &ClusterFacts,
        principal: &str,
        body: &Value,
    ) -> Result<Value, AwsError> {
        let policy = body["policyArn"]
            .as_str()
            .ok_or_else(|| invalid_parameter("policyArn is required"))?
            .to_string();
        let known = policy
            .strip_prefix(POLICY_ARN_PREFIX)
            .is_some_and(|name| ACCESS_POLICIES.contains(&name));
        if !known {
            return Err(not_found(format!(
                "The specified policyArn {policy} could not be found."
            )));
        }
        let scope_type = body["accessScope"]["type"].as_str().unwrap_or_default();
        let namespaces = string_list(&body["accessScope"]["namespaces"]);
        match scope_type {
            "cluster" if namespaces.is_empty() => {}
            "cluster" => {
                return Err(invalid_parameter(
                    "namespaces may not be given with an accessScope of type cluster",
                ));
            }
            "namespace" if !namespaces.is_empty() => {}
            "namespace" => {
                return Err(invalid_parameter(
                    "an accessScope of type namespace needs at least one namespace",
                ));
            }
            _ => {
                return Err(invalid_parameter(
                    "accessScope.type must be one of [cluster, namespace]",
                ));
            }
        }
        self.with_entry(cluster, principal, |entry, _| {
            if entry.kind != "STANDARD" {
                return Err(invalid_request(format!(
                    "Access policies can only be associated with access entries of type \
                     STANDARD, not {}",
                    entry.kind
                )));
            }
            let at = now();
            let associated_at = entry
                .policies
                .get(&policy)
                .map(|existing| existing.associated_at)
                .unwrap_or(at);
            let associated = AssociatedPolicy {
                scope: json!({"type": scope_type, "namespaces": namespaces}),
                associated_at,
                modified_at: at,
            };
            let rendered = render_policy(&policy, &associated);
            entry.policies.insert(policy.clone(), associated);
            Ok(json!({
                "clusterName": cluster.name,
                "principalArn": principal,
                "associatedAccessPolicy": rendered,
            }))
        })
    }

    pub fn disassociate_access_policy(
        &self,
        cluster: &ClusterFacts,
        principal: &str,
        policy: &str,
    ) -> Result<Value, AwsError> {
        self.with_entry(cluster, principal, |entry, _| {
            entry
                .policies
                .remove(policy)
                .map(|_| json!({}))
                .ok_or_else(|| {
                    not_found(format!(
                        "The specified policyArn {policy} is not associated with {principal}."
                    ))
                })
        })
    }

    pub fn list_associated_access_policies(
        &self,
        cluster: &ClusterFacts,
        principal: &str,
    ) -> Result<Value, AwsError> {
        self.with_entry(cluster, principal, |entry, _| {
            Ok(json!({
                "clusterName": cluster.name,
                "principalArn": principal,
                "associatedAccessPolicies": entry
                    .policies
                    .iter()
                    .map(|(arn, policy)| render_policy(arn, policy))
                    .collect::<Vec<_>>(),
            }))
        })
    }

    pub fn list_access_policies() -> Value {
        json!({
            "accessPolicies": ACCESS_POLICIES
                .iter()
                .map(|name| json!({"name": name, "arn": policy_arn(name)}))
                .collect::<Vec<_>>(),
        })
    }

    // ----- pod identity associations --------------------------------------------------

    fn with_record<T>(
        &self,
        cluster: &ClusterFacts,
        then: impl FnOnce(&mut ClusterRecord) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        let mut state = self.state();
        let record = state
            .clusters
            .entry(cluster.name.clone())
            .or_insert_with(|| ClusterRecord {
                arn: cluster.arn.clone(),
                access: AccessConfig {
                    authentication_mode: "CONFIG_MAP".into(),
                    bootstrap_creator_admin: true,
                },
                nodegroup_versions: BTreeMap::new(),
                access_entries: BTreeMap::new(),
                pod_identities: BTreeMap::new(),
            });
        then(record)
    }

    pub fn create_pod_identity(
        &self,
        cluster: &ClusterFacts,
        body: &Value,
    ) -> Result<Value, AwsError> {
        let field = |name: &str| {
            body[name]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| invalid_parameter(format!("{name} is required")))
        };
        let (namespace, service_account, role_arn) = (
            field("namespace")?,
            field("serviceAccount")?,
            field("roleArn")?,
        );
        if !role_arn.starts_with("arn:aws:iam::") || !role_arn.contains(":role/") {
            return Err(invalid_parameter(format!(
                "The roleArn {role_arn} is not a valid role ARN"
            )));
        }
        self.with_record(cluster, |record| {
            if let Some((id, _)) = record.pod_identities.iter().find(|(_, association)| {
                association.namespace == namespace && association.service_account == service_account
            }) {
                return Err(in_use(format!("Association already exists: {id}")));
            }
            let id = format!("a-{}", ids::alphanumeric(17));
            let association = PodIdentity {
                arn: format!(
                    "arn:aws:eks:{}:{}:podidentityassociation/{}/{id}",
                    cluster.region(),
                    cluster.account(),
                    cluster.name
                ),
                namespace,
                service_account,
                role_arn,
                tags: body.get("tags").cloned().unwrap_or(json!({})),
                created_at: now(),
            };
            let rendered = association.render(&cluster.name, &id);
            record.pod_identities.insert(id, association);
            Ok(json!({ "association": rendered }))
        })
    }

    fn association_missing(id: &str) -> AwsError {
        not_found(format!("Association {id} not found"))
    }

    pub fn describe_pod_identity(
        &self,
        cluster: &ClusterFacts,
        id: &str,
    ) -> Result<Value, AwsError> {
        self.with_record(cluster, |record| {
            record
                .pod_identities
                .get(id)
                .map(|association| json!({ "association": association.render(&cluster.name, id) }))
                .ok_or_else(|| Self::association_missing(id))
        })
    }

    pub fn delete_pod_identity(&self, cluster: &ClusterFacts, id: &str) -> Result<Value, AwsError> {
        self.with_record(cluster, |record| {
            record
                .pod_identities
                .remove(id)
                .map(|association| json!({ "association": association.render(&cluster.name, id) }))
                .ok_or_else(|| Self::association_missing(id))
        })
    }

    pub fn list_pod_identities(
        &self,
        cluster: &ClusterFacts,
        namespace: Option<&str>,
        service_account: Option<&str>,
    ) -> Result<Value, AwsError> {
        self.with_record(cluster, |record| {
            let associations: Vec<Value> = record
                .pod_identities
                .iter()
                .filter(|(_, a)| namespace.is_none_or(|n| a.namespace == n))
                .filter(|(_, a)| service_account.is_none_or(|s| a.service_account == s))
                .map(|(id, a)| a.summary(&cluster.name, id))
                .collect();
            Ok(json!({ "associations": associations }))
        })
    }

    // ----- records --------------------------------------------------------------------

    /// Everything the model holds, for tests (`GET /records` on the admin route).
    pub fn records(&self) -> Value {
        let state = self.state();
        let clusters: serde_json::Map<String, Value> = state
            .clusters
            .iter()
            .map(|(name, record)| {
                let entries: Vec<Value> = record
                    .access_entries
                    .iter()
                    .map(|(principal, entry)| {
                        let mut rendered = entry.render(name, principal);
                        rendered["associatedAccessPolicies"] = json!(entry
                            .policies
                            .iter()
                            .map(|(arn, policy)| render_policy(arn, policy))
                            .collect::<Vec<_>>());
                        rendered
                    })
                    .collect();
                let associations: Vec<Value> = record
                    .pod_identities
                    .iter()
                    .map(|(id, a)| a.render(name, id))
                    .collect();
                (
                    name.clone(),
                    json!({
                        "arn": record.arn,
                        "accessConfig": {
                            "authenticationMode": record.access.authentication_mode,
                            "bootstrapClusterCreatorAdminPermissions": record.access.bootstrap_creator_admin,
                        },
                        "nodegroupVersions": record.nodegroup_versions,
                        "accessEntries": entries,
                        "podIdentityAssociations": associations,
                    }),
                )
            })
            .collect();
        let mut updates: Vec<(&String, &UpdateRecord)> = state.updates.iter().collect();
        updates.sort_by_key(|(_, update)| update.started);
        let updates: Vec<Value> = updates
            .into_iter()
            .map(|(id, update)| {
                let mut rendered = update.render(id, self.delay);
                rendered["clusterName"] = json!(update.cluster);
                rendered["nodegroupName"] = json!(update.nodegroup);
                rendered
            })
            .collect();
        json!({ "clusters": clusters, "updates": updates })
    }
}

fn access_entry_arn(cluster: &ClusterFacts, principal: &str) -> String {
    // arn:aws:iam::ACCOUNT:role/NAME → role/ACCOUNT/NAME
    let resource = principal.splitn(6, ':').nth(5).unwrap_or_default();
    let account = principal.split(':').nth(4).unwrap_or_default();
    let (kind, name) = resource.split_once('/').unwrap_or(("role", resource));
    let name = name.rsplit('/').next().unwrap_or(name);
    format!(
        "arn:aws:eks:{}:{}:access-entry/{}/{kind}/{account}/{name}/{}",
        cluster.region(),
        cluster.account(),
        cluster.name,
        ids::uuid()
    )
}

fn string_list(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// EKS's rules for `kubernetesGroups`: none for the node types, never `system:`.
fn check_groups(kind: &str, groups: &[String]) -> Result<(), AwsError> {
    if kind != "STANDARD" && !groups.is_empty() {
        return Err(invalid_parameter(format!(
            "kubernetesGroups may not be set for an access entry of type {kind}"
        )));
    }
    if let Some(group) = groups.iter().find(|group| group.starts_with("system:")) {
        return Err(invalid_parameter(format!(
            "The kubernetes group name {group} is invalid, it cannot start with system:"
        )));
    }
    Ok(())
}

#[cfg(test)]
#[path = "eks_model_tests.rs"]
mod tests;
