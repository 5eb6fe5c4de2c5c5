//! The served model: a multinomial logistic-regression (softmax) classifier over the
//! four Iris measurements, with weights trained by `train-iris` (see [`crate::training`])
//! and embedded in the binary, so the image needs no model download to give a real
//! prediction.

pub mod dataset;
pub mod spec;

use thiserror::Error;

pub use spec::ModelSpec;

/// Number of input features: sepal length, sepal width, petal length, petal width (cm).
pub const FEATURES: usize = 4;
/// Number of classes: setosa, versicolor, virginica.
pub const CLASSES: usize = 3;

/// The weights file, produced by `cargo run -p smoke-image --bin train-iris`.
pub const EMBEDDED_WEIGHTS: &str = include_str!("../../model/iris-softmax.json");

/// Why a weights file cannot be served.
#[derive(Debug, Error)]
pub enum ModelError {
    #[error("weights file is not valid: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("weights file is not usable: {0}")]
    Invalid(String),
}

/// One row's result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// Index into [`IrisModel::classes`] of the most probable class.
    pub class_index: usize,
    /// Softmax probabilities, one per class, summing to 1.
    pub probabilities: [f32; CLASSES],
}

/// A loaded, validated classifier.
#[derive(Debug, Clone)]
pub struct IrisModel {
    spec: ModelSpec,
}

impl IrisModel {
    /// The model compiled into this binary.
    pub fn embedded() -> Result<Self, ModelError> {
        Self::from_json(EMBEDDED_WEIGHTS)
    }

    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        Self::from_spec(serde_json::from_str(text)?)
    }

    /// Rejects weights that would make every prediction NaN, so a bad file fails at
    /// start-up rather than on the first request.
    pub fn from_spec(spec: ModelSpec) -> Result<Self, ModelError> {
        if spec.format != spec::FORMAT {
            return Err(ModelError::Invalid(format!(
                "format {:?} is not {:?}",
                spec.format,
                spec::FORMAT
            )));
        }
        let all_finite = spec
            .feature_mean
            .iter()
            .chain(spec.weights.iter().flatten())
            .chain(&spec.bias)
            .all(|value| value.is_finite());
        if !all_finite {
            return Err(ModelError::Invalid(
                "a weight is not a finite number".into(),
            ));
        }
        if spec
            .feature_std
            .iter()
            .any(|std| !std.is_finite() || *std <= 0.0)
        {
            return Err(ModelError::Invalid(
                "feature_std must be positive and finite".into(),
            ));
        }
        Ok(Self { spec })
    }

    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Class labels, in output order.
    pub fn classes(&self) -> &[String; CLASSES] {
        &self.spec.classes
    }

    /// The model version reported by the protocol (`model_version`, `versions`).
    pub fn version(&self) -> &str {
        &self.spec.version
    }

    /// Classifies one row of measurements in centimetres.
    pub fn predict(&self, features: [f32; FEATURES]) -> Prediction {
        let probabilities = self.spec.probabilities(features.map(f64::from));
        let class_index = argmax(&probabilities);
        Prediction {
            class_index,
            probabilities: probabilities.map(|p| p as f32),
        }
    }
}

/// Index of the largest value; the first one wins a tie, so results are deterministic.
pub fn argmax(values: &[f64]) -> usize {
    values
        .iter()
        .enumerate()
        .fold(
            (0, f64::NEG_INFINITY),
            |(best, best_value), (index, &value)| {
                if value > best_value {
                    (index, value)
                } else {
                    (best, best_value)
                }
            },
        )
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> IrisModel {
        IrisModel::embedded().expect("embedded weights load")
    }

    #[test]
    fn textbook_examples_of_each_species_are_recognised() {
        let model = model();
        // Rows 1, 51 and 101 of Fisher's table: the first of each species.
        let cases = [
            ([5.1, 3.5, 1.4, 0.2], "setosa"),
            ([7.0, 3.2, 4.7, 1.4], "versicolor"),
            ([6.3, 3.3, 6.0, 2.5], "virginica"),
        ];
        for (features, expected) in cases {
            let prediction = model.predict(features);
            assert_eq!(model.classes()[prediction.class_index], expected);
            let total: f32 = prediction.probabilities.iter().sum();
            assert!((total - 1.0).abs() < 1e-5, "{total}");
            assert!(prediction.probabilities[prediction.class_index] > 0.5);
        }
    }

    #[test]
    fn broken_weights_are_refused_at_load() {
        let mut spec = model().spec().clone();
        spec.feature_std[2] = 0.0;
        assert!(matches!(
            IrisModel::from_spec(spec),
            Err(ModelError::Invalid(_))
        ));
        let mut spec = model().spec().clone();
        spec.bias[0] = f64::NAN;
        assert!(IrisModel::from_spec(spec).is_err());
        let mut spec = model().spec().clone();
        spec.format = "softmax-v0".into();
        assert!(IrisModel::from_spec(spec).is_err());
        assert!(matches!(
            IrisModel::from_json("{\"classes\": 3}"),
            Err(ModelError::Parse(_))
        ));
    }

    #[test]
    fn argmax_prefers_the_first_of_equals() {
        assert_eq!(argmax(&[0.2, 0.5, 0.5]), 1);
        assert_eq!(argmax(&[0.9, 0.05, 0.05]), 0);
    }
}
