//! The README's first command, `scripts/try`, past its build: the script's own second
//! half (`scripts/try --inside-gcp-emulator quickstart-gcp ...`, what `with-emulators`
//! runs once the emulator is up) applies `examples/quickstart-gcp`, laid out beside
//! `modules/` as in the repository, against a running `mlcloud-emulator`, prints the
//! passed smoke inference, and destroys the stack. The same for quickstart-azure, and
//! for quickstart-aws against moto with the EKS cluster's nodes registered in
//! mlcloud-emulator's Kubernetes API (as `with-emulators --eks-kubelets` does). And
//! `scripts/try --list` names what it runs.

use std::process::Command;

use acceptance_tests::azure_arm::AzureArm;
use acceptance_tests::moto::CREDENTIALS_ENV;
use acceptance_tests::{
    COMMAND_TIMEOUT, CommandOutput, EksKubelets, MlcloudEmulator, Moto, Terraform, TestResult,
    clean_env, cli_config, paths, providers, run_with_timeout,
};

use crate::module_tests::copy_into;

acceptance_tests::scenarios_on_terraform_1_15!(
    the_gcp_quickstart_ends_with_a_passed_smoke_inference,
    the_azure_quickstart_ends_with_a_passed_smoke_inference,
    the_aws_quickstart_ends_with_a_passed_smoke_inference
);

/// Runs `scripts/try --inside-CLOUD-emulator EXAMPLE` in a scratch copy of the
/// example and the modules, with the provider installed from the workspace's build,
/// and `env` as `with-emulators` sets it.
fn try_inside(
    terraform: &Terraform,
    cloud: &str,
    example: &str,
    env: &[(&str, String)],
) -> Result<CommandOutput, acceptance_tests::HarnessError> {
    let scratch = tempfile::Builder::new()
        .prefix("mlcloud-try-")
        .tempdir()
        .expect("a temporary directory");
    let root = scratch.path();
    let provider = providers::mlcloud()?;
    let mirror = root.join("mirror");
    provider.install_into(&mirror)?;
    std::fs::write(root.join("terraform.rc"), cli_config(&mirror, &[provider]))
        .expect("write terraform.rc");
    let repo = paths::repo_root();
    let module = root.join("examples").join(example);
    copy_into(&repo.join("examples").join(example), &module)?;
    copy_into(&repo.join("modules"), &root.join("modules"))?;
    std::fs::create_dir(root.join("home")).expect("a home directory");

    let mut command = Command::new(repo.join("scripts/try"));
    command
        .arg(format!("--inside-{cloud}-emulator"))
        .arg(example)
        .arg(terraform.version())
        .arg("false")
        .current_dir(&module)
        .stdin(std::process::Stdio::null());
    clean_env::remove_cloud_settings(&mut command);
    command
        .env("TF_CLI_CONFIG_FILE", root.join("terraform.rc"))
        .env("TF_DATA_DIR", root.join("tf-data"))
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .env("HOME", root.join("home"))
        .envs(env.iter().map(|(name, value)| (*name, value)));
    run_with_timeout(command, COMMAND_TIMEOUT)
}

fn assert_passed_smoke_inference_then_destroyed(output: &CommandOutput) {
    let said = format!("{}{}", output.stdout, output.stderr);
    assert_eq!(output.code, 0, "scripts/try failed:\n{said}");
    let closing = output
        .stdout
        .rsplit_once("==> done:")
        .map(|(_, tail)| tail)
        .unwrap_or_else(|| panic!("no closing summary in:\n{said}"));
    for line in [
        "smoke test: passed",
        "model:      iris",
        "device:",
        "latency:",
        "answer:     probabilities=",
    ] {
        assert!(
            closing.contains(line),
            "{line:?} not in the closing summary:\n{closing}"
        );
    }
    assert!(said.contains("Destroy complete!"), "not destroyed:\n{said}");
}

fn the_gcp_quickstart_ends_with_a_passed_smoke_inference(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let ready = emulator.ready();
    let gcp = |name: &str| ready["gcp"][name].as_str().unwrap_or_default().to_string();
    let env = [
        ("MLCLOUD_GCP_ENDPOINT", gcp("endpoint")),
        ("MLCLOUD_GCP_PROJECT", gcp("project")),
        ("MLCLOUD_GCP_CREDENTIALS", gcp("credentials_file")),
        (
            "MLCLOUD_EMULATOR_ADMIN",
            ready["admin"].as_str().unwrap_or_default().to_string(),
        ),
    ];
    let output = try_inside(terraform, "gcp", "quickstart-gcp", &env)?;
    assert_passed_smoke_inference_then_destroyed(&output);
    let records = emulator.records()?;
    assert_eq!(
        records["gcp"]["clusters"],
        serde_json::json!([]),
        "{records:#}"
    );
    Ok(())
}

