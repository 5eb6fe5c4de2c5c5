//! Who administers an AKS cluster, and its Kubernetes upgrades, as the user sees
//! them: by default the caller (the object id in its token) gets one Azure RBAC
//! cluster-admin assignment at the cluster's scope, shown in the plan; naming other
//! admins adds theirs and removes only the caller's; an object id that is not one is
//! refused at plan. A cluster moves one minor version per apply (a skip is refused at
//! plan, naming the version to set first), the system pool with it; a pool that
//! follows its cluster is upgraded in place by the next apply. Destroy leaves
//! nothing, assignments included.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, Workdir, providers};
use serde_json::Value;
use std::process::Command;

use crate::arm::Arm;
use crate::bad_input::{TERRAFORM_BLOCK, provider_block};
use crate::stack::GROUP;
use crate::stack_lifecycle::count;

acceptance_tests::scenarios_on_terraform_1_15!(admins_then_upgrades_of_a_cluster_and_its_pool);

const AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
const AKS_API: &str = "2025-10-01";

const STACK: &str = r#"
resource "mlcloud_kms_key" "etcd" {
  cloud    = "azure"
  name     = "etcd"
  location = "westeurope"
  azure {
    resource_group_name = "ml"
  }
}

resource "mlcloud_identity" "cluster" {
  cloud    = "azure"
  name     = "ml-cluster"
  location = "westeurope"
  purpose  = "cluster"
  azure {
    resource_group_name = "ml"
  }
}

resource "mlcloud_identity" "ops" {
  cloud    = "azure"
  name     = "ml-ops"
  location = "westeurope"
  purpose  = "cluster"
  azure {
    resource_group_name = "ml"
  }
}

resource "mlcloud_cluster" "main" {
  cloud              = "azure"
  name               = "ml-main"
  location           = "westeurope"
  kubernetes_version = "1.33"
  encryption_key_id  = mlcloud_kms_key.etcd.key_ref
  identity_id        = mlcloud_identity.cluster.id
  system_pool {
    node_count = 1
  }
  azure {
    resource_group_name = "ml"
  }
}

resource "mlcloud_node_pool" "gpu" {
  cloud      = "azure"
  cluster_id = mlcloud_cluster.main.id
  name       = "gpu"
  location   = "westeurope"
  node_count = 1
  accelerator {
    type = "nvidia-t4"
  }
}
"#;

/// `GET` of an ARM path (with its query) as a user's tooling would send it.
pub(crate) fn arm_get(emulator: &MlcloudEmulator, path: &str, api_version: &str) -> Value {
    let azure = &emulator.ready()["azure"];
    let field = |name: &str| azure[name].as_str().unwrap_or_default().to_string();
    let curl = |args: &[String]| {
        let out = Command::new("curl")
            .args(["-sS", "--fail-with-body", "--cacert", &field("ca_file")])
            .args(args)
            .output()
            .expect("curl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        serde_json::from_slice::<Value>(&out.stdout).expect("json")
    };
    let token = curl(&[
        format!(
            "{}/{}/oauth2/v2.0/token",
            field("active_directory"),
            field("tenant_id")
        ),
        "-d".into(),
        format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fmanagement.azure.com%2F.default",
            field("client_id"),
            field("client_secret")
        ),
    ]);
    let separator = if path.contains('?') { '&' } else { '?' };
    curl(&[
        "-G".into(),
        format!(
            "{}{path}{separator}api-version={api_version}",
            field("resource_manager")
        ),
        "-H".into(),
        format!(
            "Authorization: Bearer {}",
            token["access_token"].as_str().unwrap_or_default()
        ),
    ])
}

/// The principals holding the AKS RBAC Cluster Admin role at exactly the cluster.
fn cluster_admins(emulator: &MlcloudEmulator, cluster_id: &str) -> Vec<String> {
    let listed = arm_get(
        emulator,
        &format!("{cluster_id}/providers/Microsoft.Authorization/roleAssignments"),
        "2022-04-01",
    );
    let mut admins: Vec<String> = listed["value"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| &a["properties"])
        .filter(|p| {
            p["scope"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(cluster_id))
                && p["roleDefinitionId"]
                    .as_str()
                    .is_some_and(|r| r.ends_with(AKS_RBAC_CLUSTER_ADMIN))
        })
        .filter_map(|p| p["principalId"].as_str().map(str::to_string))
        .collect();
    admins.sort();
    admins
}

fn write(workdir: &Workdir, emulator: &MlcloudEmulator, stack: &str) -> TestResult {
    workdir.write(
        "main.tf",
        &[TERRAFORM_BLOCK, &provider_block(emulator), stack].join("\n"),
    )?;
    Ok(())
}

