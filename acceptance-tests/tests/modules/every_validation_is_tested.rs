//! Every `validation` block of a module's variables has a plan-only run in its
//! `tests/validation.tftest.hcl` that expects that variable to fail: a validation added
//! without a test fails here (the run itself is checked by `terraform test`).

use std::collections::BTreeMap;

use crate::module_tests::module_path;

/// Validation blocks per variable, from the module's `variables.tf` (as `terraform
/// fmt` lays it out: `variable "NAME" {` at the start of a line, `  validation {`
/// inside).
fn validations(variables_tf: &str) -> BTreeMap<String, usize> {
    format!("\n{variables_tf}")
        .split("\nvariable \"")
        .skip(1)
        .filter_map(|block| {
            let name = block.split('"').next()?.to_string();
            Some((name, block.matches("\n  validation {").count()))
        })
        .collect()
}

/// Runs expecting each variable to fail, from `expect_failures = [var.NAME]` lines.
fn expected_failures(tests: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in tests.lines() {
        if let Some(rest) = line.trim().strip_prefix("expect_failures = [var.") {
            let name = rest.trim_end_matches(']').to_string();
            *counts.entry(name).or_insert(0) += 1;
        }
    }
    counts
}

fn assert_each_validation_has_a_run(module: &str) {
    let dir = module_path(module);
    let variables = std::fs::read_to_string(dir.join("variables.tf")).expect("variables.tf");
    let tests = std::fs::read_to_string(dir.join("tests/validation.tftest.hcl"))
        .expect("tests/validation.tftest.hcl");
    let runs = expected_failures(&tests);
    let mut missing = Vec::new();
    for (name, count) in validations(&variables) {
        let tested = runs.get(&name).copied().unwrap_or(0);
        if tested < count {
            missing.push(format!("var.{name}: {count} validations, {tested} runs"));
        }
    }
    assert!(
        missing.is_empty(),
        "modules/{module}/tests/validation.tftest.hcl lacks runs for: {missing:?}"
    );
}

#[test]
fn aws_ml_platform() {
    assert_each_validation_has_a_run("aws-ml-platform");
}

#[test]
fn azure_ml_platform() {
    assert_each_validation_has_a_run("azure-ml-platform");
}

#[test]
fn gcp_ml_platform() {
    assert_each_validation_has_a_run("gcp-ml-platform");
}

#[test]
fn ml_platform() {
    assert_each_validation_has_a_run("ml-platform");
}

#[test]
fn the_reader_counts_blocks_and_runs() {
    let variables = "\nvariable \"a\" {\n  validation {\n  }\n  validation {\n  }\n}\n\nvariable \"b\" {\n  type = string\n}\n";
    let found = validations(variables);
    assert_eq!(found["a"], 2);
    assert_eq!(found["b"], 0);
    let runs = expected_failures("run \"x\" {\n  expect_failures = [var.a]\n}\n");
    assert_eq!(runs["a"], 1);
}
