//! A developer's real credentials never reach a test. With `AWS_PROFILE`,
//! `ARM_CLIENT_ID` and friends set in this test process, terraform, the provider it
//! starts and an emulator see none of them, only what the test sets; terraform and the
//! provider also get an empty home instead of the developer's (no `~/.aws/credentials`).
//!
//! Stand-ins that print their environment play terraform, the provider and the
//! emulator. A test binary of its own: it changes the process environment.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use acceptance_tests::emulator::{EmulatorCommand, Readiness};
use acceptance_tests::{ProviderInstall, Terraform, TerraformRelease, TestResult, Workdir};

/// What a developer's shell may hold; none of it may reach a test.
const DEVELOPER_SETTINGS: [(&str, &str); 8] = [
    ("AWS_PROFILE", "developer-admin"),
    ("AWS_ACCESS_KEY_ID", "AKIAREALDEVELOPERKEY"),
    ("ARM_CLIENT_ID", "00000000-real-client"),
    ("AZURE_CLIENT_SECRET", "real-azure-secret"),
    ("GOOGLE_APPLICATION_CREDENTIALS", "/home/dev/real-key.json"),
    ("CLOUDSDK_CORE_PROJECT", "real-production-project"),
    ("KUBECONFIG", "/home/dev/.kube/real-config"),
    ("HOME", "/home/developer-home"),
];

fn set_developer_settings() {
    for (name, value) in DEVELOPER_SETTINGS {
        // SAFETY: this binary's tests set the same values before starting anything,
        // and read the environment only through std (which locks it).
        unsafe { std::env::set_var(name, value) };
    }
}

fn executable(dir: &Path, name: &str, script: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Every line of `env` output whose value came from the developer's settings.
fn leaked(env_output: &str) -> Vec<&str> {
    env_output
        .lines()
        .filter(|line| {
            DEVELOPER_SETTINGS
                .iter()
                .any(|(_, value)| line.contains(value))
        })
        .collect()
}

#[test]
fn terraform_and_the_provider_see_only_what_the_test_sets() -> TestResult {
    set_developer_settings();
    let bin = tempfile::tempdir().unwrap();
    // Like terraform, the stand-in starts the provider installed in the mirror.
    let terraform = executable(
        bin.path(),
        "terraform",
        r#"if [ "$1" = version ]; then echo '{"terraform_version": "1.15.5"}'; exit 0; fi
echo "terraform HOME=$HOME"
env | sed 's/^/terraform: /'
mirror="$(dirname "$TF_CLI_CONFIG_FILE")/mirror"
find -L "$mirror" -type f -name 'terraform-provider-*' -exec {} \;"#,
    );
    let provider = executable(bin.path(), "provider", "env | sed 's/^/provider: /'");
    let terraform = Terraform::at(TerraformRelease::V1_15, terraform)?;
    let install =
        ProviderInstall::new(&provider, "registry.terraform.io/mlcloud/mlcloud", "0.1.0")?;
    let mut workdir = Workdir::new(&terraform, &[install])?;
    workdir.set_env("AWS_REGION", "us-east-1");

    let output = workdir.succeed(&["plan"])?;

    assert_eq!(leaked(&output.stdout), Vec::<&str>::new(), "{output}");
    for program in ["terraform", "provider"] {
        output.assert_stdout_contains(&format!("{program}: AWS_REGION=us-east-1\n"));
        output.assert_stdout_contains(&format!("{program}: PATH="));
    }
    let home = workdir.module_dir().parent().unwrap().join("home");
    output.assert_stdout_contains(&format!("terraform HOME={}\n", home.display()));
    output.assert_stdout_contains(&format!("provider: HOME={}\n", home.display()));
    Ok(())
}

#[test]
fn an_emulator_sees_only_what_its_command_sets() -> TestResult {
    set_developer_settings();
    let emulator = EmulatorCommand::new("env-printer", "/bin/sh", Readiness::StdoutJson)
        .args([
            "-c",
            "env | sed 's/^/emulator: /' >&2; echo '{}'; exec sleep 600",
        ])
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .start()?;

    let log = emulator.log();
    let cloud_settings: Vec<&str> = leaked(&log)
        .into_iter()
        .filter(|line| !line.starts_with("emulator: HOME="))
        .collect();
    assert_eq!(cloud_settings, Vec::<&str>::new(), "{log}");
    assert!(
        log.contains("emulator: AWS_DEFAULT_REGION=us-east-1\n"),
        "{log}"
    );
    Ok(())
}
