//! Resource instances with their private state and identity (Terraform ≥ 1.12): the
//! full life cycle as Terraform runs it, plus import by identity.

use super::client::{Applied, Instance, TestClient, caps, dv, or_diags, undv};
use super::convert::diagnostics;
use crate::diag::{Diagnostic, Diagnostics};
use crate::identity::IdentitySchema;
use crate::proto::tfplugin6 as pb;
use crate::value::Value;
use pb::provider_server::Provider as Rpc;
use tonic::Request;

impl TestClient {
    /// The identity schema of `type_name`, as GetResourceIdentitySchemas sends it.
    pub async fn identity_schemas(&self) -> pb::get_resource_identity_schemas::Response {
        self.service()
            .get_resource_identity_schemas(Request::new(Default::default()))
            .await
            .expect("GetResourceIdentitySchemas")
            .into_inner()
    }

    fn identity_schema_of(&self, type_name: &str) -> IdentitySchema {
        self.service()
            .identity_schema(type_name)
            .cloned()
            .unwrap_or_else(|| panic!("{type_name} has no identity schema"))
    }

    pub(super) fn identity_data(
        &self,
        type_name: &str,
        identity: &Value,
    ) -> pb::ResourceIdentityData {
        let ty = self.identity_schema_of(type_name).value_type();
        pb::ResourceIdentityData {
            identity_data: Some(dv(identity, &ty)),
        }
    }

    /// The identity in a response; `None` when the provider sent none.
    pub(super) fn identity_value(
        &self,
        type_name: &str,
        data: Option<&pb::ResourceIdentityData>,
    ) -> Option<Value> {
        let dv = data?.identity_data.as_ref()?;
        let schema = self
            .service()
            .identity_schema(type_name)
            .unwrap_or_else(|| {
                panic!(
                    "the provider sent an identity for {type_name}, which has no identity schema"
                )
            });
        Some(undv(Some(dv), &schema.value_type()))
    }

    /// Validate, plan and apply a new resource, keeping private state and identity.
    pub async fn create_instance(
        &self,
        type_name: &str,
        config: Value,
    ) -> Result<Instance, Diagnostics> {
        let applied = self.change_instance(type_name, None, config).await?;
        or_diags(applied.instance, applied.diagnostics)
    }

    /// Validate, plan and apply `config` over a stored instance.
    pub async fn update_instance(
        &self,
        type_name: &str,
        prior: &Instance,
        config: Value,
    ) -> Result<Instance, Diagnostics> {
        let applied = self.change_instance(type_name, Some(prior), config).await?;
        or_diags(applied.instance, applied.diagnostics)
    }

    /// Plans and applies, returning what the apply answered even when it failed (a
    /// create that fails part-way still returns state). `Err` only for a failed
    /// validation or plan.
    pub async fn change_instance(
        &self,
        type_name: &str,
        prior: Option<&Instance>,
        config: Value,
    ) -> Result<Applied, Diagnostics> {
        let config = self.config_for(type_name, config);
        let d = self.validate_resource(type_name, &config).await;
        if d.has_errors() {
            return Err(d);
        }
        let plan = self.plan_instance(type_name, prior, &config).await;
        if plan.diagnostics.has_errors() {
            return Err(plan.diagnostics);
        }
        let prior_state = prior.map(|p| &p.state);
        Ok(self
            .apply_planned(type_name, prior_state, &plan, &config)
            .await)
    }

    /// Refreshes an instance; `Ok(None)` when the object is gone.
    pub async fn read_instance(
        &self,
        type_name: &str,
        instance: &Instance,
    ) -> Result<Option<Instance>, Diagnostics> {
        let ty = self.resource_schema(type_name).value_type();
        let r = self
            .service()
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: type_name.into(),
                current_state: Some(dv(&instance.state, &ty)),
                private: instance.private.clone(),
                current_identity: instance
                    .identity
                    .as_ref()
                    .map(|i| self.identity_data(type_name, i)),
                client_capabilities: caps(),
                ..Default::default()
            }))
            .await
            .expect("ReadResource")
            .into_inner();
        let state = undv(r.new_state.as_ref(), &ty);
        let found = (!state.is_null()).then(|| Instance {
            state,
            private: r.private,
            identity: self.identity_value(type_name, r.new_identity.as_ref()),
        });
        or_diags(found, diagnostics(&r.diagnostics))
    }

    /// Imports by identity and reads, as an `import { identity = {...} }` block does.
    pub async fn import_by_identity(
        &self,
        type_name: &str,
        identity: Value,
    ) -> Result<Instance, Diagnostics> {
        let ty = self.resource_schema(type_name).value_type();
        let r = self
            .service()
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: type_name.into(),
                id: String::new(),
                client_capabilities: caps(),
                identity: Some(self.identity_data(type_name, &identity)),
            }))
            .await
            .expect("ImportResourceState")
            .into_inner();
        let d = diagnostics(&r.diagnostics);
        if d.has_errors() {
            return Err(d);
        }
        let first = r.imported_resources.first().expect("one imported resource");
        let imported = Instance {
            state: undv(first.state.as_ref(), &ty),
            private: first.private.clone(),
            identity: self.identity_value(type_name, first.identity.as_ref()),
        };
        match self.read_instance(type_name, &imported).await? {
            Some(i) => Ok(i),
            None => Err(Diagnostic::error(
                "Cannot import non-existent remote object",
                format!("No {type_name} has the identity {identity:?}."),
            )
            .into()),
        }
    }

    /// Sends UpgradeResourceIdentity for an identity stored as `raw_json` by identity
    /// schema `version`.
    pub async fn upgrade_identity(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &str,
    ) -> Result<Value, Diagnostics> {
        let r = self
            .service()
            .upgrade_resource_identity(Request::new(pb::upgrade_resource_identity::Request {
                type_name: type_name.into(),
                version,
                raw_identity: Some(pb::RawState {
                    json: raw_json.as_bytes().to_vec(),
                    ..Default::default()
                }),
            }))
            .await
            .expect("UpgradeResourceIdentity")
            .into_inner();
        let d = diagnostics(&r.diagnostics);
        if d.has_errors() {
            return Err(d);
        }
        Ok(self
            .identity_value(type_name, r.upgraded_identity.as_ref())
            .unwrap_or(Value::Null))
    }
}
