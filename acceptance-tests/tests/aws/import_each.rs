//! A second team adopts a stack created elsewhere: a fresh working directory with the
//! same configuration imports each resource by its ARN, gets the same state the
//! creator has, and then plans no changes.
//!
//! The configuration leaves `deletion_window_days` at its default: it is no AWS
//! setting (only used when destroying), so no import can read it back.

use acceptance_tests::{Terraform, TestResult, Workdir};

use crate::adoption::Adoption;
use crate::expect::{resource, same_values};
use crate::stack::ADDRESSES;

acceptance_tests::scenarios_on_every_terraform!(import_every_resource_by_its_arn);

fn import_every_resource_by_its_arn(terraform: &Terraform) -> TestResult {
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
    adopter.init()?;
    for address in ADDRESSES {
        let arn = resource(&created, address)["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            arn.starts_with("arn:aws:"),
            "{address} is known by its ARN: {arn:?}"
        );
        adopter
            .import(address, &arn)?
            .assert_stdout_contains("Import successful!");
    }

    let imported = adopter.state_json()?;
    for address in ADDRESSES {
        same_values(address, &imported, &created);
    }
    adopter.assert_no_changes()?;
    Ok(())
}
