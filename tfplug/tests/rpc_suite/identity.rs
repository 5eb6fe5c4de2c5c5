//! Resource identity (Terraform ≥ 1.12): schemas, identity through plan, apply, read
//! and import, identity upgrades, and requests without identity as older Terraform
//! sends them.

use std::sync::Arc;
use tfplug::schema::{Attribute, Block, Schema};
use tfplug::testkit::{Instance, TestClient};
use tfplug::*;

struct Disks;

#[async_trait]
impl Provider for Disks {
    fn type_name(&self) -> &str {
        "idy"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    async fn configure(&self, _config: Value) -> Result<ProviderData, Diagnostics> {
        Ok(Arc::new(()))
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Disk)]
    }
}

/// A disk `d-<name>` in a zone; identity `{id, zone}` taken from the state.
struct Disk;

#[async_trait]
impl Resource for Disk {
    fn type_name(&self) -> String {
        "idy_disk".into()
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attr(Attribute::string("id").computed().use_state_for_unknown())
                .attr(Attribute::string("name").required().requires_replace())
                .attr(Attribute::string("zone").default("z1").requires_replace())
                .attr(Attribute::number("size").optional()),
        )
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(
            IdentitySchema::new()
                .version(1)
                .attr(
                    IdentityAttribute::string("id")
                        .required_for_import()
                        .describe("The disk's id."),
                )
                .attr(IdentityAttribute::string("zone").optional_for_import()),
        )
    }
    async fn create(&self, _ctx: &Context, req: CreateRequest) -> ApplyResult {
        let mut s = req.planned;
        let name = s
            .attr("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if let Value::Object(m) = &mut s {
            m.insert("id".into(), format!("d-{name}").into());
        }
        ApplyResult::ok(s)
    }
    /// Completes a state that holds only the identity (import by identity).
    async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResult {
        let mut s = req.state;
        let id = s
            .attr("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if let Value::Object(m) = &mut s {
            m.insert("name".into(), id.trim_start_matches("d-").into());
            if m.get("zone").is_none_or(Value::is_null) {
                m.insert("zone".into(), "z1".into());
            }
        }
        ReadResult::found(s)
    }
    async fn update(&self, _ctx: &Context, req: UpdateRequest) -> ApplyResult {
        ApplyResult::ok(req.planned)
    }
    async fn delete(&self, _ctx: &Context, _req: DeleteRequest) -> Diagnostics {
        Diagnostics::new()
    }
}

async fn client() -> TestClient {
    let c = TestClient::new(Disks);
    c.configure(Value::Object(Default::default()))
        .await
        .unwrap();
    c
}

fn disk(name: &str, size: i64) -> Value {
    Value::object([("name", Value::from(name)), ("size", Value::from(size))])
}

fn identity(id: &str, zone: &str) -> Value {
    Value::object([("id", Value::from(id)), ("zone", Value::from(zone))])
}

#[tokio::test]
async fn identity_schemas_are_served_with_import_flags_and_descriptions() {
    let c = client().await;
    let r = c.identity_schemas().await;
    let s = &r.identity_schemas["idy_disk"];
    assert_eq!(s.version, 1);
    let id = &s.identity_attributes[0];
    assert_eq!(
        (id.name.as_str(), id.r#type.as_slice()),
        ("id", br#""string""#.as_slice())
    );
    assert!(id.required_for_import && !id.optional_for_import);
    assert_eq!(id.description, "The disk's id.");
    assert!(s.identity_attributes[1].optional_for_import);
}

#[tokio::test]
async fn identity_is_planned_applied_read_and_kept_across_updates() {
    let c = client().await;
    let cfg = c.config_for("idy_disk", disk("a", 1));
    let plan = c.plan_instance("idy_disk", None, &cfg).await;
    assert_eq!(
        plan.identity, None,
        "on create the id is not known yet, so no identity is planned (Terraform cannot hold a partly unknown one)"
    );
    let made = c.create_instance("idy_disk", disk("a", 1)).await.unwrap();
    assert_eq!(made.identity, Some(identity("d-a", "z1")));

    let read = c.read_instance("idy_disk", &made).await.unwrap().unwrap();
    assert_eq!(read.identity, made.identity);

    let cfg = c.config_for("idy_disk", disk("a", 2));
    let plan = c.plan_instance("idy_disk", Some(&made), &cfg).await;
    assert_eq!(plan.identity, made.identity, "in-place update keeps it");
    let updated = c
        .update_instance("idy_disk", &made, disk("a", 2))
        .await
        .unwrap();
    assert_eq!(updated.identity, made.identity);
}

#[tokio::test]
async fn import_by_identity_then_read_fills_the_state() {
    let c = client().await;
    let imported = c
        .import_by_identity("idy_disk", identity("d-old", "z2"))
        .await
        .unwrap();
    assert_eq!(imported.state.attr("name"), Some(&Value::from("old")));
    assert_eq!(imported.state.attr("zone"), Some(&Value::from("z2")));
    assert_eq!(imported.identity, Some(identity("d-old", "z2")));
}

#[tokio::test]
async fn import_by_id_is_refused_unless_the_resource_writes_it() {
    let c = client().await;
    let err = c.import("idy_disk", "d-x").await.unwrap_err();
    assert!(
        err.to_string().contains("cannot be imported by id"),
        "{err}"
    );
}

#[tokio::test]
async fn identity_of_the_current_version_upgrades_and_a_newer_one_is_refused() {
    let c = client().await;
    let v = c
        .upgrade_identity("idy_disk", 1, r#"{"id":"d-a","zone":"z1"}"#)
        .await
        .unwrap();
    assert_eq!(v, identity("d-a", "z1"));
    let err = c
        .upgrade_identity("idy_disk", 2, r#"{"id":"d-a","zone":"z1"}"#)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("newer"), "{err}");
}

#[tokio::test]
async fn requests_without_identity_work_as_from_older_terraform() {
    let c = client().await;
    let made = c.create_instance("idy_disk", disk("a", 1)).await.unwrap();
    // Terraform < 1.12, or a state written before the resource had an identity.
    let legacy = Instance {
        identity: None,
        ..made.clone()
    };
    let read = c.read_instance("idy_disk", &legacy).await.unwrap().unwrap();
    assert_eq!(read.state, made.state);
    assert_eq!(read.identity, made.identity, "the identity is filled in");
    let cfg = c.config_for("idy_disk", disk("a", 3));
    let plan = c.plan_instance("idy_disk", Some(&legacy), &cfg).await;
    assert!(!plan.diagnostics.has_errors());
    assert_eq!(plan.identity, made.identity);
}
