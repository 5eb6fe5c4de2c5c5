//! `mlcloud_cluster`: a hardened Kubernetes control plane with a system node pool
//! (AWS: EKS with secrets encryption, private endpoint, all control-plane logs).

use super::common::*;
use super::lifecycle::{self, CloudObject};
use crate::catalog::Cloud;
use crate::clouds::model::Op;
use crate::clouds::model::{
    AwsClusterSettings, ClusterSpec, ClusterState, EndpointAccess, SystemPool,
};
use crate::clouds::{CloudError, Clouds, Outcome};
use tfplug::schema::{Attribute, Block, NestedBlock, Schema, validators};
use tfplug::{AttributePath, Diagnostic, Diagnostics, ResourcePlan, Type, Value};

pub struct Cluster;

const TIMEOUTS: Timeouts = Timeouts {
    create: minutes(45),
    update: minutes(60),
    delete: minutes(30),
};

/// Every EKS control-plane log type: all on unless the user narrows them.
pub const AWS_LOG_TYPES: [&str; 5] = [
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];
const DEFAULT_AWS_MACHINE_TYPE: &str = "m6i.large";

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_elements)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| e.as_str().map(str::to_owned))
        .collect()
}

fn string_list(items: &[String]) -> Value {
    Value::List(items.iter().map(|s| Value::from(s.as_str())).collect())
}

fn spec(planned: &Value) -> ClusterSpec {
    let pool = planned.attr("system_pool").cloned().unwrap_or_default();
    let aws = planned.attr("aws").cloned().unwrap_or_default();
    ClusterSpec {
        name: str_attr(planned, "name").unwrap_or_default().into(),
        location: str_attr(planned, "location").unwrap_or_default().into(),
        kubernetes_version: str_attr(planned, "kubernetes_version").map(str::to_owned),
        endpoint_access: match str_attr(planned, "endpoint_access") {
            Some("public") => EndpointAccess::Public,
            _ => EndpointAccess::Private,
        },
        authorized_cidrs: strings(planned.attr("authorized_cidrs")),
        encryption_key_id: str_attr(planned, "encryption_key_id").map(str::to_owned),
        identity_id: str_attr(planned, "identity_id").map(str::to_owned),
        system_pool: SystemPool {
            machine_type: str_attr(&pool, "machine_type")
                .unwrap_or(DEFAULT_AWS_MACHINE_TYPE)
                .into(),
            node_count: pool.attr("node_count").and_then(Value::as_i64).unwrap_or(2) as u32,
            node_identity_id: str_attr(&pool, "node_identity_id").map(str::to_owned),
        },
        logging: strings(planned.attr("logging")),
        aws: AwsClusterSettings {
            subnet_ids: strings(aws.attr("subnet_ids")),
            security_group_ids: strings(aws.attr("security_group_ids")),
        },
        tags: tags_of(planned),
    }
}

#[async_trait::async_trait]
impl CloudObject for Cluster {
    type Spec = ClusterSpec;
    type State = ClusterState;
    const NOUN: &'static str = "the cluster";
    const TIMEOUTS: Timeouts = TIMEOUTS;

    const TYPE_NAME: &'static str = "mlcloud_cluster";

