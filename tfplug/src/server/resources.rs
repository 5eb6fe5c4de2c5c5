//! Managed resource RPCs: validate, upgrade, read, plan, import, move, generate config.
//! Apply has its own file.

use super::ProviderService;
use super::convert::{decode, diagnostics, encode, path};
use super::guard::guarded;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::{null_write_only, plan_attributes, validate_config};
use crate::proto::tfplugin6 as pb;
use crate::resource::{ImportRequest, ReadRequest, ResourcePlan};
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
        // On failure the stored state, private state and identity stand.
        let resp = |d: Diagnostics| pb::read_resource::Response {
            new_state: req.current_state.clone(),
            diagnostics: diagnostics(&d),
            private: req.private.clone(),
            new_identity: req.current_identity.clone(),
            ..Default::default()
        };
        let r = try_diag!(self.resource(&req.type_name), resp);
        let ty = r.schema.value_type();
        let state = try_diag!(decode(req.current_state.as_ref(), &ty), resp);
        let identity = try_diag!(
            self.identity_in(&req.type_name, req.current_identity.as_ref()),
            resp
        );
        let ctx = self.context(req.client_capabilities.as_ref());
        let mut read = ReadRequest::new(state).with_private(req.private.clone());
        read.identity = identity;
        let out = try_diag!(guarded("read", r.imp.read(&ctx, read)).await, resp);
        if out.diagnostics.has_errors() && out.state.is_none() {
            return resp(out.diagnostics);
        }
        let mut new_state = out.state.unwrap_or(Value::Null);
        null_write_only(&r.schema.block, &mut new_state);
        pb::read_resource::Response {
            new_state: Some(try_diag!(encode(&new_state, &ty), resp)),
            diagnostics: diagnostics(&out.diagnostics),
            private: out.private.unwrap_or_else(|| req.private.clone()),
            new_identity: try_diag!(
                self.identity_out(&req.type_name, out.identity, &new_state),
                resp
            ),
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
        let prior_identity = try_diag!(
            self.identity_in(&req.type_name, req.prior_identity.as_ref()),
            resp
        );
        let prior_opt = (!prior.is_null()).then_some(&prior);
        let outcome = plan_attributes(&r.schema.block, &config, prior_opt, proposed);
        let mut plan = ResourcePlan::new(config, prior_opt.cloned(), outcome.planned)
            .with_private(req.prior_private.clone());
        plan.requires_replace = outcome.requires_replace;
        plan.prior_identity = prior_identity;
        let ctx = self.context(req.client_capabilities.as_ref());
        let diags = try_diag!(
            guarded("plan", r.imp.modify_plan(&ctx, &mut plan)).await,
            resp
        );
        if diags.has_errors() {
            return resp(diags);
        }
        null_write_only(&r.schema.block, &mut plan.planned);
        // A replacement makes a new object with a new identity; an in-place update
        // keeps the one stored.
        let replacing = !plan.requires_replace.is_empty();
        let identity = plan
            .planned_identity
            .or(plan.prior_identity.filter(|_| !replacing));
        pb::plan_resource_change::Response {
            planned_state: Some(try_diag!(encode(&plan.planned, &ty), resp)),
            requires_replace: plan.requires_replace.iter().map(path).collect(),
            planned_private: plan.planned_private,
            planned_identity: try_diag!(
                self.identity_out(&req.type_name, identity, &plan.planned),
                resp
            ),
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
        let identity = try_diag!(
            self.identity_in(&req.type_name, req.identity.as_ref()),
            resp
        );
        let import = match (identity, req.id.is_empty()) {
            (Some(identity), _) => ImportRequest::by_identity(identity),
            (None, false) => ImportRequest::by_id(req.id.clone()),
            (None, true) => {
                return resp(
                    Diagnostic::error(
                        "Import by identity not supported",
                        format!(
                            "{} has no identity; import it by its id: terraform import <address> <id>.",
                            req.type_name
                        ),
                    )
                    .into(),
                );
            }
        };
        let by_identity = import.identity.clone();
        let ctx = self.context(req.client_capabilities.as_ref());
        let out = try_diag!(guarded("import", r.imp.import(&ctx, import)).await, resp);
        if out.diagnostics.has_errors() || out.state.is_null() {
            return resp(out.diagnostics);
        }
        // The identity imported by, unless the resource says better; by id, read
        // supplies it (the imported state is usually incomplete).
        let identity = match out.identity.or(by_identity) {
            Some(v) => try_diag!(self.identity_out(&req.type_name, Some(v), &out.state), resp),
            None => None,
        };
        pb::import_resource_state::Response {
            imported_resources: vec![pb::import_resource_state::ImportedResource {
                type_name: req.type_name.clone(),
                state: Some(try_diag!(encode(&out.state, &r.schema.value_type()), resp)),
                private: out.private,
                identity,
            }],
            diagnostics: diagnostics(&out.diagnostics),
            ..Default::default()
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
                target_private: req.source_private.clone(),
                target_identity: try_diag!(
                    self.identity_out(&req.target_type_name, None, &v),
                    resp
                ),
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
