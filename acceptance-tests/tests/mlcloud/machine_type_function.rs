//! `provider::mlcloud::machine_type(cloud, accelerator, count)` (Terraform 1.8+).

use acceptance_tests::{Terraform, TestResult, Workdir, providers};

use crate::config::main_tf;

acceptance_tests::scenarios_on_terraform_1_15!(
    resolves_machine_types,
    rejects_an_accelerator_the_cloud_lacks,
);

fn resolves_machine_types(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let body = r#"output "aws_h100_x8" {
  value = provider::mlcloud::machine_type("aws", "nvidia-h100-80gb", 8)
}

output "gcp_l4_x1" {
  value = provider::mlcloud::machine_type("gcp", "nvidia-l4", 1)
}
"#;
    workdir.write("main.tf", &main_tf(body))?;
    workdir.init()?;
    workdir.apply()?;
    let outputs = workdir.output_json()?;
    assert_eq!(outputs.string("aws_h100_x8"), "p5.48xlarge");
    assert_eq!(outputs.string("gcp_l4_x1"), "g2-standard-4");
    Ok(())
}

fn rejects_an_accelerator_the_cloud_lacks(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let body = r#"output "tpu_on_aws" {
  value = provider::mlcloud::machine_type("aws", "tpu-v5e", 1)
}
"#;
    workdir.write("main.tf", &main_tf(body))?;
    workdir.init()?;
    workdir
        .plan_expect_error()?
        .assert_stderr_contains("tpu-v5e")
        .assert_stderr_contains("nvidia-h100-80gb");
    Ok(())
}
