//! A second team adopts an Azure stack with `import` blocks by identity (Terraform
//! 1.12+): one apply imports the key, both identities, the cluster and the GPU pool;
//! the state holds the creator's values and the same identities `{ id, cloud }`, and
//! the next plan is empty. The cluster's block also names the cloud.

use acceptance_tests::{Terraform, TestResult, Workdir, hcl_string};
use serde_json::json;

use crate::stack::{ADDRESSES, Applied, CLUSTER, STACK, id_of, identity, main_tf, same_values};

acceptance_tests::scenarios_on_terraform_1_15!(import_the_stack_by_identity_then_plan_is_clean);

fn import_the_stack_by_identity_then_plan_is_clean(terraform: &Terraform) -> TestResult {
    let Applied {
        emulator,
        arm: _arm,
        provider,
        workdir: creator,
    } = Applied::start(terraform, &[], STACK)?;
    let created = creator.state_json()?;

    let adopter = Workdir::new(terraform, &[provider])?;
    adopter.write("main.tf", &main_tf(&emulator, STACK))?;
    let blocks: Vec<String> = ADDRESSES
        .iter()
        .map(|address| {
            let cloud = if *address == CLUSTER {
                ", cloud = \"azure\""
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
    adopter.init()?;

    adopter
        .plan()?
        .assert_stdout_contains("Plan: 5 to import, 0 to add, 0 to change, 0 to destroy.");
    let applied = adopter.apply()?;
    applied.assert_stdout_contains(
        "Apply complete! Resources: 5 imported, 0 added, 0 changed, 0 destroyed.",
    );
    for address in ADDRESSES {
        applied.assert_stdout_contains(&format!(
            "{address}: Import complete [identity=cloud=azure,id={}]",
            id_of(&created, address)
        ));
    }

    let imported = adopter.state_json()?;
    for address in ADDRESSES {
        same_values(address, &imported, &created);
        let expected = json!({ "id": id_of(&created, address), "cloud": "azure" });
        assert_eq!(identity(&imported, address), &expected, "{address}");
        assert_eq!(
            identity(&created, address),
            &expected,
            "{address} as created"
        );
    }
    adopter.assert_no_changes()?;
    Ok(())
}
