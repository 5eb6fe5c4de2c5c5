//! ApplyResourceChange: create, update or delete, answering with every object that
//! exists in the cloud even when the resource failed, panicked or was abandoned.

use super::ProviderService;
use super::convert::{decode, diagnostics, encode};
use super::guard::guarded;
use super::resources::try_diag;
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::null_write_only;
use crate::proto::tfplugin6 as pb;
use crate::resource::{ApplyResult, CreateRequest, DeleteRequest, Recorder, UpdateRequest};
use crate::value::Value;
use std::future::Future;
use std::time::Duration;

/// How long create or update may keep running after StopProvider before the server
/// stops waiting and answers with what the resource recorded. Resources that watch
/// `ctx.cancelled()` return well within it; this bounds the ones that do not.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// Runs `fut`, turning a panic into a diagnostic and giving up `STOP_GRACE` after a
/// stop (dropping the future).
async fn run_bounded(
    what: &str,
    ctx: &Context,
    fut: impl Future<Output = ApplyResult>,
) -> Result<ApplyResult, Diagnostic> {
    tokio::select! {
        biased;
        r = guarded(what, fut) => r,
        _ = async {
            ctx.cancelled().await;
            tokio::time::sleep(STOP_GRACE).await;
        } => Err(Diagnostic::error(
            format!("The {what} was abandoned"),
            format!(
                "Terraform asked the provider to stop and the {what} did not finish within {} seconds. The state keeps what the provider had recorded as done; run terraform apply again to finish.",
                STOP_GRACE.as_secs()
            ),
        )),
    }
}

impl ProviderService {
    pub(crate) async fn apply_resource(
        &self,
        req: pb::apply_resource_change::Request,
    ) -> pb::apply_resource_change::Response {
        // On any failure before the resource ran, the prior state stands.
        let resp = |d: Diagnostics| pb::apply_resource_change::Response {
            new_state: req.prior_state.clone(),
            private: req.planned_private.clone(),
            diagnostics: diagnostics(&d),
            ..Default::default()
        };
        let r = try_diag!(self.resource(&req.type_name), resp);
        let ty = r.schema.value_type();
        let prior = try_diag!(decode(req.prior_state.as_ref(), &ty), resp);
        let planned = try_diag!(decode(req.planned_state.as_ref(), &ty), resp);
        let config = try_diag!(decode(req.config.as_ref(), &ty), resp);
        let identity = try_diag!(
            self.identity_in(&req.type_name, req.planned_identity.as_ref()),
            resp
        );
        let ctx = self.context(None);
        let private = req.planned_private.clone();

        if planned.is_null() {
            let mut delete = DeleteRequest::new(prior.clone()).with_private(private);
            delete.identity = identity;
            let diags = try_diag!(guarded("delete", r.imp.delete(&ctx, delete)).await, resp);
            // A failed delete keeps the object in state: it may still exist.
            let state = if diags.has_errors() {
                prior
            } else {
                Value::Null
            };
            return pb::apply_resource_change::Response {
                new_state: Some(try_diag!(encode(&state, &ty), resp)),
                private: req.planned_private.clone(),
                new_identity: try_diag!(self.identity_out(&req.type_name, None, &state), resp),
                diagnostics: diagnostics(&diags),
                ..Default::default()
            };
        }

        let creating = prior.is_null();
        let (recorder, outcome) = if creating {
            let mut create = CreateRequest::new(config, planned).with_private(private);
            create.identity = identity;
            let recorder = create.recorder();
            let outcome = run_bounded("create", &ctx, r.imp.create(&ctx, create)).await;
            (recorder, outcome)
        } else {
            let mut update =
                UpdateRequest::new(config, prior.clone(), planned).with_private(private);
            update.identity = identity;
            let recorder = update.recorder();
            let outcome = run_bounded("update", &ctx, r.imp.update(&ctx, update)).await;
            (recorder, outcome)
        };
        let result = settle(outcome, &recorder, &prior);
        let mut diags = result.diagnostics;
        let mut state = result.state;
        null_write_only(&r.schema.block, &mut state);
        if !state.is_wholly_known() {
            diags.error(
                "Provider left values unknown after apply",
                format!(
                    "{} returned a state with unknown values. This is a bug in the provider.",
                    req.type_name
                ),
            );
            state = strip_unknown(state);
        }
        let new_identity = match self.identity_out(&req.type_name, result.identity, &state) {
            Ok(i) => i,
            Err(d) => {
                // The state must still reach Terraform; only the identity is lost.
                diags.push(d);
                None
            }
        };
        pb::apply_resource_change::Response {
            new_state: Some(try_diag!(encode(&state, &ty), resp)),
            private: result
                .private
                .unwrap_or_else(|| req.planned_private.clone()),
            new_identity,
            diagnostics: diagnostics(&diags),
            ..Default::default()
        }
    }
}

/// The result to answer with. A create or update that failed without a state, panicked
/// or was abandoned answers with what it recorded; failing that, an update keeps the
/// prior state (a create has nothing).
fn settle(
    outcome: Result<ApplyResult, Diagnostic>,
    recorder: &Recorder,
    prior: &Value,
) -> ApplyResult {
    let fallback = || recorder.recorded().unwrap_or_else(|| prior.clone());
    match outcome {
        Ok(mut result) => {
            if result.state.is_null() && result.diagnostics.has_errors() {
                result.state = fallback();
            }
            result
        }
        Err(d) => ApplyResult::partial(fallback(), d),
    }
}

/// Replaces unknowns with nulls so a buggy state can still be stored alongside the error.
fn strip_unknown(v: Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::List(e) => Value::List(e.into_iter().map(strip_unknown).collect()),
        Value::Set(e) => Value::Set(e.into_iter().map(strip_unknown).collect()),
        Value::Tuple(e) => Value::Tuple(e.into_iter().map(strip_unknown).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, strip_unknown(v))).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, strip_unknown(v))).collect())
        }
        other => other,
    }
}
