//! The terraform commands scripts/setup installs are the ones the scenarios expect.

use acceptance_tests::{Terraform, TerraformRelease, TestResult};

#[test]
fn terraform_1_15_is_installed() -> TestResult {
    let terraform = Terraform::locate(TerraformRelease::V1_15)?;
    assert!(
        terraform.version().starts_with("1.15."),
        "{}",
        terraform.version()
    );
    assert!(terraform.supports_functions());
    Ok(())
}

#[test]
fn terraform_1_0_3_is_installed() -> TestResult {
    let terraform = Terraform::locate(TerraformRelease::V1_0_3)?;
    assert_eq!(terraform.version(), "1.0.3");
    assert!(!terraform.supports_functions());
    Ok(())
}
