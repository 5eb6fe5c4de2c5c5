//! `example_notify`: an action that "sends" a message to each recipient (a line in
//! `<state_dir>/outbox.log`), reporting progress per recipient.

use crate::store::Store;
use tfplug::schema::{Attribute, Block, Schema, validators};
use tfplug::{Action, Context, Diagnostic, Diagnostics, InvokeRequest, Type, Value};

pub struct Notify;

#[tfplug::async_trait]
impl Action for Notify {
    fn type_name(&self) -> String {
        "example_notify".into()
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .describe("Sends a message to each recipient.")
                .attr(
                    Attribute::string("message")
                        .required()
                        .validate(validators::length_between(1, 200))
                        .describe("The message."),
                )
                .attr(
                    Attribute::typed("recipients", Type::list(Type::String))
                        .required()
                        .describe("Who gets it, in order."),
                ),
        )
    }

    async fn plan(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        match config.attr("recipients").and_then(Value::as_elements) {
            Some([]) => Diagnostic::error("No recipients", "Name at least one recipient.")
                .at(tfplug::AttributePath::attr("recipients"))
                .into(),
            _ => Diagnostics::new(),
        }
    }

    async fn invoke(&self, ctx: &Context, req: InvokeRequest) -> Diagnostics {
        let store = match ctx.provider_data::<Store>() {
            Ok(s) => s,
            Err(d) => return d.into(),
        };
        let message = req
            .config
            .attr("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let recipients: Vec<&str> = req
            .config
            .attr("recipients")
            .and_then(Value::as_elements)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for (n, to) in recipients.iter().enumerate() {
            if let Err(e) = store.send(&format!("to {to}: {message}")) {
                return Diagnostic::error("Cannot send the message", e.to_string()).into();
            }
            req.progress(format!(
                "delivered to {to} ({}/{})",
                n + 1,
                recipients.len()
            ));
        }
        Diagnostics::new()
    }
}
