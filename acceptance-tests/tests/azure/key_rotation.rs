//! A rotation-period change of a key in its dedicated vault (public network access
//! off, as mlcloud makes it): Azure Resource Manager never updates a key, so the
//! change needs the vault's data plane, which answers only over a private endpoint.
//! The plan warns about that on the attribute; from outside, the apply fails with
//! Key Vault's `ForbiddenByConnection` and what to do, the state keeps the old
//! period, and going back to it leaves nothing to do.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, Workdir, providers};

use crate::admins_and_upgrades::unwrapped;
use crate::arm::Arm;
use crate::bad_input::{TERRAFORM_BLOCK, provider_block};
use crate::stack::GROUP;
use crate::stack_lifecycle::count;

acceptance_tests::scenarios_on_terraform_1_15!(a_rotation_change_needs_the_private_endpoint);

const KEY: &str = r#"
resource "mlcloud_kms_key" "etcd" {
  cloud                = "azure"
  name                 = "etcd"
  location             = "westeurope"
  rotation_period_days = 90
  azure {
    resource_group_name = "ml"
  }
}
"#;

fn write(workdir: &Workdir, emulator: &MlcloudEmulator, key: &str) -> TestResult {
    workdir.write(
        "main.tf",
        &[TERRAFORM_BLOCK, &provider_block(emulator), key].join("\n"),
    )?;
    Ok(())
}

fn rotation_in_state(workdir: &Workdir) -> Option<i64> {
    workdir
        .state_json()
        .ok()?
        .resource("mlcloud_kms_key.etcd")?
        .get("rotation_period_days")?
        .as_i64()
}

fn a_rotation_change_needs_the_private_endpoint(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    Arm::new(&emulator).create_group(GROUP);
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    write(&workdir, &emulator, KEY)?;
    workdir.init()?;
    workdir.apply()?;
    assert_eq!(rotation_in_state(&workdir), Some(90));

    let longer = KEY.replace("= 90", "= 180");
    write(&workdir, &emulator, &longer)?;
    let planned = workdir.plan()?;
    let said = unwrapped(&format!("{}{}", planned.stdout, planned.stderr));
    assert!(
        said.contains("This key change needs the vault's private endpoint"),
        "{planned}"
    );
    assert!(said.contains("rotation_period_days"), "{planned}");

    let failed = workdir.apply_expect_error()?;
    let said = unwrapped(&failed.stderr);
    assert!(said.contains("ForbiddenByConnection"), "{failed}");
    assert!(
        said.contains("Apply from a network that reaches the vault's private endpoint"),
        "{failed}"
    );
    assert_eq!(
        rotation_in_state(&workdir),
        Some(90),
        "the state keeps the old period"
    );

    // Back to the period the key has: nothing to do.
    write(&workdir, &emulator, KEY)?;
    workdir.assert_no_changes()?;

    workdir.destroy()?;
    let records = emulator.records()?;
    for kind in ["vaults", "keys"] {
        assert_eq!(count(&records, kind), 0, "{kind} left: {records}");
    }
    Ok(())
}