    fn schema(&self) -> Schema {
        let [aws, azure, gcp] = cloud_blocks(
            Block::new()
                .attr(
                    Attribute::list("subnet_ids", Type::String)
                        .optional()
                        .requires_replace()
                        .describe("Subnets for the control plane's network interfaces and the system pool; at least two, in different availability zones. Required on aws."),
                )
                .attr(Attribute::list("security_group_ids", Type::String).optional().requires_replace().describe("Extra security groups for the control plane.")),
            Block::new()
                .attr(Attribute::string("resource_group_name").optional().describe("Resource group of the cluster."))
                .attr(Attribute::string("subnet_id").optional().describe("Subnet for the nodes.")),
            Block::new()
                .attr(Attribute::string("project").optional().describe("Project; defaults to the provider's."))
                .attr(Attribute::string("network").optional().describe("VPC network."))
                .attr(Attribute::string("subnetwork").optional().describe("Subnetwork."))
                .attr(Attribute::string("master_ipv4_cidr_block").optional().validate(validators::cidr()).describe("The control plane's private range (a /28).")),
        );
        Schema::new(
            base_block(
                "cluster",
                validators::matches(
                    r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$",
                    "must start with a letter or digit and hold up to 100 letters, digits, '-' or '_'",
                ),
            )
            .describe("A Kubernetes cluster for ML workloads, secure by default: Kubernetes secrets encrypted with a customer-managed key, a private API endpoint, every control-plane log type, and a system node pool. On AWS: EKS in API authentication mode with an IAM OIDC provider so workload identities work.")
            .attr(Attribute::string("kubernetes_version").optional().computed().use_state_for_unknown().describe("Kubernetes minor version, e.g. `1.31`; the cloud's default when unset. Upgrades happen in place."))
            .attr(Attribute::string("endpoint_access").default("private").one_of(&["private", "public"]).describe("`private` (default): the API server is reachable only from the cluster's network. `public`: also from `authorized_cidrs`."))
            .attr(
                Attribute::list("authorized_cidrs", Type::String)
                    .optional()
                    .validate(validators::each(validators::cidr()))
                    .describe("Networks allowed to reach a public endpoint. Required for `endpoint_access = \"public\"`; `0.0.0.0/0` only if written explicitly."),
            )
            .attr(Attribute::string("encryption_key_id").required().requires_replace().describe("The `key_ref` of the `mlcloud_kms_key` that encrypts Kubernetes secrets."))
            .attr(Attribute::string("identity_id").optional().requires_replace().describe("The `id` of an `mlcloud_identity` with `purpose = \"cluster\"`. Required on aws."))
            .attr(
                Attribute::list("logging", Type::String)
                    .default(Value::List(AWS_LOG_TYPES.iter().map(|t| Value::from(*t)).collect()))
                    .validate(validators::each(validators::one_of(&AWS_LOG_TYPES)))
                    .describe("Control-plane log types to send to the cloud's log service. Default: all of them."),
            )
            .attr(Attribute::string("endpoint").computed().use_state_for_unknown().describe("The API server URL."))
            .attr(Attribute::string("ca_certificate").computed().use_state_for_unknown().describe("The cluster CA certificate (base64 PEM)."))
            .attr(Attribute::string("oidc_issuer_url").computed().use_state_for_unknown().describe("The cluster's OIDC issuer, trusted by workload identities."))
            .attr(Attribute::string("status").computed().use_state_for_unknown().describe("The cloud's status of the cluster, e.g. `ACTIVE`."))
            .block(
                NestedBlock::single(
                    "system_pool",
                    Block::new()
                        .describe("The node pool for system workloads (DNS, networking, the serving endpoint's controllers).")
                        .attr(Attribute::string("machine_type").optional().computed().requires_replace().describe("Instance / VM / machine type; default `m6i.large` on aws."))
                        .attr(Attribute::number("node_count").default(2i64).validate(validators::int_between(1, 100)).describe("Number of nodes; changed in place."))
                        .attr(Attribute::string("node_identity_id").optional().requires_replace().describe("The `id` of an `mlcloud_identity` with `purpose = \"node\"`. Required on aws.")),
                )
                .required(),
            )
            .block(aws)
            .block(azure)
            .block(gcp),
        )
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
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
        if cloud_of(config) == Some(Cloud::Aws) {
            let missing = |v: Option<&Value>| v.is_none_or(Value::is_null);
            if missing(config.attr("identity_id")) {
                diags.push(invalid_at(AttributePath::attr("identity_id"), "On aws, identity_id is required: the id of an mlcloud_identity with purpose = \"cluster\"."));
            }
            let pool = config.attr("system_pool");
            if pool.is_some_and(|p| !p.is_null())
                && missing(pool.and_then(|p| p.attr("node_identity_id")))
            {
                diags.push(invalid_at(
                    AttributePath::attr("system_pool").push_attr("node_identity_id"),
                    "On aws, system_pool.node_identity_id is required: the id of an mlcloud_identity with purpose = \"node\".",
                ));
            }
            let subnets = config.attr("aws").and_then(|a| a.attr("subnet_ids"));
            match subnets.and_then(Value::as_elements) {
                Some(s) if s.len() >= 2 => {}
                Some(_) => diags.push(invalid_at(
                    AttributePath::attr("aws").push_attr("subnet_ids"),
                    "EKS needs at least two subnets in different availability zones.",
                )),
                None if subnets.is_some_and(Value::is_unknown) => {}
                None => diags.push(invalid_at(
                    AttributePath::attr("aws"),
                    "On aws, set aws { subnet_ids = [...] } with at least two subnets in different availability zones.",
                )),
            }
        }
    }

