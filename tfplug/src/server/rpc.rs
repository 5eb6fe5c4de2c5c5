//! The generated `tfplugin6.Provider` trait, each RPC delegating to a handler. Every
//! handler answers with diagnostics rather than gRPC errors, which Terraform shows.

use super::ProviderService;
use crate::proto::tfplugin6 as pb;
use futures::stream::{BoxStream, StreamExt};
use pb::provider_server::Provider as Rpc;
use tonic::{Request, Response, Status, Streaming};

type Answer<T> = Result<Response<T>, Status>;

fn ok<T>(t: T) -> Answer<T> {
    Ok(Response::new(t))
}

fn state_stores_unsupported<T>() -> Answer<T> {
    Err(Status::unimplemented(
        "this provider offers no state stores",
    ))
}

#[tonic::async_trait]
impl Rpc for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Answer<pb::get_metadata::Response> {
        tracing::debug!("GetMetadata");
        ok(pb::get_metadata::Response {
            server_capabilities: Some(Self::server_capabilities()),
            resources: self
                .resources
                .keys()
                .map(|n| pb::get_metadata::ResourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            data_sources: self
                .data_sources
                .keys()
                .map(|n| pb::get_metadata::DataSourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            ephemeral_resources: self
                .ephemerals
                .keys()
                .map(|n| pb::get_metadata::EphemeralMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            functions: self
                .functions
                .keys()
                .map(|n| pb::get_metadata::FunctionMetadata { name: n.clone() })
                .collect(),
            list_resources: self
                .list_resources
                .keys()
                .map(|n| pb::get_metadata::ListResourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            actions: self
                .actions
                .keys()
                .map(|n| pb::get_metadata::ActionMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            ..Default::default()
        })
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Answer<pb::get_provider_schema::Response> {
        tracing::debug!("GetProviderSchema");
        use super::convert::schema;
        ok(pb::get_provider_schema::Response {
            provider: Some(schema(&self.provider_schema)),
            resource_schemas: self
                .resources
                .iter()
                .map(|(n, r)| (n.clone(), schema(&r.schema)))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(n, r)| (n.clone(), schema(&r.schema)))
                .collect(),
            ephemeral_resource_schemas: self
                .ephemerals
                .iter()
                .map(|(n, r)| (n.clone(), schema(&r.schema)))
                .collect(),
            functions: self.function_signatures(),
            list_resource_schemas: self
                .list_resources
                .iter()
                .map(|(n, l)| (n.clone(), schema(&l.schema)))
                .collect(),
            action_schemas: self
                .actions
                .iter()
                .map(|(n, a)| {
                    let action = pb::ActionSchema {
                        schema: Some(schema(&a.schema)),
                    };
                    (n.clone(), action)
                })
                .collect(),
            server_capabilities: Some(Self::server_capabilities()),
            ..Default::default()
        })
    }

    async fn validate_provider_config(
        &self,
        r: Request<pb::validate_provider_config::Request>,
    ) -> Answer<pb::validate_provider_config::Response> {
        ok(self.validate_provider(r.into_inner()).await)
    }

    async fn validate_resource_config(
        &self,
        r: Request<pb::validate_resource_config::Request>,
    ) -> Answer<pb::validate_resource_config::Response> {
        ok(self.validate_resource(r.into_inner()).await)
    }

    async fn validate_data_resource_config(
        &self,
        r: Request<pb::validate_data_resource_config::Request>,
    ) -> Answer<pb::validate_data_resource_config::Response> {
        ok(self.validate_data_source(r.into_inner()).await)
    }

    async fn upgrade_resource_state(
        &self,
        r: Request<pb::upgrade_resource_state::Request>,
    ) -> Answer<pb::upgrade_resource_state::Response> {
        ok(self.upgrade_state(r.into_inner()).await)
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Answer<pb::get_resource_identity_schemas::Response> {
        tracing::debug!("GetResourceIdentitySchemas");
        ok(self.identity_schemas())
    }

    async fn upgrade_resource_identity(
        &self,
        r: Request<pb::upgrade_resource_identity::Request>,
    ) -> Answer<pb::upgrade_resource_identity::Response> {
        ok(self.upgrade_identity(r.into_inner()).await)
    }

    async fn configure_provider(
        &self,
        r: Request<pb::configure_provider::Request>,
    ) -> Answer<pb::configure_provider::Response> {
        ok(self.configure(r.into_inner()).await)
    }

    async fn read_resource(
        &self,
        r: Request<pb::read_resource::Request>,
    ) -> Answer<pb::read_resource::Response> {
        let req = r.into_inner();
        tracing::debug!(type_name = %req.type_name, "ReadResource");
        ok(self.read_resource_handler(req).await)
    }

    async fn plan_resource_change(
        &self,
        r: Request<pb::plan_resource_change::Request>,
    ) -> Answer<pb::plan_resource_change::Response> {
        let req = r.into_inner();
        tracing::debug!(type_name = %req.type_name, "PlanResourceChange");
        ok(self.plan_resource(req).await)
    }

    async fn apply_resource_change(
        &self,
        r: Request<pb::apply_resource_change::Request>,
    ) -> Answer<pb::apply_resource_change::Response> {
        let req = r.into_inner();
        tracing::debug!(type_name = %req.type_name, "ApplyResourceChange");
        ok(self.apply_resource(req).await)
    }

    async fn import_resource_state(
        &self,
        r: Request<pb::import_resource_state::Request>,
    ) -> Answer<pb::import_resource_state::Response> {
        ok(self.import_resource(r.into_inner()).await)
    }

    async fn move_resource_state(
        &self,
        r: Request<pb::move_resource_state::Request>,
    ) -> Answer<pb::move_resource_state::Response> {
        ok(self.move_resource(r.into_inner()).await)
    }

    async fn read_data_source(
        &self,
        r: Request<pb::read_data_source::Request>,
    ) -> Answer<pb::read_data_source::Response> {
        let req = r.into_inner();
        tracing::debug!(type_name = %req.type_name, "ReadDataSource");
        ok(self.read_data_source_handler(req).await)
    }

    async fn generate_resource_config(
        &self,
        r: Request<pb::generate_resource_config::Request>,
    ) -> Answer<pb::generate_resource_config::Response> {
        ok(self.generate_config(r.into_inner()))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        r: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Answer<pb::validate_ephemeral_resource_config::Response> {
        ok(self.validate_ephemeral(r.into_inner()).await)
    }

    async fn open_ephemeral_resource(
        &self,
        r: Request<pb::open_ephemeral_resource::Request>,
    ) -> Answer<pb::open_ephemeral_resource::Response> {
        ok(self.open_ephemeral(r.into_inner()).await)
    }

    async fn renew_ephemeral_resource(
        &self,
        r: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Answer<pb::renew_ephemeral_resource::Response> {
        ok(self.renew_ephemeral(r.into_inner()).await)
    }

    async fn close_ephemeral_resource(
        &self,
        r: Request<pb::close_ephemeral_resource::Request>,
    ) -> Answer<pb::close_ephemeral_resource::Response> {
        ok(self.close_ephemeral(r.into_inner()).await)
    }

    type ListResourceStream = BoxStream<'static, Result<pb::list_resource::Event, Status>>;

    async fn list_resource(
        &self,
        r: Request<pb::list_resource::Request>,
    ) -> Answer<Self::ListResourceStream> {
        let req = r.into_inner();
        tracing::debug!(type_name = %req.type_name, "ListResource");
        ok(self.list_handler(req).map(Ok).boxed())
    }

    async fn validate_list_resource_config(
        &self,
        r: Request<pb::validate_list_resource_config::Request>,
    ) -> Answer<pb::validate_list_resource_config::Response> {
        ok(self.validate_list(r.into_inner()).await)
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Answer<pb::get_functions::Response> {
        ok(self.get_functions_handler())
    }

    async fn call_function(
        &self,
        r: Request<pb::call_function::Request>,
    ) -> Answer<pb::call_function::Response> {
        ok(self.call_function_handler(r.into_inner()).await)
    }

    async fn validate_state_store_config(
        &self,
        _: Request<pb::validate_state_store::Request>,
    ) -> Answer<pb::validate_state_store::Response> {
        state_stores_unsupported()
    }

    async fn configure_state_store(
        &self,
        _: Request<pb::configure_state_store::Request>,
    ) -> Answer<pb::configure_state_store::Response> {
        state_stores_unsupported()
    }

    type ReadStateBytesStream = BoxStream<'static, Result<pb::read_state_bytes::Response, Status>>;

    async fn read_state_bytes(
        &self,
        _: Request<pb::read_state_bytes::Request>,
    ) -> Answer<Self::ReadStateBytesStream> {
        state_stores_unsupported()
    }

    async fn write_state_bytes(
        &self,
        _: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Answer<pb::write_state_bytes::Response> {
        state_stores_unsupported()
    }

    async fn lock_state(
        &self,
        _: Request<pb::lock_state::Request>,
    ) -> Answer<pb::lock_state::Response> {
        state_stores_unsupported()
    }

    async fn unlock_state(
        &self,
        _: Request<pb::unlock_state::Request>,
    ) -> Answer<pb::unlock_state::Response> {
        state_stores_unsupported()
    }

    async fn get_states(
        &self,
        _: Request<pb::get_states::Request>,
    ) -> Answer<pb::get_states::Response> {
        state_stores_unsupported()
    }

    async fn delete_state(
        &self,
        _: Request<pb::delete_state::Request>,
    ) -> Answer<pb::delete_state::Response> {
        state_stores_unsupported()
    }

    async fn plan_action(
        &self,
        r: Request<pb::plan_action::Request>,
    ) -> Answer<pb::plan_action::Response> {
        ok(self.plan_action_handler(r.into_inner()).await)
    }

    type InvokeActionStream = BoxStream<'static, Result<pb::invoke_action::Event, Status>>;

    async fn invoke_action(
        &self,
        r: Request<pb::invoke_action::Request>,
    ) -> Answer<Self::InvokeActionStream> {
        let req = r.into_inner();
        tracing::debug!(action_type = %req.action_type, "InvokeAction");
        ok(self.invoke_action_handler(req).map(Ok).boxed())
    }

    async fn validate_action_config(
        &self,
        r: Request<pb::validate_action_config::Request>,
    ) -> Answer<pb::validate_action_config::Response> {
        ok(self.validate_action(r.into_inner()).await)
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Answer<pb::stop_provider::Response> {
        tracing::info!("StopProvider: cancelling in-flight operations");
        self.stop_in_flight();
        ok(pb::stop_provider::Response {
            error: String::new(),
        })
    }
}
