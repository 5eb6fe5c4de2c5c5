//! Runs the accelerator probe once, in the background, and hands its report to every
//! request that asks. Start-up and readiness never wait for it: a cold CUDA
//! initialisation can take seconds, and the model is usable without it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{AcceleratorProbe, AcceleratorReport};

/// A shared handle to the (eventual) report.
#[derive(Debug, Clone)]
pub struct AcceleratorSource {
    report: watch::Receiver<Option<Arc<AcceleratorReport>>>,
}

impl AcceleratorSource {
    /// Starts `probe` on the blocking thread pool. Needs a Tokio runtime.
    pub fn spawn(probe: AcceleratorProbe) -> Self {
        let (sender, report) = watch::channel(None);
        tokio::task::spawn_blocking(move || {
            let found = probe.run();
            // Nobody listening any more is fine: the server is shutting down.
            let _ = sender.send(Some(Arc::new(found)));
        });
        Self { report }
    }

    /// A source that already has its report (tests, or a probe run elsewhere).
    pub fn ready(report: AcceleratorReport) -> Self {
        let (_sender, report) = watch::channel(Some(Arc::new(report)));
        Self { report }
    }

    /// The report if the probe has finished.
    pub fn current(&self) -> Option<Arc<AcceleratorReport>> {
        self.report.borrow().clone()
    }

    /// Waits up to `limit` for the report; `None` if the probe is still running (or
    /// died, which only a panic in a driver library could cause).
    pub async fn wait(&self, limit: Duration) -> Option<Arc<AcceleratorReport>> {
        let mut report = self.report.clone();
        match tokio::time::timeout(limit, report.wait_for(Option::is_some)).await {
            Ok(Ok(found)) => found.clone(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_spawned_probe_delivers_its_report() {
        let root = tempfile::tempdir().unwrap();
        let probe = AcceleratorProbe {
            dev_dir: root.path().join("dev"),
            proc_driver_dir: root.path().join("proc"),
            nvml_libraries: vec![],
            cuda_libraries: vec![],
        };
        let source = AcceleratorSource::spawn(probe);
        let report = source.wait(Duration::from_secs(10)).await.expect("report");
        assert!(!report.gpu_visible);
        assert_eq!(source.current().as_deref(), Some(&*report));
    }
}
