//! The `aws` part: moto, completed. Started with `--moto URL`; its ready line entry is
//! `"aws": {"endpoint": "http://127.0.0.1:P"}`, one endpoint for every service (the
//! provider's `endpoints` block points each at it).
//!
//! Every request is forwarded to moto as it came ([`forward`]), except the EKS routes
//! moto lacks, which [`eks_http`] serves from [`eks_model`] (access entries and
//! policies, updates, version upgrades, pod identity associations), and the EKS answers
//! it amends (versions and statuses of updates, `accessConfig`), and the EKS creates
//! repeated with an earlier one's `clientRequestToken` ([`idempotency`]). Faults are rendered in
//! each service's own error shape ([`errors`]), matched on the operation names of
//! [`operation`].

mod eks_http;
mod eks_model;
mod eks_routes;
mod encoding;
mod errors;
mod forward;
mod idempotency;
mod ids;
mod operation;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use serde_json::{Value, json};

use crate::options::Options;
use crate::part::{NativeFault, Part, PartContext, PartError, PartFactory};
use eks_http::Eks;
use eks_model::EksModel;
use eks_routes::EksRoute;
use forward::{Moto, bad_gateway};

pub struct AwsPart {
    endpoint: String,
    moto: Moto,
    eks: EksModel,
    tokens: idempotency::TokenBook,
}

#[async_trait]
impl Part for AwsPart {
    fn name(&self) -> &'static str {
        "aws"
    }

    fn ready(&self) -> Value {
        json!({ "endpoint": self.endpoint })
    }

    fn operation(&self, request: &Request<Bytes>) -> Option<String> {
        operation::operation(request)
    }

    async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        if operation::service(&request).as_deref() == Some("eks")
            && let Some(route) = EksRoute::parse(request.method(), request.uri().path())
        {
            let eks = Eks {
                moto: &self.moto,
                model: &self.eks,
                tokens: &self.tokens,
            };
            return eks.handle(route, request).await;
        }
        match self.moto.forward(request).await {
            Ok(response) => response,
            Err(error) => bad_gateway(&error),
        }
    }

    fn fault_response(&self, fault: NativeFault, request: &Request<Bytes>) -> Response<Bytes> {
        let service = operation::service(request);
        let (error, retry_after) = errors::fault_error(service.as_deref(), fault);
        errors::render(service.as_deref(), &error, retry_after)
    }

    /// The EKS model: per cluster its access configuration, access entries (with
    /// their policies), pod identity associations and node group versions; every
    /// update with its status. What moto holds is read from moto.
    fn records(&self) -> Value {
        json!({ "eks": self.eks.records() })
    }

    fn reset(&self) {
        self.eks.reset();
        self.tokens.reset();
    }
}

/// Builds the part when `--moto` names moto.
pub struct AwsFactory;

#[async_trait]
impl PartFactory for AwsFactory {
    fn name(&self) -> &'static str {
        "aws"
    }

    fn enabled(&self, options: &Options) -> bool {
        options.moto.is_some()
    }

    async fn build(&self, context: PartContext) -> Result<Arc<dyn Part>, PartError> {
        let moto = context
            .options
            .moto
            .as_deref()
            .ok_or_else(|| PartError::Setup {
                part: "aws",
                message: "needs --moto URL".into(),
            })?;
        Ok(Arc::new(AwsPart {
            endpoint: context.url,
            moto: Moto::new(moto),
            eks: EksModel::new(context.options.operation_delay),
            tokens: idempotency::TokenBook::default(),
        }))
    }
}

#[cfg(test)]
mod tests;
