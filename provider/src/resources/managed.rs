//! A [`CloudObject`] as a Terraform resource: the adapter between tfplug's `Resource`
//! trait and the shared lifecycle in `lifecycle`.

use super::common::{check_cloud_blocks, clouds, plan_common};
use super::lifecycle::{CloudObject, create, delete, import, read, update, upgrade_state};
use tfplug::schema::Schema;
use tfplug::{
    ApplyResult, Context, CreateRequest, Diagnostics, ReadResult, Resource, ResourcePlan,
    UpdateRequest, Value,
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

    async fn read(&self, ctx: &Context, state: Value, _private: Vec<u8>) -> ReadResult {
        read(&self.0, ctx, state).await
    }

    async fn update(&self, ctx: &Context, req: UpdateRequest) -> ApplyResult {
        update(&self.0, ctx, req).await
    }

    async fn delete(&self, ctx: &Context, prior: Value, _private: Vec<u8>) -> Diagnostics {
        delete(&self.0, ctx, prior).await
    }

    /// Import by the cloud's id; the cloud follows from the id's exact form and read
    /// fills in the rest.
    async fn import(&self, _ctx: &Context, id: &str) -> Result<Value, Diagnostics> {
        import(&self.0, id)
    }

    /// State of an earlier schema version (lists that became sets) upgraded.
    fn upgrade_state(&self, version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics> {
        upgrade_state(&self.0, version, raw_json)
    }
}
