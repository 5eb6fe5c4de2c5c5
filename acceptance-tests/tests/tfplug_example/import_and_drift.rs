//! An item created elsewhere is imported into a fresh working directory, matches its
//! configuration exactly, and a value changed out of band is planned back.

use acceptance_tests::{PlanChanges, Terraform, TestResult, Workdir, providers};

use crate::config::{item, main_tf};
use crate::store::ItemStore;

acceptance_tests::scenarios_on_every_terraform!(import_then_correct_drift);

fn import_then_correct_drift(terraform: &Terraform) -> TestResult {
    let provider = providers::tfplug_example()?;
    let original = Workdir::new(terraform, std::slice::from_ref(&provider))?;
    let store = ItemStore::new(&original)?;
    let config = main_tf(&store, &item("gamma", "one"));
    original.write("main.tf", &config)?;
    original.init()?;
    original.apply()?;
    let created_at = original
        .state_json()?
        .resource("example_item.a")
        .expect("created")["created_at"]
        .clone();

    // A second working directory with the same configuration and no state.
    let adopter = Workdir::new(terraform, &[provider])?;
    adopter.write("main.tf", &config)?;
    adopter.init()?;
    adopter
        .import("example_item.a", "item-gamma")?
        .assert_stdout_contains("Import successful!");
    let state = adopter.state_json()?;
    let imported = state
        .resource("example_item.a")
        .expect("imported into state");
    assert_eq!(imported["id"], "item-gamma");
    assert_eq!(imported["name"], "gamma");
    assert_eq!(imported["value"], "one");
    assert_eq!(imported["size"], 3);
    assert_eq!(imported["tags"]["team"], "ml");
    assert_eq!(imported["created_at"], created_at);
    adopter.assert_no_changes()?;

    // Changed out of band: the plan puts the configured value back.
    store.set_value_out_of_band("item-gamma", "tampered");
    let (changes, plan) = adopter.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{plan}");
    plan.assert_stdout_contains(r#""tampered" -> "one""#)
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");
    adopter.apply()?;
    assert_eq!(store.record("item-gamma")["value"], "one");
    adopter.assert_no_changes()?;

    adopter.destroy()?;
    assert!(store.ids().is_empty(), "left behind: {:?}", store.ids());
    Ok(())
}
