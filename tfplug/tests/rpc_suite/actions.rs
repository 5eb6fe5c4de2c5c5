//! Actions (Terraform ≥ 1.14): schema, validation, plan, and invocations that stream
//! progress and complete exactly once, panics included.

use std::sync::Arc;
use tfplug::proto::tfplugin6::provider_server::Provider as Rpc;
use tfplug::schema::{Attribute, Block, Schema, validators};
use tfplug::testkit::TestClient;
use tfplug::*;
use tonic::Request;

struct Counting;

#[async_trait]
impl Provider for Counting {
    fn type_name(&self) -> &str {
        "act"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(&self, _config: Value) -> Result<ProviderData, Diagnostics> {
        Ok(Arc::new(()))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        Vec::new()
    }
    fn actions(&self) -> Vec<Arc<dyn Action>> {
        vec![Arc::new(Count)]
    }
}

/// Counts to `to`, one progress message a step; 7 is refused at plan, 5 panics at 3.
struct Count;

#[async_trait]
impl Action for Count {
    fn type_name(&self) -> String {
        "act_count".into()
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new().attr(
                Attribute::number("to")
                    .required()
                    .validate(validators::int_between(1, 9)),
            ),
        )
    }
    async fn plan(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        if config.attr("to").and_then(Value::as_i64) == Some(7) {
            return Diagnostic::error("Unlucky", "7 is not counted to").into();
        }
        Diagnostics::new()
    }
    async fn invoke(&self, _ctx: &Context, req: InvokeRequest) -> Diagnostics {
        let to = req.config.attr("to").and_then(Value::as_i64).unwrap_or(0);
        for n in 1..=to {
            if to == 5 && n == 3 {
                panic!("lost count at {n}");
            }
            req.progress(format!("{n} of {to}"));
        }
        let mut d = Diagnostics::new();
        d.warning("Counted", format!("to {to}"));
        d
    }
}

async fn client() -> TestClient {
    let c = TestClient::new(Counting);
    c.configure(Value::Object(Default::default()))
        .await
        .unwrap();
    c
}

fn to(n: i64) -> Value {
    Value::object([("to", Value::from(n))])
}

#[tokio::test]
async fn actions_are_in_metadata_and_schema() {
    let c = client().await;
    let md = c
        .service()
        .get_metadata(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(md.actions[0].type_name, "act_count");
    let s = c.schema().await;
    let block = s.action_schemas["act_count"]
        .schema
        .as_ref()
        .and_then(|s| s.block.as_ref())
        .unwrap();
    assert_eq!(block.attributes[0].name, "to");
}

#[tokio::test]
async fn invocation_streams_progress_then_completes_once() {
    let run = client().await.invoke_action("act_count", to(3)).await;
    assert_eq!(run.progress, ["1 of 3", "2 of 3", "3 of 3"]);
    assert_eq!(run.completions, 1);
    assert!(!run.diagnostics.has_errors());
    assert!(
        run.diagnostics.to_string().contains("to 3"),
        "warnings reach Terraform"
    );
}

#[tokio::test]
async fn a_panicking_action_completes_with_the_panic_after_its_progress() {
    let run = client().await.invoke_action("act_count", to(5)).await;
    assert_eq!(run.progress, ["1 of 5", "2 of 5"]);
    assert_eq!(run.completions, 1);
    assert!(run.diagnostics.to_string().contains("lost count at 3"));
}

#[tokio::test]
async fn validation_and_plan_refuse_before_anything_runs() {
    let c = client().await;
    let run = c.invoke_action("act_count", to(12)).await;
    assert_eq!(run.completions, 0);
    let d = run.diagnostics.iter().next().unwrap();
    assert_eq!(d.attribute, Some(AttributePath::attr("to")));
    let run = c.invoke_action("act_count", to(7)).await;
    assert_eq!(run.completions, 0);
    assert!(run.diagnostics.to_string().contains("7 is not counted to"));
}

#[tokio::test]
async fn an_unknown_action_completes_with_a_diagnostic() {
    let c = client().await;
    let mut events = c
        .service()
        .invoke_action(Request::new(
            tfplug::proto::tfplugin6::invoke_action::Request {
                action_type: "act_nope".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    use futures::StreamExt;
    let first = events.next().await.unwrap().unwrap();
    let Some(tfplug::proto::tfplugin6::invoke_action::event::Type::Completed(c)) = first.r#type
    else {
        panic!("expected a completion, got {first:?}");
    };
    assert!(c.diagnostics[0].detail.contains("act_nope"));
    assert!(events.next().await.is_none());
}
