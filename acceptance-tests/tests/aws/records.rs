//! What moto holds, read back through the AWS SDK in the shapes the stories assert on.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use acceptance_tests::moto::policy_document;
use acceptance_tests::{Moto, MotoError, MotoSdk};
use aws_sdk_ec2::types::LaunchTemplateVersion;
use aws_sdk_eks::types::{Cluster, Nodegroup};
use aws_sdk_iam::types::Role;
use aws_sdk_kms::types::KeyMetadata;
use serde_json::Value;

pub type Tags = BTreeMap<String, String>;

/// Tag keys the provider keeps for its markers and bookkeeping (as AWS keeps `aws:`):
/// not the user's tags, so not in `tags_all`. `mlcloud:` is the earlier scheme.
pub const PROVIDER_TAG_PREFIXES: [&str; 2] = ["mlcloud-", "mlcloud:"];

/// `tags` without the provider's own tags: what `tags_all` must equal.
pub fn user_tags(tags: Tags) -> Tags {
    tags.into_iter()
        .filter(|(key, _)| !PROVIDER_TAG_PREFIXES.iter().any(|p| key.starts_with(p)))
        .collect()
}

/// The markers every object mlcloud manages carries, legal on all three clouds.
pub fn assert_marked(tags: &Tags, name: &str) {
    assert_eq!(
        tags.get("mlcloud-managed").map(String::as_str),
        Some("true"),
        "{tags:?}"
    );
    assert_eq!(
        tags.get("mlcloud-name").map(String::as_str),
        Some(name),
        "{tags:?}"
    );
    assert!(
        !tags.keys().any(|k| k.starts_with("mlcloud:")),
        "no tags of the earlier scheme: {tags:?}"
    );
}

/// Moto's records, one SDK call per question.
pub struct Records<'a> {
    sdk: &'a MotoSdk,
}

impl<'a> Records<'a> {
    pub fn of(moto: &'a Moto) -> Records<'a> {
        Records { sdk: moto.sdk() }
    }

    pub fn sdk(&self) -> &'a MotoSdk {
        self.sdk
    }

    // ------------------------------------------------------------------ KMS

