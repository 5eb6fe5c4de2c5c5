//! What every mlcloud resource shares: the `cloud`, `name`, `location`, `tags` and
//! `id` attributes, the per-cloud blocks, timeouts, and the translation of backend
//! results into Terraform answers.

use crate::catalog::Cloud;
use crate::clouds::model::{Op, Tags};
use crate::clouds::{CloudError, Clouds};
use std::sync::Arc;
use std::time::Duration;
use tfplug::schema::{Attribute, Block, NestedBlock, timeouts, validators};
use tfplug::{AttributePath, Context, Diagnostic, Diagnostics, Type, Value};

/// Default operation timeouts of a resource.
#[derive(Clone, Copy)]
pub struct Timeouts {
    pub create: Duration,
    pub update: Duration,
    pub delete: Duration,
}

pub const fn minutes(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

/// `cloud`, `name`, `location`, `tags`, `tags_all`, `id` and `timeouts`.
pub fn base_block(kind: &str, name_rule: tfplug::schema::validators::Matches) -> Block {
    let clouds: Vec<&str> = Cloud::ALL.iter().map(|c| c.as_str()).collect();
    Block::new()
        .attr(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .describe(format!("The cloud's identifier of the {kind} (an ARN on AWS); import by it.")),
        )
        .attr(
            Attribute::string("cloud")
                .required()
                .one_of(&clouds)
                .requires_replace()
                .describe("Which cloud: `aws`, `azure` or `gcp`. Changing it replaces the resource."),
        )
        .attr(
            Attribute::string("name")
                .required()
                .requires_replace()
                .validate(name_rule)
                .describe(format!("Name of the {kind}. Changing it replaces the resource.")),
        )
        .attr(
            Attribute::string("location")
                .optional()
                .computed()
                .requires_replace()
                .describe("Region. Defaults to the provider block's region for the cloud. Changing it replaces the resource."),
        )
        .attr(
            Attribute::map("tags", Type::String)
                .optional()
                .validate(validators::from_fn(
                    "keys must not start with `mlcloud:` (reserved for the provider's own bookkeeping)",
                    reserved_tag_keys,
                ))
                .describe("Tags (labels on Google Cloud), merged over the provider's `default_tags`."),
        )
        .attr(Attribute::map("tags_all", Type::String).computed().describe("The tags actually applied: `default_tags` merged with `tags`."))
        .block(timeouts::block(&["create", "update", "delete"]))
}

/// The provider marks what it manages with `mlcloud:` tags; users must not collide.
fn reserved_tag_keys(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    for key in value.as_entries().into_iter().flat_map(|m| m.keys()) {
        if key.starts_with("mlcloud:") {
            diags.push(invalid_at(
                path.push_key(key),
                format!("Tag keys starting with \"mlcloud:\" are reserved for the provider's own bookkeeping; rename \"{key}\"."),
            ));
        }
    }
}

/// The optional `aws {}`, `azure {}`, `gcp {}` blocks with each cloud's settings.
pub fn cloud_blocks(aws: Block, azure: Block, gcp: Block) -> [NestedBlock; 3] {
    [
        NestedBlock::single(
            "aws",
            aws.describe("Settings that apply only when `cloud = \"aws\"`."),
        ),
        NestedBlock::single(
            "azure",
            azure.describe("Settings that apply only when `cloud = \"azure\"`."),
        ),
        NestedBlock::single(
            "gcp",
            gcp.describe("Settings that apply only when `cloud = \"gcp\"`."),
        ),
    ]
}

/// The resource's cloud, when known and valid.
pub fn cloud_of(v: &Value) -> Option<Cloud> {
    v.attr("cloud")
        .and_then(Value::as_str)
        .and_then(|c| c.parse().ok())
}

pub fn str_attr<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.attr(name).and_then(Value::as_str)
}

/// A block for another cloud is an error on that block: its settings would be ignored.
pub fn check_cloud_blocks(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let Some(cloud) = cloud_of(config) else {
        return diags;
    };
    for other in Cloud::ALL.iter().filter(|c| **c != cloud) {
        if config.attr(other.as_str()).is_some_and(|b| !b.is_null()) {
            diags.push(
                Diagnostic::error(
                    format!("{other} settings on a {cloud} resource"),
                    format!("This resource has cloud = \"{cloud}\", so the {other} {{}} block would be ignored. Remove it, or put the settings in a {cloud} {{}} block."),
                )
                .at(AttributePath::attr(other.as_str())),
            );
        }
    }
    diags
}

