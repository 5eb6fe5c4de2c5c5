//! Computes a resource's planned state from Terraform's proposed new state, the way a
//! provider author expects from terraform-plugin-framework:
//!
//! 1. defaults fill optional attributes the configuration leaves null;
//! 2. when anything changes (or on create), computed attributes the configuration
//!    leaves null become unknown ("known after apply");
//! 3. each attribute's plan modifiers run (keep prior values, force replacement);
//! 4. write-only attributes are planned as null.

use crate::schema::{AttributeKind, AttributePlan, Block, BlockNesting, ObjectNesting};
use crate::value::{AttributePath, Value};

/// The planned state and the attribute paths whose change needs a replacement.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOutcome {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
}

/// Plans `proposed` for a resource with schema `block`. `prior` is `None` on create.
pub fn plan_attributes(
    block: &Block,
    config: &Value,
    prior: Option<&Value>,
    proposed: Value,
) -> PlanOutcome {
    let mut planned = proposed;
    drop_absent_single_blocks(block, config, &mut planned);
    apply_defaults(block, config, &mut planned);
    let changes = prior.is_none_or(|p| *p != planned);
    let mut walk = Walk {
        changes,
        requires_replace: Vec::new(),
    };
    walk.block(block, config, prior, &mut planned, &AttributePath::root());
    super::null_write_only(block, &mut planned);
    PlanOutcome {
        planned,
        requires_replace: walk.requires_replace,
    }
}

fn attr_of<'a>(v: Option<&'a Value>, name: &str) -> Option<&'a Value> {
    v.and_then(|v| v.attr(name))
}

fn nested_block_of(attributes: &[crate::schema::Attribute]) -> Block {
    Block::new().attrs(attributes.iter().cloned())
}

/// A single nested block the configuration leaves out is planned absent. Terraform
/// before 1.3 proposes the prior block in that case (its `ProposedNew` keeps the
/// prior object when the block's config is null), then refuses any plan that keeps
/// it: "planned for existence but config wants absence". Blocks are never computed,
/// so absent in config is absent in the plan on every version.
fn drop_absent_single_blocks(block: &Block, config: &Value, planned: &mut Value) {
    let Value::Object(attrs) = planned else {
        return;
    };
    for nb in &block.blocks {
        let cfg = config.attr(&nb.name).unwrap_or(&Value::Null);
        let Some(slot) = attrs.get_mut(&nb.name) else {
            continue;
        };
        match nb.nesting {
            BlockNesting::Single if cfg.is_null() => *slot = Value::Null,
            BlockNesting::Single | BlockNesting::Group => {
                drop_absent_single_blocks(&nb.block, cfg, slot)
            }
            _ => {}
        }
    }
}

/// Step 1: defaults, recursively into single nested blocks and attributes.
fn apply_defaults(block: &Block, config: &Value, planned: &mut Value) {
    let Value::Object(attrs) = planned else {
        return;
    };
    for a in &block.attributes {
        let cfg = config.attr(&a.name).unwrap_or(&Value::Null);
        let Some(slot) = attrs.get_mut(&a.name) else {
            continue;
        };
        if cfg.is_null() {
            if let Some(d) = &a.default {
                *slot = d.clone();
            }
        } else if let AttributeKind::Nested {
            nesting: ObjectNesting::Single,
            attributes,
        } = &a.kind
        {
            apply_defaults(&nested_block_of(attributes), cfg, slot);
        }
    }
    for nb in &block.blocks {
        let cfg = config.attr(&nb.name).unwrap_or(&Value::Null);
        let Some(slot) = attrs.get_mut(&nb.name) else {
            continue;
        };
        match (nb.nesting, slot, cfg) {
            (BlockNesting::Single | BlockNesting::Group, slot, cfg) => {
                apply_defaults(&nb.block, cfg, slot)
            }
            (_, Value::List(items), Value::List(cfgs)) => {
                for (item, c) in items.iter_mut().zip(cfgs) {
                    apply_defaults(&nb.block, c, item);
                }
            }
            _ => {}
        }
    }
}

struct Walk {
    changes: bool,
    requires_replace: Vec<AttributePath>,
}

impl Walk {
    fn block(
        &mut self,
        block: &Block,
        config: &Value,
        prior: Option<&Value>,
        planned: &mut Value,
        path: &AttributePath,
    ) {
        let Value::Object(attrs) = planned else {
            return;
        };
        for a in &block.attributes {
            let Some(slot) = attrs.get_mut(&a.name) else {
                continue;
            };
            let cfg = config.attr(&a.name).unwrap_or(&Value::Null);
            let p = path.push_attr(&a.name);
            let prior_v = attr_of(prior, &a.name);
            if cfg.is_null() && a.computed && a.default.is_none() && self.changes {
                *slot = Value::Unknown;
            }
            if let AttributeKind::Nested {
                nesting,
                attributes,
            } = &a.kind
            {
                let inner = nested_block_of(attributes);
                self.nested(
                    &inner,
                    *nesting == ObjectNesting::Single,
                    cfg,
                    prior_v,
                    slot,
                    &p,
                );
            }
            if !a.plan_modifiers.is_empty() {
                let mut plan = AttributePlan {
                    path: &p,
                    config: cfg,
                    prior: prior_v,
                    planned: std::mem::take(slot),
                    requires_replace: false,
                    resource_changes: self.changes,
                };
                for m in &a.plan_modifiers {
                    m.modify(&mut plan);
                }
                *slot = plan.planned;
                if plan.requires_replace {
                    self.requires_replace.push(p);
                }
            }
        }
        for nb in &block.blocks {
            let Some(slot) = attrs.get_mut(&nb.name) else {
                continue;
            };
            let cfg = config.attr(&nb.name).unwrap_or(&Value::Null);
            let single = matches!(nb.nesting, BlockNesting::Single | BlockNesting::Group);
            let p = path.push_attr(&nb.name);
            self.nested(&nb.block, single, cfg, attr_of(prior, &nb.name), slot, &p);
        }
    }

