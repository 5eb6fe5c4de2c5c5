//! The served model is the one the training data and script produce, and it predicts
//! what the README says it does.

use smoke_image::model::IrisModel;
use smoke_image::model::dataset::Dataset;
use smoke_image::training::{TrainingParams, parameter_drift, train};

use crate::support::{app, infer_body, post_json};

const README: &str = include_str!("../../README.md");

#[tokio::test]
async fn the_whole_dataset_scored_over_http_matches_the_recorded_accuracy() {
    let (app, state) = app();
    let iris = Dataset::iris().unwrap();
    let rows: Vec<[f32; 4]> = iris
        .samples
        .iter()
        .map(|s| s.features.map(|x| x as f32))
        .collect();
    let reply = post_json(&app, "/v2/models/iris/infer", &infer_body(&rows)).await;
    assert_eq!(reply.status, 200);
    let response = reply.json();
    let labels = response["outputs"][1]["data"].as_array().unwrap();
    assert_eq!(labels.len(), 150);
    let correct = labels
        .iter()
        .zip(&iris.samples)
        .filter(|(label, sample)| **label == iris.classes[sample.class_index].as_str())
        .count();
    let evaluation = state.model.spec().evaluation;
    assert_eq!(correct, evaluation.train_correct + evaluation.test_correct);
    // Setosa is linearly separable: every one of them must be right.
    assert!(labels[..50].iter().all(|label| label == "setosa"));
}

#[tokio::test]
async fn known_inputs_get_known_answers() {
    let (app, _) = app();
    // Fisher's rows 1, 51, 101, plus two borderline flowers where this linear model is
    // known to be wrong (row 71 is a versicolor it calls virginica, row 134 the reverse):
    // pinning mistakes too means any change to the weights or the maths is noticed.
    let cases: [([f32; 4], &str); 5] = [
        ([5.1, 3.5, 1.4, 0.2], "setosa"),
        ([7.0, 3.2, 4.7, 1.4], "versicolor"),
        ([6.3, 3.3, 6.0, 2.5], "virginica"),
        ([5.9, 3.2, 4.8, 1.8], "virginica"),
        ([6.3, 2.8, 5.1, 1.5], "versicolor"),
    ];
    let rows: Vec<[f32; 4]> = cases.iter().map(|(row, _)| *row).collect();
    let response = post_json(&app, "/v2/models/iris/infer", &infer_body(&rows))
        .await
        .json();
    let labels: Vec<&str> = response["outputs"][1]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let expected: Vec<&str> = cases.iter().map(|(_, label)| *label).collect();
    assert_eq!(labels, expected);

    let probabilities = response["outputs"][0]["data"].as_array().unwrap();
    let setosa_row: Vec<f64> = probabilities[..3]
        .iter()
        .map(|p| p.as_f64().unwrap())
        .collect();
    assert!(setosa_row[0] > 0.95, "{setosa_row:?}");
    assert!((setosa_row.iter().sum::<f64>() - 1.0).abs() < 1e-5);
}

#[test]
fn retraining_from_the_shipped_data_reproduces_the_embedded_weights() {
    let embedded = IrisModel::embedded().unwrap();
    let retrained = train(&Dataset::iris().unwrap(), &TrainingParams::default());
    let drift = parameter_drift(embedded.spec(), &retrained)
        .expect("same classes, features, hyper-parameters and evaluation");
    assert!(
        drift <= 1e-9,
        "weights drifted by {drift}: rerun train-iris"
    );
}

#[test]
fn the_readme_states_the_measured_accuracy() {
    let evaluation = IrisModel::embedded().unwrap().spec().evaluation;
    let held_out = format!(
        "{}/{} held-out rows",
        evaluation.test_correct, evaluation.test_rows
    );
    let trained = format!(
        "{}/{} training rows",
        evaluation.train_correct, evaluation.train_rows
    );
    assert!(README.contains(&held_out), "README must say {held_out:?}");
    assert!(README.contains(&trained), "README must say {trained:?}");
}