fn the_azure_quickstart_ends_with_a_passed_smoke_inference(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    AzureArm::for_emulator(&emulator)?.create_group("ml-platform", "westeurope")?;
    let ready = emulator.ready();
    let azure = |name: &str| {
        ready["azure"][name]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let env = [
        ("ARM_SUBSCRIPTION_ID", azure("subscription_id")),
        ("ARM_TENANT_ID", azure("tenant_id")),
        ("ARM_CLIENT_ID", azure("client_id")),
        ("ARM_CLIENT_SECRET", azure("client_secret")),
        ("ARM_CA_CERTIFICATE_FILE", azure("ca_file")),
        ("MLCLOUD_AZURE_RESOURCE_MANAGER", azure("resource_manager")),
        ("MLCLOUD_AZURE_ACTIVE_DIRECTORY", azure("active_directory")),
        (
            "MLCLOUD_EMULATOR_ADMIN",
            ready["admin"].as_str().unwrap_or_default().to_string(),
        ),
    ];
    let output = try_inside(terraform, "azure", "quickstart-azure", &env)?;
    assert_passed_smoke_inference_then_destroyed(&output);
    let records = emulator.records()?;
    assert_eq!(
        records["azure"]["managed_clusters"],
        serde_json::json!([]),
        "{records:#}"
    );
    Ok(())
}

fn the_aws_quickstart_ends_with_a_passed_smoke_inference(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let (kubernetes, ca_file) = moto.kubernetes_endpoint();
    let mut env: Vec<(&str, String)> = CREDENTIALS_ENV
        .iter()
        .map(|(name, value)| (*name, (*value).to_string()))
        .collect();
    env.extend([
        ("MLCLOUD_AWS_ENDPOINT", moto.endpoint()),
        (
            "MLCLOUD_AWS_SUBNET_IDS",
            serde_json::to_string(&network.subnet_ids).expect("a list of strings is JSON"),
        ),
        ("MLCLOUD_AWS_KUBERNETES_ENDPOINT", kubernetes),
        ("MLCLOUD_AWS_CA_CERTIFICATE_FILE", ca_file),
        (
            "MLCLOUD_EMULATOR_ADMIN",
            moto.emulator().ready()["admin"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
    ]);
    // The example's default cluster name.
    let kubelets = EksKubelets::new(&moto, "ml-quickstart")?;
    let output = kubelets.in_step_while(&moto, || {
        try_inside(terraform, "aws", "quickstart-aws", &env)
    })??;
    assert_passed_smoke_inference_then_destroyed(&output);
    let said = format!("{}{}", output.stdout, output.stderr);
    assert!(
        said.contains(r#"mlcloud_node_pool.gpu["l4"]: Creation complete"#),
        "the GPU node group was not created:\n{said}"
    );
    let sdk = moto.sdk();
    let clusters = sdk.call("eks ListClusters", sdk.eks.list_clusters().send())?;
    assert!(
        clusters.clusters().is_empty(),
        "clusters left: {:?}",
        clusters.clusters()
    );
    assert!(
        kubelets
            .api()
            .find("/apis/apps/v1/namespaces/ml-serving/deployments/inference")?
            .is_none(),
        "the model's Deployment is left"
    );
    Ok(())
}

/// `scripts/try --list` (and `list`) answers before building anything: the default
/// quickstart first, then the other quickstarts and every example it can run.
#[test]
fn try_lists_what_it_runs() {
    for flag in ["--list", "list"] {
        let out = Command::new(paths::repo_root().join("scripts/try"))
            .arg(flag)
            .output()
            .expect("scripts/try runs");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let names: Vec<&str> = said
            .lines()
            .filter_map(|line| line.strip_prefix("  "))
            .filter_map(|line| line.split_whitespace().next())
            .collect();
        assert_eq!(
            names.first(),
            Some(&"quickstart-gcp"),
            "the default first: {said}"
        );
        for name in [
            "quickstart-azure",
            "quickstart-aws",
            "accelerators",
            "aws-ml-stack",
            "azure-ml-stack",
            "gcp-ml-stack",
        ] {
            assert!(names.contains(&name), "{name} not listed:\n{said}");
        }
        assert!(
            !names.contains(&"provider"),
            "examples/provider needs a cloud:\n{said}"
        );
    }
}