    /// Recurses into a nested object (single) or the objects of a list/map by position/key.
    /// Set elements have no stable identity, so they are planned without a prior.
    fn nested(
        &mut self,
        block: &Block,
        single: bool,
        config: &Value,
        prior: Option<&Value>,
        planned: &mut Value,
        path: &AttributePath,
    ) {
        match planned {
            Value::Object(_) if single => self.block(block, config, prior, planned, path),
            Value::List(items) | Value::Set(items) => {
                let is_set = matches!(config, Value::Set(_));
                let cfgs = config.as_elements().unwrap_or(&[]);
                for (i, item) in items.iter_mut().enumerate() {
                    let c = cfgs.get(i).unwrap_or(&Value::Null);
                    let pr = if is_set {
                        None
                    } else {
                        prior.and_then(|p| p.as_elements()).and_then(|e| e.get(i))
                    };
                    self.block(block, c, pr, item, &path.push_index(i as i64));
                }
            }
            Value::Map(items) => {
                for (k, item) in items.iter_mut() {
                    let c = config.as_entries().and_then(|m| m.get(k));
                    let pr = prior.and_then(|p| p.as_entries()).and_then(|m| m.get(k));
                    self.block(
                        block,
                        c.unwrap_or(&Value::Null),
                        pr,
                        item,
                        &path.push_key(k),
                    );
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, NestedBlock};

    fn schema() -> Block {
        Block::new()
            .attr(Attribute::string("id").computed().use_state_for_unknown())
            .attr(Attribute::string("name").required().requires_replace())
            .attr(Attribute::string("value").optional())
            .attr(Attribute::number("size").default(1i64))
            .attr(Attribute::string("status").computed())
            .attr(Attribute::string("password").write_only())
            .block(NestedBlock::single(
                "opts",
                Block::new()
                    .attr(Attribute::string("mode").default("fast"))
                    .attr(Attribute::string("arn").computed()),
            ))
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut all: std::collections::BTreeMap<String, Value> =
            ["id", "name", "value", "size", "status", "password", "opts"]
                .iter()
                .map(|k| (k.to_string(), Value::Null))
                .collect();
        for (k, v) in pairs {
            all.insert(k.to_string(), v.clone());
        }
        Value::Object(all)
    }

    #[test]
    fn create_marks_computed_unknown_and_applies_defaults() {
        let config = obj(&[
            ("name", "a".into()),
            ("password", "pw".into()),
            (
                "opts",
                Value::object([("mode", Value::Null), ("arn", Value::Null)]),
            ),
        ]);
        let out = plan_attributes(&schema(), &config, None, config.clone());
        let p = &out.planned;
        assert_eq!(p.attr("id"), Some(&Value::Unknown));
        assert_eq!(p.attr("status"), Some(&Value::Unknown));
        assert_eq!(p.attr("size"), Some(&Value::from(1i64)));
        assert_eq!(p.attr("password"), Some(&Value::Null));
        let opts = p.attr("opts").unwrap();
        assert_eq!(opts.attr("mode"), Some(&Value::from("fast")));
        assert_eq!(opts.attr("arn"), Some(&Value::Unknown));
        assert!(out.requires_replace.is_empty());
    }

    fn prior() -> Value {
        obj(&[
            ("id", "i-1".into()),
            ("name", "a".into()),
            ("size", 1i64.into()),
            ("status", "ok".into()),
            (
                "opts",
                Value::object([("mode", "fast".into()), ("arn", "arn:1".into())]),
            ),
        ])
    }

    #[test]
    fn a_single_block_left_out_of_the_config_is_planned_absent() {
        // Terraform 1.0 proposes the prior block when the config has none.
        let config = obj(&[("name", "a".into())]);
        let out = plan_attributes(&schema(), &config, Some(&prior()), prior());
        assert_eq!(out.planned.attr("opts"), Some(&Value::Null));
    }

    #[test]
    fn no_change_plans_prior_exactly() {
        let config = obj(&[
            ("name", "a".into()),
            (
                "opts",
                Value::object([("mode", Value::Null), ("arn", Value::Null)]),
            ),
        ]);
        // Terraform's proposed new state keeps prior values of computed attributes.
        let out = plan_attributes(&schema(), &config, Some(&prior()), prior());
        assert_eq!(out.planned, prior());
    }

    #[test]
    fn update_keeps_id_and_unknowns_status_and_replacement_is_reported() {
        let config = obj(&[
            ("name", "b".into()),
            ("value", "v".into()),
            (
                "opts",
                Value::object([("mode", Value::Null), ("arn", Value::Null)]),
            ),
        ]);
        let mut proposed = prior();
        if let Value::Object(m) = &mut proposed {
            m.insert("name".into(), "b".into());
            m.insert("value".into(), "v".into());
        }
        let out = plan_attributes(&schema(), &config, Some(&prior()), proposed);
        assert_eq!(out.planned.attr("id"), Some(&Value::from("i-1")));
        assert_eq!(out.planned.attr("status"), Some(&Value::Unknown));
        assert_eq!(out.requires_replace, vec![AttributePath::attr("name")]);
    }
}
