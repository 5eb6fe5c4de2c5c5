//! Two teams pick the same key name in two workspaces: the second apply fails, naming
//! the first team's key and the import that would take it over, and makes no key; the
//! first team's key keeps its alias, is not scheduled for deletion, and the first
//! workspace plans no changes. Destroying the second workspace touches nothing.

use acceptance_tests::{Moto, PlanChanges, Terraform, TestResult, Workdir, hcl_string, providers};

use crate::expect::resource;
use crate::records::Records;
use crate::stack::terraform_block;

acceptance_tests::scenarios_on_terraform_1_15!(a_key_name_taken_by_another_state_is_refused);

const NAME: &str = "shared-etcd";

fn key_module(moto: &Moto) -> String {
    [
        terraform_block(),
        moto.provider_block(""),
        format!(
            r#"resource "mlcloud_kms_key" "etcd" {{
  cloud       = "aws"
  name        = {name}
  description = "etcd secrets"
}}
"#,
            name = hcl_string(NAME)
        ),
    ]
    .join("\n")
}

fn a_key_name_taken_by_another_state_is_refused(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    let provider = providers::mlcloud()?;
    let first = Workdir::new(terraform, std::slice::from_ref(&provider))?;
    first.write("main.tf", &key_module(&moto))?;
    first.init()?;
    first.apply()?;
    let first_arn = resource(&first.state_json()?, "mlcloud_kms_key.etcd")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let first_key_id = first_arn.rsplit('/').next().unwrap_or_default().to_owned();

    let second = Workdir::new(terraform, std::slice::from_ref(&provider))?;
    second.write("main.tf", &key_module(&moto))?;
    second.init()?;
    let failed = second.apply_expect_error()?;
    let said = failed
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let expected = format!(
        "a key with alias alias/{NAME} already exists (key ID {first_key_id}); import it with \
         `terraform import mlcloud_kms_key.<resource name> {first_arn}` or choose another name"
    );
    assert!(
        said.contains(&expected),
        "expected {expected:?} in\n{failed}"
    );

    // Nothing was made for the second workspace, and nothing of the first changed.
    assert_eq!(
        records.customer_keys()?.len(),
        1,
        "the second apply made no key"
    );
    assert!(second.state_json()?.addresses().is_empty());
    let key = records.key(&first_key_id)?;
    assert_eq!(
        key.key_state(),
        Some(&aws_sdk_kms::types::KeyState::Enabled),
        "the first key is not scheduled for deletion"
    );
    assert_eq!(
        records.aliases_of(&first_key_id)?,
        [format!("alias/{NAME}")]
    );
    let (changes, plan) = first.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::None, "{plan}");

    // The second team destroys its (empty) workspace: the first key is untouched.
    second.destroy()?;
    assert_eq!(
        records.key(&first_key_id)?.key_state(),
        Some(&aws_sdk_kms::types::KeyState::Enabled)
    );
    Ok(())
}