    pub fn key(&self, key_id: &str) -> Result<KeyMetadata, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "kms DescribeKey",
            sdk.kms.describe_key().key_id(key_id).send(),
        )?;
        Ok(answer
            .key_metadata()
            .cloned()
            .expect("DescribeKey answers with KeyMetadata"))
    }

    /// The customer-managed keys (moto also serves AWS-managed ones on request).
    pub fn customer_keys(&self) -> Result<Vec<KeyMetadata>, MotoError> {
        let sdk = self.sdk;
        let listed = sdk.call("kms ListKeys", sdk.kms.list_keys().send())?;
        let mut keys = Vec::new();
        for entry in listed.keys() {
            let key = self.key(entry.key_id().unwrap_or_default())?;
            if key.key_manager() == Some(&aws_sdk_kms::types::KeyManagerType::Customer) {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// The alias names (`alias/...`) pointing at `key_id`.
    pub fn aliases_of(&self, key_id: &str) -> Result<Vec<String>, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "kms ListAliases",
            sdk.kms.list_aliases().key_id(key_id).send(),
        )?;
        Ok(answer
            .aliases()
            .iter()
            .filter_map(|alias| alias.alias_name().map(str::to_owned))
            .collect())
    }

    /// Every alias name in the account.
    pub fn alias_names(&self) -> Result<Vec<String>, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call("kms ListAliases", sdk.kms.list_aliases().send())?;
        Ok(answer
            .aliases()
            .iter()
            .filter_map(|alias| alias.alias_name().map(str::to_owned))
            .collect())
    }

    pub fn key_rotation_enabled(&self, key_id: &str) -> Result<bool, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "kms GetKeyRotationStatus",
            sdk.kms.get_key_rotation_status().key_id(key_id).send(),
        )?;
        Ok(answer.key_rotation_enabled())
    }

    pub fn key_policy(&self, key_id: &str) -> Result<Value, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "kms GetKeyPolicy",
            sdk.kms
                .get_key_policy()
                .key_id(key_id)
                .policy_name("default")
                .send(),
        )?;
        policy_document(answer.policy().unwrap_or_default())
    }

    pub fn key_tags(&self, key_id: &str) -> Result<Tags, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "kms ListResourceTags",
            sdk.kms.list_resource_tags().key_id(key_id).send(),
        )?;
        Ok(answer
            .tags()
            .iter()
            .map(|tag| (tag.tag_key().to_owned(), tag.tag_value().to_owned()))
            .collect())
    }

    // ------------------------------------------------------------------ IAM

    pub fn role(&self, name: &str) -> Result<Role, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call("iam GetRole", sdk.iam.get_role().role_name(name).send())?;
        Ok(answer.role().cloned().expect("GetRole answers with a Role"))
    }

    /// The account's own roles: service-linked roles (path `/aws-service-role/`) are
    /// AWS's, made once per account and never deleted with a stack.
    pub fn role_names(&self) -> Result<Vec<String>, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call("iam ListRoles", sdk.iam.list_roles().send())?;
        Ok(answer
            .roles()
            .iter()
            .filter(|role| !role.path().starts_with("/aws-service-role/"))
            .map(|role| role.role_name().to_owned())
            .collect())
    }

    pub fn trust_policy(&self, role_name: &str) -> Result<Value, MotoError> {
        let role = self.role(role_name)?;
        policy_document(role.assume_role_policy_document().unwrap_or_default())
    }

    pub fn attached_policy_arns(&self, role_name: &str) -> Result<BTreeSet<String>, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "iam ListAttachedRolePolicies",
            sdk.iam
                .list_attached_role_policies()
                .role_name(role_name)
                .send(),
        )?;
        Ok(answer
            .attached_policies()
            .iter()
            .filter_map(|policy| policy.policy_arn().map(str::to_owned))
            .collect())
    }

    pub fn inline_policy_names(&self, role_name: &str) -> Result<Vec<String>, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "iam ListRolePolicies",
            sdk.iam.list_role_policies().role_name(role_name).send(),
        )?;
        Ok(answer.policy_names().to_vec())
    }

    pub fn inline_policy(&self, role_name: &str, policy_name: &str) -> Result<Value, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "iam GetRolePolicy",
            sdk.iam
                .get_role_policy()
                .role_name(role_name)
                .policy_name(policy_name)
                .send(),
        )?;
        policy_document(answer.policy_document())
    }

    pub fn role_tags(&self, role_name: &str) -> Result<Tags, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "iam ListRoleTags",
            sdk.iam.list_role_tags().role_name(role_name).send(),
        )?;
        Ok(answer
            .tags()
            .iter()
            .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
            .collect())
    }

    pub fn oidc_provider_arns(&self) -> Result<Vec<String>, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "iam ListOpenIDConnectProviders",
            sdk.iam.list_open_id_connect_providers().send(),
        )?;
        Ok(answer
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|entry| entry.arn().map(str::to_owned))
            .collect())
    }

    /// `(client ids, tags)` of the OIDC provider `arn`.
    pub fn oidc_provider(&self, arn: &str) -> Result<(Vec<String>, Tags), MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "iam GetOpenIDConnectProvider",
            sdk.iam
                .get_open_id_connect_provider()
                .open_id_connect_provider_arn(arn)
                .send(),
        )?;
        let tags = answer
            .tags()
            .iter()
            .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
            .collect();
        Ok((answer.client_id_list().to_vec(), tags))
    }

    // ------------------------------------------------------------------ EKS

    pub fn cluster(&self, name: &str) -> Result<Cluster, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "eks DescribeCluster",
            sdk.eks.describe_cluster().name(name).send(),
        )?;
        Ok(answer
            .cluster()
            .cloned()
            .expect("DescribeCluster answers with a cluster"))
    }

    pub fn cluster_names(&self) -> Result<Vec<String>, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call("eks ListClusters", sdk.eks.list_clusters().send())?;
        Ok(answer.clusters().to_vec())
    }

    pub fn node_group(&self, cluster: &str, name: &str) -> Result<Nodegroup, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "eks DescribeNodegroup",
            sdk.eks
                .describe_nodegroup()
                .cluster_name(cluster)
                .nodegroup_name(name)
                .send(),
        )?;
        Ok(answer
            .nodegroup()
            .cloned()
            .expect("DescribeNodegroup answers with a node group"))
    }

    pub fn node_group_names(&self, cluster: &str) -> Result<Vec<String>, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "eks ListNodegroups",
            sdk.eks.list_nodegroups().cluster_name(cluster).send(),
        )?;
        Ok(answer.nodegroups().to_vec())
    }

    /// Deletes a node group behind Terraform's back and waits until moto no longer
    /// lists it.
    pub fn delete_node_group_out_of_band(
        &self,
        cluster: &str,
        name: &str,
    ) -> Result<(), MotoError> {
        let sdk = self.sdk;
        sdk.call(
            "eks DeleteNodegroup",
            sdk.eks
                .delete_nodegroup()
                .cluster_name(cluster)
                .nodegroup_name(name)
                .send(),
        )?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while self
            .node_group_names(cluster)?
            .iter()
            .any(|listed| listed == name)
        {
            assert!(
                Instant::now() < deadline,
                "moto still lists node group {name} 30 s after deleting it"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(())
    }

    // ------------------------------------------------------------------ EC2

    pub fn launch_template_names(&self) -> Result<Vec<String>, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "ec2 DescribeLaunchTemplates",
            sdk.ec2.describe_launch_templates().send(),
        )?;
        Ok(answer
            .launch_templates()
            .iter()
            .filter_map(|template| template.launch_template_name().map(str::to_owned))
            .collect())
    }

    /// The latest version of the launch template `name`.
    pub fn launch_template(&self, name: &str) -> Result<LaunchTemplateVersion, MotoError> {
        let sdk = self.sdk;
        let answer = sdk.call(
            "ec2 DescribeLaunchTemplateVersions",
            sdk.ec2
                .describe_launch_template_versions()
                .launch_template_name(name)
                .versions("$Latest")
                .send(),
        )?;
        Ok(answer
            .launch_template_versions()
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("launch template {name} has no version")))
    }
}

