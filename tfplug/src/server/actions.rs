//! Action RPCs (Terraform ≥ 1.14): validate, plan, and invoke with streamed progress.

use super::ProviderService;
use super::convert::{decode, diagnostics};
use super::guard::guarded;
use super::resources::try_diag;
use crate::action::InvokeRequest;
use crate::diag::Diagnostics;
use crate::engine::validate_config;
use crate::proto::tfplugin6 as pb;
use futures::stream::{self, BoxStream, StreamExt};
use pb::invoke_action::event::{Completed, Progress, Type};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

fn completed(d: &Diagnostics) -> pb::invoke_action::Event {
    pb::invoke_action::Event {
        r#type: Some(Type::Completed(Completed {
            diagnostics: diagnostics(d),
        })),
    }
}

fn progress(message: String) -> pb::invoke_action::Event {
    pb::invoke_action::Event {
        r#type: Some(Type::Progress(Progress { message })),
    }
}

impl ProviderService {
    pub(crate) async fn validate_action(
        &self,
        req: pb::validate_action_config::Request,
    ) -> pb::validate_action_config::Response {
        let resp = |d: Diagnostics| pb::validate_action_config::Response {
            diagnostics: diagnostics(&d),
        };
        let a = try_diag!(self.action(&req.type_name), resp);
        let config = try_diag!(decode(req.config.as_ref(), &a.schema.value_type()), resp);
        let ctx = self.context(None);
        let mut diags = validate_config(&a.schema.block, &config, true);
        diags.extend(try_diag!(
            guarded("action validation", a.imp.validate(&ctx, &config)).await,
            resp
        ));
        resp(diags)
    }

    pub(crate) async fn plan_action_handler(
        &self,
        req: pb::plan_action::Request,
    ) -> pb::plan_action::Response {
        let resp = |d: Diagnostics| pb::plan_action::Response {
            diagnostics: diagnostics(&d),
            deferred: None,
        };
        let a = try_diag!(self.action(&req.action_type), resp);
        let config = try_diag!(decode(req.config.as_ref(), &a.schema.value_type()), resp);
        let ctx = self.context(req.client_capabilities.as_ref());
        resp(try_diag!(
            guarded("action plan", a.imp.plan(&ctx, &config)).await,
            resp
        ))
    }

    /// Progress events as the action sends them, then exactly one Completed (with the
    /// action's diagnostics, or the panic it hit).
    pub(crate) fn invoke_action_handler(
        &self,
        req: pb::invoke_action::Request,
    ) -> BoxStream<'static, pb::invoke_action::Event> {
        let only = |d: Diagnostics| stream::iter([completed(&d)]).boxed();
        let a = match self.action(&req.action_type) {
            Ok(a) => a,
            Err(d) => return only(d.into()),
        };
        let config = match decode(req.config.as_ref(), &a.schema.value_type()) {
            Ok(c) => c,
            Err(d) => return only(d.into()),
        };
        let ctx = self.context(req.client_capabilities.as_ref());
        let action = a.imp.clone();
        let (tx, rx) = mpsc::unbounded_channel();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        // Its own task, so progress streams to Terraform while the action runs.
        tokio::spawn(async move {
            let invoke = InvokeRequest::streaming(config, tx);
            let diags = guarded("action", action.invoke(&ctx, invoke))
                .await
                .unwrap_or_else(Diagnostics::from);
            let _ = done_tx.send(diags);
        });
        // The progress channel closes when the action's request is dropped, which
        // is when it has finished; then the completion follows.
        let progress_events = UnboundedReceiverStream::new(rx).map(progress);
        let completion = stream::once(async move {
            let diags = done_rx.await.unwrap_or_default();
            completed(&diags)
        });
        progress_events.chain(completion).boxed()
    }
}
