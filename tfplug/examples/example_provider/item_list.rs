//! `list "example_item"`: the stored items for `terraform query`, optionally only those
//! whose name starts with `name_prefix`.

use crate::item::Item;
use crate::store::Store;
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::{Context, Diagnostic, Diagnostics, ListItem, ListRequest, ListResource, Value};

pub struct ItemList;

#[tfplug::async_trait]
impl ListResource for ItemList {
    fn type_name(&self) -> String {
        "example_item".into()
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new().attr(
                Attribute::string("name_prefix")
                    .optional()
                    .describe("Only items whose name starts with this."),
            ),
        )
    }

    async fn list(&self, ctx: &Context, req: ListRequest) -> Diagnostics {
        let store = match ctx.provider_data::<Store>() {
            Ok(s) => s,
            Err(d) => return d.into(),
        };
        let prefix = req
            .config
            .attr("name_prefix")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let records = match store.list() {
            Ok(r) => r,
            Err(e) => return Diagnostic::error("Cannot list the items", e.to_string()).into(),
        };
        for record in records.iter().filter(|r| r.name.starts_with(prefix)) {
            let state = match Item.to_state(record) {
                Ok(s) => s,
                Err(d) => return d.into(),
            };
            if !req.send(ListItem::from_state(&record.name, state)).await {
                break;
            }
        }
        Diagnostics::new()
    }
}
