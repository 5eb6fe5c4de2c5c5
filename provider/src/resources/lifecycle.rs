//! The create / read / update / delete every cloud resource shares: find the backend
//! of the resource's cloud, build the spec, honour timeouts and cancellation, call the
//! cloud, and turn the outcome into Terraform's answer without ever losing what the
//! cloud made. A resource supplies only what differs, through [`CloudObject`]; the
//! calls to the cloud go through the one generic backend trait, so no resource
//! forwards them itself.

use super::common::{
    Timeouts, check_name_and_tags, cloud_diag, cloud_of, clouds, op, required_cloud, str_attr,
};
use crate::clouds::model::{ListScope, RecordCreated};
use crate::clouds::{CloudError, CloudRules, Clouds, ObjectKind, Outcome, RuleBook};
use std::any::Any;
use std::sync::Arc;
use tfplug::resource::Recorder;
use tfplug::schema::Schema;
use tfplug::{
    ApplyResult, Context, CreateRequest, Diagnostic, Diagnostics, ReadResult, ResourcePlan,
    UpdateRequest, Value,
};

/// What one kind of cloud object plugs into the shared lifecycle.
pub trait CloudObject: Send + Sync {
    /// What the backend is asked for, and what it reports.
    type Spec: Send + Sync + 'static;
    type State: Send + Sync + 'static;

    const KIND: ObjectKind;
    /// The Terraform type name, e.g. `mlcloud_cluster`.
    const TYPE_NAME: &'static str = Self::KIND.type_name();
    /// For messages: "the key", "the cluster".
    const NOUN: &'static str;
    const TIMEOUTS: Timeouts;
    /// Attributes (as paths of names) that became sets in schema version 1; state of
    /// version 0 holds them as lists, which the upgrade turns into sets.
    const SETS_SINCE_V1: &'static [&'static [&'static str]] = &[];

    /// The rules of every cloud, as the provider's entry point gave them.
    fn rules(&self) -> &RuleBook;

    fn schema(&self) -> Schema;

    /// Checks beyond the schema's validators and the shared ones (name, tags, the
    /// cloud's blocks), with the rules of the resource's cloud; `config` may hold
    /// unknown values.
    fn check(&self, _config: &Value, _rules: &dyn CloudRules, _diags: &mut Diagnostics) {}

    /// Checks that need no cloud (run even while `cloud` is unknown).
    fn check_neutral(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Plan adjustments beyond the shared ones, with the rules of the resource's cloud.
    fn plan(&self, _plan: &mut ResourcePlan, _rules: &dyn CloudRules, _diags: &mut Diagnostics) {}

    /// Plan steps that read the cloud (a node pool follows its cluster's version);
    /// run after [`plan`](Self::plan) when the provider is configured.
    fn plan_from_cloud<'a>(
        &'a self,
        _clouds: &'a Clouds,
        _plan: &'a mut ResourcePlan,
        _diags: &'a mut Diagnostics,
    ) -> PlanFuture<'a> {
        Box::pin(async {})
    }

    /// The backend's input from a planned value (or a prior state, for delete); tags
    /// already merged with the provider's defaults.
    fn spec(&self, clouds: &Clouds, planned: &Value) -> Result<Self::Spec, Diagnostic>;

    /// Terraform state from what the cloud holds; `config` is the plan (on apply) or
    /// the prior state (on read) and supplies what only the configuration knows.
    fn to_state(&self, clouds: &Clouds, state: &Self::State, config: &Value) -> Value;

    /// The `config { }` of this kind's list resource (`terraform query`); `None` when
    /// it cannot be listed.
    fn list_block(&self) -> Option<tfplug::schema::Block> {
        None
    }

    /// Where to look, from a list block's `config { }`.
    fn list_scope(&self, _config: &Value) -> ListScope {
        ListScope::default()
    }

