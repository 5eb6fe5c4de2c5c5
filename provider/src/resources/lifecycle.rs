//! The create / read / update / delete every cloud resource shares: find the backend,
//! build the spec, honour timeouts and cancellation, call the cloud, and turn the
//! outcome into Terraform's answer without ever losing what the cloud made.
//! A resource supplies only what differs, through [`CloudObject`].

use super::common::{Timeouts, cloud_diag, cloud_of, clouds, op, str_attr};
use crate::catalog::Cloud;
use crate::clouds::model::Op;
use crate::clouds::{CloudError, Clouds, Outcome};
use tfplug::schema::Schema;
use tfplug::{
    ApplyResult, Context, CreateRequest, Diagnostic, Diagnostics, ReadResult, ResourcePlan,
    UpdateRequest, Value,
};

/// What one kind of cloud object plugs into the shared lifecycle.
#[async_trait::async_trait]
pub trait CloudObject: Send + Sync {
    type Spec: Send + Sync;
    type State: Send + Sync;

    /// The Terraform type name, e.g. `mlcloud_cluster`.
    const TYPE_NAME: &'static str;
    /// For messages: "the key", "the cluster".
    const NOUN: &'static str;
    const TIMEOUTS: Timeouts;

    fn schema(&self) -> Schema;

    /// Checks beyond the schema's validators; `config` may hold unknown values. The
    /// shared check that no other cloud's block is set has already run.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Plan adjustments beyond the shared ones (`location`, `tags_all`, the cloud check).
    fn modify_plan(&self, _plan: &mut ResourcePlan, _diags: &mut Diagnostics) {}

    /// The backend's input from a planned value (tags already merged with defaults).
    fn spec(&self, clouds: &Clouds, planned: &Value) -> Self::Spec;

    /// Terraform state from what the cloud holds; `config` is the plan (on apply) or
    /// the prior state (on read) and supplies what only the configuration knows.
    fn to_state(&self, clouds: &Clouds, state: &Self::State, config: &Value) -> Value;

    async fn create(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        spec: &Self::Spec,
        op: &Op,
    ) -> Result<Outcome<Self::State>, Diagnostic>;

    async fn read(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
    ) -> Result<Result<Option<Self::State>, CloudError>, Diagnostic>;

    async fn update(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
        spec: &Self::Spec,
        op: &Op,
    ) -> Result<Outcome<Self::State>, Diagnostic>;

    async fn delete(
        &self,
        clouds: &Clouds,
        cloud: Cloud,
        id: &str,
        prior: &Value,
        op: &Op,
    ) -> Result<Result<(), CloudError>, Diagnostic>;
}

fn cloud(v: &Value) -> Cloud {
    cloud_of(v).unwrap_or(Cloud::Aws)
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

pub async fn create<R: CloudObject>(r: &R, ctx: &Context, req: CreateRequest) -> ApplyResult {
    let run = async {
        let clouds = clouds(ctx)?;
        let op = op(ctx, &req.planned, "create", R::TIMEOUTS.create)?;
        let spec = r.spec(&clouds, &req.planned);
        let outcome = r.create(&clouds, cloud(&req.planned), &spec, &op).await?;
        Ok::<_, Diagnostic>(applied(
            r,
            &clouds,
            "create",
            outcome,
            Value::Null,
            &req.planned,
        ))
    };
    run.await.unwrap_or_else(ApplyResult::failed)
}

pub async fn read<R: CloudObject>(r: &R, ctx: &Context, state: Value) -> ReadResult {
    let run = async {
        let clouds = clouds(ctx)?;
        Ok::<_, Diagnostic>(match r.read(&clouds, cloud(&state), id(&state)).await? {
            Ok(Some(s)) => ReadResult::found(r.to_state(&clouds, &s, &state)),
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
        let spec = r.spec(&clouds, &req.planned);
        let outcome = r
            .update(&clouds, cloud(&req.planned), id(&req.prior), &spec, &op)
            .await?;
        Ok::<_, Diagnostic>(applied(
            r,
            &clouds,
            "update",
            outcome,
            req.prior.clone(),
            &req.planned,
        ))
    };
    // Whatever failed before the cloud answered, the prior state stands.
    let prior = req.prior.clone();
    run.await.unwrap_or_else(|d| ApplyResult::partial(prior, d))
}

pub async fn delete<R: CloudObject>(r: &R, ctx: &Context, prior: Value) -> Diagnostics {
    let run = async {
        let clouds = clouds(ctx)?;
        let op = op(ctx, &prior, "delete", R::TIMEOUTS.delete)?;
        r.delete(&clouds, cloud(&prior), id(&prior), &prior, &op)
            .await?
            .map_err(|e| cloud_diag(&format!("delete {}", R::NOUN), &e))
    };
    match run.await {
        Ok(()) => Diagnostics::new(),
        Err(d) => d.into(),
    }
}

/// Read an object before updating it, for backends that compare against the cloud.
pub fn current<S>(
    found: Result<Option<S>, CloudError>,
    noun: &str,
    id: &str,
) -> Result<S, Diagnostic> {
    found
        .map_err(|e| cloud_diag(&format!("read {noun} before updating it"), &e))?
        .ok_or_else(|| {
            Diagnostic::error(
                format!("{noun} not found"),
                format!("{id} no longer exists; run terraform apply again to recreate it."),
            )
        })
}
