//! A unary echo service written against tonic's server plumbing, the same
//! plumbing the generated `tfplugin6.Provider` server uses, with the 256 MiB
//! message limits a provider sets. It lets the tests push big messages
//! through the transport without a whole provider.

use std::convert::Infallible;
use std::task::{Context, Poll};

use futures::future::{self, BoxFuture, Ready};
use tfplug::proto::tfplugin6::DynamicValue;
use tonic::body::Body;
use tonic::codegen::http;
use tonic::server::{NamedService, UnaryService};
use tonic::transport::Channel;
use tonic::{Request, Response, Status};

pub const MESSAGE_LIMIT: usize = 256 * 1024 * 1024;
const PATH: &str = "/tfplug.test.Echo/Echo";

#[derive(Clone)]
pub struct EchoServer;

impl NamedService for EchoServer {
    const NAME: &'static str = "tfplug.test.Echo";
}

struct EchoMethod;

impl UnaryService<DynamicValue> for EchoMethod {
    type Response = DynamicValue;
    type Future = Ready<Result<Response<DynamicValue>, Status>>;

    fn call(&mut self, request: Request<DynamicValue>) -> Self::Future {
        future::ready(Ok(Response::new(request.into_inner())))
    }
}

impl tower::Service<http::Request<Body>> for EchoServer {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::default())
                .apply_max_message_size_config(Some(MESSAGE_LIMIT), Some(MESSAGE_LIMIT));
            Ok(grpc.unary(EchoMethod, request).await)
        })
    }
}

/// Sends `value` to the echo service and returns what came back.
pub async fn echo(channel: Channel, value: DynamicValue) -> Result<DynamicValue, Status> {
    let mut client = tonic::client::Grpc::new(channel)
        .max_decoding_message_size(MESSAGE_LIMIT)
        .max_encoding_message_size(MESSAGE_LIMIT);
    client
        .ready()
        .await
        .map_err(|error| Status::unavailable(error.to_string()))?;
    let response = client
        .unary(
            Request::new(value),
            http::uri::PathAndQuery::from_static(PATH),
            tonic_prost::ProstCodec::default(),
        )
        .await?;
    Ok(response.into_inner())
}