    fn modify_plan(&self, plan: &mut ResourcePlan, _diags: &mut Diagnostics) {
        // The system pool's machine type defaults per cloud, known at plan time.
        if let Some(Value::Object(pool)) = plan.planned.attr_mut("system_pool")
            && pool.get("machine_type").is_some_and(Value::is_unknown)
        {
            pool.insert("machine_type".into(), DEFAULT_AWS_MACHINE_TYPE.into());
        }
    }

    fn spec(&self, clouds: &Clouds, planned: &Value) -> ClusterSpec {
        let mut s = spec(planned);
        s.tags = clouds.merged_tags(&s.tags);
        s
    }

    fn to_state(&self, clouds: &Clouds, s: &ClusterState, config: &Value) -> Value {
        let access = match s.endpoint_access {
            EndpointAccess::Private => "private",
            EndpointAccess::Public => "public",
        };
        let cidrs = if s.authorized_cidrs.is_empty()
            && config.attr("authorized_cidrs").is_none_or(Value::is_null)
        {
            Value::Null
        } else {
            string_list(&s.authorized_cidrs)
        };
        let sgs = if s.aws.security_group_ids.is_empty()
            && config
                .attr("aws")
                .and_then(|a| a.attr("security_group_ids"))
                .is_none_or(Value::is_null)
        {
            Value::Null
        } else {
            string_list(&s.aws.security_group_ids)
        };
        let mut v = Value::object([
            ("id", Value::from(s.id.as_str())),
            (
                "cloud",
                config.attr("cloud").cloned().unwrap_or(Value::from("aws")),
            ),
            ("name", Value::from(s.name.as_str())),
            ("location", Value::from(s.location.as_str())),
            (
                "kubernetes_version",
                Value::from(s.kubernetes_version.as_str()),
            ),
            ("endpoint_access", Value::from(access)),
            ("authorized_cidrs", cidrs),
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
            ("logging", string_list(&s.logging)),
            (
                "aws",
                Value::object([
                    ("subnet_ids", string_list(&s.aws.subnet_ids)),
                    ("security_group_ids", sgs),
                ]),
            ),
            ("endpoint", Value::from(s.endpoint.as_str())),
            ("ca_certificate", Value::from(s.ca_certificate.as_str())),
            ("oidc_issuer_url", Value::from(s.oidc_issuer_url.as_str())),
            ("status", Value::from(s.status.as_str())),
            ("tags", user_tags(clouds, &s.tags, config)),
            ("tags_all", tags_value(&s.tags)),
        ]);
        keep_config_only(&mut v, config, &["timeouts", "azure", "gcp"]);
        v
    }

    async fn create(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        spec: &ClusterSpec,
        op: &Op,
    ) -> Result<Outcome<ClusterState>, Diagnostic> {
        Ok(clouds.cluster(cloud).await?.create_cluster(spec, op).await)
    }

    async fn read(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
    ) -> Result<Result<Option<ClusterState>, CloudError>, Diagnostic> {
        Ok(clouds.cluster(cloud).await?.read_cluster(id).await)
    }

    async fn update(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
        spec: &ClusterSpec,
        op: &Op,
    ) -> Result<Outcome<ClusterState>, Diagnostic> {
        let backend = clouds.cluster(cloud).await?;
        let prior = lifecycle::current(backend.read_cluster(id).await, Self::NOUN, id)?;
        Ok(backend.update_cluster(id, &prior, spec, op).await)
    }

    async fn delete(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
        _prior: &Value,
        op: &Op,
    ) -> Result<Result<(), CloudError>, Diagnostic> {
        Ok(clouds.cluster(cloud).await?.delete_cluster(id, op).await)
    }
}
