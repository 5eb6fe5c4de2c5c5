//! What every mlcloud resource shares: the `cloud`, `name`, `location`, `tags` and
//! `id` attributes, the per-cloud blocks, timeouts, the checks every resource runs
//! through its cloud's rules, and the translation of backend results into Terraform
//! answers.

use crate::Cloud;
use crate::clouds::markers;
use crate::clouds::model::{Op, Tags};
use crate::clouds::{CloudError, CloudRules, Clouds, ObjectKind, RuleBook};
use std::sync::Arc;
use std::time::Duration;
use tfplug::schema::{Attribute, Block, NestedBlock, timeouts};
use tfplug::{AttributePath, Context, Diagnostic, Diagnostics, ResourcePlan, Type, Value};

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

/// The `cloud` attribute: required, one of the three, replacing the resource.
pub fn cloud_attribute() -> Attribute {
    let clouds: Vec<&str> = Cloud::ALL.iter().map(|c| c.as_str()).collect();
    Attribute::string("cloud")
        .required()
        .one_of(&clouds)
        .describe("Which cloud: `aws`, `azure` or `gcp`.")
}

/// `cloud`, `name`, `location`, `tags`, `tags_all`, `id` and `timeouts`. Name and tag
/// rules differ per cloud, so they are checked through the cloud's rules at validate
/// time rather than by a schema validator.
pub fn base_block(kind: ObjectKind, rules: &RuleBook) -> Block {
    let noun = kind.noun();
    let name_rules: Vec<String> = rules
        .all()
        .map(|r| format!("on {} it {}", r.cloud(), r.name_rule(kind)))
        .collect();
    Block::new()
        .attr(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .describe(format!("The cloud's identifier of the {noun} (an ARN on AWS); import by it.")),
        )
        .attr(
            cloud_attribute()
                .requires_replace()
                .describe("Which cloud: `aws`, `azure` or `gcp`. Changing it replaces the resource."),
        )
        .attr(
            Attribute::string("name")
                .required()
                .requires_replace()
                .describe(format!("Name of the {noun}, checked at plan time against the cloud's rules ({}). Changing it replaces the resource.", name_rules.join("; "))),
        )
        .attr(
            Attribute::string("location")
                .optional()
                .computed()
                .requires_replace()
                .describe("Region. Defaults to the provider block's region for the cloud, else to the region the cloud's own tools take from the environment (AWS: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`), shown in the plan. Changing it replaces the resource."),
        )
        .attr(
            Attribute::map("tags", Type::String)
                .optional()
                .describe(format!("Tags (labels on Google Cloud), merged over the provider's `default_tags`. Keys starting with `mlcloud-` or `mlcloud:` are reserved for the provider's own markers.{}", tag_limits(rules))),
        )
        .attr(Attribute::map("tags_all", Type::String).computed().describe("The tags actually applied: `default_tags` merged with `tags`."))
        .block(timeouts::block(&["create", "update", "delete"]))
}

/// " On aws at most 48 (...)." for each cloud with a tag limit, for the `tags` docs.
fn tag_limits(rules: &RuleBook) -> String {
    rules
        .all()
        .filter_map(|r| r.max_tags().map(|max| (r.cloud(), max, added_tags(r))))
        .map(|(cloud, max, added)| {
            format!(
                " With cloud = \"{cloud}\", at most {}: the cloud allows {max} tags per resource and mlcloud adds up to {added} of its own (its markers and bookkeeping).",
                max - added
            )
        })
        .collect()
}

