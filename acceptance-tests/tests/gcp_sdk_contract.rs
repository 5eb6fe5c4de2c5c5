//! The `gcp` part of `mlcloud-emulator` against Google's official Python SDKs
//! (google-cloud-container, -kms, -resource-manager over REST, google-auth for the
//! key file the emulator generated; IAM through google-auth's AuthorizedSession as the
//! IAM admin SDK speaks only gRPC): `acceptance-tests/emulators/contract/gcp_sdk_contract.py`
//! walks a GKE stack and its refusals; this test starts the emulator, runs the script
//! with the ready line and checks what the emulator holds afterwards.

use std::process::Command;
use std::time::Duration;

use acceptance_tests::paths::repo_root;
use acceptance_tests::{
    CommandOutput, HarnessError, MlcloudEmulator, TestResult, run_with_timeout,
};
use serde_json::{Value, json};

const SCRIPT: &str = "acceptance-tests/emulators/contract/gcp_sdk_contract.py";

/// Runs the script in `mode` against `emulator`; its output.
fn run_script(emulator: &MlcloudEmulator, mode: &str) -> Result<CommandOutput, HarnessError> {
    let mut command = Command::new(repo_root().join(".venv/bin/python"));
    command
        .current_dir(repo_root())
        .arg(SCRIPT)
        .arg(emulator.ready().to_string())
        .arg(mode);
    run_with_timeout(command, Duration::from_secs(240))
}

#[test]
fn googles_python_sdks_walk_a_gke_stack_through_the_gcp_part() -> TestResult {
    // Operations take a while, so a second one on the same cluster meets the first.
    let emulator = MlcloudEmulator::start(&["--operation-delay-ms", "300"])?;
    let output = run_script(&emulator, "stack")?;
    assert_eq!(
        output.code,
        0,
        "{SCRIPT} failed\nstdout:\n{}\nstderr:\n{}\nemulator:\n{}",
        output.stdout,
        output.stderr,
        emulator.log()
    );
    let answer: Value = output
        .stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_default();
    assert_eq!(answer["ok"], json!(true), "{}", output.stdout);

    // Destroyed is gone; Cloud KMS keeps key rings and keys, versions scheduled.
    let records = emulator.records()?;
    let gcp = &records["gcp"];
    for emptied in [
        "clusters",
        "node_pools",
        "service_accounts",
        "operations_in_progress",
    ] {
        assert_eq!(gcp[emptied], json!([]), "{emptied}: {gcp}");
    }
    assert_eq!(gcp["key_rings"].as_array().map(Vec::len), Some(1), "{gcp}");
    let versions = gcp["crypto_keys"][0]["versions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !versions.is_empty() && versions.iter().all(|v| v["state"] == "DESTROY_SCHEDULED"),
        "{gcp}"
    );

    // The request log names Google's methods, with the refusals' statuses.
    let requests = emulator.requests("gcp")?;
    let statuses = |operation: &str| -> Vec<u64> {
        requests
            .iter()
            .filter(|r| r["operation"] == operation)
            .filter_map(|r| r["status"].as_u64())
            .collect()
    };
    assert_eq!(statuses("container.clusters.create"), [400, 200, 409]);
    assert_eq!(statuses("iam.serviceAccounts.setIamPolicy"), [200, 409]);
    assert!(statuses("oauth2.token").contains(&200), "{requests:?}");
    // The prefix grant: refused without uniform access, written on the uniform bucket.
    assert_eq!(
        statuses("storage.buckets.setIamPolicy"),
        [200, 412, 400, 200]
    );
    assert_eq!(statuses("oauth2.tokeninfo"), [200, 400]);
    // Two minors at once refused, one minor up; a node version past the control
    // plane refused; a boot-disk key the Compute Engine agent may not use refused.
    assert_eq!(statuses("container.clusters.update"), [200, 409, 400, 200]);
    assert!(
        statuses("container.nodePools.update").contains(&400),
        "{requests:?}"
    );
    Ok(())
}

#[test]
fn scripted_faults_reach_the_sdk_as_google_errors() -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let get = "cloudresourcemanager.projects.get";
    emulator.add_fault(json!({"part": "gcp", "operation": get, "action": {"throttle": {"retry_after_seconds": 1}}}))?;
    emulator.add_fault(json!({"part": "gcp", "operation": get, "nth": 2, "action": {"server_error": {"status": 503}}}))?;
    let output = run_script(&emulator, "faults")?;
    assert_eq!(
        output.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        output.stdout, output.stderr
    );
    let statuses: Vec<u64> = emulator
        .requests("gcp")?
        .iter()
        .filter(|r| r["operation"] == get)
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert_eq!(statuses, [429, 503, 200]);
    Ok(())
}
