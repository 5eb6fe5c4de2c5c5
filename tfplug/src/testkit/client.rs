//! The in-process protocol client.

use super::convert::{diagnostics, path};
use super::proposed::proposed_new_state;
use crate::diag::{Diagnostic, Diagnostics};
use crate::function::FunctionError;
use crate::proto::tfplugin6 as pb;
use crate::provider::Provider;
use crate::schema::Schema;
use crate::server::ProviderService;
use crate::value::{AttributePath, Type, Value, from_msgpack, to_msgpack};
use pb::provider_server::Provider as Rpc;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tonic::Request;

/// What a plan produced.
#[derive(Debug, Clone)]
pub struct PlannedChange {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
    pub private: Vec<u8>,
    /// The planned identity, for a resource with one.
    pub identity: Option<Value>,
    pub diagnostics: Diagnostics,
}

/// One resource instance as Terraform stores it: state, private state and identity.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub state: Value,
    pub private: Vec<u8>,
    pub identity: Option<Value>,
}

/// What an apply answered: a failed create may still return state.
#[derive(Debug, Clone)]
pub struct Applied {
    pub instance: Instance,
    pub diagnostics: Diagnostics,
}

/// Drives a provider over the protocol, in-process.
pub struct TestClient {
    svc: ProviderService,
}

pub(super) fn dv(v: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: to_msgpack(v, ty).expect("test value matches the schema"),
        json: Vec::new(),
    }
}

pub(super) fn undv(d: Option<&pb::DynamicValue>, ty: &Type) -> Value {
    d.map(|d| from_msgpack(&d.msgpack, ty).expect("provider answered a valid value"))
        .unwrap_or(Value::Null)
}

pub(super) fn caps() -> Option<pb::ClientCapabilities> {
    Some(pb::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    })
}

pub(super) fn or_diags<T>(value: T, diags: Diagnostics) -> Result<T, Diagnostics> {
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(value)
    }
}

impl TestClient {
    pub fn new(provider: impl Provider) -> Self {
        TestClient {
            svc: ProviderService::new(Arc::new(provider), CancellationToken::new()),
        }
    }

    /// The raw service, for sending protocol messages directly.
    pub fn service(&self) -> &ProviderService {
        &self.svc
    }

    pub(super) fn resource_schema(&self, type_name: &str) -> Schema {
        self.svc
            .resource_schema(type_name)
            .cloned()
            .unwrap_or_else(|| panic!("no resource type {type_name}"))
    }

    pub async fn schema(&self) -> pb::get_provider_schema::Response {
        self.svc
            .get_provider_schema(Request::new(Default::default()))
            .await
            .expect("GetProviderSchema")
            .into_inner()
    }

    pub async fn validate_provider(&self, config: Value) -> Diagnostics {
        let ty = self.svc.provider_schema().value_type();
        let r = self
            .svc
            .validate_provider_config(Request::new(pb::validate_provider_config::Request {
                config: Some(dv(&config, &ty)),
            }))
            .await
            .expect("ValidateProviderConfig");
        diagnostics(&r.into_inner().diagnostics)
    }

    /// Validates and configures the provider.
    pub async fn configure(&self, config: Value) -> Result<(), Diagnostics> {
        let d = self.validate_provider(config.clone()).await;
        if d.has_errors() {
            return Err(d);
        }
        let ty = self.svc.provider_schema().value_type();
        let r = self
            .svc
            .configure_provider(Request::new(pb::configure_provider::Request {
                terraform_version: "1.15.0-testkit".into(),
                config: Some(dv(&config, &ty)),
                client_capabilities: caps(),
            }))
            .await
            .expect("ConfigureProvider");
        or_diags((), diagnostics(&r.into_inner().diagnostics))
    }

