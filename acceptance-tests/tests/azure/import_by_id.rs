//! A second team adopts an Azure stack created elsewhere: a fresh working directory
//! with the same configuration imports the key, both identities, the cluster and the
//! GPU pool by their ARM ids with `terraform import`, holds the creator's values, and
//! then plans no changes. Also on Terraform 1.0.3.

use acceptance_tests::{Terraform, TestResult, Workdir};

use crate::stack::{ADDRESSES, Applied, STACK, id_of, main_tf, same_values};

acceptance_tests::scenarios_on_every_terraform!(import_every_resource_by_its_arm_id);

fn import_every_resource_by_its_arm_id(terraform: &Terraform) -> TestResult {
    let Applied {
        emulator,
        arm: _arm,
        provider,
        workdir: creator,
    } = Applied::start(terraform, &[], STACK)?;
    let created = creator.state_json()?;

    let adopter = Workdir::new(terraform, &[provider])?;
    adopter.write("main.tf", &main_tf(&emulator, STACK))?;
    adopter.init()?;
    for address in ADDRESSES {
        adopter
            .import(address, &id_of(&created, address))?
            .assert_stdout_contains("Import successful!");
    }
    let imported = adopter.state_json()?;
    for address in ADDRESSES {
        same_values(address, &imported, &created);
    }
    adopter.assert_no_changes()?;
    Ok(())
}
