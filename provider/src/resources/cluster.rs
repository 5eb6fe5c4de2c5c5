//! `mlcloud_cluster`: a hardened Kubernetes control plane with a system node pool
//! (AWS: EKS with secrets encryption, private endpoint, all control-plane logs).

use super::common::*;
use super::lifecycle::{CloudObject, PlanFuture};
use super::machines;
use crate::clouds::model::{
    AwsClusterSettings, AzureClusterSettings, ClusterSpec, ClusterState, EndpointAccess,
    GcpClusterSettings, ListScope, PerCloud, SystemPoolSpec, Tags,
};
use crate::clouds::{CloudRules, Clouds, ObjectKind, RuleBook};
use serde::Deserialize;
use std::collections::BTreeSet;
use tfplug::schema::{Attribute, Block, NestedBlock, Schema, validators};
use tfplug::{AttributePath, Diagnostic, Diagnostics, ResourcePlan, Type, Value};

#[derive(Clone)]
pub struct Cluster {
    rules: RuleBook,
}

impl Cluster {
    pub fn new(rules: RuleBook) -> Self {
        Cluster { rules }
    }
}

const TIMEOUTS: Timeouts = Timeouts {
    create: minutes(45),
    update: minutes(60),
    delete: minutes(30),
};

/// Version 1: `logging`, `authorized_cidrs`, `aws.subnet_ids` and
/// `aws.security_group_ids` became sets (version 0 had lists).
pub const SCHEMA_VERSION: i64 = 1;
/// The attributes that were lists in version 0, as paths of attribute names.
const SETS: &[&[&str]] = &[
    &["logging"],
    &["authorized_cidrs"],
    &["aws", "subnet_ids"],
    &["aws", "security_group_ids"],
];

const DEFAULT_NODE_COUNT: u32 = 2;

#[derive(Deserialize, Default)]
#[serde(default)]
struct SystemPoolConfig {
    machine_type: Option<String>,
    node_count: Option<u32>,
    node_identity_id: Option<String>,
}

/// The configuration (or a planned value, or a prior state) as typed values.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ClusterConfig {
    name: Option<String>,
    location: Option<String>,
    kubernetes_version: Option<String>,
    endpoint_access: Option<String>,
    authorized_cidrs: Option<BTreeSet<String>>,
    encryption_key_id: Option<String>,
    identity_id: Option<String>,
    system_pool: Option<SystemPoolConfig>,
    admin_principals: Option<BTreeSet<String>>,
    logging: Option<BTreeSet<String>>,
    tags: Option<Tags>,
    aws: Option<AwsClusterSettings>,
    azure: Option<AzureClusterSettings>,
    gcp: Option<GcpClusterSettings>,
}

fn decode_config(v: &Value) -> Result<ClusterConfig, Diagnostic> {
    tfplug::value::decode(v)
        .map_err(|e| Diagnostic::error("Cannot read the cluster's configuration", e.to_string()))
}

