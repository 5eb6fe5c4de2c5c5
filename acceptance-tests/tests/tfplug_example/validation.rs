//! Bad input is rejected before anything is created, with a diagnostic that points at
//! the attribute at fault.

use acceptance_tests::{Terraform, TestResult, Workdir, providers};

use crate::config::main_tf;
use crate::store::ItemStore;

acceptance_tests::scenarios_on_every_terraform!(size_out_of_range, name_not_allowed);

fn size_out_of_range(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::tfplug_example()?])?;
    let store = ItemStore::new(&workdir)?;
    let body = r#"resource "example_item" "a" {
  name = "sized"
  size = 500
}
"#;
    workdir.write("main.tf", &main_tf(&store, body))?;
    workdir.init()?;

    let report = workdir.validate_json()?;
    assert!(!report.valid, "size = 500 should be invalid: {report:?}");
    let errors = report.errors_mentioning("between 1 and 100");
    assert_eq!(errors.len(), 1, "{report:?}");
    let error = errors[0];
    assert!(
        error.detail.contains("500") || error.summary.contains("500"),
        "the diagnostic should name the value given: {error:?}"
    );
    let snippet = error
        .snippet
        .as_ref()
        .expect("the diagnostic points into main.tf");
    assert!(
        snippet.code.contains("size = 500"),
        "it should point at `size`: {error:?}"
    );

    workdir
        .plan_expect_error()?
        .assert_stderr_contains("between 1 and 100");
    assert!(
        store.ids().is_empty(),
        "nothing is created: {:?}",
        store.ids()
    );
    Ok(())
}

fn name_not_allowed(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::tfplug_example()?])?;
    let store = ItemStore::new(&workdir)?;
    let body = r#"resource "example_item" "a" {
  name = "Not_Allowed"
}
"#;
    workdir.write("main.tf", &main_tf(&store, body))?;
    workdir.init()?;

    let report = workdir.validate_json()?;
    assert!(
        !report.valid,
        "an upper-case name should be invalid: {report:?}"
    );
    let pointing_at_name: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == "error")
        .filter(|diagnostic| {
            diagnostic
                .snippet
                .as_ref()
                .is_some_and(|snippet| snippet.code.contains(r#"name = "Not_Allowed""#))
        })
        .collect();
    assert_eq!(
        pointing_at_name.len(),
        1,
        "one error should point at `name`: {report:?}"
    );

    workdir
        .plan_expect_error()?
        .assert_stderr_contains("Not_Allowed");
    assert!(
        store.ids().is_empty(),
        "nothing is created: {:?}",
        store.ids()
    );
    Ok(())
}
