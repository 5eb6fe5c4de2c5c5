//! Translation between tfplug's types and the protocol's messages.

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::function::{Parameter, Signature};
use crate::proto::tfplugin6 as pb;
use crate::schema::{
    Attribute, AttributeKind, Block, BlockNesting, NestedBlock, ObjectNesting, Schema,
};
use crate::value::{AttributePath, PathStep, Type, Value, from_json, from_msgpack, to_msgpack};

pub fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block, s.version)),
    }
}

fn block(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b.blocks.iter().map(nested_block).collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: b.deprecation.is_some(),
        deprecation_message: b.deprecation.clone().unwrap_or_default(),
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &a.kind {
        AttributeKind::Typed(t) => (t.to_json_bytes(), None),
        AttributeKind::Nested {
            nesting,
            attributes,
        } => {
            let nesting = match nesting {
                ObjectNesting::Single => pb::schema::object::NestingMode::Single,
                ObjectNesting::List => pb::schema::object::NestingMode::List,
                ObjectNesting::Set => pb::schema::object::NestingMode::Set,
                ObjectNesting::Map => pb::schema::object::NestingMode::Map,
            };
            (
                Vec::new(),
                Some(pb::schema::Object {
                    attributes: attributes.iter().map(attribute).collect(),
                    nesting: nesting as i32,
                    ..Default::default()
                }),
            )
        }
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description: attribute_description(a),
        description_kind: pb::StringKind::Markdown as i32,
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        write_only: a.write_only,
        deprecated: a.deprecation.is_some(),
        deprecation_message: a.deprecation.clone().unwrap_or_default(),
    }
}

/// The attribute's description with its validators' rules appended, so `terraform
/// providers schema` and the generated docs say what is accepted.
pub(crate) fn attribute_description(a: &Attribute) -> String {
    let mut d = a.description.clone();
    let rules: Vec<String> = a.validators.iter().map(|v| v.description()).collect();
    if !rules.is_empty() {
        if !d.is_empty() && !d.ends_with(' ') {
            d.push(' ');
        }
        d.push_str(&format!("Value {}.", rules.join("; ")));
    }
    d
}

fn nested_block(nb: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode as N;
    let nesting = match nb.nesting {
        BlockNesting::Single => N::Single,
        BlockNesting::Group => N::Group,
        BlockNesting::List => N::List,
        BlockNesting::Set => N::Set,
        BlockNesting::Map => N::Map,
    };
    pb::schema::NestedBlock {
        type_name: nb.name.clone(),
        block: Some(block(&nb.block, 0)),
        nesting: nesting as i32,
        min_items: nb.min_items,
        max_items: nb.max_items,
    }
}

pub fn function(sig: &Signature) -> pb::Function {
    let param = |p: &Parameter| pb::function::Parameter {
        name: p.name.clone(),
        r#type: p.ty.to_json_bytes(),
        allow_null_value: p.allow_null,
        allow_unknown_values: false,
        description: p.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
    };
    pb::Function {
        parameters: sig.parameters.iter().map(param).collect(),
        variadic_parameter: sig.variadic.as_ref().map(param),
        r#return: Some(pb::function::Return {
            r#type: sig.return_type.to_json_bytes(),
        }),
        summary: sig.summary.clone(),
        description: sig.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: sig.deprecation.clone().unwrap_or_default(),
    }
}

pub fn path(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .steps()
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

pub fn diagnostic(d: &Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error,
            Severity::Warning => pb::diagnostic::Severity::Warning,
        } as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.attribute.as_ref().map(path),
    }
}

pub fn diagnostics(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.iter().map(diagnostic).collect()
}

/// Decodes a DynamicValue of type `ty`; an absent value is null.
pub fn decode(dv: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostic> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let result = if !dv.msgpack.is_empty() {
        from_msgpack(&dv.msgpack, ty).map_err(|e| e.to_string())
    } else if !dv.json.is_empty() {
        from_json(&dv.json, ty).map_err(|e| e.to_string())
    } else {
        Ok(Value::Null)
    };
    result.map_err(|e| {
        Diagnostic::error(
            "Invalid value from Terraform",
            format!("The provider could not decode a value Terraform sent: {e}"),
        )
    })
}

pub fn encode(value: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostic> {
    to_msgpack(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "Provider produced an invalid value",
                format!("The provider's value does not match its schema: {e}. This is a bug in the provider."),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::validators;

    #[test]
    fn schema_conversion_keeps_flags_and_types() {
        let s = Schema::new(
            Block::new()
                .attr(
                    Attribute::string("name")
                        .required()
                        .sensitive()
                        .validate(validators::one_of(&["a"]))
                        .describe("The name."),
                )
                .attr(
                    Attribute::nested(
                        "taints",
                        ObjectNesting::List,
                        vec![Attribute::string("key").required()],
                    )
                    .optional(),
                )
                .block(NestedBlock::single("aws", Block::new()).max_items(1)),
        )
        .version(2);
        let p = schema(&s);
        assert_eq!(p.version, 2);
        let b = p.block.unwrap();
        assert_eq!(b.attributes[0].r#type, br#""string""#);
        assert!(b.attributes[0].sensitive && b.attributes[0].required);
        assert_eq!(
            b.attributes[0].description,
            r#"The name. Value must be one of "a"."#
        );
        let nested = b.attributes[1].nested_type.as_ref().unwrap();
        assert_eq!(nested.nesting, pb::schema::object::NestingMode::List as i32);
        assert_eq!(b.block_types[0].type_name, "aws");
        assert_eq!(b.block_types[0].max_items, 1);
    }

    #[test]
    fn paths_convert_step_by_step() {
        let p = path(&AttributePath::attr("a").push_index(1).push_key("k"));
        assert_eq!(p.steps.len(), 3);
    }
}
