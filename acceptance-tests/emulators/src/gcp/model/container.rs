//! container v1 (GKE): clusters and node pools, changed only through operations.
//!
//! A change is applied to the spec when asked and its operation starts PENDING; it
//! reads RUNNING until the operation delay has passed, then DONE, at which point the
//! cluster or pool becomes RUNNING (or is removed, for a delete). Only one operation
//! runs per cluster at a time, node pool ones included: a second is refused with
//! FAILED_PRECONDITION, as GKE does. A planned failure ([`PlannedFailure`]) makes an
//! operation end DONE with an `error`, a created cluster or pool in status ERROR.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::Project;
use super::instance_groups;
use super::machines;
use crate::gcp::auth::random_hex;
use crate::gcp::clock;
use crate::gcp::errors::{ApiError, ApiResult, rpc_code};

use super::versions;
pub use super::versions::DEFAULT_VERSION;
const API: &str = "https://container.googleapis.com/v1";

/// What the next matching operation does instead of succeeding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFailure {
    /// `CREATE_NODE_POOL`, ...; any operation when none.
    pub operation_type: Option<String>,
    /// The google.rpc code name of the operation's `error`.
    pub status: String,
    pub message: String,
}

/// What finishing an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Completion {
    Created,
    Deleted,
    Updated,
}

#[derive(Debug, Clone)]
struct Operation {
    id: String,
    location: String,
    project_number: String,
    operation_type: &'static str,
    cluster: String,
    pool: Option<String>,
    completion: Completion,
    started: Instant,
    delay: Duration,
    start_time: String,
    end_time: Option<String>,
    failure: Option<PlannedFailure>,
    done: bool,
    /// Whether it was shown once (the first answer says PENDING).
    shown: bool,
}

#[derive(Debug, Clone)]
struct Pool {
    value: Value,
    /// Nodes it has now (`setSize` changes this, not `initialNodeCount`, as on GKE).
    size: i64,
}

#[derive(Debug, Clone)]
struct Cluster {
    value: Value,
    pools: Vec<Pool>,
}

/// What the operations need from the rest of the emulator.
pub struct Context<'a> {
    pub project: &'a Project,
    pub delay: Duration,
    /// The CA certificate clusters present (PEM).
    pub ca_pem: &'a str,
    /// `127.0.0.1:PORT` of the Kubernetes API server the `kubernetes` part serves
    /// for the cluster being created, when it serves one.
    pub api_endpoint: Option<String>,
}

#[derive(Debug, Default)]
pub struct Container {
    clusters: BTreeMap<String, Cluster>,
    operations: Vec<Operation>,
    failures: Vec<PlannedFailure>,
}

/// Cluster and node pool names: `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 40 characters.
fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=40).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1] != b'-'
        && bytes
            .iter()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || *byte == b'-')
}

fn new_etag() -> String {
    random_hex(16)
}

/// `projects/p/locations/l/clusters/c[/nodePools/n]` → (location, cluster name, pool).
fn split_name(name: &str) -> (String, String, Option<String>) {
    let parts: Vec<&str> = name.split('/').collect();
    let location = parts.get(3).copied().unwrap_or_default().to_string();
    let cluster = parts.iter().take(6).copied().collect::<Vec<_>>().join("/");
    let pool = parts.get(7).map(|pool| pool.to_string());
    (location, cluster, pool)
}

impl Container {
    pub fn fail_next(&mut self, failure: PlannedFailure) {
        self.failures.push(failure);
    }

    /// Finishes every operation whose time has come.
    pub fn settle(&mut self) {
        let now = Instant::now();
        for index in 0..self.operations.len() {
            let operation = &self.operations[index];
            if !operation.done && now.duration_since(operation.started) >= operation.delay {
                let operation = operation.clone();
                self.finish(&operation);
                let stored = &mut self.operations[index];
                stored.done = true;
                stored.end_time = Some(clock::now_rfc3339());
            }
        }
    }

    fn finish(&mut self, operation: &Operation) {
        let failed = operation.failure.is_some();
        let Some(cluster) = self.clusters.get_mut(&operation.cluster) else {
            return;
        };
        match (&operation.pool, operation.completion) {
            (None, Completion::Deleted) if !failed => {
                self.clusters.remove(&operation.cluster);
                return;
            }
            (None, completion) => {
                let failed_create = failed && completion != Completion::Updated;
                let status = if failed_create { "ERROR" } else { "RUNNING" };
                cluster.value["status"] = json!(status);
                if operation.completion == Completion::Created {
                    for pool in &mut cluster.pools {
                        pool.value["status"] = json!(status);
                        pool.value["etag"] = json!(new_etag());
                    }
                }
            }
            (Some(name), Completion::Deleted) if !failed => {
                cluster
                    .pools
                    .retain(|pool| pool.value["name"] != name.as_str());
                cluster.value["status"] = json!("RUNNING");
            }
            (Some(name), completion) => {
                let failed_create = failed && completion != Completion::Updated;
                if let Some(pool) = cluster
                    .pools
                    .iter_mut()
                    .find(|p| p.value["name"] == name.as_str())
                {
                    pool.value["status"] = json!(if failed_create { "ERROR" } else { "RUNNING" });
                    pool.value["etag"] = json!(new_etag());
                }
                cluster.value["status"] = json!("RUNNING");
            }
        }
        cluster.value["etag"] = json!(new_etag());
    }

