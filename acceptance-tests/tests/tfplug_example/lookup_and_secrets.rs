//! The `example_lookup` data source reads an item back; a sensitive attribute never
//! shows in Terraform's output.

use acceptance_tests::{CommandOutput, Terraform, TestResult, Workdir, providers};

use crate::config::main_tf;
use crate::store::ItemStore;

acceptance_tests::scenarios_on_every_terraform!(
    lookup_reads_the_item_and_hides_its_secret,
    lookup_of_a_missing_item_fails
);

const SECRET: &str = "hunter2-never-printed";

fn lookup_reads_the_item_and_hides_its_secret(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::tfplug_example()?])?;
    let store = ItemStore::new(&workdir)?;
    let body = format!(
        r#"resource "example_item" "a" {{
  name   = "delta"
  value  = "visible"
  secret = "{SECRET}"
}}

data "example_lookup" "a" {{
  name = example_item.a.name
}}

output "looked_up_id" {{
  value = data.example_lookup.a.id
}}

output "looked_up_value" {{
  value = data.example_lookup.a.value
}}
"#
    );
    workdir.write("main.tf", &main_tf(&store, &body))?;
    workdir.init()?;

    let plan = workdir.plan()?;
    plan.assert_never_prints(SECRET);
    assert_shows_secret_as_sensitive(&plan);
    workdir.apply()?.assert_never_prints(SECRET);

    let outputs = workdir.output_json()?;
    assert_eq!(outputs.string("looked_up_id"), "item-delta");
    assert_eq!(outputs.string("looked_up_value"), "visible");
    // The secret reaches the provider (it is stored) without ever being displayed.
    assert_eq!(store.record("item-delta")["secret"], SECRET);
    workdir.assert_no_changes()?;
    Ok(())
}

fn lookup_of_a_missing_item_fails(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::tfplug_example()?])?;
    let store = ItemStore::new(&workdir)?;
    let body = r#"data "example_lookup" "missing" {
  name = "nobody"
}
"#;
    workdir.write("main.tf", &main_tf(&store, body))?;
    workdir.init()?;
    workdir
        .plan_expect_error()?
        .assert_stderr_contains("nobody")
        .assert_stderr_contains(r#"data "example_lookup" "missing""#);
    Ok(())
}

#[track_caller]
fn assert_shows_secret_as_sensitive(plan: &CommandOutput) {
    let shown = plan
        .stdout
        .lines()
        .any(|line| line.contains("secret") && line.contains("(sensitive value)"));
    assert!(
        shown,
        "the plan should show `secret = (sensitive value)`\n{plan}"
    );
}
