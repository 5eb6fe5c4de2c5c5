//! `examples/accelerators` (what `scripts/try accelerators` applies) gives the catalog's
//! answers; its `functions/` part gives the same through the provider function.

use acceptance_tests::{Terraform, TestResult, Workdir, paths, providers};
use serde_json::json;

acceptance_tests::scenarios_on_every_terraform!(example_lists_h100_and_l4_offerings);
acceptance_tests::scenarios_on_terraform_1_15!(functions_example_resolves_machine_types);

fn example_lists_h100_and_l4_offerings(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.copy_module(&paths::example_module("accelerators"))?;
    workdir.init()?;
    workdir.apply()?;
    let outputs = workdir.output_json()?;

    let h100 = outputs.value("h100");
    assert!(
        h100["aws"].as_array().is_some_and(|offers| offers.contains(
            &json!({ "machine_type": "p5.48xlarge", "accelerators_per_node": 8, "memory_gb": 80 })
        )),
        "{h100}"
    );
    assert!(
        h100["azure"].as_array().is_some_and(|offers| offers
            .iter()
            .any(|offer| offer["machine_type"] == "Standard_ND96isr_H100_v5")),
        "{h100}"
    );
    assert!(
        h100["gcp"].as_array().is_some_and(|offers| offers
            .iter()
            .any(|offer| offer["machine_type"] == "a3-highgpu-8g")),
        "{h100}"
    );

    let l4 = outputs.value("gcp_l4_machine_types");
    assert_eq!(l4["g2-standard-4"], 1, "{l4}");
    assert_eq!(l4["g2-standard-96"], 8, "{l4}");
    workdir.assert_no_changes()?;
    Ok(())
}

fn functions_example_resolves_machine_types(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.copy_module(&paths::example_module("accelerators").join("functions"))?;
    workdir.init()?;
    workdir.apply()?;
    let outputs = workdir.output_json()?;
    assert_eq!(outputs.string("aws_h100_node"), "p5.48xlarge");
    assert_eq!(outputs.string("gcp_l4_node"), "g2-standard-4");
    Ok(())
}
