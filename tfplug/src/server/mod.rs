//! The gRPC `tfplugin6.Provider` service: decodes requests, calls the provider's
//! resources through the traits, and encodes answers. Panics become diagnostics;
//! StopProvider cancels in-flight work.

mod actions;
mod apply;
mod convert;
mod data;
mod functions;
mod guard;
mod identity;
mod list;
mod resources;
mod rpc;

use crate::action::Action;
use crate::context::{ClientCapabilities, Context};
use crate::data_source::DataSource;
use crate::diag::Diagnostic;
use crate::ephemeral::EphemeralResource;
use crate::function::Function;
use crate::identity::IdentitySchema;
use crate::list::ListResource;
use crate::proto::tfplugin6 as pb;
use crate::provider::{Provider, ProviderData};
use crate::resource::Resource;
use crate::schema::Schema;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use tokio_util::sync::CancellationToken;

/// A type's implementation together with its schema, built once.
pub(crate) struct Registered<T: ?Sized> {
    pub imp: Arc<T>,
    pub schema: Schema,
}

/// The provider behind the gRPC service.
pub struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    resources: BTreeMap<String, Registered<dyn Resource>>,
    /// Identity schemas of the resources that have one.
    identities: BTreeMap<String, IdentitySchema>,
    data_sources: BTreeMap<String, Registered<dyn DataSource>>,
    ephemerals: BTreeMap<String, Registered<dyn EphemeralResource>>,
    functions: BTreeMap<String, Arc<dyn Function>>,
    list_resources: BTreeMap<String, Registered<dyn ListResource>>,
    actions: BTreeMap<String, Registered<dyn Action>>,
    data: RwLock<Option<ProviderData>>,
    /// Cancelled by StopProvider; replaced afterwards so later calls can run.
    stop: Mutex<CancellationToken>,
    /// Cancelled when the process shuts down.
    shutdown: CancellationToken,
}

impl ProviderService {
    /// Builds the service for `provider`; `shutdown` is cancelled when the process stops.
    pub fn new(provider: Arc<dyn Provider>, shutdown: CancellationToken) -> Self {
        let resources: BTreeMap<String, Registered<dyn Resource>> = provider
            .resources()
            .into_iter()
            .map(|r| {
                let schema = r.schema();
                (r.type_name(), Registered { imp: r, schema })
            })
            .collect();
        let identities = resources
            .iter()
            .filter_map(|(name, r)| Some((name.clone(), r.imp.identity_schema()?)))
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|l| {
                let schema = l.schema();
                (l.type_name(), Registered { imp: l, schema })
            })
            .collect();
        let actions = provider
            .actions()
            .into_iter()
            .map(|a| {
                let schema = a.schema();
                (a.type_name(), Registered { imp: a, schema })
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let schema = d.schema();
                (d.type_name(), Registered { imp: d, schema })
            })
            .collect();
        let ephemerals = provider
            .ephemeral_resources()
            .into_iter()
            .map(|e| {
                let schema = e.schema();
                (e.type_name(), Registered { imp: e, schema })
            })
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| (f.name(), f))
            .collect();
        ProviderService {
            provider_schema: provider.schema(),
            provider,
            resources,
            identities,
            data_sources,
            ephemerals,
            functions,
            list_resources,
            actions,
            data: RwLock::new(None),
            stop: Mutex::new(shutdown.child_token()),
            shutdown,
        }
    }

    /// The tonic service, with the 256 MiB message limits big schemas need.
    pub fn into_server(self) -> pb::provider_server::ProviderServer<Self> {
        const LIMIT: usize = 256 << 20;
        pb::provider_server::ProviderServer::new(self)
            .max_decoding_message_size(LIMIT)
            .max_encoding_message_size(LIMIT)
    }

    fn context(&self, caps: Option<&pb::ClientCapabilities>) -> Context {
        let token = self.stop.lock().expect("stop lock").clone();
        let data = self.data.read().expect("data lock").clone();
        let client = caps
            .map(|c| ClientCapabilities {
                deferral_allowed: c.deferral_allowed,
                write_only_attributes_allowed: c.write_only_attributes_allowed,
            })
            .unwrap_or_default();
        Context::new(token, data, client)
    }

    /// StopProvider: cancel what runs now, keep serving.
    fn stop_in_flight(&self) {
        let mut token = self.stop.lock().expect("stop lock");
        token.cancel();
        *token = self.shutdown.child_token();
    }

    fn resource(&self, type_name: &str) -> Result<&Registered<dyn Resource>, Diagnostic> {
        self.resources
            .get(type_name)
            .ok_or_else(|| unknown_type("resource", type_name))
    }

    fn data_source(&self, type_name: &str) -> Result<&Registered<dyn DataSource>, Diagnostic> {
        self.data_sources
            .get(type_name)
            .ok_or_else(|| unknown_type("data source", type_name))
    }

    fn ephemeral(&self, type_name: &str) -> Result<&Registered<dyn EphemeralResource>, Diagnostic> {
        self.ephemerals
            .get(type_name)
            .ok_or_else(|| unknown_type("ephemeral resource", type_name))
    }

    fn list_resource(&self, type_name: &str) -> Result<&Registered<dyn ListResource>, Diagnostic> {
        self.list_resources
            .get(type_name)
            .ok_or_else(|| unknown_type("list resource", type_name))
    }

    fn action(&self, type_name: &str) -> Result<&Registered<dyn Action>, Diagnostic> {
        self.actions
            .get(type_name)
            .ok_or_else(|| unknown_type("action", type_name))
    }

    /// The protocol has no capability bits for identity, list resources or actions:
    /// Terraform learns of them from GetResourceIdentitySchemas and the schema maps.
    fn server_capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: true,
            generate_resource_config: true,
        }
    }
}

fn unknown_type(kind: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!("This provider has no {kind} named \"{name}\"."),
    )
}

/// Schema look-ups for the test kit.
impl ProviderService {
    pub(crate) fn provider_schema(&self) -> &Schema {
        &self.provider_schema
    }

    pub(crate) fn resource_schema(&self, type_name: &str) -> Option<&Schema> {
        self.resources.get(type_name).map(|r| &r.schema)
    }

    pub(crate) fn identity_schema(&self, type_name: &str) -> Option<&IdentitySchema> {
        self.identities.get(type_name)
    }

    pub(crate) fn list_schema(&self, type_name: &str) -> Option<&Schema> {
        self.list_resources.get(type_name).map(|r| &r.schema)
    }

    pub(crate) fn action_schema(&self, type_name: &str) -> Option<&Schema> {
        self.actions.get(type_name).map(|r| &r.schema)
    }

    pub(crate) fn data_source_schema(&self, type_name: &str) -> Option<&Schema> {
        self.data_sources.get(type_name).map(|r| &r.schema)
    }

    pub(crate) fn function_signature(&self, name: &str) -> Option<crate::function::Signature> {
        self.functions.get(name).map(|f| f.signature())
    }
}
