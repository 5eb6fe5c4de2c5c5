//! Private state set at plan reaches apply; what a create or update recorded survives
//! a failure, a panic and a stop the resource ignores.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::testkit::TestClient;
use tfplug::*;

struct Boxes;

#[async_trait]
impl Provider for Boxes {
    fn type_name(&self) -> &str {
        "safe"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(&self, _config: Value) -> Result<ProviderData, Diagnostics> {
        Ok(Arc::new(()))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(SafeBox)]
    }
}

/// Behaves by name (create) and note (update).
struct SafeBox;

fn with(state: &Value, attr: &str, v: impl Into<Value>) -> Value {
    let mut s = state.clone();
    if let Value::Object(m) = &mut s {
        m.insert(attr.into(), v.into());
    }
    s
}

#[async_trait]
impl Resource for SafeBox {
    fn type_name(&self) -> String {
        "safe_box".into()
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attr(Attribute::string("id").computed().use_state_for_unknown())
                .attr(Attribute::string("name").required().requires_replace())
                .attr(Attribute::string("note").optional())
                .attr(Attribute::string("seen_private").computed()),
        )
    }
    async fn modify_plan(&self, _ctx: &Context, plan: &mut ResourcePlan) -> Diagnostics {
        let name = plan.planned.attr("name").and_then(Value::as_str);
        plan.planned_private = format!("planned:{}", name.unwrap_or_default()).into_bytes();
        Diagnostics::new()
    }
    async fn create(&self, _ctx: &Context, req: CreateRequest) -> ApplyResult {
        let name = req
            .planned
            .attr("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let seen = String::from_utf8_lossy(&req.private).into_owned();
        let made = with(
            &with(&req.planned, "id", format!("b-{name}")),
            "seen_private",
            seen,
        );
        req.record_created(made.clone());
        match name.as_str() {
            "record-then-panic" => panic!("tagging exploded"),
            "record-then-fail" => ApplyResult::failed(Diagnostic::error("Tagging failed", "quota")),
            "record-then-hang" => {
                // Ignores cancellation on purpose.
                tokio::time::sleep(Duration::from_secs(60)).await;
                ApplyResult::ok(made)
            }
            _ => ApplyResult::ok(made),
        }
    }
    async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResult {
        ReadResult::found(req.state)
    }
    async fn update(&self, _ctx: &Context, req: UpdateRequest) -> ApplyResult {
        let planned = with(&req.planned, "seen_private", "updated");
        match req.planned.attr("note").and_then(Value::as_str) {
            Some("progress-then-panic") => {
                req.record_progress(with(&req.prior, "note", "half-way"));
                panic!("second step exploded")
            }
            Some("panic") => panic!("first step exploded"),
            _ => ApplyResult::ok(planned),
        }
    }
    async fn delete(&self, _ctx: &Context, _req: DeleteRequest) -> Diagnostics {
        Diagnostics::new()
    }
}

async fn client() -> TestClient {
    let c = TestClient::new(Boxes);
    c.configure(Value::Object(Default::default()))
        .await
        .unwrap();
    c
}

fn named(name: &str) -> Value {
    Value::object([("name", Value::from(name))])
}

#[tokio::test]
async fn private_state_set_at_plan_reaches_create_and_stays() {
    let c = client().await;
    let cfg = c.config_for("safe_box", named("a"));
    let plan = c.plan_instance("safe_box", None, &cfg).await;
    assert_eq!(plan.private, b"planned:a");
    let made = c.create_instance("safe_box", named("a")).await.unwrap();
    assert_eq!(
        made.state.attr("seen_private"),
        Some(&Value::from("planned:a"))
    );
    assert_eq!(
        made.private, b"planned:a",
        "apply keeps the planned private state"
    );
    let read = c.read_instance("safe_box", &made).await.unwrap().unwrap();
    assert_eq!(read.private, b"planned:a", "read keeps it too");
}

#[tokio::test]
async fn create_that_panics_after_recording_keeps_the_object() {
    let c = client().await;
    let applied = c
        .change_instance("safe_box", None, named("record-then-panic"))
        .await
        .unwrap();
    assert_eq!(
        applied.instance.state.attr("id"),
        Some(&Value::from("b-record-then-panic")),
        "the recorded object is in the new state"
    );
    let err = applied.diagnostics.to_string();
    assert!(err.contains("tagging exploded"), "{err}");
}

#[tokio::test]
async fn create_that_fails_without_state_answers_with_what_it_recorded() {
    let c = client().await;
    let applied = c
        .change_instance("safe_box", None, named("record-then-fail"))
        .await
        .unwrap();
    assert_eq!(
        applied.instance.state.attr("id"),
        Some(&Value::from("b-record-then-fail"))
    );
    assert!(applied.diagnostics.to_string().contains("quota"));
}

#[tokio::test]
async fn create_abandoned_after_stop_answers_with_what_it_recorded() {
    let c = Arc::new(client().await);
    let c2 = c.clone();
    let hung = tokio::spawn(async move {
        c2.change_instance("safe_box", None, named("record-then-hang"))
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopped = Instant::now();
    c.stop().await;
    let applied = hung.await.unwrap().unwrap();
    assert!(
        stopped.elapsed() < Duration::from_secs(10),
        "the server stops waiting: {:?}",
        stopped.elapsed()
    );
    assert_eq!(
        applied.instance.state.attr("id"),
        Some(&Value::from("b-record-then-hang"))
    );
    let err = applied.diagnostics.to_string();
    assert!(err.contains("abandoned"), "{err}");
}

#[tokio::test]
async fn update_that_panics_keeps_recorded_progress_else_the_prior_state() {
    let c = client().await;
    let made = c.create_instance("safe_box", named("u")).await.unwrap();

    let mut cfg = named("u");
    if let Value::Object(m) = &mut cfg {
        m.insert("note".into(), "progress-then-panic".into());
    }
    let applied = c
        .change_instance("safe_box", Some(&made), cfg)
        .await
        .unwrap();
    assert_eq!(
        applied.instance.state.attr("note"),
        Some(&Value::from("half-way"))
    );
    assert!(
        applied
            .diagnostics
            .to_string()
            .contains("second step exploded")
    );

    let mut cfg = named("u");
    if let Value::Object(m) = &mut cfg {
        m.insert("note".into(), "panic".into());
    }
    let applied = c
        .change_instance("safe_box", Some(&made), cfg)
        .await
        .unwrap();
    assert_eq!(
        applied.instance.state, made.state,
        "nothing recorded: prior stands"
    );
    assert!(
        applied
            .diagnostics
            .to_string()
            .contains("first step exploded")
    );
}