    /// The operation still running on `cluster`, if any.
    fn busy(&self, cluster: &str) -> ApiResult<()> {
        match self
            .operations
            .iter()
            .find(|op| !op.done && op.cluster == cluster)
        {
            Some(operation) => Err(ApiError::failed_precondition(format!(
                "Cluster is running incompatible operation {}.",
                operation.id
            ))),
            None => Ok(()),
        }
    }

    fn start(
        &mut self,
        context: &Context<'_>,
        operation_type: &'static str,
        cluster: &str,
        pool: Option<&str>,
        completion: Completion,
    ) -> Value {
        let (location, _, _) = split_name(cluster);
        let failure = self
            .failures
            .iter()
            .position(|f| {
                f.operation_type
                    .as_deref()
                    .is_none_or(|t| t == operation_type)
            })
            .map(|index| self.failures.remove(index));
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let operation = Operation {
            id: format!("operation-{millis}-{}", random_hex(4)),
            location,
            project_number: context.project.number.clone(),
            operation_type,
            cluster: cluster.to_string(),
            pool: pool.map(str::to_string),
            completion,
            started: Instant::now(),
            delay: context.delay,
            start_time: clock::now_rfc3339(),
            end_time: None,
            failure,
            done: false,
            shown: false,
        };
        self.operations.push(operation);
        let index = self.operations.len() - 1;
        self.show(index)
    }

    fn show(&mut self, index: usize) -> Value {
        let operation = &mut self.operations[index];
        let first = !operation.shown;
        operation.shown = true;
        let status = match (operation.done, first) {
            (true, _) => "DONE",
            (false, true) => "PENDING",
            (false, false) => "RUNNING",
        };
        let base = format!(
            "{API}/projects/{}/locations/{}",
            operation.project_number, operation.location
        );
        let (_, cluster_name, _) = split_name(&operation.cluster);
        let short_cluster = cluster_name.rsplit('/').next().unwrap_or_default();
        let mut target = format!("{base}/clusters/{short_cluster}");
        if let Some(pool) = &operation.pool {
            target.push_str(&format!("/nodePools/{pool}"));
        }
        let mut value = json!({
            "name": operation.id,
            "zone": operation.location,
            "location": operation.location,
            "operationType": operation.operation_type,
            "status": status,
            "selfLink": format!("{base}/operations/{}", operation.id),
            "targetLink": target,
            "startTime": operation.start_time,
        });
        if let Some(end) = &operation.end_time {
            value["endTime"] = json!(end);
        }
        if operation.done
            && let Some(failure) = &operation.failure
        {
            value["error"] = json!({"code": rpc_code(&failure.status), "message": failure.message});
            value["statusMessage"] = json!(failure.message);
        }
        value
    }

    /// `GET .../operations/{id}`.
    pub fn operation(&mut self, name: &str) -> ApiResult<Value> {
        let id = name.rsplit('/').next().unwrap_or_default();
        let index = self
            .operations
            .iter()
            .position(|op| op.id == id)
            .ok_or_else(|| ApiError::not_found(format!("Not found: operation {id}.")))?;
        Ok(self.show(index))
    }

    pub fn list_operations(&mut self, parent: &str) -> Vec<Value> {
        let (location, _, _) = split_name(&format!("{parent}/clusters/x"));
        let indexes: Vec<usize> = (0..self.operations.len())
            .filter(|index| location == "-" || self.operations[*index].location == location)
            .collect();
        indexes.into_iter().map(|index| self.show(index)).collect()
    }

    // ---- clusters

