//! AWS's plan rules (see `clouds::rules`): pure functions over the configuration, so a
//! plan refuses what EKS, IAM or KMS would refuse, on the attribute that is wrong.

use super::arn::{self, Arn};
use super::policy::{S3Location, kms_key_arn};
use super::region::{RegionSources, environment_region};
use crate::Cloud;
use crate::clouds::model::{Architecture, GrantAction};
use crate::clouds::rules::{CloudRules, ObjectKind};
use crate::config::ProviderConfig;
use std::future::Future;
use std::pin::Pin;
use tfplug::{AttributePath, Diagnostic, Diagnostics, Value};

/// Every EKS control-plane log type.
pub const LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

/// A general-purpose x86 instance: enough for DNS, networking and controllers.
const SYSTEM_MACHINE_TYPE: &str = "m6i.large";

pub struct AwsRules;

fn invalid(path: AttributePath, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error("Invalid attribute value", detail).at(path)
}

fn missing(v: Option<&Value>) -> bool {
    v.is_none_or(Value::is_null)
}

fn chars_ok(name: &str, extra: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
}

/// Graviton instance families carry a `g` after the generation digit (`m7g`, `c6gn`,
/// `g5g`), unlike GPU families that start with one (`g6`, `g4dn`).
pub fn is_arm(machine_type: &str) -> bool {
    let family = machine_type.split('.').next().unwrap_or_default();
    family
        .find(|c: char| c.is_ascii_digit())
        .map(|at| &family[at..])
        .map(|rest| rest.trim_start_matches(|c: char| c.is_ascii_digit()))
        .is_some_and(|suffix| suffix.contains('g'))
}

/// `s3://bucket` or `s3://bucket/prefix...`; a bare `s3://bucket/` is refused because
/// it reads back from IAM as `s3://bucket`.
fn check_model_store(target: &str) -> Result<(), String> {
    let location = S3Location::parse(target).map_err(|e| e.to_string())?;
    if location.prefix.is_empty() && target.ends_with('/') {
        return Err(format!(
            "write \"s3://{}\" for the whole bucket, without the trailing '/'",
            location.bucket
        ));
    }
    Ok(())
}

impl CloudRules for AwsRules {
    fn cloud(&self) -> Cloud {
        Cloud::Aws
    }

