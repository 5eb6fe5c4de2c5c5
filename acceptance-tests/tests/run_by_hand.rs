//! A provider binary started by a person instead of Terraform explains itself and
//! exits 1 instead of hanging or printing a handshake line.

use acceptance_tests::providers;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn run_without_terraform(binary: &std::path::Path) -> std::process::Output {
    let started = Instant::now();
    let output = Command::new(binary)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .output()
        .expect("the provider binary starts");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it must not wait for a client"
    );
    output
}

#[test]
fn mlcloud_run_by_hand_says_it_is_a_terraform_plugin() {
    let provider = providers::mlcloud().expect("built provider");
    let out = run_without_terraform(provider.binary());
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no handshake line on stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("plugin for Terraform"), "{stderr}");
    assert!(stderr.contains("--debug"), "{stderr}");
}

#[test]
fn example_provider_run_by_hand_exits_1() {
    let provider = providers::tfplug_example().expect("built example provider");
    let out = run_without_terraform(provider.binary());
    assert_eq!(out.status.code(), Some(1));
}
