//! Resource identity (Terraform ≥ 1.12): the identity schemas, identity upgrades, and
//! the identity data that travels with read, plan, apply and import.
//!
//! Older Terraform sends no identity and ignores the fields we send back, so a
//! resource with identity needs nothing special to work with Terraform 1.0.

use super::ProviderService;
use super::convert::{decode, diagnostics, encode};
use super::guard::guarded;
use super::resources::try_diag;
use crate::diag::{Diagnostic, Diagnostics};
use crate::identity::IdentitySchema;
use crate::proto::tfplugin6 as pb;
use crate::value::Value;

fn identity_schema(s: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes: s
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: a.optional_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

impl ProviderService {
    pub(crate) fn identity_schemas(&self) -> pb::get_resource_identity_schemas::Response {
        pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .identities
                .iter()
                .map(|(name, s)| (name.clone(), identity_schema(s)))
                .collect(),
            diagnostics: Vec::new(),
        }
    }

    pub(crate) async fn upgrade_identity(
        &self,
        req: pb::upgrade_resource_identity::Request,
    ) -> pb::upgrade_resource_identity::Response {
        let resp = |d: Diagnostics| pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: diagnostics(&d),
        };
        let r = try_diag!(self.resource(&req.type_name), resp);
        let Some(schema) = self.identities.get(&req.type_name) else {
            return resp(
                Diagnostic::error(
                    "Resource has no identity",
                    format!("{} has no identity schema.", req.type_name),
                )
                .into(),
            );
        };
        let raw = req.raw_identity.map(|r| r.json).unwrap_or_default();
        let upgraded = try_diag!(
            guarded("identity upgrade", async {
                r.imp.upgrade_identity(req.version, &raw)
            })
            .await,
            resp
        );
        match upgraded {
            Ok(v) => pb::upgrade_resource_identity::Response {
                upgraded_identity: Some(pb::ResourceIdentityData {
                    identity_data: Some(try_diag!(encode(&v, &schema.value_type()), resp)),
                }),
                diagnostics: Vec::new(),
            },
            Err(d) => resp(d),
        }
    }

    /// The identity Terraform sent for a `type_name` resource; `None` when it sent none
    /// (Terraform < 1.12, or a state from before the resource had an identity).
    pub(crate) fn identity_in(
        &self,
        type_name: &str,
        data: Option<&pb::ResourceIdentityData>,
    ) -> Result<Option<Value>, Diagnostic> {
        let (Some(schema), Some(dv)) = (
            self.identities.get(type_name),
            data.and_then(|d| d.identity_data.as_ref()),
        ) else {
            return Ok(None);
        };
        let v = decode(Some(dv), &schema.value_type())?;
        Ok((!v.is_null()).then_some(v))
    }

    /// The identity to send back: `explicit` if the resource set one, else projected
    /// from `state`; nothing for a resource without identity or an absent object.
    pub(crate) fn identity_out(
        &self,
        type_name: &str,
        explicit: Option<Value>,
        state: &Value,
    ) -> Result<Option<pb::ResourceIdentityData>, Diagnostic> {
        let Some(schema) = self.identities.get(type_name) else {
            return Ok(None);
        };
        let identity = match explicit {
            Some(v) => v,
            None if state.is_null() => return Ok(None),
            // While the state still has unknowns (a create's plan, before the cloud
            // names the object) there is no identity yet: Terraform cannot store or
            // print a partly unknown one ("Failed to marshal plan to json").
            None => match schema.project(state) {
                projected if projected.is_wholly_known() => projected,
                _ => return Ok(None),
            },
        };
        Ok(Some(pb::ResourceIdentityData {
            identity_data: Some(encode(&identity, &schema.value_type())?),
        }))
    }
}
