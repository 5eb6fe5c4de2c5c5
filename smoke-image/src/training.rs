//! Trains the served classifier: multinomial logistic regression fitted by full-batch
//! gradient descent on standardised features.
//!
//! Everything is deterministic (zero initial weights, rows in file order, no random
//! numbers), so `train-iris` reproduces `model/iris-softmax.json` byte for byte and a
//! test can prove the checked-in weights came from the checked-in data.

use crate::model::dataset::{Dataset, Sample};
use crate::model::spec::{self, Evaluation, ModelSpec, TrainingRecord};
use crate::model::{CLASSES, FEATURES, argmax};

/// Hyper-parameters; the defaults are what produced the shipped weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingParams {
    pub epochs: u32,
    pub learning_rate: f64,
    /// L2 penalty on the weights (not the bias): keeps the logits of the linearly
    /// separable setosa class from growing without bound.
    pub l2: f64,
}

impl Default for TrainingParams {
    fn default() -> Self {
        Self {
            epochs: 2000,
            learning_rate: 0.5,
            l2: 0.001,
        }
    }
}

/// Fits the model on the training rows of `dataset` and evaluates it on both halves.
pub fn train(dataset: &Dataset, params: &TrainingParams) -> ModelSpec {
    let (train_rows, test_rows) = dataset.split();
    let (feature_mean, feature_std) = standardisation(&train_rows);
    let standardised: Vec<Sample> = train_rows
        .iter()
        .map(|sample| Sample {
            features: std::array::from_fn(|i| {
                (sample.features[i] - feature_mean[i]) / feature_std[i]
            }),
            class_index: sample.class_index,
        })
        .collect();

    let mut weights = [[0.0; FEATURES]; CLASSES];
    let mut bias = [0.0; CLASSES];
    let rows = standardised.len() as f64;
    for _ in 0..params.epochs {
        let mut weight_gradient = [[0.0; FEATURES]; CLASSES];
        let mut bias_gradient = [0.0; CLASSES];
        for sample in &standardised {
            let probabilities = spec::softmax(logits(&weights, &bias, &sample.features));
            for (class, probability) in probabilities.iter().enumerate() {
                // d(cross-entropy)/d(logit) = p - one_hot
                let error = probability - f64::from(u8::from(class == sample.class_index));
                bias_gradient[class] += error / rows;
                for (gradient, x) in weight_gradient[class].iter_mut().zip(&sample.features) {
                    *gradient += error * x / rows;
                }
            }
        }
        let classes = weights.iter_mut().zip(bias.iter_mut());
        let gradients = weight_gradient.iter().zip(&bias_gradient);
        for ((class_weights, class_bias), (class_gradient, bias_step)) in classes.zip(gradients) {
            *class_bias -= params.learning_rate * bias_step;
            for (weight, gradient) in class_weights.iter_mut().zip(class_gradient) {
                let penalty = params.l2 * *weight;
                *weight -= params.learning_rate * (gradient + penalty);
            }
        }
    }

    let mut model = ModelSpec {
        format: spec::FORMAT.to_owned(),
        name: "iris-softmax".to_owned(),
        version: "1".to_owned(),
        features: dataset.feature_names.clone(),
        classes: dataset.classes.clone(),
        feature_mean,
        feature_std,
        weights,
        bias,
        training: TrainingRecord {
            dataset: "data/iris.csv: Fisher (1936), 150 rows".to_owned(),
            holdout: "every 5th row (5, 10, ..., 150) is held out for evaluation".to_owned(),
            epochs: params.epochs,
            learning_rate: params.learning_rate,
            l2: params.l2,
        },
        evaluation: Evaluation {
            train_correct: 0,
            train_rows: 0,
            test_correct: 0,
            test_rows: 0,
        },
    };
    model.evaluation = evaluate(&model, &train_rows, &test_rows);
    model
}

/// Counts correct predictions of `model` on each half of the data.
pub fn evaluate(model: &ModelSpec, train_rows: &[Sample], test_rows: &[Sample]) -> Evaluation {
    let correct = |rows: &[Sample]| {
        rows.iter()
            .filter(|s| argmax(&model.probabilities(s.features)) == s.class_index)
            .count()
    };
    Evaluation {
        train_correct: correct(train_rows),
        train_rows: train_rows.len(),
        test_correct: correct(test_rows),
        test_rows: test_rows.len(),
    }
}

