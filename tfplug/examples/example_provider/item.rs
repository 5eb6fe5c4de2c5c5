//! `example_item`: a managed resource with every common attribute shape, and an
//! identity (its name) for import blocks and `terraform query`.

use crate::store::{Record, Store};
use std::time::{SystemTime, UNIX_EPOCH};
use tfplug::schema::{Attribute, Block, Schema, validators};
use tfplug::value::{decode, encode};
use tfplug::{
    ApplyResult, Context, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, IdentityAttribute,
    IdentitySchema, ImportRequest, ImportResult, ReadRequest, ReadResult, Resource, Type,
    UpdateRequest, Value,
};

pub struct Item;

fn io_error(what: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("Cannot {what} the item"), e.to_string())
}

impl Item {
    /// The id of the item named `name`.
    pub fn id_of(name: &str) -> String {
        format!("item-{name}")
    }

    pub fn to_state(&self, r: &Record) -> Result<Value, Diagnostic> {
        encode(r, &self.schema().value_type())
            .map_err(|e| Diagnostic::error("Cannot encode state", e.to_string()))
    }

    /// The record a plan describes; `id` and `created_at` come from the caller because
    /// the plan holds them as unknown on create.
    fn record_from(planned: &Value, id: String, created_at: String) -> Result<Record, Diagnostic> {
        let input: Input =
            decode(planned).map_err(|e| Diagnostic::error("Invalid plan", e.to_string()))?;
        Ok(Record {
            id,
            name: input.name,
            value: input.value,
            size: input.size,
            tags: input.tags,
            secret: input.secret,
            created_at,
        })
    }
}

/// The user-settable part of an item.
#[derive(serde::Deserialize)]
struct Input {
    name: String,
    value: Option<String>,
    size: i64,
    tags: Option<std::collections::BTreeMap<String, String>>,
    secret: Option<String>,
}

#[tfplug::async_trait]
impl Resource for Item {
    fn type_name(&self) -> String {
        "example_item".into()
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .describe("An item stored as a JSON file in the provider's `state_dir`.")
                .attr(
                    Attribute::string("id")
                        .computed()
                        .use_state_for_unknown()
                        .describe("`item-<name>`."),
                )
                .attr(
                    Attribute::string("name")
                        .required()
                        .requires_replace()
                        .validate(validators::matches(
                            "^[a-z][a-z0-9-]*$",
                            "must start with a lowercase letter and hold only lowercase letters, digits and dashes",
                        ))
                        .describe("The item's name. Changing it replaces the item."),
                )
                .attr(Attribute::string("value").optional().describe("Free text, updatable in place."))
                .attr(
                    Attribute::number("size")
                        .default(1i64)
                        .validate(validators::int_between(1, 100))
                        .describe("A size from 1 to 100."),
                )
                .attr(Attribute::map("tags", Type::String).optional().describe("Tags."))
                .attr(
                    Attribute::string("secret")
                        .optional()
                        .sensitive()
                        .describe("A sensitive value: hidden in plan output."),
                )
                .attr(
                    Attribute::string("created_at")
                        .computed()
                        .use_state_for_unknown()
                        .describe("When the item was created (Unix seconds)."),
                ),
        )
    }

    /// The name: it is in the state too, so tfplug projects every identity from it.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(
            IdentitySchema::new().attr(
                IdentityAttribute::string("name")
                    .required_for_import()
                    .describe("The item's name."),
            ),
        )
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResult {
        let store = match ctx.provider_data::<Store>() {
            Ok(s) => s,
            Err(d) => return ApplyResult::failed(d),
        };
        let name = req
            .planned
            .attr("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let id = Item::id_of(name);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let record = match Item::record_from(&req.planned, id, now.as_secs().to_string()) {
            Ok(r) => r,
            Err(d) => return ApplyResult::failed(d),
        };
        if let Err(e) = store.put(&record) {
            return ApplyResult::failed(io_error("create", e));
        }
        match self.to_state(&record) {
            Ok(s) => {
                // The item exists now: keep it in state whatever happens next.
                req.record_created(s.clone());
                ApplyResult::ok(s)
            }
            Err(d) => ApplyResult::failed(d),
        }
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResult {
        let store = match ctx.provider_data::<Store>() {
            Ok(s) => s,
            Err(d) => return ReadResult::error(d),
        };
        let id = req
            .state
            .attr("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match store.get(id) {
            Ok(Some(r)) => match self.to_state(&r) {
                Ok(s) => ReadResult::found(s),
                Err(d) => ReadResult::error(d),
            },
            Ok(None) => ReadResult::gone(),
            Err(e) => ReadResult::error(io_error("read", e)),
        }
    }

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResult {
        let store = match ctx.provider_data::<Store>() {
            Ok(s) => s,
            Err(d) => return ApplyResult::failed(d),
        };
        let id = req
            .prior
            .attr("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let created = req
            .prior
            .attr("created_at")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let record = match Item::record_from(&req.planned, id.into(), created.into()) {
            Ok(r) => r,
            Err(d) => return ApplyResult::partial(req.prior, d),
        };
        if let Err(e) = store.put(&record) {
            return ApplyResult::partial(req.prior, io_error("update", e));
        }
        match self.to_state(&record) {
            Ok(s) => ApplyResult::ok(s),
            Err(d) => ApplyResult::partial(req.prior, d),
        }
    }

    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> Diagnostics {
        let store = match ctx.provider_data::<Store>() {
            Ok(s) => s,
            Err(d) => return d.into(),
        };
        let id = req
            .prior
            .attr("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match store.delete(id) {
            Ok(()) => Diagnostics::new(),
            Err(e) => io_error("delete", e).into(),
        }
    }

    /// By id (`item-<name>`) or by identity (`{ name = ... }`); read fills in the rest.
    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResult {
        let id = match (&req.id, &req.identity) {
            (Some(id), _) => id.clone(),
            (None, Some(identity)) => {
                let name = identity.attr("name").and_then(Value::as_str);
                match name {
                    Some(name) => Item::id_of(name),
                    None => {
                        return ImportResult::failed(Diagnostic::error(
                            "Missing name",
                            "Import an example_item by identity with identity = { name = \"...\" }.",
                        ));
                    }
                }
            }
            (None, None) => {
                return ImportResult::failed(Diagnostic::error("Nothing to import", ""));
            }
        };
        ImportResult::state(Value::object([("id", Value::from(id))]))
    }
}
