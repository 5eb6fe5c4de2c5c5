//! Order statistics of timed samples.

use std::time::Duration;

/// Samples of one measurement, sorted so that percentiles are lookups.
#[derive(Debug, Clone)]
pub struct Summary {
    sorted: Vec<Duration>,
}

impl Summary {
    /// # Panics
    /// When `samples` is empty: every measurement runs at least once.
    pub fn new(mut samples: Vec<Duration>) -> Self {
        assert!(!samples.is_empty(), "a summary needs at least one sample");
        samples.sort_unstable();
        Self { sorted: samples }
    }

    pub fn count(&self) -> usize {
        self.sorted.len()
    }

    pub fn min(&self) -> Duration {
        self.sorted[0]
    }

    pub fn max(&self) -> Duration {
        self.sorted[self.sorted.len() - 1]
    }

    /// Nearest-rank percentile: an observed sample, never an interpolation,
    /// so p99 of 200 samples is the second slowest.
    pub fn percentile(&self, percent: f64) -> Duration {
        let rank = (percent / 100.0 * self.sorted.len() as f64).ceil() as usize;
        self.sorted[rank.clamp(1, self.sorted.len()) - 1]
    }
}