    pub async fn validate_resource(&self, type_name: &str, config: &Value) -> Diagnostics {
        let ty = self.resource_schema(type_name).value_type();
        let r = self
            .svc
            .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: type_name.into(),
                config: Some(dv(config, &ty)),
                client_capabilities: caps(),
            }))
            .await
            .expect("ValidateResourceConfig");
        diagnostics(&r.into_inner().diagnostics)
    }

    /// Plans `config` over `prior` (None: create; config null: destroy).
    pub async fn plan(
        &self,
        type_name: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> PlannedChange {
        let prior = prior.map(|state| Instance {
            state: state.clone(),
            private: Vec::new(),
            identity: None,
        });
        self.plan_instance(type_name, prior.as_ref(), config).await
    }

    /// Plans `config` over a stored instance (its private state and identity too).
    pub async fn plan_instance(
        &self,
        type_name: &str,
        prior: Option<&Instance>,
        config: &Value,
    ) -> PlannedChange {
        let schema = self.resource_schema(type_name);
        let ty = schema.value_type();
        let prior_private = prior.map(|p| p.private.clone()).unwrap_or_default();
        let prior_identity = prior
            .and_then(|p| p.identity.as_ref())
            .map(|i| self.identity_data(type_name, i));
        let prior = prior.map(|p| p.state.clone()).unwrap_or(Value::Null);
        let proposed = proposed_new_state(&schema.block, &prior, config);
        let r = self
            .svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: type_name.into(),
                prior_state: Some(dv(&prior, &ty)),
                proposed_new_state: Some(dv(&proposed, &ty)),
                config: Some(dv(config, &ty)),
                prior_private,
                prior_identity,
                client_capabilities: caps(),
                ..Default::default()
            }))
            .await
            .expect("PlanResourceChange")
            .into_inner();
        PlannedChange {
            planned: undv(r.planned_state.as_ref(), &ty),
            requires_replace: r.requires_replace.iter().map(path).collect(),
            private: r.planned_private,
            identity: self.identity_value(type_name, r.planned_identity.as_ref()),
            diagnostics: diagnostics(&r.diagnostics),
        }
    }

    /// Applies a planned change; returns the new state and diagnostics (both, as
    /// Terraform receives them: a failed create may still return state).
    pub async fn apply(
        &self,
        type_name: &str,
        prior: Option<&Value>,
        planned: &Value,
        config: &Value,
        private: Vec<u8>,
    ) -> (Value, Diagnostics) {
        let plan = PlannedChange {
            planned: planned.clone(),
            requires_replace: Vec::new(),
            private,
            identity: None,
            diagnostics: Diagnostics::new(),
        };
        let applied = self.apply_planned(type_name, prior, &plan, config).await;
        (applied.instance.state, applied.diagnostics)
    }

    /// Applies `plan` (with its private state and identity) over the prior state.
    pub async fn apply_planned(
        &self,
        type_name: &str,
        prior: Option<&Value>,
        plan: &PlannedChange,
        config: &Value,
    ) -> Applied {
        let ty = self.resource_schema(type_name).value_type();
        let prior = prior.cloned().unwrap_or(Value::Null);
        let r = self
            .svc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: type_name.into(),
                prior_state: Some(dv(&prior, &ty)),
                planned_state: Some(dv(&plan.planned, &ty)),
                config: Some(dv(config, &ty)),
                planned_private: plan.private.clone(),
                planned_identity: plan
                    .identity
                    .as_ref()
                    .map(|i| self.identity_data(type_name, i)),
                ..Default::default()
            }))
            .await
            .expect("ApplyResourceChange")
            .into_inner();
        Applied {
            instance: Instance {
                state: undv(r.new_state.as_ref(), &ty),
                private: r.private,
                identity: self.identity_value(type_name, r.new_identity.as_ref()),
            },
            diagnostics: diagnostics(&r.diagnostics),
        }
    }

    /// Validate, plan and apply a new resource.
    pub async fn create(&self, type_name: &str, config: Value) -> Result<Value, Diagnostics> {
        self.change(type_name, None, config).await
    }

    /// Validate, plan and apply `config` over `prior`.
    pub async fn update(
        &self,
        type_name: &str,
        prior: &Value,
        config: Value,
    ) -> Result<Value, Diagnostics> {
        self.change(type_name, Some(prior), config).await
    }

    async fn change(
        &self,
        type_name: &str,
        prior: Option<&Value>,
        config: Value,
    ) -> Result<Value, Diagnostics> {
        let config = self.config_for(type_name, config);
        let d = self.validate_resource(type_name, &config).await;
        if d.has_errors() {
            return Err(d);
        }
        let plan = self.plan(type_name, prior, &config).await;
        if plan.diagnostics.has_errors() {
            return Err(plan.diagnostics);
        }
        let (state, d) = self
            .apply(type_name, prior, &plan.planned, &config, plan.private)
            .await;
        or_diags(state, d)
    }

    /// Destroys a resource.
    pub async fn destroy(&self, type_name: &str, prior: &Value) -> Diagnostics {
        let plan = self.plan(type_name, Some(prior), &Value::Null).await;
        let (_, d) = self
            .apply(
                type_name,
                Some(prior),
                &Value::Null,
                &Value::Null,
                plan.private,
            )
            .await;
        d
    }

    /// Reads a resource; `Ok(None)` when it is gone.
    pub async fn read(&self, type_name: &str, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let ty = self.resource_schema(type_name).value_type();
        let r = self
            .svc
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: type_name.into(),
                current_state: Some(dv(state, &ty)),
                client_capabilities: caps(),
                ..Default::default()
            }))
            .await
            .expect("ReadResource")
            .into_inner();
        let v = undv(r.new_state.as_ref(), &ty);
        or_diags((!v.is_null()).then_some(v), diagnostics(&r.diagnostics))
    }

    /// Imports by id and reads, as `terraform import` does.
    pub async fn import(&self, type_name: &str, id: &str) -> Result<Value, Diagnostics> {
        let ty = self.resource_schema(type_name).value_type();
        let r = self
            .svc
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: type_name.into(),
                id: id.into(),
                client_capabilities: caps(),
                identity: None,
            }))
            .await
            .expect("ImportResourceState")
            .into_inner();
        let d = diagnostics(&r.diagnostics);
        if d.has_errors() {
            return Err(d);
        }
        let first = r.imported_resources.first().expect("one imported resource");
        let state = undv(first.state.as_ref(), &ty);
        match self.read(type_name, &state).await? {
            Some(s) => Ok(s),
            None => Err(Diagnostic::error("Cannot import non-existent remote object", id).into()),
        }
    }

    pub async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, Diagnostics> {
        let schema = self
            .svc
            .data_source_schema(type_name)
            .cloned()
            .unwrap_or_else(|| panic!("no data source {type_name}"));
        let ty = schema.value_type();
        let config = complete_object(&ty, config);
        let v = self
            .svc
            .validate_data_resource_config(Request::new(
                pb::validate_data_resource_config::Request {
                    type_name: type_name.into(),
                    config: Some(dv(&config, &ty)),
                },
            ))
            .await
            .expect("ValidateDataResourceConfig")
            .into_inner();
        let d = diagnostics(&v.diagnostics);
        if d.has_errors() {
            return Err(d);
        }
        let r = self
            .svc
            .read_data_source(Request::new(pb::read_data_source::Request {
                type_name: type_name.into(),
                config: Some(dv(&config, &ty)),
                client_capabilities: caps(),
                provider_meta: None,
            }))
            .await
            .expect("ReadDataSource")
            .into_inner();
        or_diags(undv(r.state.as_ref(), &ty), diagnostics(&r.diagnostics))
    }

    pub async fn call_function(
        &self,
        name: &str,
        args: Vec<Value>,
    ) -> Result<Value, FunctionError> {
        let sig = self
            .svc
            .function_signature(name)
            .unwrap_or_else(|| panic!("no function {name}"));
        let arguments = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let t = sig
                    .parameters
                    .get(i)
                    .or(sig.variadic.as_ref())
                    .expect("arity");
                dv(a, &t.ty)
            })
            .collect();
        let r = self
            .svc
            .call_function(Request::new(pb::call_function::Request {
                name: name.into(),
                arguments,
            }))
            .await
            .expect("CallFunction")
            .into_inner();
        match r.error {
            Some(e) => Err(FunctionError {
                text: e.text,
                argument: e.function_argument,
            }),
            None => Ok(undv(r.result.as_ref(), &sig.return_type)),
        }
    }

    /// Sends StopProvider.
    pub async fn stop(&self) {
        self.svc
            .stop_provider(Request::new(Default::default()))
            .await
            .expect("StopProvider");
    }

    /// A resource configuration with every attribute and block the test left out set
    /// to null, as Terraform sends configurations.
    pub fn config_for(&self, type_name: &str, config: Value) -> Value {
        complete_object(&self.resource_schema(type_name).value_type(), config)
    }
}

pub(super) fn complete_object(ty: &Type, config: Value) -> Value {
    match (ty, config) {
        (Type::Object(attrs), Value::Object(mut m)) => {
            for (k, t) in attrs {
                let v = m.remove(k).unwrap_or(Value::Null);
                m.insert(k.clone(), complete_object(t, v));
            }
            Value::Object(m)
        }
        (_, v) => v,
    }
}