    fn environment_location<'a>(
        &'a self,
        config: &'a ProviderConfig,
    ) -> Pin<Box<dyn Future<Output = Option<String>> + Send + 'a>> {
        let profile = config.aws.as_ref().and_then(|a| a.profile.as_deref());
        Box::pin(environment_region(RegionSources::process(profile)))
    }

    fn check_name(&self, kind: ObjectKind, name: &str) -> Result<(), String> {
        let ok = match kind {
            // The alias is `alias/<name>`; `alias/aws/` belongs to AWS-managed keys.
            ObjectKind::Key => {
                if name.starts_with("aws/") {
                    return Err(
                        "must not start with \"aws/\" (reserved by AWS for its own keys)".into(),
                    );
                }
                (1..=250).contains(&name.len()) && chars_ok(name, "/_-")
            }
            ObjectKind::Identity => (1..=64).contains(&name.len()) && chars_ok(name, "_+=,.@-"),
            ObjectKind::Cluster => {
                (1..=100).contains(&name.len())
                    && name.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && chars_ok(name, "_-")
            }
            // Also part of the launch template's name; lowercase so every cloud agrees.
            ObjectKind::NodePool => {
                if super::system_pool::is_system_group(name) {
                    return Err(format!(
                        "{name:?} is reserved: \"system\" and \"system-N\" name the node groups of the cluster's system pool (system_pool {{}}); choose another name"
                    ));
                }
                (1..=40).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !name.starts_with('-')
                    && !name.ends_with('-')
            }
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
                "must be 1 to 250 letters, digits, '/', '_' or '-' (the KMS alias is alias/<name>)"
            }
            ObjectKind::Identity => {
                "must be 1 to 64 letters, digits or +=,.@_- characters (an IAM role name)"
            }
            ObjectKind::Cluster => {
                "must start with a letter or digit and hold up to 100 letters, digits, '-' or '_' (an EKS cluster name)"
            }
            ObjectKind::NodePool => {
                "must be 1 to 40 lowercase letters, digits or '-', starting and ending with a letter or digit"
            }
        }
    }

    fn check_tag(&self, key: &str, value: &str) -> Result<(), String> {
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err("keys starting with \"aws:\" are reserved by AWS".into());
        }
        if key.is_empty() || key.chars().count() > 128 {
            return Err("AWS tag keys are 1 to 128 characters".into());
        }
        if value.chars().count() > 256 {
            return Err("AWS tag values are at most 256 characters".into());
        }
        Ok(())
    }

    /// EKS, IAM and KMS all cap user tags at 50 per resource.
    fn max_tags(&self) -> Option<usize> {
        Some(50)
    }

    /// At most three on one object: a role's purpose and workload cluster, and the
    /// create token of a role or key (`tags.rs`, `tokens.rs`).
    fn own_tags(&self) -> usize {
        3
    }

    fn is_object_id(&self, kind: ObjectKind, id: &str) -> bool {
        let Some(a) = Arn::parse(id) else {
            return false;
        };
        let account_ok = a.account.len() == 12 && a.account.chars().all(|c| c.is_ascii_digit());
        match kind {
            ObjectKind::Key => kms_key_arn(id).is_ok(),
            ObjectKind::Identity => {
                a.service == "iam" && account_ok && arn::role_name(id).is_ok_and(|n| !n.is_empty())
            }
            ObjectKind::Cluster => account_ok && arn::cluster_name(id).is_ok(),
            ObjectKind::NodePool => {
                account_ok && arn::nodegroup_names(id).is_ok() && a.resource.split('/').count() == 4
            }
        }
    }

    fn id_form(&self, kind: ObjectKind) -> &'static str {
        match kind {
            ObjectKind::Key => "arn:aws:kms:REGION:ACCOUNT:key/KEY_ID",
            ObjectKind::Identity => "arn:aws:iam::ACCOUNT:role/NAME",
            ObjectKind::Cluster => "arn:aws:eks:REGION:ACCOUNT:cluster/NAME",
            ObjectKind::NodePool => "arn:aws:eks:REGION:ACCOUNT:nodegroup/CLUSTER/NAME/ID",
        }
    }

    fn location_in_id(&self, id: &str) -> Option<String> {
        Arn::parse(id)
            .map(|a| a.region)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
    }

    fn check_key(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(days) = config.attr("rotation_period_days").and_then(Value::as_i64)
            && !(90..=2560).contains(&days)
        {
            diags.push(invalid(
                AttributePath::attr("rotation_period_days"),
                format!("On aws, rotation_period_days must be a whole number between 90 and 2560, got {days}."),
            ));
        }
    }

    fn check_identity(&self, config: &Value, diags: &mut Diagnostics) {
        let Some(grants) = config.attr("grants").and_then(Value::as_elements) else {
            return;
        };
        for (i, g) in grants.iter().enumerate() {
            let (Some(action), Some(target)) = (
                g.attr("action")
                    .and_then(Value::as_str)
                    .and_then(GrantAction::parse),
                g.attr("target").and_then(Value::as_str),
            ) else {
                continue;
            };
            let checked = if action.targets_key() {
                kms_key_arn(target)
                    .map(|_| ())
                    .map_err(|_| "a KMS key ARN (an mlcloud_kms_key's key_ref)".to_string())
            } else {
                check_model_store(target).map_err(|why| {
                    format!(
                        "an S3 location such as \"s3://bucket/prefix/\" or \"s3://bucket\" ({why})"
                    )
                })
            };
            if let Err(want) = checked {
                diags.push(invalid(
                    AttributePath::attr("grants")
                        .push_index(i as i64)
                        .push_attr("target"),
                    format!("{} on aws needs {want}, got \"{target}\".", action.as_str()),
                ));
            }
        }
    }

    fn check_cluster(&self, config: &Value, diags: &mut Diagnostics) {
        if missing(config.attr("identity_id")) {
            diags.push(invalid(
                AttributePath::attr("identity_id"),
                "On aws, identity_id is required: the id of an mlcloud_identity with purpose = \"cluster\".",
            ));
        }
        let pool = config.attr("system_pool");
        if pool.is_some_and(|p| !p.is_null())
            && missing(pool.and_then(|p| p.attr("node_identity_id")))
        {
            diags.push(invalid(
                AttributePath::attr("system_pool").push_attr("node_identity_id"),
                "On aws, system_pool.node_identity_id is required: the id of an mlcloud_identity with purpose = \"node\".",
            ));
        }
        let subnets = config.attr("aws").and_then(|a| a.attr("subnet_ids"));
        match subnets.and_then(Value::as_elements) {
            Some(s) if s.len() >= 2 => {}
            Some(_) => diags.push(invalid(
                AttributePath::attr("aws").push_attr("subnet_ids"),
                "EKS needs at least two subnets in different availability zones.",
            )),
            None if subnets.is_some_and(Value::is_unknown) => {}
            None => diags.push(invalid(
                AttributePath::attr("aws"),
                "On aws, set aws { subnet_ids = [...] } with at least two subnets in different availability zones.",
            )),
        }
        for principal in config
            .attr("admin_principals")
            .and_then(Value::as_elements)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
        {
            if !is_access_entry_principal(principal) {
                diags.push(invalid(
                    AttributePath::attr("admin_principals"),
                    format!("{principal:?} is not an IAM role or user ARN (arn:aws:iam::111122223333:role/NAME or :user/NAME), which is what an EKS access entry names; for an assumed-role session use its role's ARN."),
                ));
            }
        }
    }

    fn check_node_pool(&self, config: &Value, diags: &mut Diagnostics) {
        if config.attr("node_identity_id").is_some_and(Value::is_null) {
            diags.push(invalid(
                AttributePath::attr("node_identity_id"),
                "On aws, node_identity_id is required: the id of an mlcloud_identity with purpose = \"node\".",
            ));
        }
    }

    fn cluster_log_types(&self) -> &'static [&'static str] {
        &LOG_TYPES
    }

    fn default_system_machine_type(&self) -> &'static str {
        SYSTEM_MACHINE_TYPE
    }

    /// EKS cannot change a cluster's secrets encryption key once set.
    fn pools_follow_cluster(&self) -> bool {
        true
    }

    fn has_cluster_admins(&self) -> bool {
        true
    }

    /// EKS's NVIDIA AMI has the driver and the container toolkit, not the device plugin.
    fn pools_run_gpu_device_plugin(&self) -> bool {
        true
    }

    /// EKS managed node groups scale only through the Kubernetes cluster autoscaler.
    fn pools_need_cluster_autoscaler(&self) -> bool {
        true
    }

    fn cluster_replaced_by(&self) -> &'static [&'static str] {
        &["encryption_key_id"]
    }

    fn architecture(&self, machine_type: &str) -> Architecture {
        if is_arm(machine_type) {
            Architecture::Arm64
        } else {
            Architecture::X86_64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_kind_of_arn_exactly() {
        let r = AwsRules;
        let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert!(r.is_object_id(ObjectKind::Key, key));
        assert!(!r.is_object_id(ObjectKind::Cluster, key));
        assert!(r.is_object_id(
            ObjectKind::Identity,
            "arn:aws:iam::123456789012:role/ml/node"
        ));
        assert!(r.is_object_id(
            ObjectKind::Cluster,
            "arn:aws:eks:us-east-1:123456789012:cluster/ml"
        ));
        assert!(r.is_object_id(
            ObjectKind::NodePool,
            "arn:aws:eks:us-east-1:123456789012:nodegroup/ml/gpu/0ac2d5a4-0000-1111-2222-333344445555"
        ));
        assert!(!r.is_object_id(
            ObjectKind::NodePool,
            "arn:aws:eks:us-east-1:123456789012:nodegroup/ml"
        ));
        assert!(!r.is_object_id(ObjectKind::Cluster, "ml"));
        assert!(!r.is_object_id(ObjectKind::Cluster, "arn:aws:eks:us-east-1:1234:cluster/ml"));
        assert_eq!(r.location_in_id(key).as_deref(), Some("us-east-1"));
    }

    #[test]
    fn names_follow_the_services() {
        let r = AwsRules;
        assert!(r.check_name(ObjectKind::Key, "ml/etcd").is_ok());
        assert!(r.check_name(ObjectKind::Key, "aws/ebs").is_err());
        assert!(r.check_name(ObjectKind::Cluster, "-ml").is_err());
        assert!(r.check_name(ObjectKind::NodePool, "GPU").is_err());
        assert!(r.check_tag("aws:createdBy", "x").is_err());
        assert!(r.check_tag("team", "ml").is_ok());
    }

    #[test]
    fn graviton_families_are_arm() {
        assert!(is_arm("c6gn.xlarge") && is_arm("g5g.xlarge") && is_arm("m7g.large"));
        assert!(!is_arm("g4dn.xlarge") && !is_arm("g6e.xlarge") && !is_arm("p5.48xlarge"));
    }
}

/// An IAM role or user ARN, what an EKS access entry can name.
fn is_access_entry_principal(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "iam", "", account, resource]
        if partition.starts_with("aws")
            && account.len() == 12
            && account.chars().all(|c| c.is_ascii_digit())
            && (resource.starts_with("role/") || resource.starts_with("user/"))
            && resource.len() > 5)
}

#[cfg(test)]
mod access_entry_principal_tests {
    use super::is_access_entry_principal;

    #[test]
    fn roles_and_users_but_not_sessions_or_groups() {
        assert!(is_access_entry_principal(
            "arn:aws:iam::111122223333:role/Admin"
        ));
        assert!(is_access_entry_principal(
            "arn:aws:iam::111122223333:role/team/Admin"
        ));
        assert!(is_access_entry_principal(
            "arn:aws-cn:iam::111122223333:user/bob"
        ));
        assert!(!is_access_entry_principal(
            "arn:aws:sts::111122223333:assumed-role/Admin/alice"
        ));
        assert!(!is_access_entry_principal(
            "arn:aws:iam::111122223333:group/admins"
        ));
        assert!(!is_access_entry_principal("arn:aws:iam::1111:role/Admin"));
        assert!(!is_access_entry_principal("Admin"));
    }
}
