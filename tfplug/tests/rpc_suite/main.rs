//! Every RPC of protocol 6, sent through the in-process client to small providers
//! defined here. Values travel msgpack-encoded exactly as Terraform sends them.
//!
//! This file covers the classic resource life cycle, data sources, ephemeral
//! resources and functions; the modules cover what came later.

mod actions;
mod apply_safety;
mod identity;
mod lists;

use futures::StreamExt;
use pb::provider_server::Provider as Rpc;
use std::sync::Arc;
use std::time::Duration;
use tfplug::proto::tfplugin6 as pb;
use tfplug::schema::{Attribute, Block, NestedBlock, Schema, validators};
use tfplug::testkit::TestClient;
use tfplug::value::{Type, from_msgpack, to_msgpack};
use tfplug::*;
use tonic::Request;

struct Demo;

struct Thing;

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> String {
        "demo_thing".into()
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attr(Attribute::string("id").computed().use_state_for_unknown())
                .attr(Attribute::string("name").required().requires_replace())
                .attr(
                    Attribute::number("size")
                        .default(2i64)
                        .validate(validators::int_between(1, 9)),
                )
                .attr(Attribute::string("password").write_only())
                .attr(Attribute::string("note").optional())
                .block(NestedBlock::single(
                    "opts",
                    Block::new().attr(Attribute::bool("fast").optional()),
                )),
        )
        .version(1)
    }
    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResult {
        let name = req
            .planned
            .attr("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if name == "panic" {
            panic!("create exploded");
        }
        if name == "slow" {
            tokio::select! {
                _ = ctx.cancelled() => return ApplyResult::failed(Diagnostic::error("Cancelled", "stopped by Terraform")),
                _ = tokio::time::sleep(Duration::from_secs(30)) => {}
            }
        }
        let mut state = req.planned.clone();
        if let Value::Object(m) = &mut state {
            m.insert("id".into(), format!("t-{name}").into());
            // The password arrives in config only; the framework keeps it out of state.
            assert!(req.config.attr("password").is_some());
            m.insert(
                "password".into(),
                req.config.attr("password").cloned().unwrap(),
            );
        }
        if name == "half" {
            return ApplyResult::partial(
                state,
                Diagnostic::error("Second step failed", "tagging failed"),
            );
        }
        ApplyResult::ok(state)
    }
    async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResult {
        if req.state.attr("note").and_then(Value::as_str) == Some("gone") {
            return ReadResult::gone();
        }
        ReadResult::found(req.state).with_private(req.private)
    }
    async fn update(&self, _ctx: &Context, req: UpdateRequest) -> ApplyResult {
        ApplyResult::ok(req.planned)
    }
    async fn delete(&self, _ctx: &Context, req: DeleteRequest) -> Diagnostics {
        if req.prior.attr("note").and_then(Value::as_str) == Some("undeletable") {
            return Diagnostic::error("Delete failed", "in use").into();
        }
        Diagnostics::new()
    }
    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResult {
        let id = req.id.unwrap_or_default();
        ImportResult::state(Value::object([
            ("name", Value::from(id.trim_start_matches("t-"))),
            ("id", Value::from(id)),
        ]))
    }
    fn upgrade_state(&self, version: i64, raw: &[u8]) -> Result<Value, Diagnostics> {
        // Version 0 called `size` `count`.
        let mut json: serde_json::Value = serde_json::from_slice(raw).unwrap();
        if version == 0 {
            let count = json
                .as_object_mut()
                .unwrap()
                .remove("count")
                .unwrap_or_default();
            json["size"] = count;
        }
        tfplug::value::from_json(json.to_string().as_bytes(), &self.schema().value_type())
            .map_err(|e| Diagnostic::error("bad state", e.to_string()).into())
    }
    fn move_state(&self, source: &MoveSource) -> Option<Result<Value, Diagnostics>> {
        (source.type_name == "old_thing").then(|| {
            tfplug::value::from_json(&source.raw_json, &self.schema().value_type())
                .map_err(|e| Diagnostic::error("bad", e.to_string()).into())
        })
    }
}

