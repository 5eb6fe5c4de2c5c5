//! Walks a configuration with its schema, running each attribute's validators on known,
//! non-null values and warning about deprecated attributes.

use crate::diag::{Diagnostic, Diagnostics};
use crate::schema::{Attribute, AttributeKind, Block, BlockNesting, ObjectNesting, Validator};
use crate::value::{AttributePath, Value};

/// Validates `config` against `block`. `write_only_allowed` is the client's capability:
/// Terraform before 1.11 would store write-only values in state, so setting one there
/// is an error rather than a silent leak.
pub fn validate_config(block: &Block, config: &Value, write_only_allowed: bool) -> Diagnostics {
    let mut diags = Diagnostics::new();
    walk_block(
        block,
        config,
        &AttributePath::root(),
        write_only_allowed,
        &mut diags,
    );
    diags
}

fn walk_block(
    block: &Block,
    value: &Value,
    path: &AttributePath,
    wo_allowed: bool,
    diags: &mut Diagnostics,
) {
    if !matches!(value, Value::Object(_)) {
        return;
    }
    for attr in &block.attributes {
        let v = value.attr(&attr.name).unwrap_or(&Value::Null);
        walk_attribute(attr, v, &path.push_attr(&attr.name), wo_allowed, diags);
    }
    for nb in &block.blocks {
        let v = value.attr(&nb.name).unwrap_or(&Value::Null);
        let p = path.push_attr(&nb.name);
        match (nb.nesting, v) {
            (BlockNesting::Single | BlockNesting::Group, v) => {
                walk_block(&nb.block, v, &p, wo_allowed, diags)
            }
            (_, Value::List(items) | Value::Set(items)) => {
                for (i, item) in items.iter().enumerate() {
                    walk_block(&nb.block, item, &p.push_index(i as i64), wo_allowed, diags);
                }
            }
            (_, Value::Map(items)) => {
                for (k, item) in items {
                    walk_block(&nb.block, item, &p.push_key(k), wo_allowed, diags);
                }
            }
            _ => {}
        }
    }
}

fn walk_attribute(
    attr: &Attribute,
    value: &Value,
    path: &AttributePath,
    wo_allowed: bool,
    diags: &mut Diagnostics,
) {
    if value.is_null() || value.is_unknown() {
        return;
    }
    if let Some(msg) = &attr.deprecation {
        diags.push(Diagnostic::warning("Deprecated attribute", msg.clone()).at(path.clone()));
    }
    if attr.write_only && !wo_allowed {
        diags.push(
            Diagnostic::error(
                "Write-only attribute needs a newer Terraform",
                format!(
                    "{path} is write-only: it is never stored in state, which needs Terraform 1.11 or later. Upgrade Terraform or leave it unset."
                ),
            )
            .at(path.clone()),
        );
    }
    for v in &attr.validators {
        if attr.sensitive || attr.write_only {
            validate_quietly(v.as_ref(), value, path, diags);
        } else {
            v.validate(value, path, diags);
        }
    }
    if let AttributeKind::Nested {
        nesting,
        attributes,
    } = &attr.kind
    {
        let inner = crate::schema::Block::new().attrs(attributes.iter().cloned());
        match (nesting, value) {
            (ObjectNesting::Single, v) => walk_block(&inner, v, path, wo_allowed, diags),
            (_, Value::List(items) | Value::Set(items)) => {
                for (i, item) in items.iter().enumerate() {
                    walk_block(&inner, item, &path.push_index(i as i64), wo_allowed, diags);
                }
            }
            (_, Value::Map(items)) => {
                for (k, item) in items {
                    walk_block(&inner, item, &path.push_key(k), wo_allowed, diags);
                }
            }
            _ => {}
        }
    }
}

/// A validator's findings on a sensitive or write-only value, without the value:
/// validators quote what they got ("got \"...\""), and Terraform prints diagnostics in
/// the plan output and CI logs. Each finding keeps its path and severity; its detail
/// says the rule instead.
fn validate_quietly(
    v: &dyn Validator,
    value: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    let mut found = Diagnostics::new();
    v.validate(value, path, &mut found);
    for mut d in found.into_vec() {
        d.detail = format!(
            "{path} is sensitive, so its value is not shown; it {}.",
            v.description().trim_end_matches('.')
        );
        diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{NestedBlock, validators};

    fn schema() -> Block {
        Block::new()
            .attr(
                Attribute::number("size")
                    .optional()
                    .validate(validators::int_between(1, 100)),
            )
            .attr(Attribute::string("secret").write_only())
            .attr(Attribute::string("old").optional().deprecated("use new"))
            .block(NestedBlock::single(
                "aws",
                Block::new().attr(
                    Attribute::string("region")
                        .optional()
                        .validate(validators::one_of(&["us-east-1"])),
                ),
            ))
    }

    #[test]
    fn validators_run_with_paths_into_blocks() {
        let config = Value::object([
            ("size", 500i64.into()),
            ("aws", Value::object([("region", "mars-1".into())])),
        ]);
        let d = validate_config(&schema(), &config, true);
        let paths: Vec<String> = d
            .iter()
            .map(|d| d.attribute.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(paths, ["size", "aws.region"]);
    }

    #[test]
    fn unknown_values_are_not_validated() {
        let config = Value::object([("size", Value::Unknown), ("aws", Value::Null)]);
        assert!(validate_config(&schema(), &config, true).is_empty());
    }

    #[test]
    fn findings_on_sensitive_values_never_quote_them() {
        let block = Block::new().attr(
            Attribute::string("token")
                .optional()
                .sensitive()
                .validate(validators::one_of(&["abc"])),
        );
        let config = Value::object([("token", "PLANTED-token".into())]);
        let d = validate_config(&block, &config, true);
        let hit = d.iter().next().expect("a finding");
        assert_eq!(hit.attribute.as_ref().unwrap().to_string(), "token");
        assert!(!hit.detail.contains("PLANTED"), "{}", hit.detail);
        assert!(hit.detail.contains("is sensitive"), "{}", hit.detail);
        assert!(hit.detail.contains("\"abc\""), "{}", hit.detail);
    }

    #[test]
    fn write_only_needs_capability_and_deprecation_warns() {
        let config = Value::object([("secret", "s".into()), ("old", "x".into())]);
        assert!(!validate_config(&schema(), &config, true).has_errors());
        let d = validate_config(&schema(), &config, false);
        assert!(d.has_errors());
        assert!(d.iter().any(|d| d.summary == "Deprecated attribute"));
    }
}
