//! The RPCs Terraform makes at the start and end of a plugin's life.

use std::time::{Duration, Instant};

use tfplug::proto::goplugin::Empty;
use tfplug::proto::goplugin::grpc_controller_client::GrpcControllerClient;
use tfplug::proto::tfplugin6::diagnostic::Severity;
use tfplug::proto::tfplugin6::get_provider_schema;
use tfplug::proto::tfplugin6::provider_client::ProviderClient;
use tonic::transport::Channel;

use super::error::BenchError;
use super::launch::LaunchedPlugin;

/// A big provider's schema outgrows gRPC's (and tonic's) 4 MiB default;
/// providers allow 256 MiB messages, and so does this client.
const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// go-plugin gives a plugin two seconds after Shutdown before killing it.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

pub fn provider_client(channel: Channel) -> ProviderClient<Channel> {
    ProviderClient::new(channel).max_decoding_message_size(MAX_MESSAGE_BYTES)
}

/// One `tfplugin6.Provider/GetProviderSchema` call, timed from request to
/// decoded response. A response carrying an error diagnostic counts as a
/// failure: Terraform would stop there.
pub async fn get_provider_schema(
    client: &mut ProviderClient<Channel>,
) -> Result<(Duration, get_provider_schema::Response), BenchError> {
    let started = Instant::now();
    let response = client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .map_err(|status| BenchError::Rpc {
            rpc: "GetProviderSchema",
            status,
        })?
        .into_inner();
    let latency = started.elapsed();

    let errors: Vec<&str> = response
        .diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .map(|d| d.summary.as_str())
        .collect();
    if !errors.is_empty() {
        return Err(BenchError::SchemaDiagnostics(errors.join("; ")));
    }
    Ok((latency, response))
}

/// `plugin.GRPCController/Shutdown`, then waits for the process to exit
/// cleanly; returns the time from the call to the exit.
pub async fn shutdown(channel: Channel, plugin: LaunchedPlugin) -> Result<Duration, BenchError> {
    let started = Instant::now();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .map_err(|status| BenchError::Rpc {
            rpc: "GRPCController.Shutdown",
            status,
        })?;
    plugin.wait_for_clean_exit(SHUTDOWN_GRACE).await?;
    Ok(started.elapsed())
}
