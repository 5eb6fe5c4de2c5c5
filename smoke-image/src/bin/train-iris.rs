//! Trains the smoke-test model from `data/iris.csv` and writes `model/iris-softmax.json`.
//!
//! ```text
//! cargo run -p smoke-image --bin train-iris            # rewrite the weights file
//! cargo run -p smoke-image --bin train-iris -- --check # fail if it is out of date
//! ```

use std::path::Path;
use std::process::ExitCode;

use smoke_image::model::IrisModel;
use smoke_image::model::dataset::Dataset;
use smoke_image::training::{TrainingParams, parameter_drift, render_weights, train};

/// Differences below this are floating-point noise between platforms' `exp`, not a
/// different model; see `parameter_drift`.
const TOLERANCE: f64 = 1e-9;

fn main() -> ExitCode {
    let check_only = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some(other) => {
            eprintln!("unknown argument {other:?}; usage: train-iris [--check]");
            return ExitCode::from(2);
        }
    };
    let weights_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("model/iris-softmax.json");

    let dataset = match Dataset::iris() {
        Ok(dataset) => dataset,
        Err(error) => {
            eprintln!("data/iris.csv: {error}");
            return ExitCode::FAILURE;
        }
    };
    let model = train(&dataset, &TrainingParams::default());
    let rendered = render_weights(&model);
    let evaluation = model.evaluation;
    println!(
        "trained on {} rows: {}/{} correct; held out {} rows: {}/{} correct",
        evaluation.train_rows,
        evaluation.train_correct,
        evaluation.train_rows,
        evaluation.test_rows,
        evaluation.test_correct,
        evaluation.test_rows,
    );

    if check_only {
        let current = std::fs::read_to_string(&weights_path).unwrap_or_default();
        let drift = IrisModel::from_json(&current)
            .ok()
            .and_then(|checked_in| parameter_drift(checked_in.spec(), &model));
        return match drift {
            Some(drift) if drift <= TOLERANCE => {
                println!(
                    "{} is up to date (largest difference {drift:e})",
                    weights_path.display()
                );
                ExitCode::SUCCESS
            }
            _ => {
                eprintln!("{} is out of date: run train-iris", weights_path.display());
                ExitCode::FAILURE
            }
        };
    }
    if let Err(error) = std::fs::write(&weights_path, rendered) {
        eprintln!("writing {}: {error}", weights_path.display());
        return ExitCode::FAILURE;
    }
    println!("wrote {}", weights_path.display());
    ExitCode::SUCCESS
}
