//! What ARM refuses reaches the user with ARM's code and message: an identity in a
//! resource group that does not exist (`ResourceGroupNotFound`, refused at once), and
//! a GPU pool whose AKS operation is accepted and then fails (`QuotaExceeded`, the
//! long-running operation's error). After the quota is raised (the switch is used
//! once), another apply completes the pool and the plan is empty.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::arm::Arm;
use crate::stack::{GROUP, STACK, main_tf};

acceptance_tests::scenarios_on_terraform_1_15!(arm_refusals_reach_the_user);

const IDENTITY_IN_A_MISSING_GROUP: &str = r#"
resource "mlcloud_identity" "lost" {
  cloud    = "azure"
  name     = "ml-lost"
  location = "westeurope"
  purpose  = "cluster"
  azure {
    resource_group_name = "nope"
  }
}
"#;

const QUOTA: &str = "Operation could not be completed as it results in exceeding approved standardNCASv3_T4Family Cores quota. Location: westeurope, Current Limit: 0, Current Usage: 0, Additional Required: 4.";

fn arm_refusals_reach_the_user(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    Arm::new(&emulator).create_group(GROUP);
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &main_tf(&emulator, IDENTITY_IN_A_MISSING_GROUP))?;
    workdir.init()?;
    let failed = workdir.apply_expect_error()?;
    for says in [
        "ResourceGroupNotFound",
        "Resource group 'nope' could not be found.",
    ] {
        assert!(
            one_line(&failed.stderr).contains(says),
            "the error says {says:?}:\n{failed}"
        );
    }

    emulator.configure(
        "azure",
        json!({"fail_operations": [
            {"operation": "agentPools.put", "code": "QuotaExceeded", "message": QUOTA}
        ]}),
    )?;
    workdir.write("main.tf", &main_tf(&emulator, STACK))?;
    let failed = workdir.apply_expect_error()?;
    for says in ["QuotaExceeded", QUOTA] {
        assert!(
            one_line(&failed.stderr).contains(says),
            "the error says {says:?}:\n{failed}"
        );
    }
    assert!(
        failed.stderr.contains("mlcloud_node_pool.gpu"),
        "the error names the pool:\n{failed}"
    );
    // The quota is there now: the next apply makes the pool.
    workdir.apply()?;
    workdir.assert_no_changes()?;
    Ok(())
}

/// Terraform wraps long messages; the words in order, one space apart.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
