//! `terraform query` (Terraform >= 1.14): a [`CloudObject`] that can be listed, as a
//! list resource. Each object found is streamed with its full state, so its identity
//! (and `-generate-config-out`'s import blocks) come from the same mapping read uses.

use super::common::{cloud_diag, clouds, required_cloud, str_attr};
use super::lifecycle::CloudObject;
use tfplug::schema::Schema;
use tfplug::{Context, Diagnostic, Diagnostics, ListItem, ListRequest, ListResource, Value};

/// A listable [`CloudObject`] as a Terraform list resource.
pub struct Listed<T>(pub T);

#[async_trait::async_trait]
impl<T: CloudObject + 'static> ListResource for Listed<T> {
    fn type_name(&self) -> String {
        T::TYPE_NAME.into()
    }

    fn schema(&self) -> Schema {
        Schema::new(self.0.list_block().unwrap_or_default())
    }

    async fn list(&self, ctx: &Context, req: ListRequest) -> Diagnostics {
        let run = async {
            let clouds = clouds(ctx)?;
            let cloud = required_cloud(&req.config)?;
            let mut scope = self.0.list_scope(&req.config);
            if scope.location.is_none() {
                scope.location = clouds.default_location(cloud);
            }
            let backend = clouds.backend::<T::Spec, T::State>(cloud).await?;
            let found = tokio::select! {
                biased;
                _ = ctx.cancelled() => return Err(Diagnostic::error("Cancelled", "Terraform asked the provider to stop.")),
                found = backend.list(&scope) => found,
            };
            let found = found.map_err(|e| cloud_diag(&format!("list {}s", T::KIND.noun()), &e))?;
            for object in &found {
                let state = self.0.to_state(&clouds, object, &Value::Null);
                let name = str_attr(&state, "name").unwrap_or_default().to_string();
                if !req.send(ListItem::from_state(name, state)).await {
                    break;
                }
            }
            Ok(())
        };
        match run.await {
            Ok(()) => Diagnostics::new(),
            Err(d) => d.into(),
        }
    }
}
