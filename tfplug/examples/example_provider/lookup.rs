//! `example_lookup`: reads a stored item by name.

use crate::store::Store;
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::{AttributePath, Context, DataSource, Diagnostic, Diagnostics, Value};

pub struct Lookup;

#[tfplug::async_trait]
impl DataSource for Lookup {
    fn type_name(&self) -> String {
        "example_lookup".into()
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .describe("Looks up a stored item by name.")
                .attr(
                    Attribute::string("name")
                        .required()
                        .describe("The item's name."),
                )
                .attr(
                    Attribute::string("id")
                        .computed()
                        .describe("The item's id."),
                )
                .attr(
                    Attribute::string("value")
                        .computed()
                        .describe("The item's value."),
                ),
        )
    }

    async fn read(&self, ctx: &Context, config: Value) -> Result<Value, Diagnostics> {
        let store = ctx.provider_data::<Store>()?;
        let name = config
            .attr("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let id = format!("item-{name}");
        let found = store
            .get(&id)
            .map_err(|e| Diagnostic::error("Cannot read the item", e.to_string()))?;
        let record = found.ok_or_else(|| {
            Diagnostic::error(
                "Item not found",
                format!("No item named \"{name}\" exists."),
            )
            .at(AttributePath::attr("name"))
        })?;
        Ok(Value::object([
            ("name", Value::from(name)),
            ("id", Value::from(record.id)),
            ("value", Value::from(record.value)),
        ]))
    }
}
