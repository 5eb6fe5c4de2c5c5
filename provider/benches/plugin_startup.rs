//! How fast a provider binary becomes usable to Terraform, and what it costs:
//! start to handshake line, the mTLS connection, GetProviderSchema latency and
//! size, peak memory, and Shutdown to exit. Prints figures; asserts nothing,
//! but stops with an error as soon as the plugin protocol breaks.
//!
//! Run through `scripts/bench-provider`, which builds the release binaries
//! and passes their paths:
//!
//! ```text
//! MLCLOUD_PROVIDER_BIN=target/release/terraform-provider-mlcloud \
//! TFPLUG_EXAMPLE_PROVIDER_BIN=target/release/examples/terraform-provider-example \
//!     cargo bench -p terraform-provider-mlcloud --bench plugin_startup
//! ```
//!
//! `BENCH_STARTS` (default 20) and `BENCH_SCHEMA_CALLS` (default 200) change
//! how much is measured.

mod plugin_bench;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use plugin_bench::error::BenchError;
use plugin_bench::identity::ClientIdentity;
use plugin_bench::measure::{Settings, measure_provider};
use plugin_bench::report;

pub const MLCLOUD_BIN_VAR: &str = "MLCLOUD_PROVIDER_BIN";
pub const EXAMPLE_BIN_VAR: &str = "TFPLUG_EXAMPLE_PROVIDER_BIN";
const STARTS_VAR: &str = "BENCH_STARTS";
const SCHEMA_CALLS_VAR: &str = "BENCH_SCHEMA_CALLS";

fn main() -> ExitCode {
    // `cargo bench` passes --bench; `cargo test --benches` runs this binary
    // without it, and has no provider binaries to give.
    if !std::env::args().any(|arg| arg == "--bench") {
        eprintln!("plugin_startup: a benchmark, not a test; run scripts/bench-provider");
        return ExitCode::SUCCESS;
    }
    // One thread is enough for a client that makes one call at a time, and on
    // a small machine a second runtime thread would only compete with the
    // plugin being measured.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("plugin_startup: error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), BenchError> {
    let providers = providers_from_env()?;
    let settings = Settings {
        starts: count_from_env(STARTS_VAR, 20)?,
        schema_calls: count_from_env(SCHEMA_CALLS_VAR, 200)?,
    };
    // Terraform makes one client certificate per plugin start; one for the
    // whole run keeps certificate generation out of the figures without
    // changing what the plugin does.
    let identity = ClientIdentity::terraform_like()?;
    let socket_dir = tempfile::tempdir().map_err(BenchError::SocketDir)?;

    report::print_header(settings);
    let mut results = Vec::with_capacity(providers.len());
    for binary in providers {
        let name = provider_name(&binary);
        eprintln!("measuring {name} ...");
        let figures = measure_provider(&binary, settings, &identity, socket_dir.path())
            .await
            .map_err(|source| BenchError::Provider {
                provider: name.clone(),
                source: Box::new(source),
            })?;
        report::print_provider(&name, &figures);
        results.push((name, figures));
    }
    report::print_comparison(&results);
    Ok(())
}

/// The binaries named in the environment, in a fixed order.
fn providers_from_env() -> Result<Vec<PathBuf>, BenchError> {
    let mut binaries = Vec::new();
    for var in [MLCLOUD_BIN_VAR, EXAMPLE_BIN_VAR] {
        let Some(path) = std::env::var_os(var).filter(|value| !value.is_empty()) else {
            continue;
        };
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(BenchError::MissingBinary(path));
        }
        binaries.push(path);
    }
    if binaries.is_empty() {
        return Err(BenchError::NoProviders);
    }
    Ok(binaries)
}

fn count_from_env(var: &'static str, default: usize) -> Result<usize, BenchError> {
    let Ok(value) = std::env::var(var) else {
        return Ok(default);
    };
    match value.trim().parse() {
        Ok(count) if count >= 1 => Ok(count),
        _ => Err(BenchError::BadCount { var, value }),
    }
}

fn provider_name(binary: &Path) -> String {
    binary.file_name().map_or_else(
        || binary.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}