/// Output with Terraform's line wrapping undone.
pub(crate) fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn string_at<'a>(state: &'a Value, pointer: &str) -> &'a str {
    state
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn admins_then_upgrades_of_a_cluster_and_its_pool(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&["--operation-delay-ms", "300"])?;
    Arm::new(&emulator).create_group(GROUP);
    let caller = emulator.ready()["azure"]["object_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    write(&workdir, &emulator, STACK)?;
    workdir.init()?;

    // The default admin is resolved at plan time, so the plan shows who.
    let planned = workdir.plan()?;
    assert!(planned.stdout.contains(&caller), "{planned}");
    workdir.apply()?;
    let state = workdir.state_json()?;
    let cluster = state
        .resource("mlcloud_cluster.main")
        .cloned()
        .unwrap_or_default();
    let cluster_id = string_at(&cluster, "/id").to_string();
    assert_eq!(
        cluster["admin_principals"],
        serde_json::json!([caller]),
        "{cluster}"
    );
    assert_eq!(
        cluster_admins(&emulator, &cluster_id),
        std::slice::from_ref(&caller)
    );
    assert_eq!(string_at(&cluster, "/kubernetes_version"), "1.33");
    let pool = state
        .resource("mlcloud_node_pool.gpu")
        .cloned()
        .unwrap_or_default();
    assert_eq!(string_at(&pool, "/kubernetes_version"), "1.33", "{pool}");
    workdir.assert_no_changes()?;

    // Another admin instead of the caller: only the caller's assignment goes (the
    // cluster's use of its key stays).
    let ops_admin = STACK.replace(
        "  identity_id        = mlcloud_identity.cluster.id\n",
        "  identity_id        = mlcloud_identity.cluster.id\n  admin_principals   = [mlcloud_identity.ops.principal]\n",
    );
    write(&workdir, &emulator, &ops_admin)?;
    let applied = workdir.apply()?;
    assert!(
        applied.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{applied}"
    );
    let ops = workdir.state_json()?;
    let ops = ops
        .resource("mlcloud_identity.ops")
        .and_then(|v| v["principal"].as_str())
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        cluster_admins(&emulator, &cluster_id),
        std::slice::from_ref(&ops)
    );
    assert_eq!(count(&emulator.records()?, "role_assignments"), 2);
    workdir.assert_no_changes()?;

    // Not an object id: refused at plan, on the attribute.
    write(
        &workdir,
        &emulator,
        &ops_admin.replace(
            "[mlcloud_identity.ops.principal]",
            "[\"alice@example.com\"]",
        ),
    )?;
    let refused = workdir.plan_expect_error()?;
    let said = unwrapped(&refused.stderr);
    assert!(said.contains("admin_principals"), "{refused}");
    assert!(said.contains("Microsoft Entra object ids"), "{refused}");

    // Two minors at once: refused at plan, naming the step to take first.
    let skip = ops_admin.replace(
        "kubernetes_version = \"1.33\"",
        "kubernetes_version = \"1.35\"",
    );
    write(&workdir, &emulator, &skip)?;
    let refused = workdir.plan_expect_error()?;
    assert!(unwrapped(&refused.stderr).contains("Set 1.34"), "{refused}");

    // One minor: the control plane and the system pool in one write.
    let next = ops_admin.replace(
        "kubernetes_version = \"1.33\"",
        "kubernetes_version = \"1.34\"",
    );
    write(&workdir, &emulator, &next)?;
    let applied = workdir.apply()?;
    assert!(
        applied.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{applied}"
    );
    let body = arm_get(&emulator, &cluster_id, AKS_API);
    assert!(
        string_at(&body, "/properties/currentKubernetesVersion").starts_with("1.34."),
        "{body}"
    );
    let system = arm_get(
        &emulator,
        &format!("{cluster_id}/agentPools/system"),
        AKS_API,
    );
    assert_eq!(
        string_at(&system, "/properties/orchestratorVersion"),
        "1.34"
    );

    // The pool follows its cluster: the next plan upgrades it in place.
    let applied = workdir.apply()?;
    assert!(
        applied.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{applied}"
    );
    let pool_after = workdir.state_json()?;
    let pool_after = pool_after
        .resource("mlcloud_node_pool.gpu")
        .cloned()
        .unwrap_or_default();
    assert_eq!(string_at(&pool_after, "/kubernetes_version"), "1.34");
    assert_eq!(pool_after["id"], pool["id"], "upgraded, not replaced");
    let body = arm_get(&emulator, string_at(&pool, "/id"), AKS_API);
    assert!(
        string_at(&body, "/properties/currentOrchestratorVersion").starts_with("1.34."),
        "{body}"
    );
    workdir.assert_no_changes()?;

    workdir.destroy()?;
    let records = emulator.records()?;
    for kind in [
        "managed_clusters",
        "agent_pools",
        "identities",
        "role_assignments",
    ] {
        assert_eq!(count(&records, kind), 0, "{kind} left: {records}");
    }
    Ok(())
}
