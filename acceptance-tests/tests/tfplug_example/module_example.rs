//! `examples/tfplug-example`, the documented module, runs as written.

use acceptance_tests::{Terraform, TestResult, Workdir, hcl_string, paths, providers};

use crate::store::ItemStore;

acceptance_tests::scenarios_on_every_terraform!(documented_example_applies_and_destroys);

fn documented_example_applies_and_destroys(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::tfplug_example()?])?;
    let store = ItemStore::new(&workdir)?;
    workdir.copy_module(&paths::example_module("tfplug-example"))?;
    workdir.write(
        "terraform.tfvars",
        &format!(
            "state_dir = {}\n",
            hcl_string(&store.dir().display().to_string())
        ),
    )?;
    workdir.init()?;
    workdir.apply()?;

    let outputs = workdir.output_json()?;
    assert_eq!(outputs.string("item_id"), "item-demo");
    assert_eq!(outputs.string("looked_up_value"), "hello");
    assert!(!outputs.string("created_at").is_empty());
    assert_eq!(store.ids(), ["item-demo"]);
    workdir.assert_no_changes()?;

    workdir.destroy()?;
    assert!(store.ids().is_empty(), "left behind: {:?}", store.ids());
    Ok(())
}
