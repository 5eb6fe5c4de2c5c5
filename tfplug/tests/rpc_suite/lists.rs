//! List resources (Terraform ≥ 1.14, `terraform query`): objects streamed with their
//! identity, full states only on request, the limit honoured, diagnostics kept.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tfplug::proto::tfplugin6::provider_server::Provider as Rpc;
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::testkit::TestClient;
use tfplug::*;
use tonic::Request;

struct Shelf {
    /// Set when the lister saw `send` say stop.
    stopped: Arc<AtomicBool>,
}

#[async_trait]
impl Provider for Shelf {
    fn type_name(&self) -> &str {
        "lst"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(&self, _config: Value) -> Result<ProviderData, Diagnostics> {
        Ok(Arc::new(()))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(Book { identity: true }),
            Arc::new(Book { identity: false }),
        ]
    }
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![
            Arc::new(Books {
                type_name: "lst_book",
                stopped: self.stopped.clone(),
            }),
            Arc::new(Books {
                type_name: "lst_plain",
                stopped: self.stopped.clone(),
            }),
        ]
    }
}

/// `lst_book` (with identity `{id}`) or `lst_plain` (without).
struct Book {
    identity: bool,
}

#[async_trait]
impl Resource for Book {
    fn type_name(&self) -> String {
        if self.identity {
            "lst_book"
        } else {
            "lst_plain"
        }
        .into()
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attr(Attribute::string("id").computed())
                .attr(Attribute::string("title").optional()),
        )
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        self.identity.then(|| {
            IdentitySchema::new().attr(IdentityAttribute::string("id").required_for_import())
        })
    }
    async fn create(&self, _ctx: &Context, req: CreateRequest) -> ApplyResult {
        ApplyResult::ok(req.planned)
    }
    async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResult {
        ReadResult::found(req.state)
    }
    async fn update(&self, _ctx: &Context, req: UpdateRequest) -> ApplyResult {
        ApplyResult::ok(req.planned)
    }
    async fn delete(&self, _ctx: &Context, _req: DeleteRequest) -> Diagnostics {
        Diagnostics::new()
    }
}

/// Lists `count` books `b-1`..; title "torn" on the third comes with a warning.
struct Books {
    type_name: &'static str,
    stopped: Arc<AtomicBool>,
}

#[async_trait]
impl ListResource for Books {
    fn type_name(&self) -> String {
        self.type_name.into()
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new().attr(Attribute::number("count").required()))
    }
    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        match config.attr("count").and_then(Value::as_i64) {
            Some(n) if n < 0 => Diagnostic::error("Negative count", "count >= 0")
                .at(AttributePath::attr("count"))
                .into(),
            _ => Diagnostics::new(),
        }
    }
    async fn list(&self, _ctx: &Context, req: ListRequest) -> Diagnostics {
        let count = req
            .config
            .attr("count")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        for n in 1..=count {
            let id = format!("b-{n}");
            let state = Value::object([
                ("id", Value::from(id.as_str())),
                ("title", Value::from(format!("Book {n}"))),
            ]);
            let mut item = ListItem::from_state(format!("Book {n}"), state);
            if n == 3 {
                item = item.with_diagnostics(Diagnostic::warning("Torn cover", id));
            }
            if !req.send(item).await {
                self.stopped.store(true, Ordering::SeqCst);
                break;
            }
        }
        let mut d = Diagnostics::new();
        d.warning("Listed", format!("{count} books"));
        d
    }
}

async fn client() -> (TestClient, Arc<AtomicBool>) {
    let stopped = Arc::new(AtomicBool::new(false));
    let c = TestClient::new(Shelf {
        stopped: stopped.clone(),
    });
    c.configure(Value::Object(Default::default()))
        .await
        .unwrap();
    (c, stopped)
}

fn count(n: i64) -> Value {
    Value::object([("count", Value::from(n))])
}

#[tokio::test]
async fn list_resources_are_in_metadata_and_schema() {
    let (c, _) = client().await;
    let md = c
        .service()
        .get_metadata(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    let names: Vec<_> = md
        .list_resources
        .iter()
        .map(|l| l.type_name.as_str())
        .collect();
    assert_eq!(names, ["lst_book", "lst_plain"]);
    let s = c.schema().await;
    let attrs = &s.list_resource_schemas["lst_book"]
        .block
        .as_ref()
        .unwrap()
        .attributes;
    assert_eq!(attrs[0].name, "count");
}

#[tokio::test]
async fn listing_streams_each_object_with_identity_and_state() {
    let (c, _) = client().await;
    let listing = c.list("lst_book", count(3), true, 0).await;
    let names: Vec<_> = listing
        .items
        .iter()
        .map(|i| i.display_name.as_str())
        .collect();
    assert_eq!(names, ["Book 1", "Book 2", "Book 3"]);
    assert_eq!(
        listing.items[1].identity,
        Value::object([("id", Value::from("b-2"))])
    );
    assert_eq!(
        listing.items[1]
            .state
            .as_ref()
            .and_then(|s| s.attr("title")),
        Some(&Value::from("Book 2"))
    );
    let warnings = listing.diagnostics.to_string();
    assert!(
        warnings.contains("Torn cover") && warnings.contains("3 books"),
        "{warnings}"
    );
}

#[tokio::test]
async fn states_are_sent_only_when_asked_for() {
    let (c, _) = client().await;
    let listing = c.list("lst_book", count(2), false, 0).await;
    assert_eq!(listing.items.len(), 2);
    assert!(listing.items.iter().all(|i| i.state.is_none()));
}

#[tokio::test]
async fn the_limit_stops_the_listing() {
    let (c, stopped) = client().await;
    let listing = c.list("lst_book", count(100), false, 2).await;
    assert_eq!(listing.items.len(), 2);
    // The lister learns to stop at its next send.
    for _ in 0..50 {
        if stopped.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(stopped.load(Ordering::SeqCst), "send returned false");
}

#[tokio::test]
async fn invalid_config_is_refused_with_its_path() {
    let (c, _) = client().await;
    let listing = c.list("lst_book", count(-1), true, 0).await;
    assert!(listing.items.is_empty());
    let d = listing.diagnostics.iter().next().unwrap();
    assert_eq!(d.attribute, Some(AttributePath::attr("count")));
}

#[tokio::test]
async fn a_list_resource_whose_resource_has_no_identity_is_diagnosed() {
    let (c, _) = client().await;
    let listing = c.list("lst_plain", count(1), true, 0).await;
    assert!(listing.items.is_empty());
    assert!(
        listing.diagnostics.to_string().contains("identity"),
        "{}",
        listing.diagnostics
    );
}

#[tokio::test]
async fn an_unknown_list_resource_is_diagnosed() {
    let (c, _) = client().await;
    let r = c
        .service()
        .validate_list_resource_config(Request::new(
            tfplug::proto::tfplugin6::validate_list_resource_config::Request {
                type_name: "lst_nope".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics[0].detail.contains("lst_nope"));
}
