//! `mlcloud_kms_key`: a customer-managed key (AWS: KMS key + alias, with rotation).

use super::common::*;
use crate::catalog::Cloud;
use crate::clouds::model::{KeySpec, KeyState};
use tfplug::schema::{Attribute, Block, Schema, validators};
use tfplug::{
    ApplyResult, AttributePath, Context, CreateRequest, Diagnostics, ReadResult, Resource,
    ResourcePlan, UpdateRequest, Value,
};

pub struct KmsKey;

const TIMEOUTS: Timeouts = Timeouts {
    create: minutes(10),
    update: minutes(10),
    delete: minutes(10),
};

const DEFAULT_DESCRIPTION: &str = "Managed by mlcloud";

fn spec(planned: &Value) -> KeySpec {
    let num = |n: &str, d: i64| planned.attr(n).and_then(Value::as_i64).unwrap_or(d) as u32;
    KeySpec {
        name: str_attr(planned, "name").unwrap_or_default().into(),
        location: str_attr(planned, "location").unwrap_or_default().into(),
        description: str_attr(planned, "description")
            .unwrap_or(DEFAULT_DESCRIPTION)
            .into(),
        rotation_period_days: num("rotation_period_days", 365),
        deletion_window_days: num("deletion_window_days", 30),
        tags: tags_of(planned),
    }
}

impl KmsKey {
    /// State from what the cloud holds; `config` supplies what only the configuration
    /// knows (the cloud, per-cloud blocks, timeouts).
    fn state(&self, clouds: &crate::clouds::Clouds, s: &KeyState, config: &Value) -> Value {
        let mut v = Value::object([
            ("id", Value::from(s.id.as_str())),
            ("key_ref", Value::from(s.key_ref.as_str())),
            (
                "cloud",
                config.attr("cloud").cloned().unwrap_or(Value::from("aws")),
            ),
            ("name", Value::from(s.name.as_str())),
            ("location", Value::from(s.location.as_str())),
            ("description", Value::from(s.description.as_str())),
            (
                "rotation_period_days",
                Value::from(i64::from(s.rotation_period_days)),
            ),
            (
                "deletion_window_days",
                Value::from(i64::from(s.deletion_window_days)),
            ),
            ("tags", user_tags(clouds, &s.tags, config)),
            ("tags_all", tags_value(&s.tags)),
        ]);
        keep_config_only(&mut v, config, &["timeouts", "aws", "azure", "gcp"]);
        v
    }
}

#[tfplug::async_trait]
impl Resource for KmsKey {
    fn type_name(&self) -> String {
        "mlcloud_kms_key".into()
    }

    fn schema(&self) -> Schema {
        let [aws, azure, gcp] = cloud_blocks(
            Block::new(),
            Block::new()
                .attr(Attribute::string("resource_group_name").optional().describe("Resource group of the key vault."))
                .attr(Attribute::string("key_vault_id").optional().describe("An existing Key Vault; without it the resource creates a dedicated vault with purge protection and RBAC.")),
            Block::new()
                .attr(Attribute::string("project").optional().describe("Project; defaults to the provider's."))
                .attr(Attribute::string("key_ring").optional().describe("Key ring name; default `<name>-ring`."))
                .attr(Attribute::string("protection_level").optional().one_of(&["SOFTWARE", "HSM"]).describe("Default `HSM`.")),
        );
        Schema::new(
            base_block(
                "key",
                validators::matches(
                    r"^[a-zA-Z0-9/_-]{1,250}$",
                    "must be 1 to 250 letters, digits, '/', '_' or '-'",
                ),
            )
            .describe("A customer-managed encryption key with automatic rotation. On AWS: a symmetric KMS key with alias `alias/<name>` and a key policy that trusts only the account root; destroy schedules deletion after `deletion_window_days`.")
            .attr(Attribute::string("key_ref").computed().use_state_for_unknown().describe("What a cluster's `encryption_key_id` takes: the key ARN on AWS."))
            .attr(Attribute::string("description").default(DEFAULT_DESCRIPTION).describe("Description of the key."))
            .attr(
                Attribute::number("rotation_period_days")
                    .default(365i64)
                    .validate(validators::int_between(1, 36500))
                    .describe("Days between automatic rotations (AWS: 90 to 2560)."),
            )
            .attr(
                Attribute::number("deletion_window_days")
                    .default(30i64)
                    .validate(validators::int_between(7, 30))
                    .describe("Days a destroyed key stays recoverable before it is deleted."),
            )
            .block(aws)
            .block(azure)
            .block(gcp),
        )
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = check_cloud_blocks(config);
        if cloud_of(config) == Some(Cloud::Aws)
            && let Some(days) = config.attr("rotation_period_days").and_then(Value::as_i64)
            && !(90..=2560).contains(&days)
        {
            diags.push(invalid_at(
                AttributePath::attr("rotation_period_days"),
                format!("On aws, rotation_period_days must be a whole number between 90 and 2560, got {days}."),
            ));
        }
        diags
    }

