//! The gRPC services every go-plugin plugin serves next to its own:
//! health, `GRPCController`, `GRPCStdio` and `GRPCBroker`.

use std::pin::Pin;

use futures::{Stream, StreamExt, future};
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::{Request, Response, Status, Streaming};
use tonic_health::ServingStatus;

use crate::proto::goplugin::grpc_broker_server::{GrpcBroker, GrpcBrokerServer};
use crate::proto::goplugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use crate::proto::goplugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use crate::proto::goplugin::{ConnInfo, Empty, StdioData};

/// The health service name go-plugin checks before it uses a plugin.
pub(crate) const HEALTH_SERVICE_NAME: &str = "plugin";

type BoxedStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// Adds the go-plugin services to `routes`. `shutdown` is cancelled when
/// Terraform asks the plugin to exit, and ends the stdio stream.
pub(crate) async fn with_go_plugin_services(
    routes: Routes,
    shutdown: &CancellationToken,
) -> Routes {
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status(HEALTH_SERVICE_NAME, ServingStatus::Serving)
        .await;
    // The overall status, for generic health checkers.
    reporter
        .set_service_status("", ServingStatus::Serving)
        .await;
    routes
        .add_service(health)
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(Broker))
}

/// Ends the plugin when Terraform is done with it.
struct Controller {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    /// Starts a graceful shutdown. The server stops accepting connections but
    /// lets running calls, this one included, send their responses.
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

/// go-plugin's channel for plugin output. tfplug writes logs to stderr
/// directly, which Terraform reads anyway, so the stream carries nothing; it
/// stays open because go-plugin logs a closed one as an error.
struct Stdio {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = BoxedStream<StdioData>;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        let until_shutdown = futures::stream::once(self.shutdown.clone().cancelled_owned());
        let nothing = until_shutdown.filter_map(|()| future::ready(None));
        Ok(Response::new(Box::pin(nothing)))
    }
}

/// go-plugin's connection broker, which Terraform never uses.
struct Broker;

#[tonic::async_trait]
impl GrpcBroker for Broker {
    type StartStreamStream = BoxedStream<ConnInfo>;

    async fn start_stream(
        &self,
        _request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Err(Status::unimplemented(
            "this plugin does not broker extra connections",
        ))
    }
}
