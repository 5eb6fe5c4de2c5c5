//! Resource identity (Terraform 1.12+): an item made outside Terraform is imported by
//! its identity with an `import` block, the plan is then clean, and the state records
//! the identity. (Terraform 1.0.3, which knows no identity, runs the same provider
//! through the life cycle and import scenarios.)

use acceptance_tests::{State, Terraform, TestResult, Workdir, providers};
use serde_json::{Value, json};

use crate::config::main_tf;
use crate::store::ItemStore;

acceptance_tests::scenarios_on_terraform_1_15!(import_by_identity_then_plan_is_clean);

/// The identity Terraform stored for the resource at `address`.
pub fn identity_in_state<'a>(state: &'a State, address: &str) -> &'a Value {
    state.0["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == address)
        .map(|r| &r["identity"])
        .unwrap_or_else(|| panic!("{address} is not in state: {}", state.0))
}

fn import_by_identity_then_plan_is_clean(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::tfplug_example()?])?;
    let store = ItemStore::new(&workdir)?;
    store.put_out_of_band("epsilon", "made by hand", 7);
    let body = r#"import {
  to       = example_item.x
  identity = { name = "epsilon" }
}

resource "example_item" "x" {
  name  = "epsilon"
  value = "made by hand"
  size  = 7
  tags = {
    made-by = "console"
  }
}
"#;
    workdir.write("main.tf", &main_tf(&store, body))?;
    workdir.init()?;
    workdir
        .plan()?
        .assert_stdout_contains("example_item.x: Preparing import... [identity=name=epsilon]")
        .assert_stdout_contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.");
    workdir
        .apply()?
        .assert_stdout_contains("example_item.x: Import complete [identity=name=epsilon]")
        .assert_stdout_contains(
            "Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.",
        );

    let state = workdir.state_json()?;
    let imported = state.resource("example_item.x").expect("imported");
    assert_eq!(imported["id"], "item-epsilon");
    assert_eq!(imported["created_at"], "1700000000");
    assert_eq!(
        identity_in_state(&state, "example_item.x"),
        &json!({"name": "epsilon"})
    );
    workdir.assert_no_changes()?;

    // An identity naming no item is refused, not imported as an empty object.
    let missing = r#"import {
  to       = example_item.y
  identity = { name = "nobody" }
}

resource "example_item" "y" {
  name = "nobody"
}
"#;
    workdir.write("missing.tf", missing)?;
    workdir
        .plan_expect_error()?
        .assert_stderr_contains("Error: Cannot import non-existent remote object");
    std::fs::remove_file(workdir.module_dir().join("missing.tf")).expect("missing.tf is removable");

    workdir.destroy()?;
    assert!(store.ids().is_empty(), "left behind: {:?}", store.ids());
    Ok(())
}
