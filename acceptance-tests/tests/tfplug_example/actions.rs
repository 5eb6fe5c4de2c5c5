//! `example_notify` (Terraform 1.14+ actions): invoked from the command line and
//! triggered by a resource's creation; Terraform prints the provider's progress and
//! the messages reach the outbox.

use acceptance_tests::{Terraform, TestResult, Workdir, providers};

use crate::config::main_tf;
use crate::store::ItemStore;

acceptance_tests::scenarios_on_terraform_1_15!(invoke_from_cli_and_from_a_trigger);

const ACTION: &str = r#"action "example_notify" "team" {
  config {
    message    = "deployed"
    recipients = ["ops", "ml"]
  }
}
"#;

fn invoke_from_cli_and_from_a_trigger(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::tfplug_example()?])?;
    let store = ItemStore::new(&workdir)?;
    workdir.write("main.tf", &main_tf(&store, ACTION))?;
    workdir.init()?;

    workdir
        .succeed(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-invoke=action.example_notify.team",
        ])?
        .assert_stdout_contains("action.example_notify.team will be invoked")
        .assert_stdout_contains(
            "Action action.example_notify.team (triggered by CLI): delivered to ops (1/2)",
        )
        .assert_stdout_contains(
            "Action action.example_notify.team (triggered by CLI): delivered to ml (2/2)",
        )
        .assert_stdout_contains("Actions: 1 invoked.");
    assert_eq!(store.outbox(), ["to ops: deployed", "to ml: deployed"]);

    // Triggered after a resource is created, and only then.
    let triggered = format!(
        r#"{ACTION}
resource "example_item" "a" {{
  name = "release"
  lifecycle {{
    action_trigger {{
      events  = [after_create]
      actions = [action.example_notify.team]
    }}
  }}
}}
"#
    );
    workdir.write("main.tf", &main_tf(&store, &triggered))?;
    workdir
        .apply()?
        .assert_stdout_contains(
            "Action action.example_notify.team (triggered by example_item.a): delivered to ml (2/2)",
        )
        .assert_stdout_contains("Resources: 1 added, 0 changed, 0 destroyed. Actions: 1 invoked.");
    assert_eq!(store.outbox().len(), 4);
    workdir.apply()?.assert_never_prints("delivered to");
    assert_eq!(store.outbox().len(), 4, "no create, no trigger");

    // Refused at plan: nothing is sent.
    let empty = ACTION.replace(r#"["ops", "ml"]"#, "[]");
    workdir.write("main.tf", &main_tf(&store, &empty))?;
    workdir
        .fail(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-invoke=action.example_notify.team",
        ])?
        .assert_stderr_contains("Error: No recipients");
    assert_eq!(store.outbox().len(), 4);
    Ok(())
}
