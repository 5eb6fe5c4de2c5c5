//! The `examples/azure-*` modules run as a user runs them (and as `scripts/try
//! azure-*` does): credentials and the CA from `ARM_*` environment variables, the
//! emulator's endpoints as variables, the resource group `ml-platform` made
//! beforehand; apply, read the outputs, a clean plan, destroy, and the emulator holds
//! nothing of them any more (`azure-serving` ends with a real inference through the
//! cluster's service proxy).

use acceptance_tests::{
    HarnessError, MlcloudEmulator, Outputs, Terraform, TestResult, Workdir, paths, providers,
};
use serde_json::Value;

use crate::arm::Arm;
use crate::stack::{count, ids};

acceptance_tests::scenarios_on_terraform_1_15!(each_azure_example_applies_and_destroys);

/// The group every example defaults to.
const GROUP: &str = "ml-platform";

type Check = fn(&Value, &Outputs);

fn each_azure_example_applies_and_destroys(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let examples: [(&str, Check); 6] = [
        ("azure-kms-key", |records, outputs| {
            assert_eq!(ids(records, "keys"), [outputs.string("key_id")]);
            assert!(
                outputs.string("key_ref").ends_with("/keys/ml-etcd"),
                "the versionless key URI: {}",
                outputs.string("key_ref")
            );
            assert_eq!(count(records, "vaults"), 1);
        }),
        ("azure-identity", |records, outputs| {
            assert_eq!(
                ids(records, "identities"),
                [outputs.string("cluster_identity_id")],
                "no workload identity without a cluster"
            );
        }),
        ("azure-cluster", |records, outputs| {
            assert_eq!(
                ids(records, "managed_clusters"),
                [outputs.string("cluster_id")]
            );
            // The cluster's identity on its key, and the caller as cluster admin
            // (admin_principals' default).
            assert_eq!(
                count(records, "role_assignments"),
                2,
                "the cluster's on its key and the caller's on the cluster"
            );
        }),
        ("azure-node-pool", |records, outputs| {
            assert_eq!(
                outputs.string("resolved_machine_type"),
                "Standard_NC4as_T4_v3"
            );
            assert!(
                ids(records, "agent_pools").contains(&outputs.string("node_pool_id").to_owned()),
                "{records}"
            );
        }),
        ("azure-ml-stack", |records, outputs| {
            assert_eq!(outputs.string("gpu_machine_type"), "Standard_NC4as_T4_v3");
            assert_eq!(
                ids(records, "managed_clusters"),
                [outputs.string("cluster_id")]
            );
            assert_eq!(count(records, "identities"), 2, "{records}");
            assert_eq!(count(records, "federated_identity_credentials"), 1);
            // + the caller as cluster admin (admin_principals' default).
            assert_eq!(count(records, "role_assignments"), 3, "{records}");
        }),
        ("azure-serving", |records, outputs| {
            let result = outputs.value("smoke_test_result");
            assert_eq!(result["passed"], true, "{result}");
            assert_eq!(result["model"], "iris", "{result}");
            assert_eq!(
                outputs.string("internal_url"),
                "http://iris.ml-serving.svc.cluster.local:8080"
            );
            let cluster_id = ids(records, "managed_clusters").remove(0);
            let objects = &records["kubernetes"]["clusters"][cluster_id.to_lowercase()]["objects"];
            assert!(
                objects
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|o| o["kind"] == "Deployment" && o["name"] == "iris"),
                "the model server's Deployment: {objects}"
            );
            // The T4 pool's device plugin, without which its GPU is not allocatable.
            assert!(
                objects.as_array().into_iter().flatten().any(
                    |o| o["kind"] == "DaemonSet" && o["name"] == "nvidia-device-plugin-serving"
                ),
                "the serving pool's NVIDIA device plugin: {objects}"
            );
            assert!(
                outputs
                    .string("endpoint_id")
                    .ends_with("/managedClusters/ml-serving/namespaces/ml-serving/endpoints/iris"),
                "{}",
                outputs.string("endpoint_id")
            );
        }),
    ];
    for (example, check) in examples {
        emulator.reset()?;
        Arm::new(&emulator).create_group(GROUP);
        let workdir = example_workdir(terraform, &emulator, example)?;
        workdir.apply()?;
        check(&emulator.records()?, &workdir.output_json()?);
        workdir.assert_no_changes()?;
        workdir.destroy()?;
        let records = emulator.records()?;
        for kind in [
            "managed_clusters",
            "agent_pools",
            "vaults",
            "keys",
            "identities",
            "federated_identity_credentials",
            "role_assignments",
        ] {
            assert_eq!(
                count(&records, kind),
                0,
                "{example}: {kind} left: {records}"
            );
        }
    }
    Ok(())
}

/// `examples/NAME` in a fresh workdir, initialised: the emulator's credentials and CA
/// in `ARM_*`, its endpoints in `terraform.tfvars`.
fn example_workdir(
    terraform: &Terraform,
    emulator: &MlcloudEmulator,
    name: &str,
) -> Result<Workdir, HarnessError> {
    let azure = &emulator.ready()["azure"];
    let field = |name: &str| azure[name].as_str().unwrap_or_default().to_owned();
    let mut workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    for (variable, value) in [
        ("ARM_SUBSCRIPTION_ID", "subscription_id"),
        ("ARM_TENANT_ID", "tenant_id"),
        ("ARM_CLIENT_ID", "client_id"),
        ("ARM_CLIENT_SECRET", "client_secret"),
        ("ARM_CA_CERTIFICATE_FILE", "ca_file"),
    ] {
        workdir.set_env(variable, &field(value));
    }
    workdir.copy_module(&paths::example_module(name))?;
    workdir.write(
        "terraform.tfvars",
        &format!(
            "azure_resource_manager_endpoint = \"{}\"\nazure_active_directory_endpoint = \"{}\"\n",
            field("resource_manager"),
            field("active_directory")
        ),
    )?;
    workdir.init()?;
    Ok(workdir)
}