    pub fn create_cluster(
        &mut self,
        context: &Context<'_>,
        parent: &str,
        mut cluster: Value,
    ) -> ApiResult<Value> {
        let name = cluster["name"].as_str().unwrap_or_default().to_string();
        if !valid_name(&name) {
            return Err(ApiError::invalid_argument(format!(
                "Invalid value for field 'cluster.name': '{name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{{0,38}}[a-z0-9])?)' (only alphanumerics and '-' allowed, must start with a letter and end with an alphanumeric, and must be no longer than 40 characters)."
            )));
        }
        let full = format!("{parent}/clusters/{name}");
        if self.clusters.contains_key(&full) {
            return Err(ApiError::already_exists(format!("Already exists: {full}.")));
        }
        let location = parent.rsplit('/').next().unwrap_or_default().to_string();
        let object = cluster
            .as_object_mut()
            .ok_or_else(|| ApiError::invalid_argument("cluster is required."))?;
        let pools_given = object
            .remove("nodePools")
            .and_then(|p| p.as_array().cloned())
            .unwrap_or_default();
        let initial = object.remove("initialNodeCount").and_then(|n| n.as_i64());
        let node_config = object.remove("nodeConfig");
        let pools_given = match (pools_given.is_empty(), initial) {
            (false, Some(_)) => {
                return Err(ApiError::invalid_argument(
                    "Cluster.initial_node_count must not be set when Cluster.node_pools is set.",
                ));
            }
            (true, None | Some(0)) => {
                return Err(ApiError::invalid_argument(
                    "Cluster.initial_node_count must be greater than zero.",
                ));
            }
            (true, Some(count)) => vec![json!({
                "name": "default-pool",
                "initialNodeCount": count,
                "config": node_config.unwrap_or_else(|| json!({})),
            })],
            (false, None) => pools_given,
        };
        check_workload_pool(context.project, &cluster["workloadIdentityConfig"])?;
        let private = check_private_cluster(&cluster["privateClusterConfig"])?;
        let identity = cluster["workloadIdentityConfig"]["workloadPool"].is_string();
        let version = versions::resolve(
            cluster["initialClusterVersion"]
                .as_str()
                .unwrap_or_default(),
            "Master",
        )?;
        let mut pools = Vec::new();
        for pool in pools_given {
            let pool = complete_pool(context, &full, &location, pool, identity, &version)?;
            if pools
                .iter()
                .any(|p: &Pool| p.value["name"] == pool.value["name"])
            {
                return Err(ApiError::invalid_argument(format!(
                    "Node pool names must be unique; \"{}\" is given twice.",
                    pool.value["name"].as_str().unwrap_or_default()
                )));
            }
            pools.push(pool);
        }
        let object = cluster.as_object_mut().expect("checked above");
        let defaults = [
            ("network", json!("default")),
            ("subnetwork", json!("default")),
            ("releaseChannel", json!({"channel": "REGULAR"})),
            ("shieldedNodes", json!({"enabled": true})),
            ("databaseEncryption", json!({"state": "DECRYPTED"})),
            ("loggingService", json!("logging.googleapis.com/kubernetes")),
            (
                "monitoringService",
                json!("monitoring.googleapis.com/kubernetes"),
            ),
        ];
        for (field, value) in defaults {
            object.entry(field).or_insert(value);
        }
        let now = clock::now_rfc3339();
        // The emulated API server answers on 127.0.0.1; without one (model unit
        // tests) the addresses look like GKE's.
        let endpoint = match (&context.api_endpoint, private.1) {
            (Some(served), _) => served.clone(),
            (None, true) => private.0.clone().unwrap_or_else(|| "172.16.0.2".into()),
            (None, false) => format!("34.118.{}.{}", self.clusters.len() % 250 + 1, 10),
        };
        if let Some(config) = object
            .get_mut("privateClusterConfig")
            .and_then(Value::as_object_mut)
        {
            let private_endpoint = context
                .api_endpoint
                .clone()
                .or_else(|| private.0.clone())
                .unwrap_or_else(|| "172.16.0.2".into());
            config.insert("privateEndpoint".into(), json!(private_endpoint));
            if !private.1 {
                config.insert("publicEndpoint".into(), json!(endpoint));
            }
        }
        let computed = [
            (
                "selfLink",
                json!(format!(
                    "{API}/projects/{}/locations/{location}/clusters/{name}",
                    context.project.id
                )),
            ),
            ("zone", json!(location)),
            ("location", json!(location)),
            ("locations", json!(zones_of(&location))),
            ("endpoint", json!(endpoint)),
            ("initialClusterVersion", json!(version)),
            ("currentMasterVersion", json!(version)),
            ("currentNodeVersion", json!(version)),
            ("createTime", json!(now)),
            ("status", json!("PROVISIONING")),
            ("id", json!(random_hex(16))),
            ("etag", json!(new_etag())),
            (
                "labelFingerprint",
                json!(label_fingerprint(
                    &object.get("resourceLabels").cloned().unwrap_or(Value::Null)
                )),
            ),
            ("clusterIpv4Cidr", json!("10.4.0.0/14")),
            ("servicesIpv4Cidr", json!("34.118.224.0/20")),
            (
                "masterAuth",
                json!({"clusterCaCertificate": base64_pem(context.ca_pem)}),
            ),
        ];
        for (field, value) in computed {
            object.insert(field.into(), value);
        }
        self.clusters.insert(
            full.clone(),
            Cluster {
                value: cluster,
                pools,
            },
        );
        Ok(self.start(context, "CREATE_CLUSTER", &full, None, Completion::Created))
    }

