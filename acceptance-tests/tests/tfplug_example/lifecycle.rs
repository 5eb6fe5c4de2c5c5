//! Create, plan clean, update in place, replace, refresh, lose the item out of band,
//! destroy: checked in Terraform's state and in the provider's own records.

use acceptance_tests::{PlanChanges, Terraform, TestResult, Workdir, providers};

use crate::config::{item, main_tf};
use crate::store::ItemStore;

acceptance_tests::scenarios_on_every_terraform!(create_update_replace_drift_destroy);

fn create_update_replace_drift_destroy(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::tfplug_example()?])?;
    let store = ItemStore::new(&workdir)?;

    // Create.
    workdir.write("main.tf", &main_tf(&store, &item("alpha", "one")))?;
    workdir.init()?;
    let report = workdir.validate_json()?;
    assert!(
        report.valid,
        "the configuration should be valid: {report:?}"
    );
    workdir
        .plan()?
        .assert_stdout_contains("example_item.a will be created")
        .assert_stdout_contains("Plan: 1 to add, 0 to change, 0 to destroy.");
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");

    let state = workdir.state_json()?;
    let created = state
        .resource("example_item.a")
        .expect("example_item.a is in state");
    assert_eq!(created["id"], "item-alpha");
    assert_eq!(created["name"], "alpha");
    assert_eq!(created["value"], "one");
    assert_eq!(created["size"], 3);
    assert_eq!(created["tags"]["team"], "ml");
    let created_at = created["created_at"]
        .as_str()
        .expect("created_at is a string")
        .to_owned();
    assert!(!created_at.is_empty());
    assert_eq!(store.ids(), ["item-alpha"]);
    assert_eq!(store.record("item-alpha")["value"], "one");
    workdir.assert_no_changes()?;

    // Update in place: same item, same creation time.
    workdir.write("main.tf", &main_tf(&store, &item("alpha", "two")))?;
    workdir
        .plan()?
        .assert_stdout_contains("example_item.a will be updated in-place")
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.");
    workdir.apply()?;
    let state = workdir.state_json()?;
    let updated = state
        .resource("example_item.a")
        .expect("example_item.a is in state");
    assert_eq!(updated["id"], "item-alpha");
    assert_eq!(updated["value"], "two");
    assert_eq!(updated["created_at"], created_at.as_str());
    assert_eq!(store.record("item-alpha")["value"], "two");
    workdir.assert_no_changes()?;

    // A new name replaces the item.
    workdir.write("main.tf", &main_tf(&store, &item("beta", "two")))?;
    workdir
        .plan()?
        .assert_stdout_contains("example_item.a must be replaced")
        .assert_stdout_contains("Plan: 1 to add, 0 to change, 1 to destroy.");
    workdir.apply()?;
    assert_eq!(store.ids(), ["item-beta"]);
    assert_eq!(
        workdir
            .state_json()?
            .resource("example_item.a")
            .expect("replaced, not removed")["id"],
        "item-beta"
    );

    // Refreshing an unchanged item keeps it.
    workdir.refresh()?;
    assert_eq!(workdir.state_json()?.addresses(), ["example_item.a"]);
    workdir.assert_no_changes()?;

    // Deleted out of band: refresh drops it from state, and the plan creates it again.
    store.delete_out_of_band("item-beta");
    workdir.refresh()?;
    assert!(workdir.state_json()?.addresses().is_empty());
    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{plan}");
    plan.assert_stdout_contains("example_item.a will be created");
    workdir.apply()?;
    assert_eq!(store.ids(), ["item-beta"]);

    // Destroy leaves nothing, in state or in the provider's store.
    workdir
        .destroy()?
        .assert_stdout_contains("Destroy complete! Resources: 1 destroyed.");
    assert!(store.ids().is_empty(), "left behind: {:?}", store.ids());
    assert!(workdir.state_json()?.addresses().is_empty());
    Ok(())
}
