//! `mlcloud_kms_key`: a customer-managed key with rotation (AWS: KMS key + alias; Azure:
//! Key Vault key; Google Cloud: key ring + crypto key).

use super::common::*;
use super::lifecycle::CloudObject;
use crate::clouds::model::{
    AwsKeySettings, AzureKeySettings, GcpKeySettings, KeySpec, KeyState, PerCloud, Tags,
};
use crate::clouds::{CloudRules, Clouds, ObjectKind, RuleBook};
use serde::Deserialize;
use tfplug::schema::{Attribute, Block, Schema, validators};
use tfplug::{Diagnostic, Diagnostics, ResourcePlan, Type, Value};

#[derive(Clone)]
pub struct KmsKey {
    rules: RuleBook,
}

impl KmsKey {
    pub fn new(rules: RuleBook) -> Self {
        KmsKey { rules }
    }
}

const TIMEOUTS: Timeouts = Timeouts {
    create: minutes(10),
    update: minutes(10),
    delete: minutes(10),
};

const DEFAULT_DESCRIPTION: &str = "Managed by mlcloud";
const DEFAULT_ROTATION_DAYS: u32 = 365;
const DEFAULT_DELETION_WINDOW_DAYS: u32 = 30;

/// The configuration (or a planned value, or a prior state) as typed values.
#[derive(Deserialize, Default)]
#[serde(default)]
struct KeyConfig {
    name: Option<String>,
    location: Option<String>,
    description: Option<String>,
    rotation_period_days: Option<u32>,
    deletion_window_days: Option<u32>,
    tags: Option<Tags>,
    aws: Option<AwsKeySettings>,
    azure: Option<AzureKeySettings>,
    gcp: Option<GcpKeySettings>,
}

fn decode_config(v: &Value) -> Result<KeyConfig, Diagnostic> {
    tfplug::value::decode(v)
        .map_err(|e| Diagnostic::error("Cannot read the key's configuration", e.to_string()))
}

impl CloudObject for KmsKey {
    type Spec = KeySpec;
    type State = KeyState;
    const KIND: ObjectKind = ObjectKind::Key;
    const NOUN: &'static str = "the key";
    const TIMEOUTS: Timeouts = TIMEOUTS;

    fn rules(&self) -> &RuleBook {
        &self.rules
    }

    fn schema(&self) -> Schema {
        let [aws, azure, gcp] = cloud_blocks(
            Block::new(),
            Block::new()
                .attr(Attribute::string("resource_group_name").optional().requires_replace().describe("Resource group of the dedicated key vault; required unless `key_vault_id` is set."))
                .attr(Attribute::string("key_vault_id").optional().requires_replace().describe("ARM id of an existing Key Vault to create the key in; without it the resource creates a dedicated vault (RBAC, purge protection, 90 days of soft delete, no public network access).")),
            Block::new()
                .attr(Attribute::string("project").optional().requires_replace().describe("Project; defaults to the provider's."))
                .attr(Attribute::string("key_ring").optional().requires_replace().describe("Key ring name; default `<name>-ring`."))
                .attr(Attribute::string("protection_level").optional().requires_replace().one_of(&["SOFTWARE", "HSM"]).describe("Default `HSM`.")),
        );
        Schema::new(
            base_block(ObjectKind::Key, &self.rules)
            .describe("A customer-managed encryption key with automatic rotation. On AWS: a symmetric KMS key with alias `alias/<name>` and a key policy that trusts only the account root (and lets Auto Scaling use it for EBS volumes); destroy schedules deletion after `deletion_window_days`. On Azure: an RSA key with a rotation policy, in a dedicated Key Vault (RBAC authorization, purge protection, soft delete for 90 days, public network access off) unless `azure.key_vault_id` names one; destroy deletes the dedicated vault, which stays recoverable for 90 days. On Google Cloud: an ENCRYPT_DECRYPT crypto key named `<name>` in the key ring `gcp { key_ring }` (default `<name>-ring`, created if missing and never deleted, as Cloud KMS cannot delete key rings), HSM-protected unless `gcp { protection_level }` says otherwise; destroy schedules destruction of every version after `deletion_window_days`; Cloud KMS stores no description.")
            .attr(Attribute::string("key_ref").computed().use_state_for_unknown().describe("What a cluster's `encryption_key_id` takes: the key ARN on AWS, the versionless key URI on Azure, the crypto key's resource name (`projects/P/locations/L/keyRings/R/cryptoKeys/K`) on Google Cloud."))
            .attr(Attribute::set("policy_drift", Type::String).computed().describe("What the key's policy holds beyond what mlcloud writes (aws: a statement allowing someone or something else), one line each; always empty on Azure and Google Cloud, whose keys are governed by role assignments and IAM bindings. Found on refresh; the plan then shows it going away, and apply puts mlcloud's policy back."))
            .attr(Attribute::string("description").default(DEFAULT_DESCRIPTION).describe("Description of the key."))
            .attr(
                Attribute::number("rotation_period_days")
                    .default(i64::from(DEFAULT_ROTATION_DAYS))
                    .validate(validators::int_between(1, 36500))
                    .describe("Days between automatic rotations (AWS: 90 to 2560; Google Cloud: at least 1)."),
            )
            .attr(
                Attribute::number("deletion_window_days")
                    .default(i64::from(DEFAULT_DELETION_WINDOW_DAYS))
                    .validate(validators::int_between(7, 30))
                    .describe("Days a destroyed key stays recoverable before it is deleted."),
            )
            .block(aws)
            .block(azure)
            .block(gcp),
        )
    }

