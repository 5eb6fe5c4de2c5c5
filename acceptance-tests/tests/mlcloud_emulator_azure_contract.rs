//! The azure part of `mlcloud-emulator` against Microsoft's official Python SDKs
//! (azure-identity, azure-mgmt-*, azure-keyvault-keys, pinned in
//! scripts/lib/requirements.txt): acceptance-tests/emulators/contract/azure_sdk_contract.py
//! builds a whole stack through them, waits on their pollers, checks the refusals the
//! real services answer, deletes everything and checks the emulator's records.
//! Needs `cargo build -p mlcloud-emulator` and the project venv (scripts/setup).

use std::process::Command;
use std::time::Duration;

use acceptance_tests::paths::repo_root;
use acceptance_tests::{MlcloudEmulator, TestResult, run_with_timeout};

/// The script's SDK calls, with the operation delay below, take a few seconds.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

#[test]
fn the_official_azure_sdks_build_read_and_delete_a_stack_and_meet_the_real_refusals() -> TestResult
{
    // A short operation delay: the SDK pollers see Creating/Deleting before Succeeded.
    let emulator = MlcloudEmulator::start(&["--operation-delay-ms", "300"])?;
    let root = repo_root();
    let mut command = Command::new(root.join(".venv/bin/python"));
    command
        .arg(root.join("acceptance-tests/emulators/contract/azure_sdk_contract.py"))
        .env("MLCLOUD_EMULATOR_READY", emulator.ready().to_string())
        // Nothing from the developer's own Azure setup may leak in.
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_CLIENT_SECRET")
        .env_remove("AZURE_AUTHORITY_HOST");
    let output = run_with_timeout(command, SCRIPT_TIMEOUT)?;
    assert!(
        output.code == 0 && output.stdout.contains("contract ok"),
        "{output}\n--- emulator ---\n{}",
        emulator.log()
    );
    let operations: Vec<String> = emulator
        .requests("azure")?
        .iter()
        .filter_map(|request| request["operation"].as_str().map(str::to_string))
        .collect();
    for expected in [
        "token",
        "managedClusters.put",
        "operations.get",
        "agentPools.put",
        "agentPools.delete",
        "managedClusters.listClusterUserCredential",
        "rotationPolicy.put",
        "federatedIdentityCredentials.put",
        "roleAssignments.put",
    ] {
        assert!(
            operations.iter().any(|operation| operation == expected),
            "no {expected} among {operations:?}"
        );
    }
    Ok(())
}
