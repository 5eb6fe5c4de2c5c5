//! A second team adopts a stack created elsewhere with `import` blocks by identity
//! (Terraform 1.12+): one apply imports all six resources, the state is the creator's,
//! the next plan is clean, and the state records each resource's identity, the same
//! identity the creator's state holds. One block also names the cloud.
//!
//! As in `import_each`, `deletion_window_days` stays at its default: no import can
//! read it back.

use acceptance_tests::{State, Terraform, TestResult, Workdir, hcl_string, providers};
use serde_json::{Value, json};

use crate::expect::resource;
use crate::stack::{ADDRESSES, CLUSTER, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(import_the_stack_by_identity_then_plan_is_clean);

fn import_the_stack_by_identity_then_plan_is_clean(terraform: &Terraform) -> TestResult {
    let moto = acceptance_tests::Moto::start()?;
    let network = moto.sdk().create_network()?;
    let provider = providers::mlcloud()?;
    let mut stack = Stack::new(&network);
    stack.deletion_window_days = None;
    let config = stack.main_tf(&moto);

    let creator = Workdir::new(terraform, std::slice::from_ref(&provider))?;
    creator.write("main.tf", &config)?;
    creator.init()?;
    creator.apply()?;
    let created = creator.state_json()?;

    let adopter = Workdir::new(terraform, &[provider])?;
    adopter.write("main.tf", &config)?;
    let blocks: Vec<String> = ADDRESSES
        .iter()
        .map(|address| {
            let arn = arn_of(&created, address);
            // The cluster's block also says which cloud; the others leave it to the id.
            let cloud = if *address == CLUSTER {
                ", cloud = \"aws\""
            } else {
                ""
            };
            format!(
                "import {{\n  to       = {address}\n  identity = {{ id = {}{cloud} }}\n}}\n",
                hcl_string(&arn)
            )
        })
        .collect();
    adopter.write("imports.tf", &blocks.join("\n"))?;
    adopter.init()?;

    let plan = adopter.plan()?;
    plan.assert_stdout_contains("Plan: 6 to import, 0 to add, 0 to change, 0 to destroy.");
    // Terraform prints the identity as written (a cloud left out is null).
    for address in ADDRESSES {
        let arn = arn_of(&created, address);
        let cloud = if address == CLUSTER { "aws" } else { "<null>" };
        plan.assert_stdout_contains(&format!(
            "{address}: Preparing import... [identity=cloud={cloud},id={arn}]"
        ));
    }
    let applied = adopter.apply()?;
    applied.assert_stdout_contains(
        "Apply complete! Resources: 6 imported, 0 added, 0 changed, 0 destroyed.",
    );
    // What the provider read back: the identity with its cloud filled in.
    for address in ADDRESSES {
        let arn = arn_of(&created, address);
        applied.assert_stdout_contains(&format!(
            "{address}: Import complete [identity=cloud=aws,id={arn}]"
        ));
    }

    let imported = adopter.state_json()?;
    for address in ADDRESSES {
        same_values(address, &imported, &created);
        let arn = arn_of(&created, address);
        let expected = json!({ "id": arn, "cloud": "aws" });
        assert_eq!(identity(&imported, address), &expected, "{address}");
        assert_eq!(
            identity(&created, address),
            &expected,
            "{address}: a created resource has the same identity"
        );
    }
    adopter.assert_no_changes()?;
    Ok(())
}

/// The `id` (an ARN) of the resource at `address`.
#[track_caller]
pub fn arn_of(state: &State, address: &str) -> String {
    let arn = resource(state, address)["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        arn.starts_with("arn:aws:"),
        "{address} is known by its ARN: {arn:?}"
    );
    arn
}

/// The identity Terraform stored for the resource at `address` (`show -json`).
#[track_caller]
pub fn identity<'a>(state: &'a State, address: &str) -> &'a Value {
    state.0["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == address)
        .map(|r| &r["identity"])
        .unwrap_or_else(|| panic!("{address} is not in state: {}", state.0))
}

/// Every attribute of `theirs` at `address` has the same value in `mine`.
#[track_caller]
pub fn same_values(address: &str, mine: &State, theirs: &State) {
    let (mine, theirs) = (resource(mine, address), resource(theirs, address));
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
