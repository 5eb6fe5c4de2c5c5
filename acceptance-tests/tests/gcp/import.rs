//! A second team adopts a Google Cloud stack created elsewhere: each of the four
//! resources (key, identities, cluster, GPU pool and multi-host TPU slice) imported by
//! its resource name with `terraform import` (1.15 and 1.0.3), and by identity with
//! `import` blocks (1.15); the imported state holds what the creator's does (the
//! slice's `tpu { topology }` read from GKE's placement policy) and the next plan is
//! empty.

use acceptance_tests::{MlcloudEmulator, State, Terraform, TestResult, hcl_string};
use serde_json::{Value, json};

use crate::stack::{ADDRESSES, CLUSTER, STACK, TPU_POOL, id_of, workdir};

/// What the stories import: the whole stack.
fn imported() -> impl Iterator<Item = &'static str> {
    ADDRESSES.into_iter()
}

acceptance_tests::scenarios_on_every_terraform!(import_every_resource_by_its_name);
acceptance_tests::scenarios_on_terraform_1_15!(import_the_stack_by_identity);

/// The stack applied by its creator: the emulator (kept alive by the caller) and the
/// creator's state.
fn created_stack(
    terraform: &Terraform,
) -> Result<(MlcloudEmulator, State), acceptance_tests::HarnessError> {
    let emulator = MlcloudEmulator::start(&[])?;
    let creator = workdir(terraform, &emulator, STACK)?;
    creator.apply()?;
    let state = creator.state_json()?;
    let slice = state.resource(TPU_POOL).expect("the TPU slice");
    assert_eq!(slice["tpu"]["topology"], "2x4", "{slice}");
    Ok((emulator, state))
}

/// Every attribute the creator's state holds at `address` has the same value in the
/// importer's.
#[track_caller]
fn same_values(address: &str, imported: &State, created: &State) {
    let (mine, theirs) = (
        imported.resource(address).expect("imported"),
        created.resource(address).expect("created"),
    );
    let differing: Vec<&String> = theirs
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(attribute, value)| mine.get(attribute.as_str()) != Some(value))
        .map(|(attribute, _)| attribute)
        .collect();
    assert!(
        differing.is_empty(),
        "{address}: imported {differing:?} differ\nimported: {mine}\ncreated:  {theirs}"
    );
}

fn identity<'a>(state: &'a State, address: &str) -> &'a Value {
    state.0["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == address)
        .map(|r| &r["identity"])
        .unwrap_or_else(|| panic!("{address} is not in state: {}", state.0))
}

fn import_every_resource_by_its_name(terraform: &Terraform) -> TestResult {
    let (emulator, created) = created_stack(terraform)?;
    let adopter = workdir(terraform, &emulator, STACK)?;
    for address in imported() {
        adopter
            .import(address, &id_of(&created, address))?
            .assert_stdout_contains("Import successful!");
    }
    let state = adopter.state_json()?;
    for address in imported() {
        same_values(address, &state, &created);
    }
    adopter.assert_no_changes()?;
    Ok(())
}

fn import_the_stack_by_identity(terraform: &Terraform) -> TestResult {
    let (emulator, created) = created_stack(terraform)?;
    let adopter = workdir(terraform, &emulator, STACK)?;
    let blocks: Vec<String> = imported()
        .map(|address| {
            // The cluster's block also names the cloud; the others leave it to the id.
            let cloud = if address == CLUSTER {
                ", cloud = \"gcp\""
            } else {
                ""
            };
            format!(
                "import {{\n  to       = {address}\n  identity = {{ id = {}{cloud} }}\n}}\n",
                hcl_string(&id_of(&created, address))
            )
        })
        .collect();
    adopter.write("imports.tf", &blocks.join("\n"))?;
    adopter
        .plan()?
        .assert_stdout_contains("Plan: 7 to import, 0 to add, 0 to change, 0 to destroy.");
    adopter.apply()?.assert_stdout_contains(
        "Apply complete! Resources: 7 imported, 0 added, 0 changed, 0 destroyed.",
    );
    let state = adopter.state_json()?;
    for address in imported() {
        same_values(address, &state, &created);
        let expected = json!({ "id": id_of(&created, address), "cloud": "gcp" });
        assert_eq!(identity(&state, address), &expected, "{address}");
        assert_eq!(
            identity(&created, address),
            &expected,
            "{address}: as created"
        );
    }
    adopter.assert_no_changes()?;
    Ok(())
}
