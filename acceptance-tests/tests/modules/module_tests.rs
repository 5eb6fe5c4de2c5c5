//! Running a module's `terraform test` suite the way its README tells users to: the
//! module copied into a fresh workdir (its tests and examples with it), the provider
//! installed from the workspace's build, and the emulator's endpoint, project and key
//! file passed as the test files' variables.

use std::path::{Path, PathBuf};

use acceptance_tests::moto::CREDENTIALS_ENV;
use acceptance_tests::{
    CommandOutput, EksKubelets, HarnessError, MlcloudEmulator, Moto, Terraform, TestResult,
    Workdir, paths, providers,
};

/// `modules/NAME` in the repository.
pub fn module_path(name: &str) -> PathBuf {
    paths::repo_root().join("modules").join(name)
}

/// The harness's I/O error, naming what was done to which path.
fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> HarnessError {
    let path = path.to_path_buf();
    move |source| HarnessError::Io {
        action,
        path,
        source,
    }
}

/// Copies `source` into `target`, folders included, leaving out what `terraform init`
/// or a developer's run left there (`.terraform`, state, lock files).
pub fn copy_into(source: &Path, target: &Path) -> Result<(), HarnessError> {
    std::fs::create_dir_all(target).map_err(io("create", target))?;
    for entry in std::fs::read_dir(source).map_err(io("read", source))? {
        let path = entry.map_err(io("read", source))?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with(".terraform") || name.contains(".tfstate") {
            continue;
        }
        let copy = target.join(&*name);
        if path.is_dir() {
            copy_into(&path, &copy)?;
        } else {
            std::fs::copy(&path, &copy).map_err(io("copy to", &copy))?;
        }
    }
    Ok(())
}

/// A workdir holding `modules/NAME` (tests and examples included), initialised. The
/// other modules sit beside it, as in the repository, for a module that calls them
/// (`source = "../aws-ml-platform"`).
pub fn module_workdir(terraform: &Terraform, name: &str) -> Result<Workdir, HarnessError> {
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    copy_into(&module_path(name), workdir.module_dir())?;
    let beside = workdir
        .module_dir()
        .parent()
        .expect("the module directory sits in the workdir's scratch");
    let modules = paths::repo_root().join("modules");
    for entry in std::fs::read_dir(&modules).map_err(io("read", &modules))? {
        let sibling = entry.map_err(io("read", &modules))?.path();
        let sibling_name = sibling.file_name().unwrap_or_default();
        if sibling.is_dir() && sibling_name != name {
            copy_into(&sibling, &beside.join(sibling_name))?;
        }
    }
    workdir.init()?;
    Ok(workdir)
}

/// The gcp test files' variables: the emulator's gcp part, its project and key file.
pub fn gcp_variables(emulator: &MlcloudEmulator) -> Vec<(&'static str, String)> {
    let gcp = &emulator.ready()["gcp"];
    let field = |name: &str| gcp[name].as_str().unwrap_or_default().to_string();
    vec![
        ("gcp_endpoint", field("endpoint")),
        ("gcp_project", field("project")),
        ("gcp_credentials", field("credentials_file")),
    ]
}

/// Runs `modules/MODULE/tests/FILE` against a fresh moto (behind mlcloud-emulator's aws
/// part) with a VPC of two subnets made there, passing `aws_endpoint` and
/// `aws_subnet_ids`, and, when the file declares them (an applying file; terraform test
/// refuses undeclared variables), `kubernetes_endpoint` and `ca_certificate_file` for
/// the emulator's Kubernetes API, where kubelets register the nodes of `cluster`'s node
/// groups while it runs. Checks that all `runs` passed; moto, for what else a story
/// reads from it.
pub fn run_aws_test_file(
    terraform: &Terraform,
    module: &str,
    file: &str,
    cluster: &str,
    runs: usize,
) -> Result<Moto, HarnessError> {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let mut workdir = module_workdir(terraform, module)?;
    for (name, value) in CREDENTIALS_ENV {
        workdir.set_env(name, value);
    }
    let subnets = serde_json::to_string(&network.subnet_ids).expect("a list of strings is JSON");
    let mut variables = vec![
        ("aws_endpoint", moto.endpoint().to_string()),
        ("aws_subnet_ids", subnets),
    ];
    let text = std::fs::read_to_string(module_path(module).join("tests").join(file))
        .expect("the module's test file");
    if text.contains("variable \"kubernetes_endpoint\"") {
        let (kubernetes, ca_file) = moto.kubernetes_endpoint();
        variables.push(("kubernetes_endpoint", kubernetes));
        variables.push(("ca_certificate_file", ca_file));
    }
    let kubelets = EksKubelets::new(&moto, cluster)?;
    let output = kubelets.in_step_while(&moto, || run_test_file(&workdir, file, &variables))??;
    assert_all_passed(&output, runs);
    drop(kubelets);
    Ok(moto)
}

/// The azure test files' variables: the emulator's ARM and Entra endpoints, its test
/// CA and the credentials it printed.
pub fn azure_variables(emulator: &MlcloudEmulator) -> Vec<(&'static str, String)> {
    let azure = &emulator.ready()["azure"];
    let field = |name: &str| azure[name].as_str().unwrap_or_default().to_string();
    vec![
        ("azure_resource_manager", field("resource_manager")),
        ("azure_active_directory", field("active_directory")),
        ("azure_ca_file", field("ca_file")),
        ("azure_subscription_id", field("subscription_id")),
        ("azure_tenant_id", field("tenant_id")),
        ("azure_client_id", field("client_id")),
        ("azure_client_secret", field("client_secret")),
    ]
}

/// `terraform test -filter=tests/FILE -var NAME=VALUE...` in the module; the
/// command's output whatever its exit code.
pub fn run_test_file(
    workdir: &Workdir,
    file: &str,
    variables: &[(&str, String)],
) -> Result<CommandOutput, HarnessError> {
    let mut args = vec![
        "test".to_string(),
        "-no-color".to_string(),
        format!("-filter=tests/{file}"),
    ];
    args.extend(
        variables
            .iter()
            .map(|(name, value)| format!("-var={name}={value}")),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    workdir.run(&args)
}

/// Asserts that `terraform test` passed every run of the file: exit 0 and its summary
/// `Success! N passed, 0 failed.` with the `runs` expected.
pub fn assert_all_passed(output: &CommandOutput, runs: usize) {
    let said = format!("{}{}", output.stdout, output.stderr);
    assert_eq!(output.code, 0, "terraform test failed:\n{said}");
    let summary = format!("Success! {runs} passed, 0 failed.");
    assert!(said.contains(&summary), "expected {summary:?} in:\n{said}");
}

/// `terraform validate` passes for `modules/NAME` and for its `examples/complete`,
/// which calls the module as `../..` (laid out as in the repository).
pub fn assert_module_and_example_validate(terraform: &Terraform, name: &str) -> TestResult {
    let module = module_workdir(terraform, name)?;
    let report = module.validate_json()?;
    assert!(report.valid, "{name}: {report:?}");

    let example = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let root = example.scratch_dir("repo")?;
    copy_into(&paths::repo_root().join("modules"), &root)?;
    let dir = root.join(name).join("examples/complete");
    let chdir = format!("-chdir={}", dir.to_string_lossy());
    example.succeed(&[&chdir, "init", "-input=false", "-no-color"])?;
    example
        .succeed(&[&chdir, "validate", "-no-color"])?
        .assert_stdout_contains("The configuration is valid.");
    Ok(())
}
