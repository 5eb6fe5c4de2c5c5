//! Day two on EKS, through the EKS routes moto lacks (`mlcloud-emulator`'s aws part):
//! - who administers the cluster is an access entry Terraform sees: by default the
//!   caller, and no hidden creator-admin; a new admin is granted, a removed one revoked;
//! - a Kubernetes upgrade of the cluster runs the control plane, then the system
//!   node group, then the GPU pool that follows the cluster, each through its update
//!   id until EKS reports it Successful.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};
use serde_json::{Value, json};

use crate::expect::resource;
use crate::stack::{CLUSTER, CLUSTER_NAME, GPU_POOL, POOL_NAME, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(admins_are_access_entries_and_upgrades_run_in_order);

/// STS's answer for the harness's static keys (moto's default user).
const CALLER: &str = "arn:aws:iam::123456789012:user/moto";
const PLATFORM_ADMIN: &str = "arn:aws:iam::123456789012:role/platform-admin";
const ADMIN_POLICY: &str = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/// The principals holding the cluster-admin policy at cluster scope, as the EKS
/// model records them.
fn admins(eks: &Value) -> Vec<String> {
    let mut admins: Vec<String> = eks["accessEntries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| {
            entry["associatedAccessPolicies"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["policyArn"] == ADMIN_POLICY && p["accessScope"]["type"] == "cluster")
        })
        .filter_map(|entry| entry["principalArn"].as_str().map(str::to_string))
        .collect();
    admins.sort();
    admins
}

fn admins_are_access_entries_and_upgrades_run_in_order(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let mut stack = Stack::new(&network);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir
        .plan()?
        .assert_stdout_contains(&format!("+ \"{CALLER}\""));
    workdir.apply()?;
    let eks = |emulator: &acceptance_tests::MlcloudEmulator| -> Result<Value, acceptance_tests::HarnessError> {
        Ok(emulator.records()?["aws"]["eks"]["clusters"][CLUSTER_NAME].clone())
    };
    let cluster = eks(moto.emulator())?;
    assert_eq!(
        cluster["accessConfig"]["bootstrapClusterCreatorAdminPermissions"],
        json!(false),
        "no hidden creator-admin: {cluster}"
    );
    assert_eq!(admins(&cluster), [CALLER]);
    let state = workdir.state_json()?;
    assert_eq!(
        resource(&state, CLUSTER)["admin_principals"],
        json!([CALLER])
    );
    workdir.assert_no_changes()?;

    // Another admin in, the caller out.
    stack.admin_principals = Some(vec![PLATFORM_ADMIN]);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.apply()?;
    workdir.assert_no_changes()?;
    assert_eq!(admins(&eks(moto.emulator())?), [PLATFORM_ADMIN]);

    // The upgrade: control plane, system group, then the pool that follows it.
    stack.cluster_version = "1.32";
    stack.pool_version = Some("1.32");
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 0 added, 2 changed, 0 destroyed.");
    workdir.assert_no_changes()?;
    let state = workdir.state_json()?;
    assert_eq!(resource(&state, CLUSTER)["kubernetes_version"], "1.32");
    assert_eq!(resource(&state, GPU_POOL)["kubernetes_version"], "1.32");
    let records = moto.emulator().records()?;
    let updates: Vec<(String, String, String)> = records["aws"]["eks"]["updates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|u| u["type"] == "VersionUpdate")
        .map(|u| {
            (
                u["nodegroupName"].as_str().unwrap_or("").to_string(),
                u["status"].as_str().unwrap_or_default().to_string(),
                u["params"][0]["value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        updates,
        [
            (String::new(), "Successful".into(), "1.32".into()),
            ("system".into(), "Successful".into(), "1.32".into()),
            (POOL_NAME.into(), "Successful".into(), "1.32".into()),
        ],
        "{records}"
    );
    Ok(())
}
