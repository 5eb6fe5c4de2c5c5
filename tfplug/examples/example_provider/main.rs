//! An example provider on tfplug, small enough to read in one sitting, used by the
//! conformance tests under real Terraform.
//!
//! Its "cloud" is a directory (`state_dir`) holding one JSON file per item, so tests
//! can look at the cloud's records and change them out of band.

mod item;
mod item_list;
mod lookup;
mod notify;
mod shout;
mod store;
mod token;

use std::process::ExitCode;
use std::sync::Arc;
use store::Store;
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::{
    Action, DataSource, Diagnostics, EphemeralResource, Function, ListResource, Provider,
    ProviderData, Resource, ServeOptions, Value,
};

struct ExampleProvider;

#[tfplug::async_trait]
impl Provider for ExampleProvider {
    fn type_name(&self) -> &str {
        "example"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new().attr(
                Attribute::string("state_dir")
                    .required()
                    .describe("Directory where items are stored, one JSON file each."),
            ),
        )
    }

    async fn configure(&self, config: Value) -> Result<ProviderData, Diagnostics> {
        let dir = config
            .attr("state_dir")
            .and_then(Value::as_str)
            .unwrap_or("");
        let store = Store::open(dir).map_err(|e| {
            Diagnostics::from(
                tfplug::Diagnostic::error("Cannot use state_dir", e.to_string())
                    .at(tfplug::AttributePath::attr("state_dir")),
            )
        })?;
        Ok(Arc::new(store))
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(item::Item)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(lookup::Lookup)]
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        vec![Arc::new(token::Token)]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(shout::Shout)]
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![Arc::new(item_list::ItemList)]
    }

    fn actions(&self) -> Vec<Arc<dyn Action>> {
        vec![Arc::new(notify::Notify)]
    }
}

fn main() -> ExitCode {
    tfplug::serve(
        ExampleProvider,
        ServeOptions::from_args("registry.terraform.io/tfplug/example"),
    )
}
