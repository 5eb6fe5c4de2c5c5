//! `mlcloud_kms_key`: a customer-managed key (AWS: KMS key + alias, with rotation).

use super::common::*;
use super::lifecycle::CloudObject;
use crate::catalog::Cloud;
use crate::clouds::model::{KeySpec, KeyState, Op};
use crate::clouds::{CloudError, Clouds, Outcome};
use tfplug::schema::{Attribute, Block, Schema, validators};
use tfplug::{AttributePath, Diagnostic, Diagnostics, Value};

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

#[async_trait::async_trait]
impl CloudObject for KmsKey {
    type Spec = KeySpec;
    type State = KeyState;
    const NOUN: &'static str = "the key";
    const TIMEOUTS: Timeouts = TIMEOUTS;

    const TYPE_NAME: &'static str = "mlcloud_kms_key";

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

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if cloud_of(config) == Some(Cloud::Aws)
            && let Some(days) = config.attr("rotation_period_days").and_then(Value::as_i64)
            && !(90..=2560).contains(&days)
        {
            diags.push(invalid_at(
                AttributePath::attr("rotation_period_days"),
                format!("On aws, rotation_period_days must be a whole number between 90 and 2560, got {days}."),
            ));
        }
    }

    fn spec(&self, clouds: &Clouds, planned: &Value) -> KeySpec {
        let mut s = spec(planned);
        s.tags = clouds.merged_tags(&s.tags);
        s
    }

    /// State from what the cloud holds; `config` supplies what only the configuration
    /// knows (the cloud, per-cloud blocks, timeouts).
    fn to_state(&self, clouds: &Clouds, s: &KeyState, config: &Value) -> Value {
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
        // The deletion window is ours: AWS keeps one only once deletion is scheduled.
        if let (Value::Object(m), Some(w)) = (&mut v, config.attr("deletion_window_days"))
            && !w.is_null()
        {
            m.insert("deletion_window_days".into(), w.clone());
        }
        v
    }

    async fn create(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        spec: &KeySpec,
        op: &Op,
    ) -> Result<Outcome<KeyState>, Diagnostic> {
        Ok(clouds.kms(cloud).await?.create_key(spec, op).await)
    }

    async fn read(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
    ) -> Result<Result<Option<KeyState>, CloudError>, Diagnostic> {
        Ok(clouds.kms(cloud).await?.read_key(id).await)
    }

    async fn update(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
        spec: &KeySpec,
        op: &Op,
    ) -> Result<Outcome<KeyState>, Diagnostic> {
        Ok(clouds.kms(cloud).await?.update_key(id, spec, op).await)
    }

    async fn delete(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
        prior: &Value,
        op: &Op,
    ) -> Result<Result<(), CloudError>, Diagnostic> {
        let window = prior
            .attr("deletion_window_days")
            .and_then(Value::as_i64)
            .unwrap_or(30) as u32;
        Ok(clouds.kms(cloud).await?.delete_key(id, window, op).await)
    }
}
