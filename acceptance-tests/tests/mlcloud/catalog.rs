//! The `mlcloud_accelerators` data source: filtering the catalog, and rejecting a
//! cloud or an accelerator that does not exist, at plan time, on the right attribute.

use acceptance_tests::{Terraform, TestResult, Workdir, providers};
use serde_json::Value;

use crate::config::main_tf;

acceptance_tests::scenarios_on_every_terraform!(
    filters_by_cloud_and_type,
    unknown_cloud_lists_the_clouds,
    accelerator_not_offered_lists_what_the_cloud_offers,
);

fn filters_by_cloud_and_type(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let body = r#"data "mlcloud_accelerators" "aws_h100" {
  cloud = "aws"
  type  = "nvidia-h100-80gb"
}

data "mlcloud_accelerators" "gcp" {
  cloud = "gcp"
}

data "mlcloud_accelerators" "all" {}

output "aws_h100" {
  value = data.mlcloud_accelerators.aws_h100.accelerators
}

output "gcp" {
  value = data.mlcloud_accelerators.gcp.accelerators
}

output "all" {
  value = data.mlcloud_accelerators.all.accelerators
}
"#;
    workdir.write("main.tf", &main_tf(body))?;
    workdir.init()?;
    workdir.apply()?;
    let outputs = workdir.output_json()?;

    let aws_h100 = entries(outputs.value("aws_h100"));
    assert!(
        aws_h100
            .iter()
            .all(|entry| entry["cloud"] == "aws" && entry["type"] == "nvidia-h100-80gb"),
        "both filters apply: {aws_h100:?}"
    );
    let p5 = aws_h100
        .iter()
        .find(|entry| entry["machine_type"] == "p5.48xlarge")
        .unwrap_or_else(|| panic!("aws offers the H100 on p5.48xlarge: {aws_h100:?}"));
    assert_eq!(p5["accelerators_per_node"], 8);
    assert_eq!(p5["memory_gb"], 80);

    let gcp = entries(outputs.value("gcp"));
    assert!(gcp.iter().all(|entry| entry["cloud"] == "gcp"), "{gcp:?}");
    assert!(
        gcp.iter().any(|entry| entry["type"] == "nvidia-l4"
            && entry["machine_type"] == "g2-standard-4"
            && entry["accelerators_per_node"] == 1),
        "gcp offers the L4 on g2-standard-4: {gcp:?}"
    );
    assert!(
        gcp.iter().any(|entry| entry["type"] == "tpu-v5e"),
        "gcp offers TPUs: {gcp:?}"
    );

    let all = entries(outputs.value("all"));
    for cloud in ["aws", "azure", "gcp"] {
        assert!(
            all.iter().any(|entry| entry["cloud"] == cloud),
            "no {cloud} in {all:?}"
        );
    }
    assert!(
        all.len() > gcp.len(),
        "no filter returns more than one cloud's"
    );
    workdir.assert_no_changes()?;
    Ok(())
}

fn unknown_cloud_lists_the_clouds(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let body = r#"data "mlcloud_accelerators" "ibm" {
  cloud = "ibm"
}
"#;
    workdir.write("main.tf", &main_tf(body))?;
    workdir.init()?;

    let report = workdir.validate_json()?;
    assert!(
        !report.valid,
        "cloud = \"ibm\" should be invalid: {report:?}"
    );
    let errors = report.errors_mentioning("azure");
    assert_eq!(
        errors.len(),
        1,
        "one error should list the clouds: {report:?}"
    );
    let text = format!("{} {}", errors[0].summary, errors[0].detail);
    for cloud in ["aws", "azure", "gcp", "ibm"] {
        assert!(text.contains(cloud), "{cloud:?} missing from {text:?}");
    }
    let snippet = errors[0]
        .snippet
        .as_ref()
        .expect("the error points into main.tf");
    assert!(
        snippet.code.contains(r#"cloud = "ibm""#),
        "it should point at `cloud`: {errors:?}"
    );

    workdir
        .plan_expect_error()?
        .assert_stderr_contains(r#"cloud = "ibm""#)
        .assert_stderr_contains("azure");
    Ok(())
}

fn accelerator_not_offered_lists_what_the_cloud_offers(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let body = r#"data "mlcloud_accelerators" "tpu_on_aws" {
  cloud = "aws"
  type  = "tpu-v5e"
}
"#;
    workdir.write("main.tf", &main_tf(body))?;
    workdir.init()?;

    let report = workdir.validate_json()?;
    assert!(!report.valid, "a TPU on aws should be invalid: {report:?}");
    let errors = report.errors_mentioning("tpu-v5e");
    assert_eq!(
        errors.len(),
        1,
        "one error should name the accelerator: {report:?}"
    );
    let text = format!("{} {}", errors[0].summary, errors[0].detail);
    for offered in ["nvidia-h100-80gb", "nvidia-l4", "nvidia-t4"] {
        assert!(
            text.contains(offered),
            "aws offers {offered:?}; missing from {text:?}"
        );
    }
    let snippet = errors[0]
        .snippet
        .as_ref()
        .expect("the error points into main.tf");
    assert!(
        snippet.code.contains(r#"type  = "tpu-v5e""#),
        "it should point at `type`: {errors:?}"
    );

    workdir
        .plan_expect_error()?
        .assert_stderr_contains("tpu-v5e");
    Ok(())
}

#[track_caller]
fn entries(value: &Value) -> &Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("accelerators should be a list: {value}"))
}
