//! `schemas/mlcloud.json` is what Terraform really prints for the built provider, and
//! `docs/` is what scripts/docs/generate.py makes of it: both stale-proof.

use acceptance_tests::{Terraform, TestResult, Workdir, paths, providers};
use std::process::Command;

acceptance_tests::scenarios_on_terraform_1_15!(checked_in_schema_matches_terraform);

fn checked_in_schema_matches_terraform(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write(
        "versions.tf",
        r#"terraform {
  required_providers {
    mlcloud = { source = "mlcloud/mlcloud" }
  }
}
"#,
    )?;
    workdir.init()?;
    let printed = workdir.succeed(&["providers", "schema", "-json"])?;
    let live: serde_json::Value =
        serde_json::from_str(&printed.stdout).expect("terraform prints JSON");
    let path = paths::repo_root().join("schemas/mlcloud.json");
    let text = std::fs::read(&path).expect("schemas/mlcloud.json is checked in");
    let checked_in: serde_json::Value = serde_json::from_slice(&text).expect("valid JSON");
    assert!(
        live == checked_in,
        "schemas/mlcloud.json differs from `terraform providers schema -json`; run scripts/gen-docs and commit the result"
    );
    Ok(())
}

#[test]
fn docs_are_generated_from_the_checked_in_schema() {
    let root = paths::repo_root();
    let python = root.join(".venv/bin/python");
    let python = if python.exists() {
        python
    } else {
        "python3".into()
    };
    let out = Command::new(python)
        .arg(root.join("scripts/docs/generate.py"))
        .arg("--check")
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
