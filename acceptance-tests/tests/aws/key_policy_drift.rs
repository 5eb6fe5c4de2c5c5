//! A key policy changed behind Terraform's back: a statement letting another account
//! decrypt shows in the plan (`policy_drift` of `mlcloud_kms_key`), apply puts
//! mlcloud's policy back, and the next plan is empty.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::expect::resource;
use crate::records::{Records, statements};
use crate::stack::{KEY, Stack};

acceptance_tests::scenarios_on_every_terraform!(a_foreign_key_policy_statement_is_planned_away);

fn a_foreign_key_policy_statement_is_planned_away(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let stack = Stack::new(&network);
    workdir.write(
        "main.tf",
        &[Stack::provider_only(&moto), stack.key()].join("\n"),
    )?;
    workdir.init()?;
    workdir.apply()?;
    let state = workdir.state_json()?;
    assert_eq!(resource(&state, KEY)["policy_drift"], json!([]));
    workdir.assert_no_changes()?;

    let key_arn = resource(&state, KEY)["id"]
        .as_str()
        .expect("the key's id")
        .to_owned();
    let ours = records.key_policy(&key_arn)?;
    let mut widened = ours.clone();
    if let Some(all) = widened["Statement"].as_array_mut() {
        all.push(json!({"Sid": "OutsideDecrypt", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Action": "kms:Decrypt", "Resource": "*"}));
    }
    let sdk = moto.sdk();
    sdk.call(
        "kms PutKeyPolicy",
        sdk.kms
            .put_key_policy()
            .key_id(&key_arn)
            .policy_name("default")
            .policy(widened.to_string())
            .send(),
    )?;

    workdir
        .plan()?
        .assert_stdout_contains("Plan: 0 to add, 1 to change, 0 to destroy.")
        .assert_stdout_contains(
            "the key policy: statement OutsideDecrypt was not written by mlcloud",
        )
        .assert_stdout_contains("210987654321");
    workdir.apply()?;
    workdir.assert_no_changes()?;

    let restored = records.key_policy(&key_arn)?;
    assert_eq!(
        statements(&restored).len(),
        statements(&ours).len(),
        "{restored}"
    );
    assert!(
        !restored.to_string().contains("OutsideDecrypt"),
        "{restored}"
    );
    let state = workdir.state_json()?;
    assert_eq!(resource(&state, KEY)["policy_drift"], json!([]));
    Ok(())
}
