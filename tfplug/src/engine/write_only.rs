//! Write-only attributes never reach plan or state: Terraform rejects a provider that
//! returns a non-null value for one.

use crate::schema::{AttributeKind, Block, BlockNesting, ObjectNesting};
use crate::value::Value;

/// Sets every write-only attribute in `value` (anywhere in the block tree) to null.
pub fn null_write_only(block: &Block, value: &mut Value) {
    let Value::Object(attrs) = value else { return };
    for a in &block.attributes {
        let Some(v) = attrs.get_mut(&a.name) else {
            continue;
        };
        if a.write_only {
            *v = Value::Null;
        } else if let AttributeKind::Nested {
            nesting,
            attributes,
        } = &a.kind
        {
            let inner = Block::new().attrs(attributes.iter().cloned());
            for_each_object(v, *nesting == ObjectNesting::Single, |o| {
                null_write_only(&inner, o)
            });
        }
    }
    for nb in &block.blocks {
        if let Some(v) = attrs.get_mut(&nb.name) {
            let single = matches!(nb.nesting, BlockNesting::Single | BlockNesting::Group);
            for_each_object(v, single, |o| null_write_only(&nb.block, o));
        }
    }
}

fn for_each_object(v: &mut Value, single: bool, mut f: impl FnMut(&mut Value)) {
    match v {
        Value::Object(_) if single => f(v),
        Value::List(items) | Value::Set(items) => items.iter_mut().for_each(f),
        Value::Map(items) => items.values_mut().for_each(f),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, NestedBlock};

    #[test]
    fn nulls_nested_write_only_values() {
        let block = Block::new()
            .attr(Attribute::string("password").write_only())
            .attr(Attribute::string("name").optional())
            .block(NestedBlock::list(
                "auth",
                Block::new().attr(Attribute::string("token").write_only()),
            ));
        let mut v = Value::object([
            ("password", "p".into()),
            ("name", "n".into()),
            (
                "auth",
                Value::List(vec![Value::object([("token", "t".into())])]),
            ),
        ]);
        null_write_only(&block, &mut v);
        assert_eq!(v.attr("password"), Some(&Value::Null));
        assert_eq!(v.attr("name"), Some(&Value::from("n")));
        assert_eq!(
            v.attr("auth").unwrap().as_elements().unwrap()[0].attr("token"),
            Some(&Value::Null)
        );
    }
}
