//! The `examples/gcp-*` modules run as `scripts/try gcp-*` runs them: the emulator's
//! endpoint, project and generated key file as variables, apply, read the outputs,
//! destroy, and the emulator holds nothing of them any more (but the key rings and
//! destroyed key versions Cloud KMS keeps).

use acceptance_tests::{
    MlcloudEmulator, Outputs, Terraform, TestResult, Workdir, paths, providers,
};
use serde_json::Value;

use crate::stack::{count, gke_pool, records};

acceptance_tests::scenarios_on_terraform_1_15!(ml_stack_example, single_resource_examples);

fn ml_stack_example(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = example_workdir(terraform, &emulator, "gcp-ml-stack")?;
    workdir.apply()?;
    let outputs = workdir.output_json()?;
    let held = records(&emulator)?;
    assert_eq!(outputs.string("gpu_machine_type"), "g2-standard-4");
    assert_eq!(outputs.string("tpu_machine_type"), "ct5lp-hightpu-4t");
    assert!(
        outputs
            .string("cluster_id")
            .ends_with("/locations/us-central1/clusters/ml-platform"),
        "{}",
        outputs.string("cluster_id")
    );
    let tpu = gke_pool(&held, "tpu").expect("the TPU slice");
    assert_eq!(tpu["placementPolicy"]["tpuTopology"], "2x4", "{tpu}");
    assert!(
        outputs
            .string("inference_service_account")
            .starts_with("ml-platform-inference@"),
        "{}",
        outputs.string("inference_service_account")
    );
    workdir.assert_no_changes()?;
    workdir.destroy()?;
    assert_nothing_left(&emulator)
}

/// Each single-resource example on an emptied emulator: it applies, its main output
/// names what the emulator holds, and destroy removes it.
fn single_resource_examples(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    type Check = fn(&Value, &Outputs);
    let examples: [(&str, Check); 5] = [
        ("gcp-kms-key", |held, outputs| {
            assert_eq!(
                held["crypto_keys"][0]["name"].as_str(),
                Some(outputs.string("key_ref")),
                "{held:#}"
            );
            assert!(
                outputs
                    .string("key_ref")
                    .ends_with("/keyRings/ml-etcd-ring/cryptoKeys/ml-etcd")
            );
        }),
        ("gcp-identity", |held, outputs| {
            let mut emails: Vec<&str> = held["service_accounts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|account| account["email"].as_str())
                .collect();
            emails.sort();
            assert_eq!(
                emails,
                [
                    outputs.string("cluster_service_account"),
                    outputs.string("node_service_account"),
                ],
                "{held:#}"
            );
        }),
        ("gcp-cluster", |held, outputs| {
            assert_eq!(count(held, "clusters"), 1, "{held:#}");
            assert!(outputs.string("cluster_id").ends_with("/clusters/ml-main"));
            assert_eq!(outputs.string("status"), "RUNNING");
        }),
        ("gcp-node-pool", |held, outputs| {
            assert_eq!(outputs.string("resolved_machine_type"), "g2-standard-4");
            let pool = gke_pool(held, "gpu-l4").expect("the pool");
            assert_eq!(pool["autoscaling"]["maxNodeCount"], 3, "{pool}");
            assert!(
                outputs
                    .string("node_pool_id")
                    .ends_with("/nodePools/gpu-l4")
            );
        }),
        ("gcp-serving", |held, outputs| {
            let result = outputs.value("smoke_test_result");
            assert_eq!(result["passed"], true, "{result}");
            assert_eq!(result["model"], "iris", "{result}");
            assert_eq!(
                outputs.string("internal_url"),
                "http://iris.ml-serving.svc.cluster.local:8080"
            );
            assert_eq!(outputs.string("gpu_machine_type"), "g2-standard-4");
            assert!(gke_pool(held, "gpu").is_some(), "{held:#}");
            assert!(
                outputs
                    .string("endpoint_id")
                    .ends_with("/clusters/ml-serving/namespaces/ml-serving/endpoints/iris"),
                "{}",
                outputs.string("endpoint_id")
            );
        }),
    ];
    for (example, check) in examples {
        emulator.reset()?;
        let workdir = example_workdir(terraform, &emulator, example)?;
        workdir.apply()?;
        check(&records(&emulator)?, &workdir.output_json()?);
        workdir.destroy()?;
        assert_nothing_left(&emulator)?;
    }
    Ok(())
}

/// `examples/NAME` in a fresh workdir, initialised, with the emulator's endpoint,
/// project and key file as variables.
fn example_workdir(
    terraform: &Terraform,
    emulator: &MlcloudEmulator,
    name: &str,
) -> Result<Workdir, acceptance_tests::HarnessError> {
    let gcp = &emulator.ready()["gcp"];
    let field = |name: &str| gcp[name].as_str().unwrap_or_default().to_string();
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.copy_module(&paths::example_module(name))?;
    workdir.write(
        "terraform.tfvars",
        &format!(
            "gcp_endpoint    = \"{}\"\ngcp_project     = \"{}\"\ngcp_credentials = \"{}\"\n",
            field("endpoint"),
            field("project"),
            field("credentials_file")
        ),
    )?;
    workdir.init()?;
    Ok(workdir)
}

fn assert_nothing_left(emulator: &MlcloudEmulator) -> TestResult {
    let left = records(emulator)?;
    for kind in [
        "service_accounts",
        "clusters",
        "node_pools",
        "operations_in_progress",
    ] {
        assert_eq!(count(&left, kind), 0, "{kind} left: {left:#}");
    }
    for key in left["crypto_keys"].as_array().into_iter().flatten() {
        for version in key["versions"].as_array().into_iter().flatten() {
            assert_eq!(version["state"], "DESTROY_SCHEDULED", "{key}");
        }
    }
    Ok(())
}