    fn find(&self, name: &str) -> ApiResult<&Cluster> {
        self.clusters
            .get(name)
            .ok_or_else(|| ApiError::not_found(format!("Not found: {name}.")))
    }

    fn find_mut(&mut self, name: &str) -> ApiResult<&mut Cluster> {
        self.clusters
            .get_mut(name)
            .ok_or_else(|| ApiError::not_found(format!("Not found: {name}.")))
    }

    pub fn cluster(&self, name: &str) -> ApiResult<Value> {
        self.find(name).map(render_cluster)
    }

    /// Whether the cluster has Workload Identity (for `GKE_METADATA` pools).
    fn identity(&self, name: &str) -> bool {
        self.clusters
            .get(name)
            .is_some_and(|c| c.value["workloadIdentityConfig"]["workloadPool"].is_string())
    }

    pub fn list_clusters(&self, parent: &str) -> Vec<Value> {
        let location = parent.rsplit('/').next().unwrap_or_default();
        self.clusters
            .iter()
            .filter(|(name, _)| location == "-" || split_name(name).0 == location)
            .map(|(_, cluster)| render_cluster(cluster))
            .collect()
    }

    /// `PUT` with `{update: ClusterUpdate}`: one `desired*` field per request.
    pub fn update_cluster(
        &mut self,
        context: &Context<'_>,
        name: &str,
        update: &Value,
    ) -> ApiResult<Value> {
        self.find(name)?;
        self.busy(name)?;
        let cluster = self.find_mut(name)?;
        check_etag(&cluster.value, update["etag"].as_str())?;
        let fields: Vec<(&String, &Value)> = update
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(field, _)| {
                field.starts_with("desired") && field.as_str() != "desiredNodePoolId"
            })
            .collect();
        if fields.len() != 1 {
            return Err(ApiError::invalid_argument(format!(
                "Exactly one update can be applied to a cluster with each request; got {}.",
                fields.len()
            )));
        }
        let (field, value) = fields[0];
        let mut operation_type = "UPDATE_CLUSTER";
        match field.as_str() {
            "desiredNodePoolAutoscaling" => {
                let pool_name = update["desiredNodePoolId"].as_str().unwrap_or_default();
                let pool = cluster
                    .pools
                    .iter_mut()
                    .find(|p| p.value["name"] == pool_name)
                    .ok_or_else(|| {
                        ApiError::not_found(format!("Not found: {name}/nodePools/{pool_name}."))
                    })?;
                check_autoscaling(value)?;
                pool.value["autoscaling"] = value.clone();
            }
            "desiredMasterVersion" => {
                operation_type = "UPGRADE_MASTER";
                let version = versions::resolve(value.as_str().unwrap_or_default(), "Master")?;
                let current = cluster.value["currentMasterVersion"]
                    .as_str()
                    .unwrap_or(DEFAULT_VERSION);
                versions::check_master_upgrade(current, &version)?;
                cluster.value["currentMasterVersion"] = json!(version);
            }
            "desiredWorkloadIdentityConfig" => {
                check_workload_pool(context.project, value)?;
                cluster.value["workloadIdentityConfig"] = value.clone();
            }
            "desiredPrivateClusterConfig" => {
                let config = cluster.value["privateClusterConfig"].as_object_mut();
                match (config, value.as_object()) {
                    (Some(config), Some(changes)) => {
                        for (key, change) in changes {
                            config.insert(key.clone(), change.clone());
                        }
                    }
                    _ => cluster.value["privateClusterConfig"] = value.clone(),
                }
            }
            other => {
                let field = other.trim_start_matches("desired");
                let mut target = field.to_string();
                target[..1].make_ascii_lowercase();
                cluster.value[target] = value.clone();
            }
        }
        cluster.value["status"] = json!("RECONCILING");
        cluster.value["etag"] = json!(new_etag());
        Ok(self.start(context, operation_type, name, None, Completion::Updated))
    }

    /// `:setResourceLabels` `{resourceLabels, labelFingerprint}`.
    pub fn set_resource_labels(
        &mut self,
        context: &Context<'_>,
        name: &str,
        body: &Value,
    ) -> ApiResult<Value> {
        self.find(name)?;
        self.busy(name)?;
        let cluster = self.find_mut(name)?;
        if let Some(fingerprint) = body["labelFingerprint"].as_str()
            && cluster.value["labelFingerprint"] != fingerprint
        {
            return Err(ApiError::failed_precondition(
                "Labels could not be set due to fingerprint mismatch.",
            ));
        }
        let labels = body["resourceLabels"].clone();
        cluster.value["labelFingerprint"] = json!(label_fingerprint(&labels));
        cluster.value["resourceLabels"] = labels;
        cluster.value["etag"] = json!(new_etag());
        Ok(self.start(context, "SET_LABELS", name, None, Completion::Updated))
    }

    pub fn delete_cluster(&mut self, context: &Context<'_>, name: &str) -> ApiResult<Value> {
        self.find(name)?;
        self.busy(name)?;
        let cluster = self.find_mut(name)?;
        cluster.value["status"] = json!("STOPPING");
        for pool in &mut cluster.pools {
            pool.value["status"] = json!("STOPPING");
        }
        Ok(self.start(context, "DELETE_CLUSTER", name, None, Completion::Deleted))
    }

    // ---- node pools

    pub fn create_pool(
        &mut self,
        context: &Context<'_>,
        cluster_name: &str,
        pool: Value,
    ) -> ApiResult<Value> {
        let (location, _, _) = split_name(cluster_name);
        let identity = self.identity(cluster_name);
        let cluster = self.find(cluster_name)?;
        let pool_name = pool["name"].as_str().unwrap_or_default().to_string();
        if cluster
            .pools
            .iter()
            .any(|p| p.value["name"] == pool_name.as_str())
        {
            return Err(ApiError::already_exists(format!(
                "Already exists: {cluster_name}/nodePools/{pool_name}."
            )));
        }
        self.busy(cluster_name)?;
        let master = master_version(cluster);
        let pool = complete_pool(context, cluster_name, &location, pool, identity, &master)?;
        let cluster = self.find_mut(cluster_name)?;
        cluster.pools.push(pool);
        cluster.value["status"] = json!("RECONCILING");
        Ok(self.start(
            context,
            "CREATE_NODE_POOL",
            cluster_name,
            Some(&pool_name),
            Completion::Created,
        ))
    }

    fn pool_mut(&mut self, name: &str) -> ApiResult<(&mut Cluster, usize)> {
        let (_, cluster_name, pool_name) = split_name(name);
        let pool_name = pool_name.unwrap_or_default();
        let cluster = self
            .clusters
            .get_mut(&cluster_name)
            .ok_or_else(|| ApiError::not_found(format!("Not found: {cluster_name}.")))?;
        let index = cluster
            .pools
            .iter()
            .position(|p| p.value["name"] == pool_name.as_str())
            .ok_or_else(|| ApiError::not_found(format!("Not found: {name}.")))?;
        Ok((cluster, index))
    }

    pub fn pool(&mut self, name: &str) -> ApiResult<Value> {
        let (cluster, index) = self.pool_mut(name)?;
        Ok(cluster.pools[index].value.clone())
    }

    pub fn list_pools(&self, cluster: &str) -> ApiResult<Vec<Value>> {
        Ok(self
            .find(cluster)?
            .pools
            .iter()
            .map(|p| p.value.clone())
            .collect())
    }

    /// Starts a pool operation after the checks every one shares.
    fn pool_change(
        &mut self,
        context: &Context<'_>,
        name: &str,
        operation_type: &'static str,
        change: &dyn Fn(&mut Pool, bool) -> ApiResult<()>,
    ) -> ApiResult<Value> {
        let (_, cluster_name, pool_name) = split_name(name);
        let identity = self.identity(&cluster_name);
        self.pool_mut(name)?;
        self.busy(&cluster_name)?;
        let (cluster, index) = self.pool_mut(name)?;
        let mut pool = cluster.pools[index].clone();
        change(&mut pool, identity)?;
        pool.value["status"] = json!("RECONCILING");
        pool.value["etag"] = json!(new_etag());
        cluster.pools[index] = pool;
        cluster.value["status"] = json!("RECONCILING");
        Ok(self.start(
            context,
            operation_type,
            &cluster_name,
            pool_name.as_deref(),
            Completion::Updated,
        ))
    }

    /// `PUT` with an `UpdateNodePoolRequest`.
    pub fn update_pool(
        &mut self,
        context: &Context<'_>,
        name: &str,
        body: &Value,
    ) -> ApiResult<Value> {
        let (_, cluster_name, _) = split_name(name);
        let master = master_version(self.find(&cluster_name)?);
        self.pool_change(context, name, "UPGRADE_NODES", &|pool, identity| {
            check_etag(&pool.value, body["etag"].as_str())?;
            let config = &mut pool.value["config"];
            for (field, target) in [
                ("labels", "labels"),
                ("taints", "taints"),
                ("resourceLabels", "resourceLabels"),
            ] {
                if let Some(inner) = body.get(field) {
                    let key = if field == "taints" {
                        "taints"
                    } else {
                        "labels"
                    };
                    config[target] = inner.get(key).cloned().unwrap_or_else(|| {
                        json!(if field == "taints" {
                            json!([])
                        } else {
                            json!({})
                        })
                    });
                }
            }
            for field in [
                "workloadMetadataConfig",
                "machineType",
                "diskSizeGb",
                "diskType",
                "imageType",
                "accelerators",
                "shieldedInstanceConfig",
                "spot",
            ] {
                if let Some(value) = body.get(field) {
                    config[field] = value.clone();
                }
            }
            if let Some(asked) = body["nodeVersion"].as_str().filter(|v| !v.is_empty()) {
                // `latest` / `-` on a node pool means the control plane's version.
                let version = if asked == "latest" || asked == "-" {
                    master.clone()
                } else {
                    versions::resolve(asked, "Node")?
                };
                versions::check_node_version(&version, &master)?;
                pool.value["version"] = json!(version);
            }
            if let Some(locations) = body.get("locations") {
                pool.value["locations"] = locations.clone();
                // One instance group manager per zone.
                let (project, cluster, pool_name) = manager_owner(name);
                pool.value["instanceGroupUrls"] =
                    instance_groups::urls(&project, &cluster, &pool_name, locations);
            }
            check_pool(&pool.value, pool.size, identity)
        })
    }

    /// `:setSize` `{nodeCount}`.
    pub fn set_size(&mut self, context: &Context<'_>, name: &str, count: i64) -> ApiResult<Value> {
        self.pool_change(context, name, "SET_NODE_POOL_SIZE", &|pool, identity| {
            if count < 0 {
                return Err(ApiError::invalid_argument(
                    "node_count must be non-negative.",
                ));
            }
            pool.size = count;
            check_pool(&pool.value, count, identity)
        })
    }

    /// `:setAutoscaling` `{autoscaling}`.
    pub fn set_autoscaling(
        &mut self,
        context: &Context<'_>,
        name: &str,
        autoscaling: &Value,
    ) -> ApiResult<Value> {
        self.pool_change(context, name, "UPDATE_CLUSTER", &|pool, _| {
            check_autoscaling(autoscaling)?;
            pool.value["autoscaling"] = autoscaling.clone();
            Ok(())
        })
    }

    pub fn delete_pool(&mut self, context: &Context<'_>, name: &str) -> ApiResult<Value> {
        let (_, cluster_name, pool_name) = split_name(name);
        self.pool_mut(name)?;
        self.busy(&cluster_name)?;
        let (cluster, index) = self.pool_mut(name)?;
        cluster.pools[index].value["status"] = json!("STOPPING");
        cluster.value["status"] = json!("RECONCILING");
        Ok(self.start(
            context,
            "DELETE_NODE_POOL",
            &cluster_name,
            pool_name.as_deref(),
            Completion::Deleted,
        ))
    }

    /// compute v1 `instanceGroupManagers.get`: the manager `name` in `zone` of a pool
    /// that lists it, its `targetSize` the pool's nodes per zone.
    pub fn instance_group_manager(
        &self,
        project: &str,
        zone: &str,
        name: &str,
    ) -> ApiResult<Value> {
        let pools = self.clusters.values().flat_map(|cluster| {
            let created = cluster.value["createTime"].as_str().unwrap_or_default();
            cluster
                .pools
                .iter()
                .map(move |pool| (&pool.value, pool.size, created))
        });
        instance_groups::find(project, zone, name, pools)
    }

    /// Every cluster's full name (`projects/p/locations/l/clusters/c`).
    pub fn cluster_names(&self) -> Vec<String> {
        self.clusters.keys().cloned().collect()
    }

    /// Every pool as (cluster name, pool resource, current size), for the Nodes of
    /// each cluster's Kubernetes API.
    pub fn pools_with_sizes(&self) -> Vec<(String, Value, u32)> {
        self.clusters
            .iter()
            .flat_map(|(name, cluster)| {
                cluster
                    .pools
                    .iter()
                    .map(move |pool| (name.clone(), pool.value.clone(), pool.size as u32))
            })
            .collect()
    }

    // ---- records

    pub fn clusters(&self) -> Vec<Value> {
        self.clusters.values().map(render_cluster).collect()
    }

    /// Every pool with its cluster and current size.
    pub fn node_pools(&self) -> Vec<Value> {
        self.clusters
            .iter()
            .flat_map(|(name, cluster)| {
                cluster.pools.iter().map(move |pool| {
                    json!({"cluster": name, "name": pool.value["name"], "size": pool.size, "status": pool.value["status"]})
                })
            })
            .collect()
    }

    /// Operations not yet done.
    pub fn operations_in_progress(&self) -> Vec<Value> {
        self.operations
            .iter()
            .filter(|op| !op.done)
            .map(|op| json!({"name": op.id, "operationType": op.operation_type, "cluster": op.cluster}))
            .collect()
    }
}