    /// Every check of a configuration: the neutral ones, then the cloud's.
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        self.check_neutral(config, diags);
        let Some(cloud) = cloud_of(config) else {
            return;
        };
        match self.rules().require(cloud) {
            Ok(rules) => {
                check_name_and_tags(rules, Self::KIND, config, diags);
                self.check(config, rules, diags);
            }
            Err(d) => diags.push(d),
        }
    }

    /// The plan's per-cloud part (after the shared completion of location and tags).
    /// What the resource owns inside the cluster beside the cloud object (a GPU
    /// pool's device plugin), brought in line once the cloud object is created or
    /// updated (`prior`: the state before an update). An error is reported with the
    /// cloud object kept in state.
    fn after_apply<'a>(
        &'a self,
        _clouds: &'a Clouds,
        _state: &'a Value,
        _prior: Option<&'a Value>,
    ) -> HookFuture<'a> {
        Box::pin(async { Ok(()) })
    }

    /// Removes what [`CloudObject::after_apply`] made, before the cloud object goes.
    fn before_delete<'a>(&'a self, _clouds: &'a Clouds, _prior: &'a Value) -> HookFuture<'a> {
        Box::pin(async { Ok(()) })
    }

    /// What is left to do once the cloud object is gone (a shared in-cluster object
    /// the last of its users removes: that is only known once this one is gone).
    fn after_delete<'a>(&'a self, _clouds: &'a Clouds, _prior: &'a Value) -> HookFuture<'a> {
        Box::pin(async { Ok(()) })
    }

    /// The state read from the cloud, completed with what the resource owns inside
    /// the cluster (a GPU pool's device plugin deleted by hand shows as drift). A
    /// warning comes back with the state when that part could not be read; the
    /// state then keeps what it had.
    fn after_read<'a>(&'a self, _clouds: &'a Clouds, state: Value) -> ReadHookFuture<'a> {
        Box::pin(async move { (state, None) })
    }

    fn modify_plan(&self, plan: &mut ResourcePlan, diags: &mut Diagnostics) {
        let Some(cloud) = cloud_of(&plan.planned) else {
            return;
        };
        if let Some(rules) = self.rules().for_cloud(cloud) {
            self.plan(plan, rules, diags);
        }
    }
}

/// What [`CloudObject::plan_from_cloud`] returns: a future the async plan awaits.
pub type PlanFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>;

/// What [`CloudObject::after_apply`] and [`CloudObject::before_delete`] return.
pub type HookFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Diagnostic>> + Send + 'a>>;

/// What [`CloudObject::after_read`] returns: the state and a warning, if any.
pub type ReadHookFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = (Value, Option<Diagnostic>)> + Send + 'a>>;

/// A successful apply, followed by the resource's in-cluster objects.
async fn with_owned_objects<R: CloudObject + ?Sized>(
    r: &R,
    clouds: &Clouds,
    mut result: ApplyResult,
    prior: Option<&Value>,
) -> ApplyResult {
    if result.diagnostics.has_errors() || result.state.is_null() {
        return result;
    }
    if let Err(d) = r.after_apply(clouds, &result.state, prior).await {
        result.diagnostics.push(d);
    }
    result
}

fn id(v: &Value) -> &str {
    str_attr(v, "id").unwrap_or_default()
}

/// An apply result from a backend outcome: what exists always reaches state.
fn applied<R: CloudObject + ?Sized>(
    r: &R,
    clouds: &Clouds,
    verb: &str,
    outcome: Outcome<R::State>,
    fallback: Value,
    config: &Value,
) -> ApplyResult {
    match outcome {
        Ok(s) => ApplyResult::ok(r.to_state(clouds, &s, config)),
        Err(p) => {
            let state = p
                .created
                .as_ref()
                .map(|s| r.to_state(clouds, s, config))
                .unwrap_or(fallback);
            ApplyResult::partial(state, cloud_diag(&format!("{verb} {}", R::NOUN), &p.error))
        }
    }
}

/// What a backend reports as made goes to tfplug's recorder as state at once, so that a
/// panic or a stop during the long wait after it does not lose the object.
fn recording<R: CloudObject + Clone + 'static>(
    r: &R,
    clouds: &Arc<Clouds>,
    planned: &Value,
    recorder: Recorder,
) -> RecordCreated {
    let (r, clouds, planned) = (r.clone(), clouds.clone(), planned.clone());
    Arc::new(move |made: &dyn Any| {
        if let Some(state) = made.downcast_ref::<R::State>() {
            recorder.record(r.to_state(&clouds, state, &planned));
        }
    })
}

