//! A second team adopts a stack created elsewhere with `import` blocks by identity
//! (Terraform 1.12+): one apply imports all six resources, the state is the creator's,
//! the next plan is clean, and the state records each resource's identity, the same
//! identity the creator's state holds. One block also names the cloud.
//!
//! As in `import_each`, `deletion_window_days` stays at its default: no import can
//! read it back.

use acceptance_tests::{Terraform, TestResult, Workdir, hcl_string};
use serde_json::json;

use crate::adoption::Adoption;
use crate::expect::{arn_of, identity, same_values};
use crate::stack::{ADDRESSES, CLUSTER};

acceptance_tests::scenarios_on_terraform_1_15!(import_the_stack_by_identity_then_plan_is_clean);

fn import_the_stack_by_identity_then_plan_is_clean(terraform: &Terraform) -> TestResult {
    // Kept alive (not `_`) until the story ends: moto serves the adopter too.
    let Adoption {
        moto: _moto,
        provider,
        config,
        creator: _creator,
        created,
    } = Adoption::start(terraform)?;

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