struct Echo;

#[async_trait]
impl DataSource for Echo {
    fn type_name(&self) -> String {
        "demo_echo".into()
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attr(Attribute::string("in").required())
                .attr(Attribute::string("out").computed()),
        )
    }
    async fn read(&self, _ctx: &Context, config: Value) -> Result<Value, Diagnostics> {
        let s = config
            .attr("in")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Ok(Value::object([
            ("in", Value::from(s)),
            ("out", Value::from(s.repeat(2))),
        ]))
    }
}

struct Secret;

#[async_trait]
impl EphemeralResource for Secret {
    fn type_name(&self) -> String {
        "demo_secret".into()
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new().attr(Attribute::string("value").computed().sensitive()))
    }
    async fn open(&self, _ctx: &Context, _config: Value) -> Result<Opened, Diagnostics> {
        Ok(Opened {
            result: Value::object([("value", Value::from("s3cr3t"))]),
            private: b"lease-1".to_vec(),
            renew_at: Some(std::time::SystemTime::now() + Duration::from_secs(60)),
        })
    }
    async fn renew(
        &self,
        _ctx: &Context,
        private: Vec<u8>,
    ) -> Result<(Vec<u8>, Option<std::time::SystemTime>), Diagnostics> {
        let mut p = private;
        p.extend_from_slice(b"+");
        Ok((p, None))
    }
}

struct Add;

impl Function for Add {
    fn name(&self) -> String {
        "add".into()
    }
    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![Parameter::new("a", Type::Number, "")],
            variadic: Some(Parameter::new("rest", Type::Number, "")),
            return_type: Type::Number,
            summary: "adds".into(),
            description: String::new(),
            deprecation: None,
        }
    }
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let mut total = 0;
        for (i, a) in args.iter().enumerate() {
            total += a
                .as_i64()
                .ok_or_else(|| FunctionError::at_argument("whole numbers only", i))?;
        }
        Ok(Value::from(total))
    }
}

#[async_trait]
impl Provider for Demo {
    fn type_name(&self) -> &str {
        "demo"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new().attr(
                Attribute::string("region")
                    .optional()
                    .one_of(&["here", "there"]),
            ),
        )
    }
    async fn configure(&self, config: Value) -> Result<ProviderData, Diagnostics> {
        Ok(Arc::new(
            config
                .attr("region")
                .and_then(Value::as_str)
                .unwrap_or("here")
                .to_owned(),
        ))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing)]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Echo)]
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        vec![Arc::new(Secret)]
    }
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(Add)]
    }
}

async fn configured() -> TestClient {
    let c = TestClient::new(Demo);
    c.configure(Value::object([("region", "here".into())]))
        .await
        .unwrap();
    c
}

fn thing(name: &str) -> Value {
    Value::object([("name", Value::from(name)), ("password", Value::from("pw"))])
}

