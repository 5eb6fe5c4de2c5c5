//! `GET /v2/smoke`: one call that tells a deployer whether this replica really works —
//! the model gives the known answers, and the GPU (where one is visible) passed its
//! check. `mlcloud_serving_endpoint` turns this into `smoke_test_result { passed,
//! latency_ms, device }`.

use std::time::Instant;

use serde::Serialize;

use crate::accel::{AcceleratorReport, NO_GPU};
use crate::model::{FEATURES, IrisModel};

/// Inputs with known answers: the first row of each species in Fisher's table.
pub const KNOWN_CASES: [([f32; FEATURES], &str); 3] = [
    ([5.1, 3.5, 1.4, 0.2], "setosa"),
    ([7.0, 3.2, 4.7, 1.4], "versicolor"),
    ([6.3, 3.3, 6.0, 2.5], "virginica"),
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmokeResult {
    /// The model check passed and, if a GPU is visible, so did the GPU check.
    pub passed: bool,
    /// Where the check ran: `cuda:0 (<name>)` after a passed GPU check, else `cpu`.
    pub device: String,
    /// Server-side time to produce this result.
    pub latency_ms: f64,
    pub summary: String,
    pub model_check: ModelCheck,
    pub accelerators: AcceleratorReport,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelCheck {
    pub passed: bool,
    pub cases: Vec<CaseResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    pub input: [f32; FEATURES],
    pub expected: &'static str,
    pub predicted: String,
    pub probability: f32,
}

/// Runs the model on [`KNOWN_CASES`] and combines that with the accelerator report.
pub fn run(model: &IrisModel, accelerators: AcceleratorReport, started: Instant) -> SmokeResult {
    let cases: Vec<CaseResult> = KNOWN_CASES
        .iter()
        .map(|(input, expected)| {
            let prediction = model.predict(*input);
            CaseResult {
                input: *input,
                expected,
                predicted: model.classes()[prediction.class_index].clone(),
                probability: prediction.probabilities[prediction.class_index],
            }
        })
        .collect();
    let model_passed = cases.iter().all(|case| case.predicted == case.expected);
    let gpu = &accelerators.gpu_check;
    let gpu_ok = !accelerators.gpu_visible || gpu.passed;
    let device = match (&gpu.device, gpu.passed) {
        (Some(device), true) => device.clone(),
        _ => "cpu".to_owned(),
    };
    let model_part = if model_passed {
        format!(
            "model answered {} of {} known inputs correctly",
            cases.len(),
            cases.len()
        )
    } else {
        "model gave a wrong answer for a known input".to_owned()
    };
    let gpu_part = if accelerators.gpu_visible {
        accelerators.summary.clone()
    } else {
        format!("{NO_GPU}, ran on the CPU")
    };
    SmokeResult {
        passed: model_passed && gpu_ok,
        device,
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        summary: format!("{model_part}; {gpu_part}"),
        model_check: ModelCheck {
            passed: model_passed,
            cases,
        },
        accelerators,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accel::{DriverFiles, GpuCheck, LibraryStatus};

    fn report(gpu_visible: bool, check_passed: bool) -> AcceleratorReport {
        AcceleratorReport {
            gpu_visible,
            summary: if gpu_visible {
                "1 NVIDIA GPU(s) visible: Fake".into()
            } else {
                NO_GPU.into()
            },
            devices: vec![],
            driver_version: None,
            driver_files: DriverFiles::default(),
            nvml: LibraryStatus {
                loaded: false,
                library: None,
                error: None,
            },
            gpu_check: GpuCheck {
                ran: gpu_visible,
                passed: check_passed,
                device: gpu_visible.then(|| "cuda:0 (Fake)".to_owned()),
                detail: String::new(),
                duration_ms: 0.0,
            },
        }
    }

    #[test]
    fn without_a_gpu_the_check_passes_on_the_cpu() {
        let model = IrisModel::embedded().unwrap();
        let result = run(&model, report(false, false), Instant::now());
        assert!(result.passed);
        assert_eq!(result.device, "cpu");
        assert!(result.model_check.passed);
        assert_eq!(result.model_check.cases.len(), 3);
        assert_eq!(
            result.summary,
            "model answered 3 of 3 known inputs correctly; no NVIDIA GPU visible, ran on the CPU"
        );
    }

    #[test]
    fn a_visible_gpu_must_pass_its_check() {
        let model = IrisModel::embedded().unwrap();
        let passed = run(&model, report(true, true), Instant::now());
        assert!(passed.passed);
        assert_eq!(passed.device, "cuda:0 (Fake)");
        let failed = run(&model, report(true, false), Instant::now());
        assert!(!failed.passed);
        assert_eq!(failed.device, "cpu");
    }
}
