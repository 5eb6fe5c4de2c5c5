//! A second team adopts a stack created elsewhere: a fresh working directory with the
//! same configuration imports each resource by its ARN, gets the same state the
//! creator has, and then plans no changes.
//!
//! The configuration leaves `deletion_window_days` at its default: it is no AWS
//! setting (only used when destroying), so no import can read it back.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};

use crate::expect::resource;
use crate::stack::{ADDRESSES, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(import_every_resource_by_its_arn);

fn import_every_resource_by_its_arn(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
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
        let (mine, theirs) = (resource(&imported, address), resource(&created, address));
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
    adopter.assert_no_changes()?;
    Ok(())
}
