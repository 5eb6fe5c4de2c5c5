//! Drift and import of `mlcloud_serving_endpoint` on GKE: a Deployment scaled by hand
//! and a NetworkPolicy deleted by hand show in the next plan and the apply after puts
//! them back; an endpoint dropped from state is imported by its id, with the pool and
//! identity it was bound to, and the plan after is empty.

use super::serving::{ENDPOINT, config};
use super::stack;
use acceptance_tests::{MlcloudEmulator, PlanChanges, Terraform, TestResult};
use serde_json::Value;
use std::process::Command;

acceptance_tests::scenarios_on_terraform_1_15!(
    hand_edits_in_the_cluster_show_in_the_plan_and_an_import_takes_the_endpoint_back
);

/// One request to the cluster's Kubernetes API with curl, as `kubectl` would make it
/// with the caller's Google access token; the HTTP status.
fn kube(emulator: &MlcloudEmulator, server: &str, method: &str, path: &str, body: &str) -> u16 {
    let gcp = emulator.ready()["gcp"]["endpoint"]
        .as_str()
        .unwrap_or_default();
    let ca = emulator.ready()["kubernetes"]["ca_file"]
        .as_str()
        .unwrap_or_default();
    let token = Command::new("curl")
        .args(["-sS", "-X", "POST", &format!("{gcp}/_emulator/accessToken")])
        .output()
        .expect("curl");
    let token: Value = serde_json::from_slice(&token.stdout).expect("a token");
    let out = Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--cacert",
            ca,
        ])
        .args(["-X", method, &format!("{server}{path}")])
        .args([
            "-H",
            &format!(
                "Authorization: Bearer {}",
                token["access_token"].as_str().unwrap_or_default()
            ),
        ])
        .args([
            "-H",
            "content-type: application/merge-patch+json",
            "-d",
            body,
        ])
        .output()
        .expect("curl");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

fn hand_edits_in_the_cluster_show_in_the_plan_and_an_import_takes_the_endpoint_back(
    terraform: &Terraform,
) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = stack::workdir(terraform, &emulator, &config(1))?;
    workdir.apply()?;
    let state = workdir.state_json()?;
    let cluster = state
        .resource("mlcloud_cluster.main")
        .expect("cluster")
        .clone();
    let endpoint = cluster["endpoint"].as_str().unwrap_or_default();
    let server = if endpoint.starts_with("https://") {
        endpoint.to_string()
    } else {
        format!("https://{endpoint}")
    };
    let deployment = "/apis/apps/v1/namespaces/ml-serving/deployments/iris";

    // Scaled by hand: the plan puts the count back in place.
    let scaled = kube(
        &emulator,
        &server,
        "PATCH",
        deployment,
        r#"{"spec":{"replicas":3}}"#,
    );
    assert_eq!(scaled, 200);
    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{}", plan.stdout);
    assert!(
        plan.stdout.contains("~ replicas") && plan.stdout.contains("3 -> 1"),
        "{}",
        plan.stdout
    );
    workdir.apply()?;
    workdir.assert_no_changes()?;

    // The NetworkPolicy deleted by hand: the endpoint is planned again.
    let policy = "/apis/networking.k8s.io/v1/namespaces/ml-serving/networkpolicies/iris";
    assert_eq!(kube(&emulator, &server, "DELETE", policy, "{}"), 200);
    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{}", plan.stdout);
    assert!(
        plan.stdout.contains(&format!("{ENDPOINT} will be created")),
        "{}",
        plan.stdout
    );
    workdir.apply()?;
    assert_eq!(kube(&emulator, &server, "GET", policy, ""), 200);
    workdir.assert_no_changes()?;

    // Imported by its id, with what the Deployment recorded: nothing to change.
    let id = stack::id_of(&workdir.state_json()?, ENDPOINT);
    workdir.succeed(&["state", "rm", "-no-color", ENDPOINT])?;
    workdir.import(ENDPOINT, &id)?;
    workdir.assert_no_changes()?;
    workdir.destroy()?;
    Ok(())
}
