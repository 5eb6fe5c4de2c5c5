//! Each create whose response is lost (the emulator applies the write, then closes the
//! connection without an answer): the apply succeeds, or fails saying what went wrong
//! and another apply completes it; Azure holds exactly one of each object, state holds
//! them, and a further plan is empty.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, Workdir, providers};
use serde_json::json;

use crate::arm::Arm;
use crate::stack::{ADDRESSES, GROUP, STACK, count, id_of, ids, main_tf};

acceptance_tests::scenarios_on_terraform_1_15!(
    lost_vault_put,
    lost_key_put,
    lost_identity_put,
    lost_federated_credential_put,
    lost_role_assignment_put,
    lost_managed_cluster_put,
    lost_agent_pool_put,
);

fn lost_vault_put(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "vaults.put")
}

fn lost_key_put(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "keys.put")
}

fn lost_identity_put(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "userAssignedIdentities.put")
}

fn lost_federated_credential_put(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "federatedIdentityCredentials.put")
}

fn lost_role_assignment_put(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "roleAssignments.put")
}

fn lost_managed_cluster_put(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "managedClusters.put")
}

fn lost_agent_pool_put(terraform: &Terraform) -> TestResult {
    create_with_lost_response(terraform, "agentPools.put")
}

/// What the stack is made of in Azure: one dedicated vault and its key, the cluster
/// and workload identities, the workload's federated credential, the cluster with its
/// system pool and the GPU pool, and two role assignments on the key (the cluster's
/// identity for KMS, the workload's `kms_decrypt` grant).
const EXACTLY: [(&str, usize); 7] = [
    ("vaults", 1),
    ("keys", 1),
    ("identities", 2),
    ("federated_identity_credentials", 1),
    // Two grants and the caller as cluster admin (admin_principals' default).
    ("role_assignments", 3),
    ("managed_clusters", 1),
    ("agent_pools", 2),
];

fn create_with_lost_response(terraform: &Terraform, operation: &str) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    Arm::new(&emulator).create_group(GROUP);
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &main_tf(&emulator, STACK))?;
    workdir.init()?;
    emulator
        .add_fault(json!({"part": "azure", "operation": operation, "action": "drop_response"}))?;

    let first = workdir.run(&["apply", "-auto-approve", "-input=false", "-no-color"])?;
    let dropped = emulator
        .requests("azure")?
        .iter()
        .any(|r| r["operation"] == operation && r["status"].is_null());
    assert!(dropped, "the {operation} response was dropped");
    if first.code != 0 {
        // Failing is allowed, but clearly: an error naming what went wrong.
        assert!(
            first.stderr.contains("Error:"),
            "a failed apply says why:\n{first}"
        );
        workdir.apply()?;
    }

    let records = emulator.records()?;
    for (kind, n) in EXACTLY {
        assert_eq!(
            count(&records, kind),
            n,
            "{kind} after a lost {operation}: {records}"
        );
    }
    let state = workdir.state_json()?;
    let held = |kind: &str| -> Vec<String> {
        ids(&records, kind)
            .into_iter()
            .map(|id| id.to_ascii_lowercase())
            .collect()
    };
    for address in ADDRESSES {
        let id = id_of(&state, address).to_ascii_lowercase();
        let kind = match address.split('.').next() {
            Some("mlcloud_kms_key") => "keys",
            Some("mlcloud_identity") => "identities",
            Some("mlcloud_cluster") => "managed_clusters",
            _ => "agent_pools",
        };
        assert!(
            held(kind).contains(&id),
            "{address}: state's {id} is in Azure: {records}"
        );
    }
    workdir.assert_no_changes()?;
    Ok(())
}