#[tokio::test]
async fn metadata_and_schema_list_everything_with_capabilities() {
    let c = configured().await;
    let md = c
        .service()
        .get_metadata(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(md.resources[0].type_name, "demo_thing");
    assert_eq!(md.data_sources[0].type_name, "demo_echo");
    assert_eq!(md.ephemeral_resources[0].type_name, "demo_secret");
    assert_eq!(md.functions[0].name, "add");
    let caps = md.server_capabilities.unwrap();
    assert!(caps.plan_destroy && caps.get_provider_schema_optional && caps.move_resource_state);

    let s = c.schema().await;
    let thing = &s.resource_schemas["demo_thing"];
    assert_eq!(thing.version, 1);
    let attrs = &thing.block.as_ref().unwrap().attributes;
    let pw = attrs.iter().find(|a| a.name == "password").unwrap();
    assert!(pw.write_only && pw.optional);
    let size = attrs.iter().find(|a| a.name == "size").unwrap();
    assert!(size.optional && size.computed);
    assert!(s.data_source_schemas.contains_key("demo_echo"));
    assert!(s.ephemeral_resource_schemas.contains_key("demo_secret"));
    assert!(s.functions["add"].variadic_parameter.is_some());
    let funcs = c
        .service()
        .get_functions(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(funcs.functions.len(), 1);
}

#[tokio::test]
async fn provider_config_is_validated_then_configured() {
    let c = TestClient::new(Demo);
    let d = c
        .validate_provider(Value::object([("region", "mars".into())]))
        .await;
    assert_eq!(
        d.iter().next().unwrap().attribute,
        Some(AttributePath::attr("region"))
    );
    assert!(
        c.configure(Value::object([("region", "there".into())]))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn lifecycle_create_read_update_replace_destroy() {
    let c = configured().await;
    let state = c.create("demo_thing", thing("a")).await.unwrap();
    assert_eq!(state.attr("id"), Some(&Value::from("t-a")));
    assert_eq!(
        state.attr("size"),
        Some(&Value::from(2i64)),
        "default applied"
    );
    assert_eq!(
        state.attr("password"),
        Some(&Value::Null),
        "write-only never in state"
    );

    let read = c.read("demo_thing", &state).await.unwrap().unwrap();
    assert_eq!(read, state);

    // No change: the plan is the prior state.
    let mut cfg = thing("a");
    let plan = c
        .plan(
            "demo_thing",
            Some(&state),
            &c.config_for("demo_thing", cfg.clone()),
        )
        .await;
    assert_eq!(plan.planned, state);
    assert!(plan.requires_replace.is_empty());

    // In-place update keeps the id.
    if let Value::Object(m) = &mut cfg {
        m.insert("note".into(), "hello".into());
    }
    let updated = c.update("demo_thing", &state, cfg).await.unwrap();
    assert_eq!(updated.attr("id"), Some(&Value::from("t-a")));
    assert_eq!(updated.attr("note"), Some(&Value::from("hello")));

    // A new name needs replacement.
    let plan = c
        .plan(
            "demo_thing",
            Some(&updated),
            &c.config_for("demo_thing", thing("b")),
        )
        .await;
    assert_eq!(plan.requires_replace, vec![AttributePath::attr("name")]);

    assert!(c.destroy("demo_thing", &updated).await.is_empty());
}

#[tokio::test]
async fn validation_errors_carry_paths() {
    let c = configured().await;
    let mut cfg = c.config_for("demo_thing", thing("a"));
    if let Value::Object(m) = &mut cfg {
        m.insert("size".into(), 50i64.into());
    }
    let d = c.validate_resource("demo_thing", &cfg).await;
    let first = d.iter().next().unwrap();
    assert_eq!(first.attribute, Some(AttributePath::attr("size")));
    assert!(
        first.detail.contains("between 1 and 9, got 50"),
        "{}",
        first.detail
    );
}

#[tokio::test]
async fn partial_create_keeps_state_and_reports_error() {
    let c = configured().await;
    let cfg = c.config_for("demo_thing", thing("half"));
    let plan = c.plan("demo_thing", None, &cfg).await;
    let (state, diags) = c
        .apply("demo_thing", None, &plan.planned, &cfg, vec![])
        .await;
    assert!(diags.has_errors());
    assert_eq!(
        state.attr("id"),
        Some(&Value::from("t-half")),
        "created object stays in state"
    );
}

#[tokio::test]
async fn failed_delete_keeps_the_object() {
    let c = configured().await;
    let mut cfg = thing("x");
    if let Value::Object(m) = &mut cfg {
        m.insert("note".into(), "undeletable".into());
    }
    let state = c.create("demo_thing", cfg).await.unwrap();
    let plan = c.plan("demo_thing", Some(&state), &Value::Null).await;
    assert_eq!(plan.planned, Value::Null);
    let (after, d) = c
        .apply(
            "demo_thing",
            Some(&state),
            &Value::Null,
            &Value::Null,
            vec![],
        )
        .await;
    assert!(d.has_errors());
    assert_eq!(after, state);
}

#[tokio::test]
async fn read_of_a_vanished_object_returns_null() {
    let c = configured().await;
    let mut cfg = thing("v");
    if let Value::Object(m) = &mut cfg {
        m.insert("note".into(), "gone".into());
    }
    let state = c.create("demo_thing", cfg).await.unwrap();
    assert_eq!(c.read("demo_thing", &state).await.unwrap(), None);
}

#[tokio::test]
async fn panic_in_a_resource_is_an_error_diagnostic() {
    let c = configured().await;
    let err = c.create("demo_thing", thing("panic")).await.unwrap_err();
    assert!(err.to_string().contains("create exploded"), "{err}");
    // The service still answers afterwards.
    assert!(c.create("demo_thing", thing("after")).await.is_ok());
}

#[tokio::test]
async fn stop_provider_cancels_in_flight_work_and_keeps_serving() {
    let c = Arc::new(configured().await);
    let c2 = c.clone();
    let slow = tokio::spawn(async move { c2.create("demo_thing", thing("slow")).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    c.stop().await;
    let result = slow.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("stopped by Terraform")
    );
    assert!(
        c.create("demo_thing", thing("next")).await.is_ok(),
        "serves after stop"
    );
}

#[tokio::test]
async fn import_then_read() {
    let c = configured().await;
    let state = c.import("demo_thing", "t-imp").await.unwrap();
    assert_eq!(state.attr("name"), Some(&Value::from("imp")));
}

#[tokio::test]
async fn upgrade_state_from_raw_json_of_an_older_version() {
    let c = configured().await;
    let r = c
        .service()
        .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: "demo_thing".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: br#"{"id":"t-o","name":"o","count":7}"#.to_vec(),
                flatmap: Default::default(),
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let ty = Thing.schema().value_type();
    let v = from_msgpack(&r.upgraded_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(v.attr("size"), Some(&Value::from(7i64)));
}

#[tokio::test]
async fn move_state_across_types() {
    let c = configured().await;
    let req = |source: &str| pb::move_resource_state::Request {
        source_provider_address: "registry.terraform.io/old/old".into(),
        source_type_name: source.into(),
        source_schema_version: 0,
        source_state: Some(pb::RawState {
            json: br#"{"id":"t-m","name":"m"}"#.to_vec(),
            flatmap: Default::default(),
        }),
        target_type_name: "demo_thing".into(),
        ..Default::default()
    };
    let ok = c
        .service()
        .move_resource_state(Request::new(req("old_thing")))
        .await
        .unwrap()
        .into_inner();
    assert!(ok.diagnostics.is_empty() && ok.target_state.is_some());
    let no = c
        .service()
        .move_resource_state(Request::new(req("other")))
        .await
        .unwrap()
        .into_inner();
    assert!(no.diagnostics[0].detail.contains("cannot take over"));
}

#[tokio::test]
async fn data_source_reads() {
    let c = configured().await;
    let v = c
        .read_data("demo_echo", Value::object([("in", "ab".into())]))
        .await
        .unwrap();
    assert_eq!(v.attr("out"), Some(&Value::from("abab")));
}

#[tokio::test]
async fn ephemeral_open_renew_close() {
    let c = configured().await;
    let ty = Secret.schema().value_type();
    let svc = c.service();
    let v = svc
        .validate_ephemeral_resource_config(Request::new(
            pb::validate_ephemeral_resource_config::Request {
                type_name: "demo_secret".into(),
                config: Some(pb::DynamicValue {
                    msgpack: to_msgpack(&Value::object([("value", Value::Null)]), &ty).unwrap(),
                    json: vec![],
                }),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(v.diagnostics.is_empty());
    let opened = svc
        .open_ephemeral_resource(Request::new(pb::open_ephemeral_resource::Request {
            type_name: "demo_secret".into(),
            config: Some(pb::DynamicValue {
                msgpack: to_msgpack(&Value::object([("value", Value::Null)]), &ty).unwrap(),
                json: vec![],
            }),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    let result = from_msgpack(&opened.result.unwrap().msgpack, &ty).unwrap();
    assert_eq!(result.attr("value"), Some(&Value::from("s3cr3t")));
    assert!(opened.renew_at.is_some());
    let renewed = svc
        .renew_ephemeral_resource(Request::new(pb::renew_ephemeral_resource::Request {
            type_name: "demo_secret".into(),
            private: opened.private.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(renewed.private.as_deref(), Some(&b"lease-1+"[..]));
    let closed = svc
        .close_ephemeral_resource(Request::new(pb::close_ephemeral_resource::Request {
            type_name: "demo_secret".into(),
            private: renewed.private,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(closed.diagnostics.is_empty());
}

#[tokio::test]
async fn functions_with_variadic_arguments_and_argument_errors() {
    let c = configured().await;
    let sum = c
        .call_function("add", vec![1i64.into(), 2i64.into(), 3i64.into()])
        .await
        .unwrap();
    assert_eq!(sum, Value::from(6i64));
    let e = c
        .call_function("add", vec![1i64.into(), 2.5f64.into()])
        .await
        .unwrap_err();
    assert_eq!(e.argument, Some(1));
}

#[tokio::test]
async fn generate_config_drops_computed_only_attributes() {
    let c = configured().await;
    let state = c.create("demo_thing", thing("g")).await.unwrap();
    let ty = Thing.schema().value_type();
    let r = c
        .service()
        .generate_resource_config(Request::new(pb::generate_resource_config::Request {
            type_name: "demo_thing".into(),
            state: Some(pb::DynamicValue {
                msgpack: to_msgpack(&state, &ty).unwrap(),
                json: vec![],
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    let cfg = from_msgpack(&r.config.unwrap().msgpack, &ty).unwrap();
    assert_eq!(cfg.attr("id"), Some(&Value::Null));
    assert_eq!(cfg.attr("name"), Some(&Value::from("g")));
}

#[tokio::test]
async fn features_not_offered_answer_with_diagnostics() {
    let c = configured().await;
    let svc = c.service();
    let ids = svc
        .get_resource_identity_schemas(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert!(ids.identity_schemas.is_empty());
    let up = svc
        .upgrade_resource_identity(Request::new(pb::upgrade_resource_identity::Request {
            type_name: "demo_thing".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(!up.diagnostics.is_empty());
    let list = svc
        .validate_list_resource_config(Request::new(pb::validate_list_resource_config::Request {
            type_name: "demo_thing".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(list.diagnostics[0].summary.contains("list resource"));
    let mut events = svc
        .list_resource(Request::new(pb::list_resource::Request {
            type_name: "demo_thing".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(!events.next().await.unwrap().unwrap().diagnostic.is_empty());
    let va = svc
        .validate_action_config(Request::new(pb::validate_action_config::Request {
            type_name: "demo_act".into(),
            config: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(!va.diagnostics.is_empty());
    let pa = svc
        .plan_action(Request::new(pb::plan_action::Request {
            action_type: "demo_act".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(!pa.diagnostics.is_empty());
    let mut inv = svc
        .invoke_action(Request::new(pb::invoke_action::Request {
            action_type: "demo_act".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(matches!(
        inv.next().await.unwrap().unwrap().r#type,
        Some(pb::invoke_action::event::Type::Completed(_))
    ));
    let st = svc
        .lock_state(Request::new(Default::default()))
        .await
        .unwrap_err();
    assert_eq!(st.code(), tonic::Code::Unimplemented);
}

#[tokio::test]
async fn unknown_types_are_diagnosed() {
    let c = configured().await;
    let r = c
        .service()
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "demo_nope".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics[0].detail.contains("demo_nope"));
}
