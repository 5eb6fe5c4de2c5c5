//! One provider's figures: several complete plugin lives, start to exit, the
//! last of them also answering a burst of warm schema calls.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use prost::Message;
use tfplug::proto::tfplugin6::get_provider_schema;

use super::calls::{get_provider_schema, provider_client, shutdown};
use super::connect::connect_mtls;
use super::error::BenchError;
use super::identity::ClientIdentity;
use super::launch::launch;
use super::memory::{Memory, read_memory};
use super::stats::Summary;

/// How much to measure.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Plugin processes started, each timed from spawn to handshake line.
    pub starts: usize,
    /// Warm GetProviderSchema calls on the last process.
    pub schema_calls: usize,
}

/// What a provider's schema holds, to put its size in context.
#[derive(Debug, Clone, Copy)]
pub struct SchemaShape {
    pub encoded_bytes: usize,
    pub resources: usize,
    pub data_sources: usize,
    pub ephemeral_resources: usize,
    pub functions: usize,
}

#[derive(Debug)]
pub struct ProviderFigures {
    pub binary: PathBuf,
    pub time_to_handshake: Summary,
    pub connect: Summary,
    /// The first GetProviderSchema of each process.
    pub cold_schema: Summary,
    /// Every later GetProviderSchema of the last process.
    pub warm_schema: Summary,
    pub shutdown: Summary,
    pub schema: SchemaShape,
    /// Measured after the warm calls.
    pub memory: Memory,
}

/// The figures of one plugin life.
struct Life {
    time_to_handshake: Duration,
    connect: Duration,
    cold_schema: Duration,
    warm_schema: Vec<Duration>,
    schema: SchemaShape,
    memory: Option<Memory>,
    shutdown: Duration,
}

pub async fn measure_provider(
    binary: &Path,
    settings: Settings,
    identity: &ClientIdentity,
    socket_dir: &Path,
) -> Result<ProviderFigures, BenchError> {
    let mut lives = Vec::with_capacity(settings.starts);
    for run in 1..=settings.starts {
        let warm_calls = if run == settings.starts {
            settings.schema_calls
        } else {
            0
        };
        lives.push(live_once(binary, identity, socket_dir, warm_calls).await?);
    }
    let last = lives.last().expect("at least one start");
    let (schema, memory) = (last.schema, last.memory.expect("measured on the last life"));
    let warm_schema = Summary::new(last.warm_schema.clone());
    let summary = |field: fn(&Life) -> Duration| Summary::new(lives.iter().map(field).collect());
    Ok(ProviderFigures {
        binary: binary.to_path_buf(),
        time_to_handshake: summary(|life| life.time_to_handshake),
        connect: summary(|life| life.connect),
        cold_schema: summary(|life| life.cold_schema),
        warm_schema,
        shutdown: summary(|life| life.shutdown),
        schema,
        memory,
    })
}

/// Starts the plugin, connects, fetches the schema once cold and
/// `warm_calls` more times, reads its memory if it made warm calls, and
/// shuts it down the way Terraform does.
async fn live_once(
    binary: &Path,
    identity: &ClientIdentity,
    socket_dir: &Path,
    warm_calls: usize,
) -> Result<Life, BenchError> {
    let plugin = launch(binary, identity, socket_dir).await?;

    let connecting = Instant::now();
    let channel = connect_mtls(&plugin.handshake, identity).await?;
    let connect = connecting.elapsed();

    let mut client = provider_client(channel.clone());
    let (cold_schema, response) = get_provider_schema(&mut client).await?;
    let mut warm_schema = Vec::with_capacity(warm_calls);
    for _ in 0..warm_calls {
        warm_schema.push(get_provider_schema(&mut client).await?.0);
    }
    let memory = (warm_calls > 0)
        .then(|| read_memory(plugin.pid()))
        .transpose()?;

    let time_to_handshake = plugin.time_to_handshake;
    drop(client);
    let shutdown = shutdown(channel, plugin).await?;
    Ok(Life {
        time_to_handshake,
        connect,
        cold_schema,
        warm_schema,
        schema: schema_shape(&response),
        memory,
        shutdown,
    })
}

fn schema_shape(response: &get_provider_schema::Response) -> SchemaShape {
    SchemaShape {
        encoded_bytes: response.encoded_len(),
        resources: response.resource_schemas.len(),
        data_sources: response.data_source_schemas.len(),
        ephemeral_resources: response.ephemeral_resource_schemas.len(),
        functions: response.functions.len(),
    }
}
