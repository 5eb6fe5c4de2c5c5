//! A [`CloudObject`] as a Terraform resource: the adapter between tfplug's `Resource`
//! trait and the shared lifecycle in `lifecycle`.

use super::common::{check_cloud_blocks, clouds, plan_common};
use super::lifecycle::{CloudObject, create, delete, import, read, update, upgrade_state};
use tfplug::schema::Schema;
use tfplug::{
    ApplyResult, Context, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, IdentityAttribute,
    IdentitySchema, ImportRequest, ImportResult, ReadRequest, ReadResult, Resource, ResourcePlan,
    UpdateRequest, Value,
};

/// A [`CloudObject`] as a Terraform resource: the shared lifecycle around it.
pub struct Managed<T>(pub T);

#[async_trait::async_trait]
impl<T: CloudObject + Clone + 'static> Resource for Managed<T> {
    fn type_name(&self) -> String {
        T::TYPE_NAME.into()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    /// The identity of every mlcloud resource: the cloud's own id, and the cloud (which
    /// an import may leave out: the id's form says it). Both are state attributes, so
    /// tfplug fills the identity in from the state.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(
            IdentitySchema::new()
                .attr(
                    IdentityAttribute::string("id")
                        .required_for_import()
                        .describe("The cloud's identifier (an ARN on AWS)."),
                )
                .attr(
                    IdentityAttribute::string("cloud")
                        .optional_for_import()
                        .describe("`aws`, `azure` or `gcp`; follows from the id when left out."),
                ),
        )
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = check_cloud_blocks(config);
        self.0.validate(config, &mut diags);
        diags
    }

    async fn modify_plan(&self, ctx: &Context, plan: &mut ResourcePlan) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let clouds = match clouds(ctx) {
            Ok(c) => {
                plan_common(&c, &mut plan.planned, &mut diags);
                Some(c)
            }
            Err(d) => {
                diags.push(d);
                None
            }
        };
        self.0.modify_plan(plan, &mut diags);
        if let Some(clouds) = clouds
            && !plan.planned.is_null()
            && !diags.has_errors()
        {
            self.0.plan_from_cloud(&clouds, plan, &mut diags).await;
        }
        diags
    }

    async fn create(&self, ctx: &Context, req: CreateRequest) -> ApplyResult {
        create(&self.0, ctx, req).await
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResult {
        read(&self.0, ctx, req.state).await
    }

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResult {
        update(&self.0, ctx, req).await
    }

    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> Diagnostics {
        delete(&self.0, ctx, req.prior).await
    }

    /// Import by the cloud's id, or by an identity naming it; the cloud follows from
    /// the id's exact form and read fills in the rest.
    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResult {
        let from_identity = |name: &str| {
            req.identity
                .as_ref()
                .and_then(|i| i.attr(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let Some(id) = req.id.clone().or_else(|| from_identity("id")) else {
            return ImportResult::failed(Diagnostic::error(
                "Nothing to import",
                format!(
                    "Import {} by its id, or by an identity with `id`.",
                    T::TYPE_NAME
                ),
            ));
        };
        match import(&self.0, &id) {
            Ok(state) => {
                let found = state
                    .attr("cloud")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                match from_identity("cloud") {
                    Some(said) if Some(&said) != found.as_ref() => {
                        ImportResult::failed(Diagnostic::error(
                            "Identity does not match its id",
                            format!(
                                "The identity says cloud = \"{said}\", but \"{id}\" is an id on {}.",
                                found.unwrap_or_default()
                            ),
                        ))
                    }
                    _ => ImportResult::state(state),
                }
            }
            Err(d) => ImportResult::failed(d),
        }
    }

    /// State of an earlier schema version (lists that became sets) upgraded.
    fn upgrade_state(&self, version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics> {
        upgrade_state(&self.0, version, raw_json)
    }
}
