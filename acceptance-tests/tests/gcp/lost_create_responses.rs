//! Each create (and IAM policy write) whose response is lost: the emulator applies
//! the request, then closes the connection without an answer, so the provider cannot
//! know it happened (Google's clients never retry a POST). The apply succeeds, or fails
//! saying what went wrong and a second apply completes it; the emulator holds exactly
//! one of each object, state holds the whole stack, and a further plan is empty.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult};
use serde_json::{Value, json};

use crate::stack::{ADDRESSES, STACK, count, members, project, records, workdir};

acceptance_tests::scenarios_on_terraform_1_15!(
    lost_key_ring_create,
    lost_crypto_key_create,
    lost_key_policy_write,
    lost_service_account_create,
    lost_service_account_policy_write,
    lost_project_policy_write,
    lost_cluster_create,
    lost_node_pool_create,
);

fn lost_key_ring_create(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "cloudkms.keyRings.create")
}

fn lost_crypto_key_create(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "cloudkms.cryptoKeys.create")
}

/// The GKE agent's binding or the workload's grant on the key.
fn lost_key_policy_write(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "cloudkms.cryptoKeys.setIamPolicy")
}

fn lost_service_account_create(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "iam.serviceAccounts.create")
}

/// The workload identity's `roles/iam.workloadIdentityUser` binding.
fn lost_service_account_policy_write(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "iam.serviceAccounts.setIamPolicy")
}

/// The node identity's logging and monitoring writer roles on the project.
fn lost_project_policy_write(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "cloudresourcemanager.projects.setIamPolicy")
}

fn lost_cluster_create(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "container.clusters.create")
}

fn lost_node_pool_create(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "container.nodePools.create")
}

/// The statuses the emulator logged for `operation` (`None`: the response was dropped).
fn statuses(emulator: &MlcloudEmulator, operation: &str) -> Vec<Option<u64>> {
    emulator
        .requests("gcp")
        .unwrap_or_default()
        .iter()
        .filter(|r| r["operation"] == operation)
        .map(|r| r["status"].as_u64())
        .collect()
}

fn create_with_lost_response(terraform: &Terraform, operation: &str) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = workdir(terraform, &emulator, STACK)?;
    emulator
        .add_fault(json!({"part": "gcp", "operation": operation, "action": "drop_response"}))?;

    let first = workdir.run(&["apply", "-auto-approve", "-input=false", "-no-color"])?;
    assert!(
        statuses(&emulator, operation).contains(&None),
        "the {operation} response was dropped: {:#?}",
        emulator.requests("gcp")?
    );
    if first.code != 0 {
        // Failing is allowed, but clearly: an error naming what went wrong.
        assert!(
            first.stderr.contains("Error:"),
            "a failed apply says why:\n{first}"
        );
        workdir.apply()?;
    }

    let held = records(&emulator)?;
    for (kind, n) in [
        ("key_rings", 1),
        ("crypto_keys", 1),
        ("service_accounts", 3),
        ("clusters", 1),
        ("node_pools", 3),
    ] {
        assert_eq!(count(&held, kind), n, "{operation}: {kind}: {held:#}");
    }
    assert_bindings_once(&emulator, &held);
    let state = workdir.state_json()?;
    for address in ADDRESSES {
        assert!(state.resource(address).is_some(), "{address} not in state");
    }
    workdir.assert_no_changes()?;
    Ok(())
}

/// Every binding the stack writes is there, each member once.
fn assert_bindings_once(emulator: &MlcloudEmulator, held: &Value) {
    let project = project(emulator);
    let key = held["crypto_keys"][0]["name"].as_str().unwrap_or_default();
    let serving = format!("ml-serving@{project}.iam.gserviceaccount.com");
    let nodes = format!("serviceAccount:ml-nodes@{project}.iam.gserviceaccount.com");
    let number = emulator.ready()["gcp"]["project_number"]
        .as_str()
        .unwrap_or_default();
    for (resource, role, member) in [
        (
            key.to_string(),
            "roles/cloudkms.cryptoKeyDecrypter",
            format!("serviceAccount:{serving}"),
        ),
        (
            key.to_string(),
            "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            format!(
                "serviceAccount:service-{number}@container-engine-robot.iam.gserviceaccount.com"
            ),
        ),
        (
            format!("projects/{project}/serviceAccounts/{serving}"),
            "roles/iam.workloadIdentityUser",
            format!("serviceAccount:{project}.svc.id.goog[serving/model-server]"),
        ),
        (
            format!("projects/{project}"),
            "roles/logging.logWriter",
            nodes.clone(),
        ),
    ] {
        let bound = members(held, &resource, role);
        assert_eq!(
            bound.iter().filter(|m| **m == member).count(),
            1,
            "{member} once in {role} on {resource}: {held:#}"
        );
    }
}