/// The most tags mlcloud itself puts on one object of the rules' cloud: the markers
/// and the backend's bookkeeping.
fn added_tags(rules: &dyn CloudRules) -> usize {
    markers::markers("").len() + rules.own_tags()
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

/// The resource's cloud at apply time, when it must be known: there is no default.
pub fn required_cloud(v: &Value) -> Result<Cloud, Diagnostic> {
    cloud_of(v).ok_or_else(|| {
        Diagnostic::error(
            "No cloud",
            "The resource's cloud is not known; set cloud = \"aws\", \"azure\" or \"gcp\".",
        )
        .at(AttributePath::attr("cloud"))
    })
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

/// The name and tag checks every resource runs through its cloud's rules.
pub fn check_name_and_tags(
    rules: &dyn CloudRules,
    kind: ObjectKind,
    config: &Value,
    diags: &mut Diagnostics,
) {
    if let Some(name) = str_attr(config, "name")
        && let Err(why) = rules.check_name(kind, name)
    {
        diags.push(invalid_at(
            AttributePath::attr("name"),
            format!(
                "On {}, a {} name {why}; got \"{name}\".",
                rules.cloud(),
                kind.noun()
            ),
        ));
    }
    let Some(tags) = config.attr("tags").and_then(Value::as_entries) else {
        return;
    };
    check_tag_count(rules, tags.len(), diags);
    for (key, value) in tags {
        let path = AttributePath::attr("tags").push_key(key);
        if markers::is_reserved(key) {
            diags.push(invalid_at(
                path,
                format!("Tag keys starting with \"{}\" or \"{}\" are reserved for the provider's own markers; rename \"{key}\".", markers::PREFIX, markers::LEGACY_PREFIX),
            ));
        } else if let Some(value) = value.as_str()
            && let Err(why) = rules.check_tag(key, value)
        {
            diags.push(invalid_at(
                path,
                format!("Tag \"{key}\" on {}: {why}.", rules.cloud()),
            ));
        }
    }
}

/// The cloud's limit counts every tag on the object, so the markers and bookkeeping
/// tags mlcloud adds take some of them. `default_tags` are not counted: keeping the
/// rule to the resource's own block keeps the message about something the user can
/// see in that block.
fn check_tag_count(rules: &dyn CloudRules, own: usize, diags: &mut Diagnostics) {
    let Some(max) = rules.max_tags() else {
        return;
    };
    let added = added_tags(rules);
    if own + added > max {
        diags.push(invalid_at(
            AttributePath::attr("tags"),
            format!(
                "On {}, a resource carries at most {max} tags and mlcloud adds up to {added} of its own (\"{}\", \"{}\" and its bookkeeping under \"{}\"), so tags can hold at most {}; this block has {own}.",
                rules.cloud(),
                markers::MANAGED,
                markers::NAME,
                markers::PREFIX,
                max - added
            ),
        ));
    }
}

/// A plan-time error for a value the cloud would refuse.
pub fn invalid_at(path: AttributePath, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error("Invalid attribute value", detail).at(path)
}

/// The configured clouds (available from plan onwards).
pub fn clouds(ctx: &Context) -> Result<Arc<Clouds>, Diagnostic> {
    ctx.provider_data::<Clouds>()
}

pub fn tags_value(tags: &Tags) -> Value {
    Value::Map(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

/// Strings as a Terraform set (the cloud's order is not the user's).
pub fn string_set<'a>(items: impl IntoIterator<Item = &'a String>) -> Value {
    Value::Set(items.into_iter().map(|s| Value::from(s.as_str())).collect())
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
    let own: Tags = tfplug::value::decode(planned.attr("tags").unwrap_or(&Value::Null))
        .ok()
        .flatten()
        .unwrap_or_default();
    let merged = tags_value(&clouds.merged_tags(&own));
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

/// A backend error as the user sees it, on the attribute it belongs to when known.
pub fn cloud_diag(what: &str, e: &CloudError) -> Diagnostic {
    let d = Diagnostic::error(format!("Cannot {what}"), e.to_string());
    match e {
        CloudError::InvalidAttribute { path, .. } => d.at(path.clone()),
        _ => d,
    }
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
/// configuration or state says, else the location the id names, else the provider's.
pub fn known_location(clouds: &Clouds, config: &Value, id: &str) -> Value {
    if let Some(l) = config.attr("location").filter(|l| !l.is_null()) {
        return l.clone();
    }
    let Some(cloud) = cloud_of(config) else {
        return Value::Null;
    };
    clouds
        .rules()
        .for_cloud(cloud)
        .and_then(|r| r.location_in_id(id))
        .or_else(|| clouds.default_location(cloud))
        .map(Value::from)
        .unwrap_or(Value::Null)
}

/// An empty collection reads back as null when the configuration left it out, so an
/// unset optional attribute stays unset.
pub fn null_if_unset(value: Value, is_empty: bool, config: &Value, name: &str) -> Value {
    if is_empty && config.attr(name).is_none_or(Value::is_null) {
        Value::Null
    } else {
        value
    }
}

/// Writes the block of the state's cloud (and nulls the other two). The block is
/// written when the configuration has it or the cloud reports a setting in it, so an
/// absent block stays absent unless there is drift to show.
pub fn write_cloud_block<A, Z, G>(
    state: &mut Value,
    settings: &crate::clouds::model::PerCloud<A, Z, G>,
    config: &Value,
) where
    A: serde::Serialize,
    Z: serde::Serialize,
    G: serde::Serialize,
{
    use crate::clouds::model::PerCloud;
    let (name, json) = match settings {
        PerCloud::Aws(a) => ("aws", serde_json::to_value(a)),
        PerCloud::Azure(z) => ("azure", serde_json::to_value(z)),
        PerCloud::Gcp(g) => ("gcp", serde_json::to_value(g)),
    };
    let Value::Object(m) = state else {
        return;
    };
    for cloud in Cloud::ALL {
        m.insert(cloud.as_str().into(), Value::Null);
    }
    let block = json.ok().map(|j| block_value(&j, config.attr(name)));
    let configured = config.attr(name).is_some_and(|b| !b.is_null());
    if let Some(block) = block
        && (configured || has_setting(&block))
    {
        m.insert(name.into(), block);
    }
}

/// A settings struct as a block value: JSON arrays become sets (every collection in a
/// cloud block is unordered) and an empty collection the configuration left out stays
/// null.
fn block_value(json: &serde_json::Value, config: Option<&Value>) -> Value {
    let serde_json::Value::Object(fields) = json else {
        return Value::Null;
    };
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| {
                let configured = config.and_then(|c| c.attr(k)).is_some_and(|c| !c.is_null());
                let value = match v {
                    serde_json::Value::Array(items) if items.is_empty() && !configured => {
                        Value::Null
                    }
                    serde_json::Value::Array(items) => Value::Set(
                        items
                            .iter()
                            .filter_map(|i| i.as_str().map(Value::from))
                            .collect(),
                    ),
                    serde_json::Value::String(s) => Value::from(s.as_str()),
                    serde_json::Value::Bool(b) => Value::Bool(*b),
                    serde_json::Value::Number(n) => {
                        n.as_i64().map(Value::from).unwrap_or(Value::Null)
                    }
                    _ => Value::Null,
                };
                (k.clone(), value)
            })
            .collect(),
    )
}

fn has_setting(block: &Value) -> bool {
    block
        .as_entries()
        .is_some_and(|m| m.values().any(|v| !v.is_null()))
}

/// Refuses a `kubernetes_version` change that skips a minor version or goes back,
/// on the attribute, at plan time.
pub fn check_version_step(plan: &ResourcePlan, what: &str, diags: &mut Diagnostics) {
    let before = plan
        .prior
        .as_ref()
        .and_then(|p| str_attr(p, "kubernetes_version"));
    let after = str_attr(&plan.planned, "kubernetes_version");
    if let (Some(before), Some(after)) = (before, after)
        && let Err(why) = super::versions::check_upgrade(what, before, after)
    {
        diags.push(invalid_at(AttributePath::attr("kubernetes_version"), why));
    }
}

/// Refuses attributes `names` that the backend of `rules`' cloud does not honour yet
/// (set, they would never match what the cloud reports). `honours` is the rules flag
/// that says a cloud does; the message names every cloud in `book` whose flag is set.
pub fn refuse_unsupported(
    config: &Value,
    names: &[&str],
    book: &RuleBook,
    rules: &dyn CloudRules,
    honours: fn(&dyn CloudRules) -> bool,
    diags: &mut Diagnostics,
) {
    if honours(rules) {
        return;
    }
    let supporting: Vec<&str> = book
        .all()
        .filter(|r| honours(*r))
        .map(|r| r.cloud().as_str())
        .collect();
    let where_supported = if supporting.is_empty() {
        "no cloud supports it yet".to_string()
    } else {
        format!("supported on {}", supporting.join(", "))
    };
    let cloud = rules.cloud();
    for name in names {
        if config.attr(name).is_some_and(|v| !v.is_null()) {
            let detail = match rules.unsupported_reason(name) {
                Some(why) => format!("{name} is not supported on {cloud}: {why} Remove it."),
                None => format!(
                    "{name} is not supported on {cloud} yet; remove it ({where_supported})."
                ),
            };
            diags.push(invalid_at(AttributePath::attr(*name), detail));
        }
    }
}
