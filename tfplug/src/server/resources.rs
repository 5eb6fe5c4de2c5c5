//! Managed resource RPCs: validate, upgrade, read, plan, apply, import, move.

use super::ProviderService;
use super::convert::{decode, diagnostics, encode, path};
use super::guard::guarded;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::{null_write_only, plan_attributes, validate_config};
use crate::proto::tfplugin6 as pb;
use crate::resource::{CreateRequest, ResourcePlan, UpdateRequest};
use crate::value::Value;

/// Unwraps a `Result<T, Diagnostic>` or returns a response built from the diagnostic.
macro_rules! try_diag {
    ($e:expr, $resp:ident) => {
        match $e {
            Ok(v) => v,
            Err(d) => return $resp(Diagnostics::from(d)),
        }
    };
}
pub(crate) use try_diag;

impl ProviderService {
    pub(crate) async fn validate_resource(
        &self,
        req: pb::validate_resource_config::Request,
    ) -> pb::validate_resource_config::Response {
        let resp = |d: Diagnostics| pb::validate_resource_config::Response {
            diagnostics: diagnostics(&d),
        };
        let r = try_diag!(self.resource(&req.type_name), resp);
        let config = try_diag!(decode(req.config.as_ref(), &r.schema.value_type()), resp);
        let ctx = self.context(req.client_capabilities.as_ref());
        let wo = ctx.client().write_only_attributes_allowed;
        let mut diags = validate_config(&r.schema.block, &config, wo);
        diags.extend(try_diag!(
            guarded("validate", r.imp.validate(&ctx, &config)).await,
            resp
        ));
        resp(diags)
    }

