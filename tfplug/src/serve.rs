//! A provider's `main`: check that Terraform started us, set up logs, and serve the
//! protocol until Terraform shuts us down.

use crate::provider::Provider;
use crate::server::ProviderService;
use crate::transport::{self, TransportConfig};
use std::process::ExitCode;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The provider's source address, e.g. `registry.terraform.io/mlcloud/mlcloud`.
    pub address: String,
    /// Debug mode: started by hand, prints a `TF_REATTACH_PROVIDERS` value.
    pub debug: bool,
    /// Log targets capped at warn besides the transport crates (see
    /// [`crate::log::JsonLines::quiet`]): the provider's cloud SDKs.
    pub quiet_log_targets: &'static [&'static str],
}

impl ServeOptions {
    /// Options for `address`, with debug mode when the command line has `--debug`.
    pub fn from_args(address: &str) -> Self {
        ServeOptions {
            address: address.to_owned(),
            debug: std::env::args()
                .skip(1)
                .any(|a| a == "--debug" || a == "-debug"),
            quiet_log_targets: &[],
        }
    }

    /// Caps `targets` at warn in the provider's logs, whatever `TF_LOG` says.
    pub fn quiet_log_targets(mut self, targets: &'static [&'static str]) -> Self {
        self.quiet_log_targets = targets;
        self
    }
}

/// Stack of each async worker thread.
const WORKER_STACK_BYTES: usize = 8 * 1024 * 1024;

/// Runs `provider` as a Terraform plugin. Returns the process exit code: 1 when not
/// started by Terraform (with a message saying so) or when serving fails.
pub fn serve(provider: impl Provider, options: ServeOptions) -> ExitCode {
    if !options.debug && !transport::launched_by_terraform() {
        eprintln!("{}", transport::NOT_A_PLUGIN_MESSAGE);
        return ExitCode::from(1);
    }
    // One crypto provider for the whole process, so every rustls user agrees.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    crate::log::init(
        &format!("provider.terraform-provider-{}", provider.type_name()),
        options.quiet_log_targets,
    );
    // Cloud SDK request futures are large in unoptimised builds; a GKE update's poll
    // loop overflowed tokio's 2 MiB default worker stack. The workers are few (one per
    // core), so a larger stack costs address space, not memory.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK_BYTES)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let shutdown = CancellationToken::new();
    let service = ProviderService::new(Arc::new(provider), shutdown.clone());
    let routes = tonic::service::Routes::new(service.into_server());
    let config = TransportConfig {
        provider_address: options.address,
        debug: options.debug,
    };
    match runtime.block_on(transport::serve(routes, config, shutdown)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "plugin server failed");
            eprintln!("terraform provider failed: {e}");
            ExitCode::from(1)
        }
    }
}
