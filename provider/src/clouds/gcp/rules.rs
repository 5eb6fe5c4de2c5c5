//! Google Cloud's plan rules (see `clouds::rules`): pure functions over the
//! configuration, so a plan refuses what GKE, IAM or Cloud KMS would refuse, on the
//! attribute that is wrong.

use super::cluster_admins;
use super::labels::{self, MAX_LABELS};
use super::names::{self, ClusterName, KeyName, NodePoolName, ServiceAccountName};
use super::tpu_regions;
use crate::Cloud;
use crate::catalog::{self, AcceleratorKind, Offering};
use crate::clouds::model::{Architecture, GrantAction};
use crate::clouds::rules::{CloudRules, ObjectKind};
use tfplug::{AttributePath, Diagnostic, Diagnostics, Value};

/// GKE's logging components for the control plane and system pods.
pub const LOG_TYPES: [&str; 4] = [
    "SYSTEM_COMPONENTS",
    "APISERVER",
    "CONTROLLER_MANAGER",
    "SCHEDULER",
];

/// A general-purpose x86 machine: enough for DNS, networking and controllers.
const SYSTEM_MACHINE_TYPE: &str = "e2-standard-4";

/// The key ring a key without `gcp { key_ring }` goes into: `<name>-ring`.
pub const KEY_RING_SUFFIX: &str = "-ring";

pub struct GcpRules;

fn invalid(path: AttributePath, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error("Invalid attribute value", detail).at(path)
}

fn str_at<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.attr(name).and_then(Value::as_str)
}

fn gcp_block(config: &Value) -> Option<&Value> {
    config.attr("gcp").filter(|g| !g.is_null())
}

