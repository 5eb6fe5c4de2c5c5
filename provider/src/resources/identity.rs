//! `mlcloud_identity`: an identity for a cluster, its nodes or a workload, with the
//! narrowest permissions its `grants` need (AWS: an IAM role).

use super::common::*;
use super::lifecycle::CloudObject;
use crate::catalog::Cloud;
use crate::clouds::model::Op;
use crate::clouds::model::{
    Grant, GrantAction, IdentitySpec, IdentityState, Purpose, WorkloadBinding,
};
use crate::clouds::{CloudError, Clouds, Outcome};
use tfplug::schema::{Attribute, Block, NestedBlock, Schema, validators};
use tfplug::{AttributePath, Diagnostic, Diagnostics, Type, Value};

pub struct Identity;

const TIMEOUTS: Timeouts = Timeouts {
    create: minutes(5),
    update: minutes(5),
    delete: minutes(5),
};

fn grant_type() -> Type {
    Type::object([("action", Type::String), ("target", Type::String)])
}

fn purpose_of(v: &Value) -> Option<Purpose> {
    match str_attr(v, "purpose")? {
        "cluster" => Some(Purpose::Cluster),
        "node" => Some(Purpose::Node),
        "workload" => Some(Purpose::Workload),
        _ => None,
    }
}

fn workload_of(v: &Value) -> Option<WorkloadBinding> {
    let w = v.attr("workload").filter(|w| !w.is_null())?;
    Some(WorkloadBinding {
        cluster_id: str_attr(w, "cluster_id")?.into(),
        namespace: str_attr(w, "namespace")?.into(),
        service_account: str_attr(w, "service_account")?.into(),
    })
}

fn grants_of(v: &Value) -> Vec<Grant> {
    v.attr("grants")
        .and_then(Value::as_elements)
        .unwrap_or(&[])
        .iter()
        .filter_map(|g| {
            Some(Grant {
                action: GrantAction::parse(str_attr(g, "action")?)?,
                target: str_attr(g, "target")?.into(),
            })
        })
        .collect()
}

