//! `terraform query` (Terraform 1.14+) over the `example_item` list resource: it
//! prints what exists, filters by the list's config, and `-generate-config-out`
//! writes resources with import blocks by identity that apply imports cleanly.

use acceptance_tests::{Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::config::main_tf;
use crate::identity::identity_in_state;
use crate::store::ItemStore;

acceptance_tests::scenarios_on_terraform_1_15!(query_prints_items_and_generates_imports);

const QUERY: &str = r#"list "example_item" "all" {
  provider = example
}

list "example_item" "b" {
  provider = example
  config {
    name_prefix = "b"
  }
}
"#;

fn query_prints_items_and_generates_imports(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::tfplug_example()?])?;
    let store = ItemStore::new(&workdir)?;
    store.put_out_of_band("alpha", "first", 1);
    store.put_out_of_band("beta", "second", 2);
    workdir.write("main.tf", &main_tf(&store, ""))?;
    workdir.write("items.tfquery.hcl", QUERY)?;
    workdir.init()?;

    let listed = workdir.succeed(&["query", "-no-color"])?;
    listed
        .assert_stdout_contains("list.example_item.all   name=alpha   alpha")
        .assert_stdout_contains("list.example_item.all   name=beta    beta")
        .assert_stdout_contains("list.example_item.b   name=beta   beta");
    assert!(
        !listed.stdout.contains("list.example_item.b   name=alpha"),
        "the prefix filters: {}",
        listed.stdout
    );

    // Generate from the unfiltered list only: each item once.
    workdir.write(
        "items.tfquery.hcl",
        QUERY.split("\n\n").next().unwrap_or_default(),
    )?;
    workdir.succeed(&["query", "-no-color", "-generate-config-out=generated.tf"])?;
    let generated = std::fs::read_to_string(workdir.module_dir().join("generated.tf"))
        .expect("query wrote generated.tf");
    for expected in [
        r#"resource "example_item" "all_0" {"#,
        r#"value = "first""#,
        "identity = {\n    name = \"alpha\"\n  }",
        "identity = {\n    name = \"beta\"\n  }",
    ] {
        assert!(
            generated.contains(expected),
            "missing {expected:?} in\n{generated}"
        );
    }

    // The generated configuration imports what was found, and then matches it.
    workdir
        .apply()?
        .assert_stdout_contains("Resources: 2 imported, 0 added, 0 changed, 0 destroyed.");
    workdir.assert_no_changes()?;
    let state = workdir.state_json()?;
    assert_eq!(
        identity_in_state(&state, "example_item.all_0"),
        &json!({"name": "alpha"})
    );
    assert_eq!(
        identity_in_state(&state, "example_item.all_1"),
        &json!({"name": "beta"})
    );
    assert_eq!(store.ids(), ["item-alpha", "item-beta"]);
    Ok(())
}
