//! List resource RPCs (Terraform ≥ 1.14, `terraform query`): validate, and list with
//! results streamed as the provider finds them.

use super::ProviderService;
use super::convert::{decode, diagnostics, encode};
use super::guard::guarded;
use super::resources::try_diag;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::validate_config;
use crate::identity::IdentitySchema;
use crate::list::{ListItem, ListRequest};
use crate::proto::tfplugin6 as pb;
use crate::value::Type;
use futures::stream::{self, BoxStream, StreamExt};
use tokio::sync::mpsc;

/// Few in flight: the provider waits while Terraform is slow to read.
const BUFFER: usize = 16;

fn only_diagnostics(d: &Diagnostics) -> pb::list_resource::Event {
    pb::list_resource::Event {
        diagnostic: diagnostics(d),
        ..Default::default()
    }
}

/// What the list stream needs to encode items, owned so the stream can outlive the call.
struct Encoder {
    identity: IdentitySchema,
    state_type: Type,
    include_resource_object: bool,
}

impl Encoder {
    fn event(&self, item: ListItem) -> pb::list_resource::Event {
        match self.try_event(&item) {
            Ok(e) => e,
            Err(d) => only_diagnostics(&Diagnostics::from(d)),
        }
    }

    fn try_event(&self, item: &ListItem) -> Result<pb::list_resource::Event, Diagnostic> {
        let identity = match (&item.identity, &item.state) {
            (Some(i), _) => i.clone(),
            (None, Some(s)) => self.identity.project(s),
            (None, None) => {
                return Err(Diagnostic::error(
                    "Listed object without identity",
                    format!(
                        "The provider listed \"{}\" with neither identity nor state. This is a bug in the provider.",
                        item.display_name
                    ),
                ));
            }
        };
        let resource_object = match (&item.state, self.include_resource_object) {
            (Some(s), true) => Some(encode(s, &self.state_type)?),
            _ => None,
        };
        Ok(pb::list_resource::Event {
            identity: Some(pb::ResourceIdentityData {
                identity_data: Some(encode(&identity, &self.identity.value_type())?),
            }),
            display_name: item.display_name.clone(),
            resource_object,
            diagnostic: diagnostics(&item.diagnostics),
        })
    }
}

/// The state of one listing's event stream.
struct Streaming {
    /// Dropped at the limit, which makes the provider's next send say stop.
    items: Option<mpsc::Receiver<ListItem>>,
    remaining: i64,
    done: Option<tokio::sync::oneshot::Receiver<Diagnostics>>,
    encoder: Encoder,
}

impl Streaming {
    async fn next(mut self) -> Option<(pb::list_resource::Event, Self)> {
        if let Some(items) = self.items.as_mut() {
            if self.remaining > 0
                && let Some(item) = items.recv().await
            {
                self.remaining -= 1;
                let event = self.encoder.event(item);
                return Some((event, self));
            }
            self.items = None;
            if self.remaining == 0 {
                // Terraform reads no further than its limit.
                return None;
            }
        }
        let diags = self.done.take()?.await.unwrap_or_default();
        (!diags.is_empty()).then(|| (only_diagnostics(&diags), self))
    }
}

impl ProviderService {
    pub(crate) async fn validate_list(
        &self,
        req: pb::validate_list_resource_config::Request,
    ) -> pb::validate_list_resource_config::Response {
        let resp = |d: Diagnostics| pb::validate_list_resource_config::Response {
            diagnostics: diagnostics(&d),
        };
        let l = try_diag!(self.list_resource(&req.type_name), resp);
        let config = try_diag!(decode(req.config.as_ref(), &l.schema.value_type()), resp);
        let ctx = self.context(None);
        let mut diags = validate_config(&l.schema.block, &config, true);
        diags.extend(try_diag!(
            guarded("list validation", l.imp.validate(&ctx, &config)).await,
            resp
        ));
        resp(diags)
    }

    /// One event per object found, up to `limit`; the listing's own diagnostics, if
    /// any, in a last event of their own.
    pub(crate) fn list_handler(
        &self,
        req: pb::list_resource::Request,
    ) -> BoxStream<'static, pb::list_resource::Event> {
        let only = |d: Diagnostic| stream::iter([only_diagnostics(&d.into())]).boxed();
        let l = match self.list_resource(&req.type_name) {
            Ok(l) => l,
            Err(d) => return only(d),
        };
        let (Some(identity), Some(resource)) = (
            self.identities.get(&req.type_name),
            self.resources.get(&req.type_name),
        ) else {
            return only(Diagnostic::error(
                "List resource without an identity",
                format!(
                    "The list resource {0} needs a managed resource {0} with an identity schema. This is a bug in the provider.",
                    req.type_name
                ),
            ));
        };
        let config = match decode(req.config.as_ref(), &l.schema.value_type()) {
            Ok(c) => c,
            Err(d) => return only(d),
        };
        let encoder = Encoder {
            identity: identity.clone(),
            state_type: resource.schema.value_type(),
            include_resource_object: req.include_resource_object,
        };
        let limit = if req.limit > 0 { req.limit } else { i64::MAX };
        let ctx = self.context(None);
        let lister = l.imp.clone();
        let (tx, rx) = mpsc::channel(BUFFER);
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let list = ListRequest::streaming(config, req.include_resource_object, limit, tx);
            let diags = guarded("list", lister.list(&ctx, list))
                .await
                .unwrap_or_else(Diagnostics::from);
            let _ = done_tx.send(diags);
        });
        let streaming = Streaming {
            items: Some(rx),
            remaining: limit,
            done: Some(done_rx),
            encoder,
        };
        stream::unfold(streaming, Streaming::next).boxed()
    }
}