    pub(crate) async fn upgrade_state(
        &self,
        req: pb::upgrade_resource_state::Request,
    ) -> pb::upgrade_resource_state::Response {
        let resp = |d: Diagnostics| pb::upgrade_resource_state::Response {
            upgraded_state: None,
            diagnostics: diagnostics(&d),
        };
        let r = try_diag!(self.resource(&req.type_name), resp);
        let raw = req.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            return resp(
                Diagnostic::error(
                    "Unsupported state format",
                    "This state was written by Terraform 0.11 or older (flatmap); apply it once with an older provider version first.",
                )
                .into(),
            );
        }
        let upgraded = try_diag!(
            guarded("state upgrade", async {
                r.imp.upgrade_state(req.version, &raw.json)
            })
            .await,
            resp
        );
        match upgraded {
            Ok(v) => pb::upgrade_resource_state::Response {
                upgraded_state: Some(try_diag!(encode(&v, &r.schema.value_type()), resp)),
                diagnostics: Vec::new(),
            },
            Err(d) => resp(d),
        }
    }

    pub(crate) async fn read_resource_handler(
        &self,
        req: pb::read_resource::Request,
    ) -> pb::read_resource::Response {
        let resp = |d: Diagnostics| pb::read_resource::Response {
            new_state: req.current_state.clone(),
            diagnostics: diagnostics(&d),
            private: req.private.clone(),
            ..Default::default()
        };
        let r = try_diag!(self.resource(&req.type_name), resp);
        let ty = r.schema.value_type();
        let state = try_diag!(decode(req.current_state.as_ref(), &ty), resp);
        let ctx = self.context(req.client_capabilities.as_ref());
        let out = try_diag!(
            guarded("read", r.imp.read(&ctx, state, req.private.clone())).await,
            resp
        );
        if out.diagnostics.has_errors() && out.state.is_none() {
            return resp(out.diagnostics);
        }
        let mut new_state = out.state.unwrap_or(Value::Null);
        null_write_only(&r.schema.block, &mut new_state);
        pb::read_resource::Response {
            new_state: Some(try_diag!(encode(&new_state, &ty), resp)),
            diagnostics: diagnostics(&out.diagnostics),
            private: out.private,
            ..Default::default()
        }
    }

    pub(crate) async fn plan_resource(
        &self,
        req: pb::plan_resource_change::Request,
    ) -> pb::plan_resource_change::Response {
        let resp = |d: Diagnostics| pb::plan_resource_change::Response {
            diagnostics: diagnostics(&d),
            ..Default::default()
        };
        let r = try_diag!(self.resource(&req.type_name), resp);
        let ty = r.schema.value_type();
        let prior = try_diag!(decode(req.prior_state.as_ref(), &ty), resp);
        let proposed = try_diag!(decode(req.proposed_new_state.as_ref(), &ty), resp);
        let config = try_diag!(decode(req.config.as_ref(), &ty), resp);
        // Destroy: nothing to plan but the absence.
        if proposed.is_null() {
            return pb::plan_resource_change::Response {
                planned_state: req.proposed_new_state.clone(),
                planned_private: req.prior_private.clone(),
                ..Default::default()
            };
        }
        let prior_opt = (!prior.is_null()).then_some(&prior);
        let outcome = plan_attributes(&r.schema.block, &config, prior_opt, proposed);
        let mut plan = ResourcePlan {
            config,
            prior: prior_opt.cloned(),
            planned: outcome.planned,
            requires_replace: outcome.requires_replace,
        };
        let ctx = self.context(req.client_capabilities.as_ref());
        let diags = try_diag!(
            guarded("plan", r.imp.modify_plan(&ctx, &mut plan)).await,
            resp
        );
        if diags.has_errors() {
            return resp(diags);
        }
        null_write_only(&r.schema.block, &mut plan.planned);
        pb::plan_resource_change::Response {
            planned_state: Some(try_diag!(encode(&plan.planned, &ty), resp)),
            requires_replace: plan.requires_replace.iter().map(path).collect(),
            planned_private: req.prior_private.clone(),
            diagnostics: diagnostics(&diags),
            ..Default::default()
        }
    }

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
        let ctx = self.context(None);
        let private = req.planned_private.clone();

        if planned.is_null() {
            let diags = try_diag!(
                guarded("delete", r.imp.delete(&ctx, prior.clone(), private)).await,
                resp
            );
            // A failed delete keeps the object in state: it may still exist.
            let state = if diags.has_errors() {
                prior
            } else {
                Value::Null
            };
            return pb::apply_resource_change::Response {
                new_state: Some(try_diag!(encode(&state, &ty), resp)),
                diagnostics: diagnostics(&diags),
                ..Default::default()
            };
        }

        let creating = prior.is_null();
        let result = if creating {
            let req = CreateRequest {
                config,
                planned,
                private,
            };
            try_diag!(guarded("create", r.imp.create(&ctx, req)).await, resp)
        } else {
            let req = UpdateRequest {
                config,
                prior: prior.clone(),
                planned,
                private,
            };
            try_diag!(guarded("update", r.imp.update(&ctx, req)).await, resp)
        };
        let mut diags = result.diagnostics;
        let mut state = result.state;
        // An update that failed without saying what exists keeps the prior state.
        if state.is_null() && !creating && diags.has_errors() {
            state = prior;
        }
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
        pb::apply_resource_change::Response {
            new_state: Some(try_diag!(encode(&state, &ty), resp)),
            private: result.private,
            diagnostics: diagnostics(&diags),
            ..Default::default()
        }
    }

    pub(crate) async fn import_resource(
        &self,
        req: pb::import_resource_state::Request,
    ) -> pb::import_resource_state::Response {
        let resp = |d: Diagnostics| pb::import_resource_state::Response {
            diagnostics: diagnostics(&d),
            ..Default::default()
        };
        let r = try_diag!(self.resource(&req.type_name), resp);
        if req.id.is_empty() {
            return resp(
                Diagnostic::error(
                    "Import by identity not supported",
                    format!(
                        "Import {} by its id: terraform import <address> <id>.",
                        req.type_name
                    ),
                )
                .into(),
            );
        }
        let ctx = self.context(req.client_capabilities.as_ref());
        let state = try_diag!(guarded("import", r.imp.import(&ctx, &req.id)).await, resp);
        match state {
            Ok(state) => pb::import_resource_state::Response {
                imported_resources: vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: Some(try_diag!(encode(&state, &r.schema.value_type()), resp)),
                    ..Default::default()
                }],
                ..Default::default()
            },
            Err(d) => resp(d),
        }
    }

    pub(crate) async fn move_resource(
        &self,
        req: pb::move_resource_state::Request,
    ) -> pb::move_resource_state::Response {
        let resp = |d: Diagnostics| pb::move_resource_state::Response {
            diagnostics: diagnostics(&d),
            ..Default::default()
        };
        let r = try_diag!(self.resource(&req.target_type_name), resp);
        let raw = req.source_state.map(|s| s.json).unwrap_or_default();
        let source = crate::resource::MoveSource {
            provider_address: req.source_provider_address,
            type_name: req.source_type_name,
            schema_version: req.source_schema_version,
            raw_json: raw,
        };
        let moved = try_diag!(
            guarded("move", async { r.imp.move_state(&source) }).await,
            resp
        );
        match moved {
            Some(Ok(v)) => pb::move_resource_state::Response {
                target_state: Some(try_diag!(encode(&v, &r.schema.value_type()), resp)),
                ..Default::default()
            },
            Some(Err(d)) => resp(d),
            None => resp(
                Diagnostic::error(
                    "Move not supported",
                    format!(
                        "{} cannot take over state of {} from {}.",
                        req.target_type_name, source.type_name, source.provider_address
                    ),
                )
                .into(),
            ),
        }
    }

    /// `terraform plan -generate-config-out`: configuration from imported state, keeping
    /// what a user may set and dropping purely computed attributes.
    pub(crate) fn generate_config(
        &self,
        req: pb::generate_resource_config::Request,
    ) -> pb::generate_resource_config::Response {
        let resp = |d: Diagnostics| pb::generate_resource_config::Response {
            config: None,
            diagnostics: diagnostics(&d),
        };
        let r = try_diag!(self.resource(&req.type_name), resp);
        let ty = r.schema.value_type();
        let mut state = try_diag!(decode(req.state.as_ref(), &ty), resp);
        if let Value::Object(m) = &mut state {
            for a in &r.schema.block.attributes {
                if a.computed && !a.optional && !a.required {
                    m.insert(a.name.clone(), Value::Null);
                }
            }
        }
        pb::generate_resource_config::Response {
            config: Some(try_diag!(encode(&state, &ty), resp)),
            diagnostics: Vec::new(),
        }
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