pub async fn create<R: CloudObject + Clone + 'static>(
    r: &R,
    ctx: &Context,
    req: CreateRequest,
) -> ApplyResult {
    let run = async {
        let clouds = clouds(ctx)?;
        let cloud = required_cloud(&req.planned)?;
        let op = op(ctx, &req.planned, "create", R::TIMEOUTS.create)?.recording(recording(
            r,
            &clouds,
            &req.planned,
            req.recorder(),
        ));
        let spec = r.spec(&clouds, &req.planned)?;
        let backend = clouds.backend::<R::Spec, R::State>(cloud).await?;
        let outcome = backend.create(&spec, &op).await;
        let result = applied(r, &clouds, "create", outcome, Value::Null, &req.planned);
        Ok::<_, Diagnostic>(with_owned_objects(r, &clouds, result, None).await)
    };
    run.await.unwrap_or_else(ApplyResult::failed)
}

pub async fn read<R: CloudObject>(r: &R, ctx: &Context, state: Value) -> ReadResult {
    let run = async {
        let clouds = clouds(ctx)?;
        let backend = clouds
            .backend::<R::Spec, R::State>(required_cloud(&state)?)
            .await?;
        Ok::<_, Diagnostic>(match backend.read(id(&state)).await {
            Ok(Some(s)) => {
                let (found, warning) = r.after_read(&clouds, r.to_state(&clouds, &s, &state)).await;
                let mut result = ReadResult::found(found);
                if let Some(w) = warning {
                    result.diagnostics.push(w);
                }
                result
            }
            // Gone (deleted out of band): Terraform plans to create it again.
            Ok(None) => ReadResult::gone(),
            Err(e) if e.is_not_found() => ReadResult::gone(),
            Err(e) => ReadResult::error(cloud_diag(&format!("read {}", R::NOUN), &e)),
        })
    };
    run.await.unwrap_or_else(ReadResult::error)
}

pub async fn update<R: CloudObject>(r: &R, ctx: &Context, req: UpdateRequest) -> ApplyResult {
    let run = async {
        let clouds = clouds(ctx)?;
        let op = op(ctx, &req.planned, "update", R::TIMEOUTS.update)?;
        let spec = r.spec(&clouds, &req.planned)?;
        let backend = clouds
            .backend::<R::Spec, R::State>(required_cloud(&req.planned)?)
            .await?;
        let id = id(&req.prior);
        // Backends change what differs from the cloud's actual state, not Terraform's.
        let prior = current(backend.read(id).await, R::NOUN, id)?;
        let outcome = backend.update(id, &prior, &spec, &op).await;
        let result = applied(
            r,
            &clouds,
            "update",
            outcome,
            req.prior.clone(),
            &req.planned,
        );
        Ok::<_, Diagnostic>(with_owned_objects(r, &clouds, result, Some(&req.prior)).await)
    };
    // Whatever failed before the cloud answered, the prior state stands.
    let prior = req.prior.clone();
    run.await.unwrap_or_else(|d| ApplyResult::partial(prior, d))
}

pub async fn delete<R: CloudObject>(r: &R, ctx: &Context, prior: Value) -> Diagnostics {
    let run = async {
        let clouds = clouds(ctx)?;
        let op = op(ctx, &prior, "delete", R::TIMEOUTS.delete)?;
        let spec = r.spec(&clouds, &prior)?;
        let cloud = required_cloud(&prior)?;
        let backend = clouds.backend::<R::Spec, R::State>(cloud).await?;
        r.before_delete(&clouds, &prior).await?;
        backend
            .delete(id(&prior), &spec, &op)
            .await
            .map_err(|e| cloud_diag(&format!("delete {}", R::NOUN), &e))?;
        r.after_delete(&clouds, &prior).await?;
        // What the cloud cannot delete stays behind; the user hears about it.
        Ok::<_, Diagnostic>(
            clouds
                .rules()
                .for_cloud(cloud)
                .and_then(|rules| rules.left_behind_by_delete(R::KIND, id(&prior))),
        )
    };
    match run.await {
        Ok(None) => Diagnostics::new(),
        Ok(Some(left)) => {
            let mut diags = Diagnostics::new();
            diags.warning(
                "Part of it stays in the cloud",
                format!("Destroying {} leaves {left}.", R::NOUN),
            );
            diags
        }
        Err(d) => d.into(),
    }
}

