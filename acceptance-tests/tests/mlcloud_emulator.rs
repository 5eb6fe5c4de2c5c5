//! `mlcloud-emulator`'s command line and admin route, as users and the scenarios meet
//! them: the built binary, started by the harness.

use acceptance_tests::{MlcloudEmulator, TestResult, emulator_binary};
use serde_json::json;

#[test]
fn prints_one_ready_line_and_scripts_faults_through_the_admin_route() -> TestResult {
    let emulator =
        MlcloudEmulator::start(&["--listen", "127.0.0.1:0", "--operation-delay-ms", "10"])?;
    let ready = emulator.ready();
    assert!(
        ready["admin"]
            .as_str()
            .is_some_and(|url| url.starts_with("http://127.0.0.1:")),
        "{ready}"
    );
    let ca_file = ready["ca_file"].as_str().unwrap_or_default();
    assert!(
        std::fs::read_to_string(ca_file).is_ok_and(|pem| pem.contains("BEGIN CERTIFICATE")),
        "{ready}"
    );

    let id = emulator
        .add_fault(json!({"part": "aws", "operation": "CreateRole", "action": "drop_response"}))?;
    let faults = emulator.faults()?;
    assert_eq!(faults[0]["id"], json!(id), "{faults}");
    assert_eq!(faults[0]["fired"], json!(0), "{faults}");
    emulator.reset()?;
    assert_eq!(emulator.faults()?, json!([]));
    assert!(emulator.requests("aws")?.is_empty());
    Ok(())
}

#[test]
fn a_bad_command_line_says_what_would_be_right() -> TestResult {
    let output = std::process::Command::new(emulator_binary()?)
        .args(["--operation-delay-ms", "soon"])
        .output()
        .expect("the emulator binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("whole number of milliseconds"), "{stderr}");
    assert!(stderr.contains("usage: mlcloud-emulator"), "{stderr}");
    Ok(())
}
