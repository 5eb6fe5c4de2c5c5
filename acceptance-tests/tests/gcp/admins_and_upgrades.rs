//! The user's story of cluster access and upgrades on Google Cloud: a GKE cluster on
//! Kubernetes 1.30 with a GPU pool that follows it; the caller administers it without
//! writing `admin_principals` (a `roles/container.admin` binding on the project);
//! adding and removing an admin binds and revokes exactly that member; an upgrade to
//! 1.31 moves the control plane, the system pool and the pool in one apply; skipping
//! a minor version or a principal without its member type is a plan-time error on the
//! attribute; destroy leaves no admin binding mlcloud wrote.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, Workdir, providers};
use std::collections::BTreeSet;

use crate::feature_support::{TERRAFORM_BLOCK, caller, members, project, provider_block, records};

acceptance_tests::scenarios_on_terraform_1_15!(admins_and_upgrades_on_gke);

const ADMIN: &str = "roles/container.admin";

/// The stack, with the cluster's version and its admins line (empty: the default).
fn stack(version: &str, admins: &str) -> String {
    format!(
        r#"
resource "mlcloud_identity" "nodes" {{
  cloud    = "gcp"
  name     = "ml-nodes"
  location = "us-central1"
  purpose  = "node"
}}

resource "mlcloud_kms_key" "etcd" {{
  cloud    = "gcp"
  name     = "etcd"
  location = "us-central1"
}}

resource "mlcloud_cluster" "main" {{
  cloud              = "gcp"
  name               = "ml-main"
  location           = "us-central1"
  kubernetes_version = "{version}"
  encryption_key_id  = mlcloud_kms_key.etcd.key_ref
  {admins}
  system_pool {{
    node_count       = 1
    node_identity_id = mlcloud_identity.nodes.id
  }}
}}

resource "mlcloud_node_pool" "gpu" {{
  cloud              = "gcp"
  cluster_id         = mlcloud_cluster.main.id
  name               = "gpu"
  node_count         = 1
  node_identity_id   = mlcloud_identity.nodes.id
  kubernetes_version = mlcloud_cluster.main.kubernetes_version
  accelerator {{
    type = "nvidia-l4"
  }}
}}
"#
    )
}

fn write(workdir: &Workdir, emulator: &MlcloudEmulator, body: &str) -> TestResult {
    workdir.write(
        "main.tf",
        &[TERRAFORM_BLOCK, &provider_block(emulator), body].join("\n"),
    )?;
    Ok(())
}

fn admins(emulator: &MlcloudEmulator) -> BTreeSet<String> {
    let resource = format!("projects/{}", project(emulator));
    members(&records(emulator), &resource, ADMIN, None)
}

/// The version every pool of the cluster runs (system pool included).
fn pool_versions(emulator: &MlcloudEmulator) -> BTreeSet<String> {
    records(emulator)["clusters"][0]["nodePools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["version"].as_str().map(str::to_string))
        .collect()
}

fn admins_and_upgrades_on_gke(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let me = caller(&emulator);
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    write(&workdir, &emulator, &stack("1.30", ""))?;
    workdir.init()?;
    let planned = workdir.plan()?;
    assert!(
        planned.stdout.contains(&format!("\"{me}\"")),
        "the plan names the caller as admin: {planned}"
    );
    workdir.apply()?;
    let state = workdir.state_json()?;
    let cluster = state.resource("mlcloud_cluster.main").expect("cluster");
    assert_eq!(cluster["admin_principals"], serde_json::json!([me]));
    assert_eq!(
        state.resource("mlcloud_node_pool.gpu").expect("pool")["kubernetes_version"],
        "1.30"
    );
    assert_eq!(admins(&emulator), BTreeSet::from([me.clone()]));
    workdir.assert_no_changes()?;

    // Alice joins, then leaves: only her binding comes and goes.
    let with_alice = format!("admin_principals = [\"{me}\", \"user:alice@example.com\"]");
    write(&workdir, &emulator, &stack("1.30", &with_alice))?;
    let applied = workdir.apply()?;
    assert!(
        applied.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{applied}"
    );
    assert_eq!(
        admins(&emulator),
        BTreeSet::from([me.clone(), "user:alice@example.com".to_string()])
    );
    workdir.assert_no_changes()?;
    let without = format!("admin_principals = [\"{me}\"]");
    write(&workdir, &emulator, &stack("1.30", &without))?;
    workdir.apply()?;
    assert_eq!(admins(&emulator), BTreeSet::from([me.clone()]));

    // A principal without its member type: a plan-time error on the attribute.
    write(
        &workdir,
        &emulator,
        &stack("1.30", "admin_principals = [\"alice@example.com\"]"),
    )?;
    let refused = workdir.plan_expect_error()?;
    assert!(
        refused.stderr.contains("user:EMAIL") && refused.stderr.contains("admin_principals"),
        "{refused}"
    );

    // Skipping a minor version: refused at plan, naming the version to set first.
    write(&workdir, &emulator, &stack("1.32", &without))?;
    let skipped = workdir.plan_expect_error()?;
    assert!(skipped.stderr.contains("Set 1.31"), "{skipped}");

    // One minor up: control plane, system pool and the GPU pool in one apply.
    write(&workdir, &emulator, &stack("1.31", &without))?;
    let upgraded = workdir.apply()?;
    assert!(
        upgraded.stdout.contains("0 added, 2 changed, 0 destroyed"),
        "{upgraded}"
    );
    let versions = pool_versions(&emulator);
    assert!(
        versions.len() == 1 && versions.iter().all(|v| v.starts_with("1.31.")),
        "every pool on 1.31: {versions:?}"
    );
    let cluster = &records(&emulator)["clusters"][0];
    assert!(
        cluster["currentMasterVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("1.31.")),
        "{cluster}"
    );
    workdir.assert_no_changes()?;

    workdir.destroy()?;
    assert!(admins(&emulator).is_empty(), "{}", records(&emulator));
    assert_eq!(records(&emulator)["clusters"], serde_json::json!([]));
    Ok(())
}