fn master_version(cluster: &Cluster) -> String {
    cluster.value["currentMasterVersion"]
        .as_str()
        .unwrap_or(DEFAULT_VERSION)
        .to_string()
}

fn render_cluster(cluster: &Cluster) -> Value {
    let mut value = cluster.value.clone();
    value["nodePools"] = Value::Array(cluster.pools.iter().map(|p| p.value.clone()).collect());
    value["currentNodeCount"] = json!(cluster.pools.iter().map(|p| p.size).sum::<i64>());
    value
}

/// Fills a pool's computed fields and checks it.
fn complete_pool(
    context: &Context<'_>,
    cluster: &str,
    location: &str,
    mut pool: Value,
    identity: bool,
    master: &str,
) -> ApiResult<Pool> {
    let version = match pool["version"].as_str().filter(|v| !v.is_empty()) {
        Some(asked) => versions::resolve(asked, "Node")?,
        None => master.to_string(),
    };
    versions::check_node_version(&version, master)?;
    let name = pool["name"].as_str().unwrap_or_default().to_string();
    if !valid_name(&name) {
        return Err(ApiError::invalid_argument(format!(
            "Invalid value for field 'node_pool.name': '{name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{{0,38}}[a-z0-9])?)'."
        )));
    }
    let object = pool
        .as_object_mut()
        .ok_or_else(|| ApiError::invalid_argument("node_pool is required."))?;
    let config = object.entry("config").or_insert_with(|| json!({}));
    let config_defaults = [
        ("machineType", json!("e2-medium")),
        ("diskSizeGb", json!(100)),
        ("diskType", json!("pd-balanced")),
        ("imageType", json!("COS_CONTAINERD")),
        ("serviceAccount", json!("default")),
        (
            "oauthScopes",
            json!(["https://www.googleapis.com/auth/cloud-platform"]),
        ),
        ("metadata", json!({"disable-legacy-endpoints": "true"})),
        (
            "shieldedInstanceConfig",
            json!({"enableIntegrityMonitoring": true}),
        ),
    ];
    if let Some(config) = config.as_object_mut() {
        for (field, value) in config_defaults {
            config.entry(field).or_insert(value);
        }
        // int64 travels as a string.
        if let Some(Value::Array(accelerators)) = config.get_mut("accelerators") {
            for accelerator in accelerators {
                if let Some(count) = accelerator["acceleratorCount"].as_i64() {
                    accelerator["acceleratorCount"] = json!(count.to_string());
                }
            }
        }
    }
    let size = object
        .get("initialNodeCount")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let short_cluster = cluster.rsplit('/').next().unwrap_or_default();
    let computed = [
        (
            "selfLink",
            json!(format!(
                "{API}/projects/{}/locations/{location}/clusters/{short_cluster}/nodePools/{name}",
                context.project.id
            )),
        ),
        ("version", json!(version)),
        ("status", json!("PROVISIONING")),
        ("etag", json!(new_etag())),
        ("podIpv4CidrSize", json!(24)),
    ];
    for (field, value) in computed {
        object.insert(field.into(), value);
    }
    let defaults = [
        ("locations", json!(zones_of(location))),
        (
            "management",
            json!({"autoUpgrade": true, "autoRepair": true}),
        ),
        ("maxPodsConstraint", json!({"maxPodsPerNode": "110"})),
        (
            "upgradeSettings",
            json!({"maxSurge": 1, "maxUnavailable": 0}),
        ),
    ];
    for (field, value) in defaults {
        object.entry(field).or_insert(value);
    }
    let urls = instance_groups::urls(
        &context.project.id,
        short_cluster,
        &name,
        &object["locations"],
    );
    object.insert("instanceGroupUrls".into(), urls);
    check_pool(&pool, size, identity)?;
    Ok(Pool { value: pool, size })
}

