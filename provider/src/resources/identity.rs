//! `mlcloud_identity`: an identity for a cluster, its nodes or a workload, with the
//! narrowest permissions its `grants` need (AWS: an IAM role).

use super::common::*;
use super::kubernetes;
use super::lifecycle::CloudObject;
use crate::clouds::model::{
    AwsIdentitySettings, AzureIdentitySettings, GcpIdentitySettings, Grant, GrantAction,
    IdentitySpec, IdentityState, PerCloud, Purpose, Tags, WorkloadBinding,
};
use crate::clouds::{CloudRules, Clouds, ObjectKind, RuleBook};
use serde::Deserialize;
use tfplug::schema::{Attribute, Block, NestedBlock, Schema, validators};
use tfplug::{AttributePath, Diagnostic, Diagnostics, ResourcePlan, Type, Value};

#[derive(Clone)]
pub struct Identity {
    rules: RuleBook,
}

impl Identity {
    pub fn new(rules: RuleBook) -> Self {
        Identity { rules }
    }
}

const TIMEOUTS: Timeouts = Timeouts {
    create: minutes(5),
    update: minutes(5),
    delete: minutes(5),
};

fn grant_type() -> Type {
    Type::object([("action", Type::String), ("target", Type::String)])
}

#[derive(Deserialize)]
struct GrantConfig {
    action: Option<String>,
    target: Option<String>,
}

/// The configuration (or a planned value, or a prior state) as typed values.
#[derive(Deserialize, Default)]
#[serde(default)]
struct IdentityConfig {
    name: Option<String>,
    location: Option<String>,
    purpose: Option<String>,
    workload: Option<WorkloadBinding>,
    grants: Option<Vec<GrantConfig>>,
    tags: Option<Tags>,
    aws: Option<AwsIdentitySettings>,
    azure: Option<AzureIdentitySettings>,
    gcp: Option<GcpIdentitySettings>,
}

fn decode_config(v: &Value) -> Result<IdentityConfig, Diagnostic> {
    tfplug::value::decode(v)
        .map_err(|e| Diagnostic::error("Cannot read the identity's configuration", e.to_string()))
}

fn purpose_of(v: &Value) -> Option<Purpose> {
    Purpose::parse(str_attr(v, "purpose")?)
}

/// Each grant's action must be one mlcloud knows; what its target must look like is
/// the cloud's rule.
fn check_grant_actions(config: &Value, diags: &mut Diagnostics) {
    let Some(grants) = config.attr("grants").and_then(Value::as_elements) else {
        return;
    };
    let actions: Vec<&str> = GrantAction::ALL.iter().map(|a| a.as_str()).collect();
    for (i, g) in grants.iter().enumerate() {
        if let Some(action) = str_attr(g, "action")
            && GrantAction::parse(action).is_none()
        {
            diags.push(invalid_at(
                AttributePath::attr("grants")
                    .push_index(i as i64)
                    .push_attr("action"),
                format!(
                    "action must be one of {}, got \"{action}\".",
                    actions.join(", ")
                ),
            ));
        }
    }
}

/// The service account a workload identity names must be one Kubernetes can create;
/// otherwise the trust policy names a subject no pod can ever present.
fn check_workload_names(config: &Value, diags: &mut Diagnostics) {
    let Some(w) = config.attr("workload").filter(|w| !w.is_null()) else {
        return;
    };
    let path = |a: &str| AttributePath::attr("workload").push_attr(a);
    if let Some(ns) = str_attr(w, "namespace")
        && let Err(why) = kubernetes::check_namespace(ns)
    {
        diags.push(invalid_at(path("namespace"), why));
    }
    if let Some(sa) = str_attr(w, "service_account")
        && let Err(why) = kubernetes::check_service_account(sa)
    {
        diags.push(invalid_at(path("service_account"), why));
    }
}

impl CloudObject for Identity {
    /// Drift found on refresh is planned away: apply writes what mlcloud owns and
    /// removes the rest.
    fn plan(&self, plan: &mut ResourcePlan, _rules: &dyn CloudRules, _diags: &mut Diagnostics) {
        if let Value::Object(m) = &mut plan.planned
            && plan.prior.is_some()
        {
            m.insert("policy_drift".into(), Value::Set(Vec::new()));
        }
    }

