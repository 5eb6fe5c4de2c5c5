//! A [`CloudObject`] as a Terraform resource: the adapter between tfplug's `Resource`
//! trait and the shared lifecycle in `lifecycle`.

use super::common::{check_cloud_blocks, clouds, import_cloud, plan_common};
use super::lifecycle::{CloudObject, create, delete, read, update};
use tfplug::schema::Schema;
use tfplug::{
    ApplyResult, Context, CreateRequest, DeleteRequest, Diagnostic, Diagnostics, ImportRequest,
    ImportResult, ReadRequest, ReadResult, Resource, ResourcePlan, UpdateRequest, Value,
};

/// A [`CloudObject`] as a Terraform resource: the shared lifecycle around it.
pub struct Managed<T>(pub T);

#[async_trait::async_trait]
impl<T: CloudObject + 'static> Resource for Managed<T> {
    fn type_name(&self) -> String {
        T::TYPE_NAME.into()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = check_cloud_blocks(config);
        self.0.validate(config, &mut diags);
        diags
    }

    async fn modify_plan(&self, ctx: &Context, plan: &mut ResourcePlan) -> Diagnostics {
        let mut diags = Diagnostics::new();
        match clouds(ctx) {
            Ok(c) => plan_common(&c, &mut plan.planned, &mut diags),
            Err(d) => diags.push(d),
        }
        self.0.modify_plan(plan, &mut diags);
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

    /// Import by the cloud's id; the cloud follows from the id's shape and read
    /// fills in the rest. Import by identity (once the resource has an identity
    /// schema) sets the identity's attributes, which are state attributes too.
    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResult {
        if let Some(id) = req.id {
            return ImportResult::state(Value::object([
                ("cloud", Value::from(import_cloud(&id))),
                ("id", Value::from(id)),
            ]));
        }
        match (req.identity, self.identity_schema()) {
            (Some(identity), Some(schema)) => {
                ImportResult::state(schema.to_state(&identity, &self.schema().value_type()))
            }
            _ => ImportResult::failed(Diagnostic::error(
                "Nothing to import",
                format!("Import {} by its id.", T::TYPE_NAME),
            )),
        }
    }
}
