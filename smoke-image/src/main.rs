//! `mlcloud-smoke`: reads its settings from the environment, serves until SIGTERM or
//! SIGINT, drains, and exits 0. Exit code 2 means bad settings, 1 a failure to serve.

use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;
use smoke_image::accel::AcceleratorProbe;
use smoke_image::config::Config;
use smoke_image::logging;
use smoke_image::server::{self, Shutdown};
use smoke_image::state::AppState;
use tokio::signal::unix::{SignalKind, signal};

fn main() -> ExitCode {
    let started = Instant::now();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            logging::error("invalid_configuration", json!({"error": error.to_string()}));
            return ExitCode::from(2);
        }
    };
    logging::set_level(config.log_level);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            logging::error("runtime_failed", json!({"error": error.to_string()}));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config, started)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            logging::error("exiting", json!({"error": message}));
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config, started: Instant) -> Result<(), String> {
    // Register the handlers before reporting ready, so an early SIGTERM drains too.
    let mut terminate = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    let shutdown = async move {
        let received = tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        };
        logging::info("signal", json!({"signal": received}));
    };

    let state =
        AppState::new(config.clone(), AcceleratorProbe::system()).map_err(|e| e.to_string())?;
    let listener = server::bind(config.port).await.map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    logging::info(
        "ready",
        json!({
            "address": address.to_string(),
            "port": address.port(),
            "model": config.model_name,
            "model_version": state.model.version(),
            "version": env!("CARGO_PKG_VERSION"),
            "startup_ms": started.elapsed().as_secs_f64() * 1000.0,
        }),
    );
    log_accelerators_when_known(&state);

    match server::serve(listener, state, shutdown)
        .await
        .map_err(|e| e.to_string())?
    {
        Shutdown::Drained => logging::info("stopped", json!({"drained": true})),
        Shutdown::TimedOut { abandoned } => logging::warn(
            "stopped",
            json!({"drained": false, "abandoned_requests": abandoned}),
        ),
    }
    Ok(())
}

/// Logs the accelerator report once the background probe has it, so the pod's log
/// says which GPU it got without anyone calling `/v2/smoke`.
fn log_accelerators_when_known(state: &AppState) {
    let accelerators = state.accelerators.clone();
    tokio::spawn(async move {
        if let Some(report) = accelerators.wait(std::time::Duration::from_secs(300)).await {
            logging::info(
                "accelerators",
                json!({
                    "gpu_visible": report.gpu_visible,
                    "summary": report.summary,
                    "gpu_check": report.gpu_check,
                }),
            );
        }
    });
}
