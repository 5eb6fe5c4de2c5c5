//! What every request handler shares.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::accel::{AcceleratorProbe, AcceleratorSource};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::model::{IrisModel, ModelError};

/// Cheap to clone: everything is behind an `Arc`.
#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub model: Arc<IrisModel>,
    pub metrics: Arc<Metrics>,
    pub readiness: Readiness,
    pub accelerators: AcceleratorSource,
}

impl AppState {
    /// Loads the embedded model and starts the accelerator probe in the background.
    /// Needs a Tokio runtime.
    pub fn new(config: Config, probe: AcceleratorProbe) -> Result<Self, ModelError> {
        Self::with_accelerators(config, AcceleratorSource::spawn(probe))
    }

    /// As [`AppState::new`], with the accelerator report supplied by the caller.
    pub fn with_accelerators(
        config: Config,
        accelerators: AcceleratorSource,
    ) -> Result<Self, ModelError> {
        let model = IrisModel::embedded()?;
        let metrics = Metrics::new(&config.model_name, model.classes().clone());
        Ok(Self {
            config: Arc::new(config),
            model: Arc::new(model),
            metrics: Arc::new(metrics),
            readiness: Readiness::default(),
            accelerators,
        })
    }
}

/// Flips to "draining" on SIGTERM so `/v2/health/ready` fails and load balancers stop
/// sending new work while in-flight requests finish.
#[derive(Debug, Clone, Default)]
pub struct Readiness {
    draining: Arc<AtomicBool>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        !self.draining.load(Ordering::Relaxed)
    }

    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }
}