/// GKE's checks of a pool: accelerators for the machine type, TPU slices, taints,
/// workload metadata, autoscaling.
fn check_pool(pool: &Value, size: i64, identity: bool) -> ApiResult<()> {
    let config = &pool["config"];
    let machine_type = config["machineType"].as_str().unwrap_or_default();
    let gpus: Vec<(String, i64)> = config["accelerators"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let count = match &a["acceleratorCount"] {
                Value::String(text) => text.parse().unwrap_or(0),
                other => other.as_i64().unwrap_or(0),
            };
            (
                a["acceleratorType"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                count,
            )
        })
        .collect();
    machines::check_gpus(machine_type, &gpus)?;
    machines::check_tpu(
        machine_type,
        pool["placementPolicy"]["tpuTopology"].as_str(),
        pool["placementPolicy"]["type"].as_str(),
        size,
    )?;
    for taint in config["taints"].as_array().into_iter().flatten() {
        let effect = taint["effect"].as_str().unwrap_or_default();
        if !["NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"].contains(&effect) {
            return Err(ApiError::invalid_argument(format!(
                "Invalid taint effect \"{effect}\" for taint \"{}\".",
                taint["key"].as_str().unwrap_or_default()
            )));
        }
    }
    if config["workloadMetadataConfig"]["mode"] == "GKE_METADATA" && !identity {
        return Err(ApiError::failed_precondition(
            "Workload Identity must be enabled on the cluster to use workload metadata mode GKE_METADATA.",
        ));
    }
    if pool.get("autoscaling").is_some() {
        check_autoscaling(&pool["autoscaling"])?;
    }
    Ok(())
}