/// A plan-time error for a value the cloud would refuse.
pub fn invalid_at(path: AttributePath, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error("Invalid attribute value", detail).at(path)
}

/// The configured clouds (available from plan onwards).
pub fn clouds(ctx: &Context) -> Result<Arc<Clouds>, Diagnostic> {
    ctx.provider_data::<Clouds>()
}

/// Tags from a value's `tags` attribute.
pub fn tags_of(v: &Value) -> Tags {
    v.attr("tags")
        .and_then(Value::as_entries)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

pub fn tags_value(tags: &Tags) -> Value {
    Value::Map(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

/// Plan-time completion shared by every resource: `location` defaults to the provider's
/// region, and `tags_all` is known when `tags` is.
pub fn plan_common(clouds: &Clouds, planned: &mut Value, diags: &mut Diagnostics) {
    let Some(cloud) = cloud_of(planned) else {
        return;
    };
    if let Err(d) = clouds.check_cloud(cloud) {
        diags.push(d);
        return;
    }
    let tags_known = planned.attr("tags").is_none_or(Value::is_wholly_known);
    let merged = tags_value(&clouds.merged_tags(&tags_of(planned)));
    let location_unknown = planned.attr("location").is_some_and(Value::is_unknown);
    let default_location = clouds.default_location(cloud);
    if let Value::Object(m) = planned {
        if tags_known {
            m.insert("tags_all".into(), merged);
        }
        if location_unknown {
            match default_location {
                Some(region) => {
                    m.insert("location".into(), region.into());
                }
                None => diags.push(invalid_at(
                    AttributePath::attr("location"),
                    format!("Set location, or a region in the provider's {cloud} block."),
                )),
            }
        }
    }
}

/// The operation's timeout and cancellation.
pub fn op(
    ctx: &Context,
    resource: &Value,
    operation: &str,
    default: Duration,
) -> Result<Op, Diagnostic> {
    let timeout = timeouts::get(resource, operation, default)?;
    Ok(Op::new(timeout, ctx.cancellation()))
}

/// A backend error as the user sees it.
pub fn cloud_diag(what: &str, e: &CloudError) -> Diagnostic {
    Diagnostic::error(format!("Cannot {what}"), e.to_string())
}

/// Copies attributes only the configuration knows (timeouts) from `from` into `state`.
pub fn keep_config_only(state: &mut Value, from: &Value, names: &[&str]) {
    if let Value::Object(m) = state {
        for n in names {
            m.insert((*n).into(), from.attr(n).cloned().unwrap_or(Value::Null));
        }
    }
}

/// The `tags` to record from the tags on a cloud object: everything except what the
/// provider's `default_tags` put there. When nothing is left, the configuration decides
/// between `{}` and null, so `tags = {}` and no `tags` both read back unchanged.
pub fn user_tags(clouds: &Clouds, on_object: &Tags, config: &Value) -> Value {
    let defaults = clouds.config().default_tags.clone().unwrap_or_default();
    let own: Tags = on_object
        .iter()
        .filter(|(k, v)| defaults.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if own.is_empty() && config.attr("tags").is_none_or(Value::is_null) {
        Value::Null
    } else {
        tags_value(&own)
    }
}

/// The location to record when the cloud object does not carry one: what the
/// configuration or state says, else the region in an ARN id, else the provider's.
pub fn known_location(clouds: &Clouds, config: &Value, id: &str) -> Value {
    if let Some(l) = config.attr("location").filter(|l| !l.is_null()) {
        return l.clone();
    }
    let from_arn = id
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2))
        .filter(|region| !region.is_empty());
    match from_arn {
        Some(region) => Value::from(region),
        None => cloud_of(config)
            .and_then(|c| clouds.default_location(c))
            .map(Value::from)
            .unwrap_or(Value::Null),
    }
}

/// The cloud an imported id belongs to, from its shape: AWS ARNs, Google resource
/// names (`projects/...`), Azure resource ids (`/subscriptions/...`).
pub fn import_cloud(id: &str) -> &'static str {
    if id.starts_with("arn:") {
        "aws"
    } else if id.starts_with("projects/") {
        "gcp"
    } else {
        "azure"
    }
}