impl CloudObject for Cluster {
    type Spec = ClusterSpec;
    type State = ClusterState;
    const KIND: ObjectKind = ObjectKind::Cluster;
    const NOUN: &'static str = "the cluster";
    const TIMEOUTS: Timeouts = TIMEOUTS;
    const SETS_SINCE_V1: &'static [&'static [&'static str]] = SETS;

    fn rules(&self) -> &RuleBook {
        &self.rules
    }

    fn schema(&self) -> Schema {
        let [aws, azure, gcp] = cloud_blocks(
            Block::new()
                .attr(
                    Attribute::set("subnet_ids", Type::String)
                        .optional()
                        .requires_replace()
                        .describe("Subnets for the control plane's network interfaces and the system pool; at least two, in different availability zones. Required on aws."),
                )
                .attr(Attribute::set("security_group_ids", Type::String).optional().requires_replace().describe("Extra security groups for the control plane.")),
            Block::new()
                .attr(Attribute::string("resource_group_name").optional().requires_replace().describe("Resource group of the AKS cluster (required on Azure)."))
                .attr(Attribute::string("subnet_id").optional().requires_replace().describe("ARM id of the subnet for the system pool's nodes (`.../Microsoft.Network/virtualNetworks/VNET/subnets/NAME`); AKS makes its own network when unset.")),
            Block::new()
                .attr(Attribute::string("project").optional().requires_replace().describe("Project; defaults to the provider's."))
                .attr(Attribute::string("network").optional().requires_replace().describe("VPC network; default `default`."))
                .attr(Attribute::string("subnetwork").optional().requires_replace().describe("Subnetwork; default `default`."))
                .attr(Attribute::string("master_ipv4_cidr_block").optional().requires_replace().validate(validators::cidr()).describe("The control plane's private range (a /28); default `172.16.0.0/28`.")),
        );
        Schema::new(
            base_block(ObjectKind::Cluster, &self.rules)
            .describe("A Kubernetes cluster for ML workloads, secure by default: Kubernetes secrets encrypted with a customer-managed key, a private API endpoint, every control-plane log type, and a system node pool. On AWS: EKS in API authentication mode with an IAM OIDC provider so workload identities work. On Azure: AKS with KMS etcd encryption (the cluster's identity gets Key Vault Crypto User on the key, and a private vault is reached privately), OIDC issuer and workload identity, Azure RBAC without local accounts, a cilium network policy, a `CriticalAddonsOnly` system pool and patch upgrades; `identity_id` is the control plane's user-assigned identity. On Google Cloud: GKE with private nodes, Workload Identity, shielded nodes, the REGULAR release channel and binary authorization; `encryption_key_id` also grants the project's GKE service agent `roles/cloudkms.cryptoKeyEncrypterDecrypter` on the key, before the cluster is created. GKE clusters have no identity of their own (`identity_id` is refused); nodes run as `system_pool.node_identity_id`, never as the default compute service account.")
            .attr(Attribute::string("kubernetes_version").optional().computed().use_state_for_unknown().describe("Kubernetes minor version, e.g. `1.31`; the cloud's default when unset. Upgrades happen in place."))
            .attr(Attribute::string("endpoint_access").default("private").one_of(&["private", "public"]).describe("`private` (default): the API server is reachable only from the cluster's network. `public`: also from `authorized_cidrs`."))
            .attr(
                Attribute::set("authorized_cidrs", Type::String)
                    .optional()
                    .validate(validators::each(validators::cidr()))
                    .describe("Networks allowed to reach a public endpoint. Required for `endpoint_access = \"public\"`; `0.0.0.0/0` only if written explicitly."),
            )
            .attr(Attribute::string("encryption_key_id").required().describe("The `key_ref` of the `mlcloud_kms_key` that encrypts Kubernetes secrets. On aws a different key replaces the cluster (EKS cannot change it)."))
            .attr(Attribute::set("admin_principals", Type::String).optional().computed().use_state_for_unknown().describe("Who administers the cluster, as grants Terraform sees: on aws, IAM role or user ARNs, each an EKS access entry with `AmazonEKSClusterAdminPolicy` for the whole cluster (there is no hidden creator-admin). On azure, Microsoft Entra object ids (lowercase GUIDs of users, groups or service principals), each an Azure RBAC role assignment of \"Azure Kubernetes Service RBAC Cluster Admin\" at the cluster's scope (local accounts are off, so there is no other way in). On gcp, IAM members (`user:EMAIL`, `serviceAccount:EMAIL`, `group:EMAIL`), each a `roles/container.admin` binding on the project. Default: the caller (aws: as STS names it, an assumed-role session reading as its role; azure: the object id in the caller's token; gcp: the credentials' service account or user), resolved at plan time and then kept; removing a principal revokes its access and nothing else (on gcp only a binding mlcloud wrote and no other cluster of the project records)."))
            .attr(Attribute::string("identity_id").optional().requires_replace().describe("The `id` of an `mlcloud_identity` with `purpose = \"cluster\"`. Required on aws."))
            .attr(
                Attribute::set("logging", Type::String)
                    .optional()
                    .computed()
                    .describe("Control-plane log types to send to the cloud's log service (aws: `api`, `audit`, `authenticator`, `controllerManager`, `scheduler`). Default: all of them."),
            )
            .attr(Attribute::string("endpoint").computed().use_state_for_unknown().describe("The API server URL."))
            .attr(Attribute::string("ca_certificate").computed().use_state_for_unknown().describe("The cluster CA certificate (base64 PEM)."))
            .attr(Attribute::string("oidc_issuer_url").computed().use_state_for_unknown().describe("The cluster's OIDC issuer, trusted by workload identities."))
            .attr(Attribute::string("status").computed().use_state_for_unknown().describe("The cloud's status of the cluster, e.g. `ACTIVE`."))
            .block(
                NestedBlock::single(
                    "system_pool",
                    Block::new()
                        .describe("The node pool for system workloads (DNS, networking, the serving endpoint's controllers). Part of the cluster, but never a reason to replace it: a system pool deleted out of band is re-created in place.")
                        .attr(Attribute::string("machine_type").optional().computed().describe("Instance / VM / machine type; default `m6i.large` on aws. Changing it rotates the system pool in place: a new node group, then the old one removed (the cluster stays)."))
                        .attr(Attribute::number("node_count").default(i64::from(DEFAULT_NODE_COUNT)).validate(validators::int_between(1, 100)).describe("Number of nodes; changed in place."))
                        .attr(Attribute::string("node_identity_id").optional().describe("The `id` of an `mlcloud_identity` with `purpose = \"node\"`. Required on aws. Changing it rotates the system pool like `machine_type` does.")),
                )
                .required(),
            )
            .block(aws)
            .block(azure)
            .block(gcp),
        )
        .version(SCHEMA_VERSION)
    }

    fn list_block(&self) -> Option<Block> {
        Some(
            Block::new()
                .describe("Finds the clusters of one cloud and location, ready to import.")
                .attr(cloud_attribute())
                .attr(Attribute::string("location").optional().describe(
                    "Region to look in; default: the provider block's region for the cloud.",
                )),
        )
    }

    fn list_scope(&self, config: &Value) -> ListScope {
        ListScope {
            location: str_attr(config, "location").map(str::to_owned),
            parent_id: None,
        }
    }

    fn check_neutral(&self, config: &Value, diags: &mut Diagnostics) {
        let public = str_attr(config, "endpoint_access") == Some("public");
        let cidrs = config.attr("authorized_cidrs");
        let no_cidrs =
            cidrs.is_none_or(|c| c.as_elements().is_some_and(<[Value]>::is_empty) || c.is_null());
        if public && no_cidrs {
            diags.push(invalid_at(
                AttributePath::attr("authorized_cidrs"),
                "endpoint_access = \"public\" needs authorized_cidrs listing the networks that may reach the API server (write \"0.0.0.0/0\" only if you mean the whole internet).",
            ));
        }
        if !public && cidrs.is_some_and(|c| c.as_elements().is_some_and(|e| !e.is_empty())) {
            diags.push(invalid_at(
                AttributePath::attr("authorized_cidrs"),
                "authorized_cidrs apply to a public endpoint; set endpoint_access = \"public\" or remove them.",
            ));
        }
    }

    fn check(&self, config: &Value, rules: &dyn CloudRules, diags: &mut Diagnostics) {
        refuse_unsupported(
            config,
            &["admin_principals"],
            &self.rules,
            rules,
            |r| r.has_cluster_admins(),
            diags,
        );
        if let Some(types) = config.attr("logging").and_then(Value::as_elements) {
            let known = rules.cluster_log_types();
            for t in types.iter().filter_map(Value::as_str) {
                if !known.contains(&t) {
                    diags.push(invalid_at(
                        AttributePath::attr("logging"),
                        format!(
                            "\"{t}\" is not a control-plane log type on {}; choose from {}.",
                            rules.cloud(),
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        rules.check_cluster(config, diags);
    }

    fn plan(&self, plan: &mut ResourcePlan, rules: &dyn CloudRules, diags: &mut Diagnostics) {
        check_version_step(plan, "the cluster", diags);
        // Per-cloud defaults, known at plan time: every log type, the system machine.
        if let Value::Object(m) = &mut plan.planned
            && m.get("logging").is_some_and(Value::is_unknown)
        {
            let all = rules.cluster_log_types().iter().map(|t| Value::from(*t));
            m.insert("logging".into(), Value::Set(all.collect()));
        }
        // Empty: the system group is gone (deleted out of band) and will be re-created.
        if let Some(Value::Object(pool)) = plan.planned.attr_mut("system_pool")
            && pool
                .get("machine_type")
                .is_some_and(|t| t.is_unknown() || t.as_str() == Some(""))
        {
            pool.insert(
                "machine_type".into(),
                rules.default_system_machine_type().into(),
            );
        }
        // What this cloud cannot change in place.
        if let Some(prior) = &plan.prior {
            for name in rules.cluster_replaced_by() {
                let (before, after) = (prior.attr(name), plan.planned.attr(name));
                if after.is_some_and(Value::is_wholly_known) && before != after {
                    plan.requires_replace.push(AttributePath::attr(*name));
                }
            }
        }
    }

    /// `admin_principals` left out means the caller, resolved now so the plan shows
    /// who gets access (later plans keep what the state says).
    fn plan_from_cloud<'a>(
        &'a self,
        clouds: &'a Clouds,
        plan: &'a mut ResourcePlan,
        diags: &'a mut Diagnostics,
    ) -> PlanFuture<'a> {
        Box::pin(async move {
            let Some(cloud) = cloud_of(&plan.planned) else {
                return;
            };
            if !self
                .rules
                .for_cloud(cloud)
                .is_some_and(|rules| rules.has_cluster_admins())
            {
                return;
            }
            if !plan
                .planned
                .attr("admin_principals")
                .is_some_and(Value::is_unknown)
            {
                return;
            }
            let caller = match clouds.caller(cloud).await {
                Ok(caller) => caller.principal().await,
                Err(_) => return,
            };
            match caller {
                Ok(principal) => {
                    if let Value::Object(m) = &mut plan.planned {
                        m.insert(
                            "admin_principals".into(),
                            Value::Set(vec![Value::from(principal.as_str())]),
                        );
                    }
                }
                Err(error) => diags.push(
                    Diagnostic::error(
                        "Cannot tell who would administer the cluster",
                        format!("admin_principals defaults to the caller, and asking {cloud} who that is failed: {error}. Set admin_principals explicitly."),
                    )
                    .at(AttributePath::attr("admin_principals")),
                ),
            }
        })
    }

    fn spec(&self, clouds: &Clouds, planned: &Value) -> Result<ClusterSpec, Diagnostic> {
        let cloud = required_cloud(planned)?;
        let rules = self.rules.require(cloud)?;
        let c = decode_config(planned)?;
        let pool = c.system_pool.unwrap_or_default();
        let machine_type = pool
            .machine_type
            .unwrap_or_else(|| rules.default_system_machine_type().to_string());
        Ok(ClusterSpec {
            name: c.name.unwrap_or_default(),
            location: c.location.unwrap_or_default(),
            kubernetes_version: c.kubernetes_version,
            endpoint_access: match c.endpoint_access.as_deref() {
                Some("public") => EndpointAccess::Public,
                _ => EndpointAccess::Private,
            },
            authorized_cidrs: c.authorized_cidrs.unwrap_or_default(),
            encryption_key_id: c.encryption_key_id,
            identity_id: c.identity_id,
            system_pool: SystemPoolSpec {
                machine: machines::from_machine_type(cloud, &machine_type, rules),
                node_count: pool.node_count.unwrap_or(DEFAULT_NODE_COUNT),
                node_identity_id: pool.node_identity_id,
            },
            admin_principals: c.admin_principals.unwrap_or_default(),
            logging: c.logging.unwrap_or_else(|| {
                rules
                    .cluster_log_types()
                    .iter()
                    .map(|t| t.to_string())
                    .collect()
            }),
            tags: clouds.merged_tags(&c.tags.unwrap_or_default()),
            cloud: PerCloud::pick(cloud, c.aws, c.azure, c.gcp),
        })
    }

    fn to_state(&self, clouds: &Clouds, s: &ClusterState, config: &Value) -> Value {
        let mut v = Value::object([
            ("id", Value::from(s.id.as_str())),
            ("cloud", Value::from(s.cloud.cloud().as_str())),
            ("name", Value::from(s.name.as_str())),
            ("location", Value::from(s.location.as_str())),
            (
                "kubernetes_version",
                Value::from(s.kubernetes_version.as_str()),
            ),
            ("endpoint_access", Value::from(s.endpoint_access.as_str())),
            (
                "authorized_cidrs",
                null_if_unset(
                    string_set(&s.authorized_cidrs),
                    s.authorized_cidrs.is_empty(),
                    config,
                    "authorized_cidrs",
                ),
            ),
            ("encryption_key_id", s.encryption_key_id.clone().into()),
            ("identity_id", s.identity_id.clone().into()),
            (
                "system_pool",
                Value::object([
                    (
                        "machine_type",
                        Value::from(s.system_pool.machine_type.as_str()),
                    ),
                    (
                        "node_count",
                        Value::from(i64::from(s.system_pool.node_count)),
                    ),
                    (
                        "node_identity_id",
                        s.system_pool.node_identity_id.clone().into(),
                    ),
                ]),
            ),
            ("admin_principals", string_set(&s.admin_principals)),
            ("logging", string_set(&s.logging)),
            ("endpoint", Value::from(s.endpoint.as_str())),
            ("ca_certificate", Value::from(s.ca_certificate.as_str())),
            ("oidc_issuer_url", Value::from(s.oidc_issuer_url.as_str())),
            ("status", Value::from(s.status.as_str())),
            ("tags", user_tags(clouds, &s.tags, config)),
            ("tags_all", tags_value(&s.tags)),
        ]);
        keep_config_only(&mut v, config, &["timeouts"]);
        write_cloud_block(&mut v, &s.cloud, config);
        v
    }
}