fn check_autoscaling(autoscaling: &Value) -> ApiResult<()> {
    if autoscaling["enabled"] != true {
        return Ok(());
    }
    let min = autoscaling["minNodeCount"].as_i64().unwrap_or(0);
    let max = autoscaling["maxNodeCount"].as_i64().unwrap_or(0);
    if min < 0 || max < 1 || min > max {
        return Err(ApiError::invalid_argument(format!(
            "Invalid autoscaling limits: min_node_count {min} and max_node_count {max} (need 0 <= min <= max, max >= 1)."
        )));
    }
    Ok(())
}

fn check_etag(current: &Value, given: Option<&str>) -> ApiResult<()> {
    match given {
        Some(etag) if !etag.is_empty() && current["etag"] != etag => {
            Err(ApiError::aborted(format!(
                "The user-provided etag {etag} does not match the current etag of the resource."
            )))
        }
        _ => Ok(()),
    }
}

fn check_workload_pool(project: &Project, config: &Value) -> ApiResult<()> {
    match config["workloadPool"].as_str() {
        Some(pool) if pool != format!("{}.svc.id.goog", project.id) => {
            Err(ApiError::invalid_argument(format!(
                "Workload pool \"{pool}\" is invalid; it must be \"{}.svc.id.goog\".",
                project.id
            )))
        }
        _ => Ok(()),
    }
}