/// `terraform import` by the cloud's id: the cloud whose exact id form matches it, or
/// an error listing the forms every supported cloud accepts.
pub fn import<R: CloudObject>(r: &R, id: &str) -> Result<Value, Diagnostics> {
    let cloud = r
        .rules()
        .all()
        .find(|rules| rules.is_object_id(R::KIND, id))
        .map(|rules| rules.cloud());
    match cloud {
        Some(cloud) => Ok(Value::object([
            ("id", Value::from(id)),
            ("cloud", Value::from(cloud.as_str())),
        ])),
        None => {
            let forms: Vec<String> = r
                .rules()
                .all()
                .map(|rules| format!("{}: {}", rules.cloud(), rules.id_form(R::KIND)))
                .collect();
            Err(Diagnostic::error(
                format!("Cannot import {} from this id", R::KIND.type_name()),
                format!(
                    "\"{id}\" is not the id of a {} on any cloud this provider supports. Accepted forms: {}.",
                    R::KIND.noun(),
                    forms.join("; ")
                ),
            )
            .into())
        }
    }
}

/// State written by an earlier schema version, upgraded to the current one. Version 0
/// held some unordered collections as lists: their duplicates go (a set has none),
/// and the order no longer matters.
pub fn upgrade_state<R: CloudObject>(
    r: &R,
    version: i64,
    raw_json: &[u8],
) -> Result<Value, Diagnostics> {
    let schema = r.schema();
    let unreadable = |e: String| {
        Diagnostics::from(Diagnostic::error(
            "Cannot read the stored state",
            format!(
                "The state of this {} (schema version {version}) cannot be upgraded: {e}",
                R::TYPE_NAME
            ),
        ))
    };
    if version > schema.version {
        return Err(Diagnostic::error(
            "State from a newer provider",
            format!(
                "The state of this {} was written by schema version {version}, newer than this provider's {}. Upgrade the provider.",
                R::TYPE_NAME,
                schema.version
            ),
        )
        .into());
    }
    let mut json: serde_json::Value =
        serde_json::from_slice(raw_json).map_err(|e| unreadable(e.to_string()))?;
    if version < 1 {
        for path in R::SETS_SINCE_V1 {
            dedupe_at(&mut json, path);
        }
    }
    let bytes = serde_json::to_vec(&json).map_err(|e| unreadable(e.to_string()))?;
    tfplug::value::from_json(&bytes, &schema.value_type()).map_err(|e| unreadable(e.to_string()))
}

/// Removes repeated elements of the array at `path` (a list that becomes a set).
fn dedupe_at(json: &mut serde_json::Value, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = json;
    for name in parents {
        match node.get_mut(*name) {
            Some(next) => node = next,
            None => return,
        }
    }
    if let Some(serde_json::Value::Array(items)) = node.get_mut(*last) {
        let mut seen = Vec::new();
        items.retain(|item| {
            let fresh = !seen.contains(item);
            if fresh {
                seen.push(item.clone());
            }
            fresh
        });
    }
}

/// The object as the cloud holds it now, before updating it.
fn current<S>(found: Result<Option<S>, CloudError>, noun: &str, id: &str) -> Result<S, Diagnostic> {
    found
        .map_err(|e| cloud_diag(&format!("read {noun} before updating it"), &e))?
        .ok_or_else(|| {
            Diagnostic::error(
                format!("{noun} not found"),
                format!("{id} no longer exists; run terraform apply again to recreate it."),
            )
        })
}