    type Spec = IdentitySpec;
    type State = IdentityState;
    const KIND: ObjectKind = ObjectKind::Identity;
    const NOUN: &'static str = "the identity";
    const TIMEOUTS: Timeouts = TIMEOUTS;

    fn rules(&self) -> &RuleBook {
        &self.rules
    }

    fn schema(&self) -> Schema {
        let [aws, azure, gcp] = cloud_blocks(
            Block::new().attr(
                Attribute::string("permissions_boundary_arn")
                    .optional()
                    .validate(validators::matches(
                        r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/.+$",
                        "must be an IAM policy ARN such as \"arn:aws:iam::123456789012:policy/boundary\"",
                    ))
                    .describe("A permissions boundary for the role."),
            ),
            Block::new().attr(Attribute::string("resource_group_name").optional().requires_replace().describe("Resource group of the user-assigned managed identity (required on Azure).")),
            Block::new().attr(Attribute::string("project").optional().requires_replace().describe("Project of the service account; defaults to the provider's.")),
        );
        Schema::new(
            base_block(ObjectKind::Identity, &self.rules)
            .describe("An identity with least-privilege permissions. `purpose` sets who may assume it and its baseline permissions: `cluster` (AWS: trusted by eks.amazonaws.com, with AmazonEKSClusterPolicy), `node` (AWS: trusted by ec2.amazonaws.com, with the EKS worker, CNI and ECR read-only policies) or `workload` (AWS: IRSA, trusted by the cluster's OIDC provider for one Kubernetes service account). `grants` add exactly the permissions listed, on exactly the resources named. On Google Cloud: a service account `<name>` (6 to 30 characters); `node` gets only the logging and monitoring writer roles on its project, `workload` lets one Kubernetes service account of the cluster's Workload Identity pool impersonate it (`roles/iam.workloadIdentityUser`), key grants are IAM bindings on the crypto key, and model store grants bindings on the bucket (`roles/storage.objectViewer` / `roles/storage.objectUser`, limited to the prefix by an IAM condition). Service accounts carry no labels, so purpose, workload, tags and grants are recorded in the account's description (256 characters).")
            .attr(
                Attribute::string("purpose")
                    .required()
                    .one_of(&["cluster", "node", "workload"])
                    .requires_replace()
                    .describe("Who uses the identity. Changing it replaces the identity."),
            )
            .attr(
                Attribute::list("grants", grant_type())
                    .optional()
                    .describe("Permissions to add, each `{ action, target }`: `kms_decrypt` / `kms_encrypt_decrypt` on a key's `key_ref`; `model_store_read` / `model_store_write` on a model store location (AWS: `s3://bucket/prefix/`; Google Cloud: `gs://bucket/prefix/`, a bucket binding limited to the prefix by an IAM condition, which needs uniform bucket-level access)."),
            )
            .attr(Attribute::string("principal").computed().use_state_for_unknown().describe("How other policies name this identity: the role ARN on AWS, the managed identity's principal (object) id on Azure."))
            .attr(Attribute::set("policy_drift", Type::String).computed().describe("What the cloud holds for this identity beyond what mlcloud writes (aws: a trust statement trusting someone else, a statement added to the grants policy, a managed policy attached out of band), one line each. Found on refresh; the plan then shows it going away, and apply removes it."))
            .attr(Attribute::string("client_id").computed().use_state_for_unknown().describe("The identity's unique id (AWS: the role id; Azure: the managed identity's client id, what workloads sign in as)."))
            .block(
                NestedBlock::single(
                    "workload",
                    Block::new()
                        .describe("For `purpose = \"workload\"`: the Kubernetes service account allowed to use the identity.")
                        .attr(Attribute::string("cluster_id").required().describe("The `id` of the `mlcloud_cluster`."))
                        .attr(Attribute::string("namespace").required().describe("The service account's namespace: a Kubernetes namespace name (1 to 63 lowercase letters, digits or `-`, starting and ending with a letter or digit)."))
                        .attr(Attribute::string("service_account").required().describe("The service account's name: a Kubernetes object name (1 to 253 lowercase letters, digits, `-` or `.`, each `.`-separated part starting and ending with a letter or digit).")),
                ),
            )
            .block(aws)
            .block(azure)
            .block(gcp),
        )
    }