    fn check(&self, config: &Value, rules: &dyn CloudRules, diags: &mut Diagnostics) {
        rules.check_key(config, diags);
    }

    /// An update may need more than the cloud's management API (Azure: the vault's
    /// data plane); the cloud's rules say so before the apply. Drift of the key policy
    /// found on refresh is planned away: apply puts mlcloud's policy back.
    fn plan(&self, plan: &mut ResourcePlan, rules: &dyn CloudRules, diags: &mut Diagnostics) {
        let Some(prior) = &plan.prior else {
            return;
        };
        rules.check_key_update(prior, &plan.planned, diags);
        if let Value::Object(m) = &mut plan.planned {
            m.insert("policy_drift".into(), Value::Set(Vec::new()));
        }
    }

    fn spec(&self, clouds: &Clouds, planned: &Value) -> Result<KeySpec, Diagnostic> {
        let cloud = required_cloud(planned)?;
        let c = decode_config(planned)?;
        Ok(KeySpec {
            name: c.name.unwrap_or_default(),
            location: c.location.unwrap_or_default(),
            description: c.description.unwrap_or_else(|| DEFAULT_DESCRIPTION.into()),
            rotation_period_days: c.rotation_period_days.unwrap_or(DEFAULT_ROTATION_DAYS),
            deletion_window_days: c
                .deletion_window_days
                .unwrap_or(DEFAULT_DELETION_WINDOW_DAYS),
            tags: clouds.merged_tags(&c.tags.unwrap_or_default()),
            cloud: PerCloud::pick(cloud, c.aws, c.azure, c.gcp),
        })
    }

    /// State from what the cloud holds; `config` supplies what only the configuration
    /// knows (timeouts, the deletion window, which no cloud stores before a delete).
    fn to_state(&self, clouds: &Clouds, s: &KeyState, config: &Value) -> Value {
        // A service that does not report the period keeps the one in the plan or state.
        let rotation = match s.rotation_period_days {
            Some(days) => Value::from(i64::from(days)),
            None => config
                .attr("rotation_period_days")
                .cloned()
                .unwrap_or(Value::Null),
        };
        // Cloud KMS stores no description: a key read back without one keeps what the
        // configuration or state says.
        let description = if s.description.is_empty() {
            config
                .attr("description")
                .filter(|d| !d.is_null())
                .cloned()
                .unwrap_or_else(|| Value::from(DEFAULT_DESCRIPTION))
        } else {
            Value::from(s.description.as_str())
        };
        let mut v = Value::object([
            ("id", Value::from(s.id.as_str())),
            ("key_ref", Value::from(s.key_ref.as_str())),
            ("cloud", Value::from(s.cloud.cloud().as_str())),
            ("name", Value::from(s.name.as_str())),
            ("location", Value::from(s.location.as_str())),
            ("description", description),
            ("rotation_period_days", rotation),
            ("policy_drift", string_set(&s.policy_drift)),
            ("tags", user_tags(clouds, &s.tags, config)),
            ("tags_all", tags_value(&s.tags)),
        ]);
        keep_config_only(&mut v, config, &["timeouts", "deletion_window_days"]);
        // After an import nothing says the window: the default, as a new key would get.
        if let Value::Object(m) = &mut v
            && m.get("deletion_window_days").is_none_or(Value::is_null)
        {
            m.insert(
                "deletion_window_days".into(),
                Value::from(i64::from(DEFAULT_DELETION_WINDOW_DAYS)),
            );
        }
        write_cloud_block(&mut v, &s.cloud, config);
        v
    }
}