    async fn modify_plan(&self, ctx: &Context, plan: &mut ResourcePlan) -> Diagnostics {
        let mut diags = Diagnostics::new();
        match clouds(ctx) {
            Ok(c) => plan_common(&c, &mut plan.planned, &mut diags),
            Err(d) => diags.push(d),
        }
        diags
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResult {
        let run = async {
            let clouds = clouds(ctx)?;
            let cloud = cloud_of(&req.planned).unwrap_or(Cloud::Aws);
            let backend = clouds.kms(cloud).await?;
            let op = op(ctx, &req.planned, "create", TIMEOUTS.create)?;
            let mut s = spec(&req.planned);
            s.tags = clouds.merged_tags(&s.tags);
            let outcome = backend.create_key(&s, &op).await;
            Ok::<_, tfplug::Diagnostic>(apply_outcome(
                "create the key",
                outcome,
                Value::Null,
                |k| self.state(&clouds, k, &req.config),
            ))
        };
        run.await.unwrap_or_else(ApplyResult::failed)
    }

    async fn read(&self, ctx: &Context, state: Value, _private: Vec<u8>) -> ReadResult {
        let run = async {
            let clouds = clouds(ctx)?;
            let cloud = cloud_of(&state).unwrap_or(Cloud::Aws);
            let backend = clouds.kms(cloud).await?;
            let id = str_attr(&state, "id").unwrap_or_default();
            let found = backend.read_key(id).await;
            Ok::<_, tfplug::Diagnostic>(read_outcome("read the key", found, |k| {
                let mut v = self.state(&clouds, k, &state);
                // The deletion window is ours (AWS keeps it only once deletion is scheduled).
                if let (Value::Object(m), Some(w)) = (&mut v, state.attr("deletion_window_days"))
                    && !w.is_null()
                {
                    m.insert("deletion_window_days".into(), w.clone());
                }
                v
            }))
        };
        run.await.unwrap_or_else(ReadResult::error)
    }

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResult {
        let prior = req.prior.clone();
        let run = async {
            let clouds = clouds(ctx)?;
            let backend = clouds
                .kms(cloud_of(&req.planned).unwrap_or(Cloud::Aws))
                .await?;
            let op = op(ctx, &req.planned, "update", TIMEOUTS.update)?;
            let mut s = spec(&req.planned);
            s.tags = clouds.merged_tags(&s.tags);
            let id = str_attr(&req.prior, "id").unwrap_or_default();
            let outcome = backend.update_key(id, &s, &op).await;
            Ok::<_, tfplug::Diagnostic>(apply_outcome(
                "update the key",
                outcome,
                req.prior.clone(),
                |k| {
                    let mut v = self.state(&clouds, k, &req.config);
                    if let Value::Object(m) = &mut v {
                        m.insert(
                            "deletion_window_days".into(),
                            Value::from(i64::from(s.deletion_window_days)),
                        );
                    }
                    v
                },
            ))
        };
        run.await.unwrap_or_else(|d| ApplyResult::partial(prior, d))
    }

    async fn delete(&self, ctx: &Context, prior: Value, _private: Vec<u8>) -> Diagnostics {
        let run = async {
            let clouds = clouds(ctx)?;
            let backend = clouds.kms(cloud_of(&prior).unwrap_or(Cloud::Aws)).await?;
            let op = op(ctx, &prior, "delete", TIMEOUTS.delete)?;
            let window = prior
                .attr("deletion_window_days")
                .and_then(Value::as_i64)
                .unwrap_or(30) as u32;
            let id = str_attr(&prior, "id").unwrap_or_default();
            backend
                .delete_key(id, window, &op)
                .await
                .map_err(|e| cloud_diag("schedule the key's deletion", &e))
        };
        match run.await {
            Ok(()) => Diagnostics::new(),
            Err(d) => d.into(),
        }
    }

    async fn import(&self, _ctx: &Context, id: &str) -> Result<Value, Diagnostics> {
        // The cloud is implied by the id's shape; read fills in the rest.
        Ok(Value::object([
            ("id", Value::from(id)),
            ("cloud", Value::from(import_cloud(id))),
        ]))
    }
}
