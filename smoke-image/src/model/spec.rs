//! The weights file format (`model/iris-softmax.json`) and the arithmetic it defines.

use serde::{Deserialize, Serialize};

use super::{CLASSES, FEATURES};

/// Everything needed to run the classifier, plus how it was made and how well it did.
///
/// Inference: `z = (x - feature_mean) / feature_std`, `logits = weights · z + bias`,
/// `p = softmax(logits)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Identifies this file layout, so a future layout is refused instead of misread.
    pub format: String,
    pub name: String,
    pub version: String,
    pub features: [String; FEATURES],
    pub classes: [String; CLASSES],
    pub feature_mean: [f64; FEATURES],
    pub feature_std: [f64; FEATURES],
    /// One row of feature weights per class.
    pub weights: [[f64; FEATURES]; CLASSES],
    pub bias: [f64; CLASSES],
    pub training: TrainingRecord,
    pub evaluation: Evaluation,
}

/// The hyper-parameters and data split that produced the weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    pub dataset: String,
    pub holdout: String,
    pub epochs: u32,
    pub learning_rate: f64,
    pub l2: f64,
}

/// Correct predictions on the rows trained on and on the held-out rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub train_correct: usize,
    pub train_rows: usize,
    pub test_correct: usize,
    pub test_rows: usize,
}

/// The weights file layout this code reads and writes.
pub const FORMAT: &str = "mlcloud-smoke/softmax-v1";

impl ModelSpec {
    /// Class probabilities for one row of raw (unstandardised) measurements.
    pub fn probabilities(&self, features: [f64; FEATURES]) -> [f64; CLASSES] {
        let standardised: [f64; FEATURES] =
            std::array::from_fn(|i| (features[i] - self.feature_mean[i]) / self.feature_std[i]);
        softmax(std::array::from_fn(|class| {
            self.bias[class]
                + self.weights[class]
                    .iter()
                    .zip(&standardised)
                    .map(|(w, z)| w * z)
                    .sum::<f64>()
        }))
    }
}

/// Softmax shifted by the largest logit so that `exp` cannot overflow.
pub fn softmax<const N: usize>(logits: [f64; N]) -> [f64; N] {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps = logits.map(|logit| (logit - max).exp());
    let total: f64 = exps.iter().sum();
    exps.map(|e| e / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_is_stable_for_huge_logits() {
        let p = softmax([1000.0, 1000.0, -1000.0]);
        assert_eq!(p, [0.5, 0.5, 0.0]);
    }

    #[test]
    fn softmax_matches_the_definition() {
        let p = softmax([0.0, 1.0_f64.ln()]);
        assert!((p[0] - 0.5).abs() < 1e-12);
        let p = softmax([2.0_f64.ln(), 0.0]);
        assert!((p[0] - 2.0 / 3.0).abs() < 1e-12);
    }
}
