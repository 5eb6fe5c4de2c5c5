//! Terraform's "proposed new state": the configuration, with computed attributes the
//! configuration leaves null taken from the prior state.

use crate::schema::{AttributeKind, Block, BlockNesting, ObjectNesting};
use crate::value::Value;

/// Computes what Terraform sends as `proposed_new_state` in PlanResourceChange.
pub fn proposed_new_state(block: &Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() {
        return Value::Null;
    }
    let Value::Object(cfg) = config else {
        return config.clone();
    };
    let mut out = cfg.clone();
    for a in &block.attributes {
        let c = cfg.get(&a.name).cloned().unwrap_or(Value::Null);
        let p = prior.attr(&a.name).cloned().unwrap_or(Value::Null);
        let v = if a.computed && c.is_null() {
            p
        } else if let (
            AttributeKind::Nested {
                nesting: ObjectNesting::Single,
                attributes,
            },
            false,
        ) = (&a.kind, c.is_null())
        {
            proposed_new_state(&Block::new().attrs(attributes.iter().cloned()), &p, &c)
        } else {
            c
        };
        out.insert(a.name.clone(), v);
    }
    for nb in &block.blocks {
        let c = cfg.get(&nb.name).cloned().unwrap_or(Value::Null);
        let p = prior.attr(&nb.name).cloned().unwrap_or(Value::Null);
        let v = match (nb.nesting, &c) {
            (BlockNesting::Single | BlockNesting::Group, Value::Object(_)) => {
                proposed_new_state(&nb.block, &p, &c)
            }
            (BlockNesting::List, Value::List(items)) => Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let pi = p
                            .as_elements()
                            .and_then(|e| e.get(i))
                            .cloned()
                            .unwrap_or(Value::Null);
                        proposed_new_state(&nb.block, &pi, item)
                    })
                    .collect(),
            ),
            _ => c,
        };
        out.insert(nb.name.clone(), v);
    }
    Value::Object(out)
}