fn boundary_of(v: &Value) -> Option<String> {
    v.attr("aws")
        .and_then(|a| a.attr("permissions_boundary_arn"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn spec(planned: &Value) -> IdentitySpec {
    IdentitySpec {
        name: str_attr(planned, "name").unwrap_or_default().into(),
        location: str_attr(planned, "location").unwrap_or_default().into(),
        purpose: purpose_of(planned).unwrap_or(Purpose::Workload),
        workload: workload_of(planned),
        grants: grants_of(planned),
        permissions_boundary_arn: boundary_of(planned),
        tags: tags_of(planned),
    }
}

/// Grants reach the cloud as-is; a grant's target must name what the action acts on.
fn check_grants(config: &Value, cloud: Option<Cloud>, diags: &mut Diagnostics) {
    let Some(grants) = config.attr("grants").and_then(Value::as_elements) else {
        return;
    };
    let actions: Vec<&str> = GrantAction::ALL.iter().map(|a| a.as_str()).collect();
    for (i, g) in grants.iter().enumerate() {
        let path = AttributePath::attr("grants").push_index(i as i64);
        let action = str_attr(g, "action");
        let target = str_attr(g, "target");
        let Some(action) = action else { continue };
        let Some(parsed) = GrantAction::parse(action) else {
            diags.push(invalid_at(
                path.push_attr("action"),
                format!(
                    "action must be one of {}, got \"{action}\".",
                    actions.join(", ")
                ),
            ));
            continue;
        };
        let (Some(target), Some(Cloud::Aws)) = (target, cloud) else {
            continue;
        };
        let ok = match parsed {
            GrantAction::KmsDecrypt | GrantAction::KmsEncryptDecrypt => {
                target.starts_with("arn:aws")
                    && target.contains(":kms:")
                    && target.contains(":key/")
            }
            GrantAction::ModelStoreRead | GrantAction::ModelStoreWrite => is_s3_location(target),
        };
        if !ok {
            let want = match parsed {
                GrantAction::KmsDecrypt | GrantAction::KmsEncryptDecrypt => {
                    "a KMS key ARN (an mlcloud_kms_key's key_ref)"
                }
                _ => {
                    "an S3 location such as \"s3://bucket/prefix/\" or \"s3://bucket\" (bucket names are 3 to 63 lowercase letters, digits, '.' or '-')"
                }
            };
            diags.push(invalid_at(
                path.push_attr("target"),
                format!("{action} on aws needs {want}, got \"{target}\"."),
            ));
        }
    }
}

/// `s3://bucket` or `s3://bucket/prefix...`, with a valid bucket name; a bare
/// `s3://bucket/` is refused because it reads back from IAM as `s3://bucket`.
fn is_s3_location(target: &str) -> bool {
    let Some(rest) = target.strip_prefix("s3://") else {
        return false;
    };
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    bucket_ok && !(rest.ends_with('/') && prefix.is_empty())
}

#[async_trait::async_trait]
impl CloudObject for Identity {
    type Spec = IdentitySpec;
    type State = IdentityState;
    const NOUN: &'static str = "the identity";
    const TIMEOUTS: Timeouts = TIMEOUTS;

    const TYPE_NAME: &'static str = "mlcloud_identity";

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
            Block::new().attr(Attribute::string("resource_group_name").optional().describe("Resource group of the managed identity.")),
            Block::new().attr(Attribute::string("project").optional().describe("Project of the service account; defaults to the provider's.")),
        );
        Schema::new(
            base_block(
                "identity",
                validators::matches(r"^[\w+=,.@-]{1,64}$", "must be 1 to 64 letters, digits or +=,.@_- characters"),
            )
            .describe("An identity with least-privilege permissions. `purpose` sets who may assume it and its baseline permissions: `cluster` (AWS: trusted by eks.amazonaws.com, with AmazonEKSClusterPolicy), `node` (AWS: trusted by ec2.amazonaws.com, with the EKS worker, CNI and ECR read-only policies) or `workload` (AWS: IRSA, trusted by the cluster's OIDC provider for one Kubernetes service account). `grants` add exactly the permissions listed, on exactly the resources named.")
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
                    .describe("Permissions to add, each `{ action, target }`: `kms_decrypt` / `kms_encrypt_decrypt` on a key's `key_ref`; `model_store_read` / `model_store_write` on a model store location (AWS: `s3://bucket/prefix/`)."),
            )
            .attr(Attribute::string("principal").computed().use_state_for_unknown().describe("How other policies name this identity: the role ARN on AWS."))
            .attr(Attribute::string("client_id").computed().use_state_for_unknown().describe("The identity's unique id (AWS: the role id)."))
            .block(
                NestedBlock::single(
                    "workload",
                    Block::new()
                        .describe("For `purpose = \"workload\"`: the Kubernetes service account allowed to use the identity.")
                        .attr(Attribute::string("cluster_id").required().describe("The `id` of the `mlcloud_cluster`."))
                        .attr(Attribute::string("namespace").required().describe("The service account's namespace."))
                        .attr(Attribute::string("service_account").required().describe("The service account's name.")),
                ),
            )
            .block(aws)
            .block(azure)
            .block(gcp),
        )
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
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
        check_grants(config, cloud_of(config), diags);
    }

    fn spec(&self, clouds: &Clouds, planned: &Value) -> IdentitySpec {
        let mut s = spec(planned);
        s.tags = clouds.merged_tags(&s.tags);
        s
    }

    fn to_state(&self, clouds: &Clouds, s: &IdentityState, config: &Value) -> Value {
        let workload = s.workload.as_ref().map(|w| {
            Value::object([
                ("cluster_id", Value::from(w.cluster_id.as_str())),
                ("namespace", Value::from(w.namespace.as_str())),
                ("service_account", Value::from(w.service_account.as_str())),
            ])
        });
        let grants = if s.grants.is_empty() && config.attr("grants").is_none_or(Value::is_null) {
            Value::Null
        } else {
            Value::List(
                s.grants
                    .iter()
                    .map(|g| {
                        Value::object([
                            ("action", Value::from(g.action.as_str())),
                            ("target", Value::from(g.target.as_str())),
                        ])
                    })
                    .collect(),
            )
        };
        let aws = match (
            &s.permissions_boundary_arn,
            config.attr("aws").filter(|a| !a.is_null()),
        ) {
            (Some(b), _) => Value::object([("permissions_boundary_arn", Value::from(b.as_str()))]),
            (None, Some(_)) => Value::object([("permissions_boundary_arn", Value::Null)]),
            (None, None) => Value::Null,
        };
        let mut v = Value::object([
            ("id", Value::from(s.id.as_str())),
            (
                "cloud",
                config.attr("cloud").cloned().unwrap_or(Value::from("aws")),
            ),
            ("name", Value::from(s.name.as_str())),
            ("location", known_location(clouds, config, &s.id)),
            ("purpose", Value::from(s.purpose.as_str())),
            ("workload", workload.into()),
            ("grants", grants),
            ("aws", aws),
            ("principal", Value::from(s.principal.as_str())),
            ("client_id", Value::from(s.client_id.as_str())),
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
        spec: &IdentitySpec,
        op: &Op,
    ) -> Result<Outcome<IdentityState>, Diagnostic> {
        Ok(clouds
            .identity(cloud)
            .await?
            .create_identity(spec, op)
            .await)
    }

    async fn read(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
    ) -> Result<Result<Option<IdentityState>, CloudError>, Diagnostic> {
        Ok(clouds.identity(cloud).await?.read_identity(id).await)
    }

    async fn update(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
        spec: &IdentitySpec,
        op: &Op,
    ) -> Result<Outcome<IdentityState>, Diagnostic> {
        Ok(clouds
            .identity(cloud)
            .await?
            .update_identity(id, spec, op)
            .await)
    }

    async fn delete(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
        _prior: &Value,
        op: &Op,
    ) -> Result<Result<(), CloudError>, Diagnostic> {
        Ok(clouds.identity(cloud).await?.delete_identity(id, op).await)
    }
}