/// Every principal of every statement of a policy document, as `(kind, value)`:
/// `("Service", "eks.amazonaws.com")`, `("AWS", "arn:...:root")`, `("Federated", ...)`.
pub fn principals(document: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for statement in statements(document) {
        match &statement["Principal"] {
            Value::String(value) => found.push(("*".to_owned(), value.clone())),
            Value::Object(kinds) => {
                for (kind, values) in kinds {
                    for value in strings(values) {
                        found.push((kind.clone(), value));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The statements of a policy document (a single statement object counts as one).
pub fn statements(document: &Value) -> Vec<&Value> {
    match &document["Statement"] {
        Value::Array(statements) => statements.iter().collect(),
        Value::Null => Vec::new(),
        single => vec![single],
    }
}

/// A policy field that may be a string or a list of strings, as a list.
pub fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(single) => vec![single.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Tags as the state holds them (`tags_all`), for comparing with moto's.
pub fn state_tags(value: &Value) -> Tags {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(key, value)| (key.clone(), value.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// A node group's taints as `(key, value, EFFECT)`, e.g. `("nvidia.com/gpu", "present", "NO_SCHEDULE")`.
pub fn taints_of(group: &Nodegroup) -> Vec<(String, String, String)> {
    group
        .taints()
        .iter()
        .map(|taint| {
            (
                taint.key().unwrap_or_default().to_owned(),
                taint.value().unwrap_or_default().to_owned(),
                taint
                    .effect()
                    .map(|effect| effect.as_str().to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// A node group's `(min, max, desired)` size.
pub fn scaling_of(group: &Nodegroup) -> (i32, i32, i32) {
    let scaling = group
        .scaling_config()
        .expect("a node group has a scaling config");
    (
        scaling.min_size().unwrap_or(-1),
        scaling.max_size().unwrap_or(-1),
        scaling.desired_size().unwrap_or(-1),
    )
}

/// EKS tags (a map that may be absent) as [`Tags`].
pub fn eks_tags(tags: Option<&std::collections::HashMap<String, String>>) -> Tags {
    tags.map(|tags| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}
