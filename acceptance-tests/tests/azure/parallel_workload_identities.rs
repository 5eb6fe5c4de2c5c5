//! Four workload identities created in parallel (`-parallelism=10`), each one's first
//! federated credential write refused with Azure's
//! `ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity` (409): Azure
//! allows one credential write at a time per managed identity and answers any other
//! writer with that error. mlcloud gives every workload its own identity, so the other
//! writer is someone else's tooling on the same identity; here the emulator's fault
//! route plays it, with the emulator's own error body, so every identity meets it.
//! The apply retries through it: every identity and credential exists exactly once,
//! in state, and the next plan is empty.

use acceptance_tests::{Terraform, TestResult};
use serde_json::json;

use crate::stack::{Applied, STACK, count, id_of, ids};

acceptance_tests::scenarios_on_terraform_1_15!(parallel_workloads_survive_concurrent_write_errors);

const WORKERS: [&str; 3] = ["trainer", "evaluator", "labeler"];

fn worker(name: &str) -> String {
    format!(
        r#"
resource "mlcloud_identity" "{name}" {{
  cloud    = "azure"
  name     = "ml-{name}"
  location = "westeurope"
  purpose  = "workload"
  workload {{
    cluster_id      = mlcloud_cluster.main.id
    namespace       = "jobs"
    service_account = "{name}"
  }}
  azure {{
    resource_group_name = local.azure.resource_group_name
  }}
}}
"#
    )
}

fn parallel_workloads_survive_concurrent_write_errors(terraform: &Terraform) -> TestResult {
    // The stack first, with its one workload identity.
    let Applied {
        emulator,
        arm,
        provider: _provider,
        workdir,
    } = Applied::start(terraform, &[], STACK)?;
    let group = arm.group_id("ml");
    let refusal = |identity: &str| {
        json!({"error": {
            "code": "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
            "message": format!("Too many Federated Identity Credentials are written concurrently for the managed identity '{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ml-{identity}'. Concurrent Federated Identity Credentials writes under the same managed identity are not supported."),
        }})
        .to_string()
    };
    for name in WORKERS {
        emulator.add_fault(json!({
            "part": "azure",
            "operation": "federatedIdentityCredentials.put",
            "path_contains": format!("/userAssignedIdentities/ml-{name}/"),
            "times": 1,
            "action": {"respond": {
                "status": 409,
                "headers": [["content-type", "application/json; charset=utf-8"]],
                "body": refusal(name),
            }},
        }))?;
    }

    let stack = [STACK.to_owned(), WORKERS.map(worker).concat()].concat();
    workdir.write("main.tf", &crate::stack::main_tf(&emulator, &stack))?;
    workdir
        .succeed(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-parallelism=10",
        ])?
        .assert_stdout_contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");

    // Each worker's credential write met the refusal once, then went through.
    let writes: Vec<(String, Option<u64>)> = emulator
        .requests("azure")?
        .iter()
        .filter(|r| r["operation"] == "federatedIdentityCredentials.put")
        .map(|r| {
            (
                r["path"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_u64(),
            )
        })
        .collect();
    for name in WORKERS {
        let statuses: Vec<Option<u64>> = writes
            .iter()
            .filter(|(path, _)| path.contains(&format!("/userAssignedIdentities/ml-{name}/")))
            .map(|(_, status)| *status)
            .collect();
        assert_eq!(
            statuses.first(),
            Some(&Some(409)),
            "{name}: refused first: {writes:?}"
        );
        assert!(
            matches!(statuses.last(), Some(Some(200 | 201))),
            "{name}: then written: {writes:?}"
        );
    }

    let records = emulator.records()?;
    assert_eq!(count(&records, "identities"), 5, "{records}");
    let credentials = ids(&records, "federated_identity_credentials");
    assert_eq!(credentials.len(), 4, "{records}");
    let state = workdir.state_json()?;
    for name in WORKERS.iter().chain(&["inference"]) {
        let id = id_of(&state, &format!("mlcloud_identity.{name}"));
        assert_eq!(
            credentials
                .iter()
                .filter(|c| c
                    .to_ascii_lowercase()
                    .starts_with(&format!("{}/", id.to_ascii_lowercase())))
                .count(),
            1,
            "{name}: one credential on {id}: {credentials:?}"
        );
    }
    workdir.assert_no_changes()?;
    Ok(())
}