    fn check_neutral(&self, config: &Value, diags: &mut Diagnostics) {
        let has_workload = config.attr("workload").is_some_and(|w| !w.is_null());
        match (purpose_of(config), has_workload) {
            (Some(Purpose::Workload), false) => diags.push(invalid_at(
                AttributePath::attr("workload"),
                "purpose = \"workload\" needs a workload { cluster_id, namespace, service_account } block naming the Kubernetes service account that may use the identity.",
            )),
            (Some(p @ (Purpose::Cluster | Purpose::Node)), true) => diags.push(invalid_at(
                AttributePath::attr("workload"),
                format!("A workload {{}} block only applies to purpose = \"workload\"; this identity has purpose = \"{}\".", p.as_str()),
            )),
            _ => {}
        }
        check_workload_names(config, diags);
        check_grant_actions(config, diags);
    }

    fn check(&self, config: &Value, rules: &dyn CloudRules, diags: &mut Diagnostics) {
        rules.check_identity(config, diags);
    }

    fn spec(&self, clouds: &Clouds, planned: &Value) -> Result<IdentitySpec, Diagnostic> {
        let cloud = required_cloud(planned)?;
        let c = decode_config(planned)?;
        let purpose = c
            .purpose
            .as_deref()
            .and_then(Purpose::parse)
            .ok_or_else(|| {
                invalid_at(
                    AttributePath::attr("purpose"),
                    "purpose must be cluster, node or workload.",
                )
            })?;
        Ok(IdentitySpec {
            name: c.name.unwrap_or_default(),
            location: c.location.unwrap_or_default(),
            purpose,
            workload: c.workload,
            grants: c
                .grants
                .unwrap_or_default()
                .into_iter()
                .filter_map(|g| {
                    Some(Grant {
                        action: GrantAction::parse(g.action.as_deref()?)?,
                        target: g.target?,
                    })
                })
                .collect(),
            tags: clouds.merged_tags(&c.tags.unwrap_or_default()),
            cloud: PerCloud::pick(cloud, c.aws, c.azure, c.gcp),
        })
    }

    fn to_state(&self, clouds: &Clouds, s: &IdentityState, config: &Value) -> Value {
        let workload = s.workload.as_ref().map(|w| {
            Value::object([
                ("cluster_id", Value::from(w.cluster_id.as_str())),
                ("namespace", Value::from(w.namespace.as_str())),
                ("service_account", Value::from(w.service_account.as_str())),
            ])
        });
        let grants = Value::List(
            s.grants
                .iter()
                .map(|g| {
                    Value::object([
                        ("action", Value::from(g.action.as_str())),
                        ("target", Value::from(g.target.as_str())),
                    ])
                })
                .collect(),
        );
        let mut v = Value::object([
            ("id", Value::from(s.id.as_str())),
            ("cloud", Value::from(s.cloud.cloud().as_str())),
            ("name", Value::from(s.name.as_str())),
            (
                "location",
                match &s.location {
                    Some(location) => Value::from(location.as_str()),
                    None => known_location(clouds, config, &s.id),
                },
            ),
            ("purpose", Value::from(s.purpose.as_str())),
            ("workload", workload.into()),
            (
                "grants",
                null_if_unset(grants, s.grants.is_empty(), config, "grants"),
            ),
            ("principal", Value::from(s.principal.as_str())),
            ("client_id", Value::from(s.client_id.as_str())),
            ("policy_drift", string_set(&s.policy_drift)),
            ("tags", user_tags(clouds, &s.tags, config)),
            ("tags_all", tags_value(&s.tags)),
        ]);
        keep_config_only(&mut v, config, &["timeouts"]);
        write_cloud_block(&mut v, &s.cloud, config);
        v
    }
}