/// A lowercase DNS-label-like name: a letter first, then lowercase letters, digits
/// and '-', not ending with '-', `min..=max` long.
fn dns_like(name: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Cloud KMS key ring and crypto key ids: 1 to 63 letters, digits, '_' or '-'.
fn kms_id(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `gs://bucket` or `gs://bucket/prefix...` with a legal bucket name.
pub fn check_model_store(target: &str) -> Result<(), String> {
    let rest = target
        .strip_prefix("gs://")
        .ok_or("a Cloud Storage location starts with gs://")?;
    let bucket = rest.split('/').next().unwrap_or_default();
    let legal = (3..=63).contains(&bucket.len())
        && bucket.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && bucket.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
    if !legal {
        return Err(format!(
            "\"{bucket}\" is not a bucket name (3 to 63 lowercase letters, digits, '-', '_' or '.')"
        ));
    }
    Ok(())
}

/// The catalog offering a pool's configuration names, when it names a known
/// accelerated machine.
fn pool_offering(config: &Value) -> Option<&'static Offering> {
    if let Some(acc) = config.attr("accelerator").filter(|a| !a.is_null()) {
        let ty = str_at(acc, "type")?;
        // An unset count is null in the configuration: one per node.
        let count = acc
            .attr("count")
            .filter(|c| !c.is_null())
            .map_or(Some(1), Value::as_i64)?;
        return catalog::machine_type(Cloud::Gcp, ty, u32::try_from(count).ok()?).ok();
    }
    catalog::by_machine_type(Cloud::Gcp, str_at(config, "machine_type")?)
}

impl GcpRules {
    /// A TPU pool's topology against its machine type, and the node count that
    /// follows from it.
    fn check_tpu(&self, config: &Value, offering: Option<&Offering>, diags: &mut Diagnostics) {
        let Some(tpu) = config.attr("tpu").filter(|t| !t.is_null()) else {
            return;
        };
        let Some(offering) = offering else {
            // An unknown accelerator or machine: other checks say so, or it is not
            // known yet.
            if config
                .attr("machine_type")
                .and_then(Value::as_str)
                .is_some()
            {
                diags.push(invalid(
                    AttributePath::attr("tpu"),
                    "tpu {} is for TPU slices only; this machine type carries no TPU. Remove the block, or use accelerator { type = \"tpu-v5e\" } (or another TPU).",
                ));
            }
            return;
        };
        if offering.kind != AcceleratorKind::Tpu {
            diags.push(invalid(
                AttributePath::attr("tpu"),
                format!(
                    "tpu {{}} is for TPU slices only; {} carries {} GPUs. Remove the block.",
                    offering.machine_type, offering.accelerator
                ),
            ));
            return;
        }
        let Some(topology) = str_at(tpu, "topology") else {
            return;
        };
        let nodes = match catalog::tpu_slice_nodes(offering, topology) {
            Ok(n) => n,
            Err(e) => {
                diags.push(invalid(
                    AttributePath::attr("tpu").push_attr("topology"),
                    format!("{e}."),
                ));
                return;
            }
        };
        if let Some(count) = config.attr("node_count").and_then(Value::as_i64)
            && count != i64::from(nodes)
        {
            diags.push(invalid(
                AttributePath::attr("node_count"),
                format!(
                    "A {topology} slice of {} ({} chips per node) is {nodes} node(s); set node_count = {nodes} or leave it out.",
                    offering.machine_type, offering.accelerators_per_node
                ),
            ));
        }
        if nodes > 1 && config.attr("autoscaling").is_some_and(|a| !a.is_null()) {
            diags.push(invalid(
                AttributePath::attr("autoscaling"),
                format!("A multi-host TPU slice ({topology}: {nodes} nodes) has a fixed size; remove autoscaling {{}}."),
            ));
        }
    }

    /// A TPU pool in a cluster whose region has none of that generation.
    fn check_tpu_location(
        &self,
        config: &Value,
        offering: Option<&Offering>,
        diags: &mut Diagnostics,
    ) {
        let Some(offering) = offering.filter(|o| o.kind == AcceleratorKind::Tpu) else {
            return;
        };
        let Some(location) = str_at(config, "cluster_id").and_then(names::location_of) else {
            return;
        };
        if !tpu_regions::offered_in(offering.accelerator, &location) {
            let regions = tpu_regions::regions(offering.accelerator).unwrap_or_default();
            let path = if config.attr("accelerator").is_some_and(|a| !a.is_null()) {
                AttributePath::attr("accelerator").push_attr("type")
            } else {
                AttributePath::attr("machine_type")
            };
            diags.push(invalid(
                path,
                format!(
                    "{} is not offered in {location} (the cluster's location); it is in {}.",
                    offering.accelerator,
                    regions.join(", ")
                ),
            ));
        }
    }
}

impl CloudRules for GcpRules {
    fn cloud(&self) -> Cloud {
        Cloud::Gcp
    }

    fn check_name(&self, kind: ObjectKind, name: &str) -> Result<(), String> {
        let ok = match kind {
            // The key ring defaults to `<name>-ring`, which must also be a KMS id.
            ObjectKind::Key => kms_id(name) && name.len() + KEY_RING_SUFFIX.len() <= 63,
            ObjectKind::Identity => dns_like(name, 6, 30),
            ObjectKind::Cluster | ObjectKind::NodePool => dns_like(name, 1, 40),
        };
        if ok {
            Ok(())
        } else {
            Err(self.name_rule(kind).into())
        }
    }

    fn name_rule(&self, kind: ObjectKind) -> &'static str {
        match kind {
            ObjectKind::Key => {
                "must be 1 to 58 letters, digits, '_' or '-' (a Cloud KMS crypto key id; the default key ring is <name>-ring)"
            }
            ObjectKind::Identity => {
                "must be 6 to 30 lowercase letters, digits or '-', starting with a letter and not ending with '-' (a service account id)"
            }
            ObjectKind::Cluster => {
                "must be 1 to 40 lowercase letters, digits or '-', starting with a letter and not ending with '-' (a GKE cluster name)"
            }
            ObjectKind::NodePool => {
                "must be 1 to 40 lowercase letters, digits or '-', starting with a letter and not ending with '-' (a GKE node pool name)"
            }
        }
    }

    fn check_tag(&self, key: &str, value: &str) -> Result<(), String> {
        labels::check_label(key, value)
    }

    fn max_tags(&self) -> Option<usize> {
        Some(MAX_LABELS)
    }

    fn is_object_id(&self, kind: ObjectKind, id: &str) -> bool {
        match kind {
            ObjectKind::Key => KeyName::parse(id).is_some(),
            ObjectKind::Identity => ServiceAccountName::parse(id).is_some(),
            ObjectKind::Cluster => ClusterName::parse(id).is_some(),
            ObjectKind::NodePool => NodePoolName::parse(id).is_some(),
        }
    }

    fn id_form(&self, kind: ObjectKind) -> &'static str {
        match kind {
            ObjectKind::Key => "projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/NAME",
            ObjectKind::Identity => {
                "projects/PROJECT/serviceAccounts/NAME@PROJECT.iam.gserviceaccount.com"
            }
            ObjectKind::Cluster => "projects/PROJECT/locations/LOCATION/clusters/NAME",
            ObjectKind::NodePool => {
                "projects/PROJECT/locations/LOCATION/clusters/CLUSTER/nodePools/NAME"
            }
        }
    }

    fn location_in_id(&self, id: &str) -> Option<String> {
        names::location_of(id)
    }

    fn check_key(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(ring) = gcp_block(config).and_then(|g| str_at(g, "key_ring"))
            && !kms_id(ring)
        {
            diags.push(invalid(
                AttributePath::attr("gcp").push_attr("key_ring"),
                format!("A key ring id is 1 to 63 letters, digits, '_' or '-', got \"{ring}\"."),
            ));
        }
        // Cloud KMS keeps destroyed versions 1 to 120 days; the schema's 7 to 30 fits.
    }

    fn check_identity(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(grants) = config.attr("grants").and_then(Value::as_elements) {
            for (i, g) in grants.iter().enumerate() {
                let (Some(action), Some(target)) = (
                    str_at(g, "action").and_then(GrantAction::parse),
                    str_at(g, "target"),
                ) else {
                    continue;
                };
                let checked = if action.targets_key() {
                    KeyName::parse(target).map(|_| ()).ok_or_else(|| {
                        "a crypto key name (an mlcloud_kms_key's key_ref): projects/P/locations/L/keyRings/R/cryptoKeys/K".to_string()
                    })
                } else {
                    check_model_store(target).map_err(|why| {
                        format!("a Cloud Storage location such as \"gs://bucket/prefix/\" ({why})")
                    })
                };
                if let Err(want) = checked {
                    diags.push(invalid(
                        AttributePath::attr("grants")
                            .push_index(i as i64)
                            .push_attr("target"),
                        format!("{} on gcp needs {want}, got \"{target}\".", action.as_str()),
                    ));
                }
            }
        }
        if let Some(cluster_id) = config
            .attr("workload")
            .filter(|w| !w.is_null())
            .and_then(|w| str_at(w, "cluster_id"))
            && ClusterName::parse(cluster_id).is_none()
        {
            diags.push(invalid(
                AttributePath::attr("workload").push_attr("cluster_id"),
                format!(
                    "On gcp, cluster_id is a GKE cluster's id ({}), got \"{cluster_id}\".",
                    self.id_form(ObjectKind::Cluster)
                ),
            ));
        }
    }

    fn check_cluster(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(cidr) = gcp_block(config).and_then(|g| str_at(g, "master_ipv4_cidr_block"))
            && !cidr.ends_with("/28")
        {
            diags.push(invalid(
                AttributePath::attr("gcp").push_attr("master_ipv4_cidr_block"),
                format!("GKE's private control plane range is a /28, got \"{cidr}\"."),
            ));
        }
        if let Some(key) = str_at(config, "encryption_key_id")
            && KeyName::parse(key).is_none()
        {
            diags.push(invalid(
                AttributePath::attr("encryption_key_id"),
                format!("On gcp, encryption_key_id is a crypto key name (an mlcloud_kms_key's key_ref), got \"{key}\"."),
            ));
        }
        let admins = config
            .attr("admin_principals")
            .and_then(Value::as_elements)
            .unwrap_or_default();
        for member in admins.iter().filter_map(Value::as_str) {
            if let Err(why) = cluster_admins::check_member(member) {
                diags.push(invalid(AttributePath::attr("admin_principals"), why));
            }
        }
        // Each admin is recorded as a label on the cluster (see `cluster_admins`).
        let tags = config
            .attr("tags")
            .and_then(Value::as_entries)
            .map_or(0, |m| m.len());
        if tags + admins.len() + 2 > MAX_LABELS {
            diags.push(invalid(
                AttributePath::attr("admin_principals"),
                format!(
                    "On gcp, each admin principal is recorded as a label of the cluster, which holds {MAX_LABELS} labels with mlcloud's 2 and the {tags} tags; use at most {} admin principals (a group: member counts once).",
                    MAX_LABELS.saturating_sub(tags + 2)
                ),
            ));
        }
        if config.attr("identity_id").is_some_and(|v| !v.is_null()) {
            diags.push(invalid(
                AttributePath::attr("identity_id"),
                "GKE clusters have no identity of their own; remove identity_id (nodes run as system_pool.node_identity_id).",
            ));
        }
        let pool = config.attr("system_pool");
        if pool.is_some_and(|p| !p.is_null())
            && pool
                .and_then(|p| p.attr("node_identity_id"))
                .is_none_or(Value::is_null)
        {
            diags.push(invalid(
                AttributePath::attr("system_pool").push_attr("node_identity_id"),
                "On gcp, system_pool.node_identity_id is required: the id of an mlcloud_identity with purpose = \"node\" (nodes never run as the default compute service account).",
            ));
        }
    }

    fn check_node_pool(&self, config: &Value, diags: &mut Diagnostics) {
        let offering = pool_offering(config);
        self.check_tpu(config, offering, diags);
        self.check_tpu_location(config, offering, diags);
        if let Some(key) = str_at(config, "disk_encryption_key_id")
            && KeyName::parse(key).is_none()
        {
            diags.push(invalid(
                AttributePath::attr("disk_encryption_key_id"),
                format!("On gcp, disk_encryption_key_id is a crypto key name (an mlcloud_kms_key's key_ref), got \"{key}\"."),
            ));
        }
        if config.attr("node_identity_id").is_some_and(Value::is_null) {
            diags.push(invalid(
                AttributePath::attr("node_identity_id"),
                "On gcp, node_identity_id is required: the id of an mlcloud_identity with purpose = \"node\" (nodes never run as the default compute service account).",
            ));
        }
    }

    fn cluster_log_types(&self) -> &'static [&'static str] {
        &LOG_TYPES
    }

    fn default_system_machine_type(&self) -> &'static str {
        SYSTEM_MACHINE_TYPE
    }

    /// Arm machine families on Compute Engine: Tau T2A and Axion (C4A, N4A).
    fn architecture(&self, machine_type: &str) -> Architecture {
        let family = machine_type.split('-').next().unwrap_or_default();
        if matches!(family, "t2a" | "c4a" | "n4a") {
            Architecture::Arm64
        } else {
            Architecture::X86_64
        }
    }

    fn has_tpu_slices(&self) -> bool {
        true
    }

    /// GKE reads `DEFAULT` driver installation back as unset.
    fn pool_setting_defaults(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "gpu_driver_version",
            super::node_pool::DEFAULT_GPU_DRIVER_VERSION,
        )]
    }

    /// Pools get the cluster's version and key; the backend upgrades node versions
    /// and encrypts boot disks with the key.
    fn pools_follow_cluster(&self) -> bool {
        true
    }

    /// `admin_principals` are `roles/container.admin` bindings on the project.
    fn has_cluster_admins(&self) -> bool {
        true
    }

    /// Cloud KMS cannot delete key rings (nor keys: their versions are destroyed).
    fn left_behind_by_delete(&self, kind: ObjectKind, id: &str) -> Option<String> {
        let key = KeyName::parse(id).filter(|_| kind == ObjectKind::Key)?;
        Some(format!(
            "the key ring {} (Cloud KMS cannot delete key rings; the crypto key stays too, with every version scheduled for destruction)",
            key.key_ring_name()
        ))
    }
}

#[cfg(test)]
mod tests;
