//! `example_token`: an ephemeral value (Terraform ≥ 1.10) that never reaches state.

use tfplug::schema::{Attribute, Block, Schema};
use tfplug::{Context, Diagnostics, EphemeralResource, Opened, Value};

pub struct Token;

#[tfplug::async_trait]
impl EphemeralResource for Token {
    fn type_name(&self) -> String {
        "example_token".into()
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .describe("A short-lived token derived from a name.")
                .attr(
                    Attribute::string("name")
                        .required()
                        .describe("Whose token."),
                )
                .attr(
                    Attribute::string("token")
                        .computed()
                        .sensitive()
                        .describe("The token."),
                ),
        )
    }

    async fn open(&self, _ctx: &Context, config: Value) -> Result<Opened, Diagnostics> {
        let name = config
            .attr("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Ok(Opened {
            result: Value::object([
                ("name", Value::from(name)),
                ("token", Value::from(format!("tok-{}", name.len()))),
            ]),
            private: Vec::new(),
            renew_at: None,
        })
    }
}