/// The weights file exactly as `train-iris` writes it (pretty JSON, trailing newline).
pub fn render_weights(model: &ModelSpec) -> String {
    let mut text = serde_json::to_string_pretty(model).expect("a ModelSpec always serialises");
    text.push('\n');
    text
}

/// Largest absolute difference between the learned numbers of two models, or `None`
/// when anything else (names, classes, hyper-parameters, evaluation) differs.
///
/// Retraining is deterministic, but `exp` comes from the platform's libm, whose last
/// bit may differ between CPUs and libc versions; comparing with a tolerance keeps the
/// "weights come from the data" check meaningful without being brittle.
pub fn parameter_drift(a: &ModelSpec, b: &ModelSpec) -> Option<f64> {
    let without_numbers = |model: &ModelSpec| ModelSpec {
        feature_mean: [0.0; FEATURES],
        feature_std: [0.0; FEATURES],
        weights: [[0.0; FEATURES]; CLASSES],
        bias: [0.0; CLASSES],
        ..model.clone()
    };
    if without_numbers(a) != without_numbers(b) {
        return None;
    }
    let numbers = |model: &ModelSpec| -> Vec<f64> {
        model
            .feature_mean
            .iter()
            .chain(&model.feature_std)
            .chain(model.weights.iter().flatten())
            .chain(&model.bias)
            .copied()
            .collect()
    };
    Some(
        numbers(a)
            .iter()
            .zip(numbers(b))
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max),
    )
}

fn logits(
    weights: &[[f64; FEATURES]; CLASSES],
    bias: &[f64; CLASSES],
    features: &[f64; FEATURES],
) -> [f64; CLASSES] {
    std::array::from_fn(|class| {
        bias[class]
            + weights[class]
                .iter()
                .zip(features)
                .map(|(w, x)| w * x)
                .sum::<f64>()
    })
}

/// Per-feature mean and population standard deviation of the training rows only, so
/// nothing about the held-out rows leaks into the model.
fn standardisation(rows: &[Sample]) -> ([f64; FEATURES], [f64; FEATURES]) {
    let count = rows.len() as f64;
    let mean: [f64; FEATURES] =
        std::array::from_fn(|i| rows.iter().map(|s| s.features[i]).sum::<f64>() / count);
    let std = std::array::from_fn(|i| {
        let variance = rows
            .iter()
            .map(|s| (s.features[i] - mean[i]).powi(2))
            .sum::<f64>()
            / count;
        variance.sqrt()
    });
    (mean, std)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardisation_centres_and_scales() {
        let rows = [2.0, 4.0, 6.0].map(|x| Sample {
            features: [x, 1.0, 1.0, x * 10.0],
            class_index: 0,
        });
        let (mean, std) = standardisation(&rows);
        assert_eq!(mean, [4.0, 1.0, 1.0, 40.0]);
        assert!((std[0] - (8.0_f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(std[1], 0.0);
    }

    #[test]
    fn drift_measures_numbers_and_refuses_other_differences() {
        let iris = Dataset::iris().unwrap();
        let model = train(
            &iris,
            &TrainingParams {
                epochs: 5,
                ..TrainingParams::default()
            },
        );
        assert_eq!(parameter_drift(&model, &model), Some(0.0));
        let mut nudged = model.clone();
        nudged.weights[1][2] += 0.25;
        let drift = parameter_drift(&model, &nudged).unwrap();
        assert!((drift - 0.25).abs() < 1e-12, "{drift}");
        let mut renamed = model.clone();
        renamed.classes[0] = "rose".into();
        assert_eq!(parameter_drift(&model, &renamed), None);
    }

    #[test]
    fn few_epochs_learn_less_than_many() {
        let iris = Dataset::iris().unwrap();
        let barely = train(
            &iris,
            &TrainingParams {
                epochs: 1,
                learning_rate: 0.001,
                l2: 0.0,
            },
        );
        let trained = train(&iris, &TrainingParams::default());
        assert!(barely.evaluation.train_correct < trained.evaluation.train_correct);
        assert!(
            trained.evaluation.train_correct >= 110,
            "{:?}",
            trained.evaluation
        );
    }
}
