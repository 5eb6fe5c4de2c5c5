//! Provider configuration, data source and ephemeral resource RPCs.

use super::ProviderService;
use super::convert::{decode, diagnostics, encode};
use super::guard::guarded;
use super::resources::try_diag;
use crate::diag::Diagnostics;
use crate::engine::validate_config;
use crate::proto::tfplugin6 as pb;
use std::time::SystemTime;

fn timestamp(t: SystemTime) -> prost_types::Timestamp {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    prost_types::Timestamp {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos() as i32,
    }
}

impl ProviderService {
    pub(crate) async fn validate_provider(
        &self,
        req: pb::validate_provider_config::Request,
    ) -> pb::validate_provider_config::Response {
        let resp = |d: Diagnostics| pb::validate_provider_config::Response {
            diagnostics: diagnostics(&d),
        };
        let ty = self.provider_schema.value_type();
        let config = try_diag!(decode(req.config.as_ref(), &ty), resp);
        let mut diags = validate_config(&self.provider_schema.block, &config, true);
        diags.extend(try_diag!(
            guarded("provider validation", self.provider.validate(&config)).await,
            resp
        ));
        resp(diags)
    }

    pub(crate) async fn configure(
        &self,
        req: pb::configure_provider::Request,
    ) -> pb::configure_provider::Response {
        let resp = |d: Diagnostics| pb::configure_provider::Response {
            diagnostics: diagnostics(&d),
        };
        tracing::info!(terraform_version = %req.terraform_version, "configuring provider");
        let ty = self.provider_schema.value_type();
        let config = try_diag!(decode(req.config.as_ref(), &ty), resp);
        match try_diag!(
            guarded("configure", self.provider.configure(config)).await,
            resp
        ) {
            Ok(data) => {
                *self.data.write().expect("data lock") = Some(data);
                resp(Diagnostics::new())
            }
            Err(d) => resp(d),
        }
    }

    pub(crate) async fn validate_data_source(
        &self,
        req: pb::validate_data_resource_config::Request,
    ) -> pb::validate_data_resource_config::Response {
        let resp = |d: Diagnostics| pb::validate_data_resource_config::Response {
            diagnostics: diagnostics(&d),
        };
        let ds = try_diag!(self.data_source(&req.type_name), resp);
        let config = try_diag!(decode(req.config.as_ref(), &ds.schema.value_type()), resp);
        let ctx = self.context(None);
        let mut diags = validate_config(&ds.schema.block, &config, true);
        diags.extend(try_diag!(
            guarded("validate", ds.imp.validate(&ctx, &config)).await,
            resp
        ));
        resp(diags)
    }

    pub(crate) async fn read_data_source_handler(
        &self,
        req: pb::read_data_source::Request,
    ) -> pb::read_data_source::Response {
        let resp = |d: Diagnostics| pb::read_data_source::Response {
            diagnostics: diagnostics(&d),
            ..Default::default()
        };
        let ds = try_diag!(self.data_source(&req.type_name), resp);
        let ty = ds.schema.value_type();
        let config = try_diag!(decode(req.config.as_ref(), &ty), resp);
        let ctx = self.context(req.client_capabilities.as_ref());
        match try_diag!(guarded("read", ds.imp.read(&ctx, config)).await, resp) {
            Ok(state) => pb::read_data_source::Response {
                state: Some(try_diag!(encode(&state, &ty), resp)),
                ..Default::default()
            },
            Err(d) => resp(d),
        }
    }

    pub(crate) async fn validate_ephemeral(
        &self,
        req: pb::validate_ephemeral_resource_config::Request,
    ) -> pb::validate_ephemeral_resource_config::Response {
        let resp = |d: Diagnostics| pb::validate_ephemeral_resource_config::Response {
            diagnostics: diagnostics(&d),
        };
        let e = try_diag!(self.ephemeral(&req.type_name), resp);
        let config = try_diag!(decode(req.config.as_ref(), &e.schema.value_type()), resp);
        let ctx = self.context(None);
        let mut diags = validate_config(&e.schema.block, &config, true);
        diags.extend(try_diag!(
            guarded("validate", e.imp.validate(&ctx, &config)).await,
            resp
        ));
        resp(diags)
    }

    pub(crate) async fn open_ephemeral(
        &self,
        req: pb::open_ephemeral_resource::Request,
    ) -> pb::open_ephemeral_resource::Response {
        let resp = |d: Diagnostics| pb::open_ephemeral_resource::Response {
            diagnostics: diagnostics(&d),
            ..Default::default()
        };
        let e = try_diag!(self.ephemeral(&req.type_name), resp);
        let ty = e.schema.value_type();
        let config = try_diag!(decode(req.config.as_ref(), &ty), resp);
        let ctx = self.context(req.client_capabilities.as_ref());
        match try_diag!(guarded("open", e.imp.open(&ctx, config)).await, resp) {
            Ok(opened) => pb::open_ephemeral_resource::Response {
                result: Some(try_diag!(encode(&opened.result, &ty), resp)),
                private: Some(opened.private),
                renew_at: opened.renew_at.map(timestamp),
                ..Default::default()
            },
            Err(d) => resp(d),
        }
    }

    pub(crate) async fn renew_ephemeral(
        &self,
        req: pb::renew_ephemeral_resource::Request,
    ) -> pb::renew_ephemeral_resource::Response {
        let resp = |d: Diagnostics| pb::renew_ephemeral_resource::Response {
            diagnostics: diagnostics(&d),
            ..Default::default()
        };
        let e = try_diag!(self.ephemeral(&req.type_name), resp);
        let ctx = self.context(None);
        let private = req.private.clone().unwrap_or_default();
        match try_diag!(guarded("renew", e.imp.renew(&ctx, private)).await, resp) {
            Ok((private, renew_at)) => pb::renew_ephemeral_resource::Response {
                private: Some(private),
                renew_at: renew_at.map(timestamp),
                ..Default::default()
            },
            Err(d) => resp(d),
        }
    }

    pub(crate) async fn close_ephemeral(
        &self,
        req: pb::close_ephemeral_resource::Request,
    ) -> pb::close_ephemeral_resource::Response {
        let resp = |d: Diagnostics| pb::close_ephemeral_resource::Response {
            diagnostics: diagnostics(&d),
        };
        let e = try_diag!(self.ephemeral(&req.type_name), resp);
        let ctx = self.context(None);
        let private = req.private.clone().unwrap_or_default();
        resp(try_diag!(
            guarded("close", e.imp.close(&ctx, private)).await,
            resp
        ))
    }
}