/// Private nodes need a /28 for the control plane; returns (private endpoint,
/// whether the endpoint is private only).
fn check_private_cluster(config: &Value) -> ApiResult<(Option<String>, bool)> {
    if config["enablePrivateNodes"] != true {
        if config["enablePrivateEndpoint"] == true {
            return Err(ApiError::invalid_argument(
                "enable_private_endpoint requires enable_private_nodes.",
            ));
        }
        return Ok((None, false));
    }
    let block = config["masterIpv4CidrBlock"].as_str().unwrap_or_default();
    let parsed = block.split_once('/').and_then(|(address, prefix)| {
        let octets: Option<Vec<u8>> = address.split('.').map(|o| o.parse().ok()).collect();
        octets
            .filter(|o| o.len() == 4)
            .zip(prefix.parse::<u8>().ok())
    });
    match parsed {
        Some((octets, 28)) if octets[3] % 16 == 0 => Ok((
            Some(format!(
                "{}.{}.{}.{}",
                octets[0],
                octets[1],
                octets[2],
                octets[3] + 2
            )),
            config["enablePrivateEndpoint"] == true,
        )),
        _ => Err(ApiError::invalid_argument(format!(
            "Invalid master_ipv4_cidr_block \"{block}\": private clusters need a /28 block such as 172.16.0.0/28."
        ))),
    }
}

/// The zones of a region (`us-central1` → a, b, c), or the zone itself.
/// (project, cluster short name, pool) of `projects/p/locations/l/clusters/c/nodePools/n`.
fn manager_owner(name: &str) -> (String, String, String) {
    let parts: Vec<&str> = name.split('/').collect();
    let part = |i: usize| parts.get(i).copied().unwrap_or_default().to_string();
    (part(1), part(5), part(7))
}

fn zones_of(location: &str) -> Vec<String> {
    let is_zone = location
        .rsplit_once('-')
        .is_some_and(|(_, tail)| tail.len() == 1);
    if is_zone {
        vec![location.to_string()]
    } else {
        ["a", "b", "c"]
            .iter()
            .map(|z| format!("{location}-{z}"))
            .collect()
    }
}

fn label_fingerprint(labels: &Value) -> String {
    let text = labels.to_string();
    let hash = text.bytes().fold(0x811c_9dc5u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    format!("{hash:08x}")
}

fn base64_pem(pem: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(pem)
}
