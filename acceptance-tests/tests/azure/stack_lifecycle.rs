//! The user's story on Azure: a key, a cluster identity, a KMS-encrypted private AKS
//! cluster and a GPU pool as one stack, applied with the emulator's operations taking
//! seconds (so the waiters really wait); a second plan has nothing to do; the pool's
//! size, labels and tags and the cluster's tags change in place; destroy leaves the
//! emulator's records empty.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, Workdir, providers};
use serde_json::Value;

use crate::arm::Arm;

use crate::bad_input::{TERRAFORM_BLOCK, provider_block};

acceptance_tests::scenarios_on_terraform_1_15!(apply_plan_destroy_a_gpu_stack);

const GROUP: &str = "ml";

const STACK: &str = r#"
locals {
  azure = { resource_group_name = "ml" }
}

resource "mlcloud_kms_key" "etcd" {
  cloud    = "azure"
  name     = "etcd"
  location = "westeurope"
  azure {
    resource_group_name = local.azure.resource_group_name
  }
}

resource "mlcloud_identity" "cluster" {
  cloud    = "azure"
  name     = "ml-cluster"
  location = "westeurope"
  purpose  = "cluster"
  azure {
    resource_group_name = local.azure.resource_group_name
  }
}

resource "mlcloud_cluster" "main" {
  cloud             = "azure"
  name              = "ml-main"
  location          = "westeurope"
  encryption_key_id = mlcloud_kms_key.etcd.key_ref
  identity_id       = mlcloud_identity.cluster.id
  system_pool {
    node_count = 1
  }
  azure {
    resource_group_name = local.azure.resource_group_name
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

pub(crate) fn count(records: &Value, kind: &str) -> usize {
    records["azure"][kind].as_array().map_or(0, Vec::len)
}

fn apply_plan_destroy_a_gpu_stack(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&["--operation-delay-ms", "2000"])?;
    Arm::new(&emulator).create_group(GROUP);
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write(
        "main.tf",
        &[TERRAFORM_BLOCK, &provider_block(&emulator), STACK].join("\n"),
    )?;
    workdir.init()?;
    workdir.apply()?;

    let records = emulator.records()?;
    for (kind, n) in [
        ("vaults", 1),
        ("keys", 1),
        ("identities", 1),
        ("managed_clusters", 1),
        ("agent_pools", 2),
        // The cluster's use of its key, and the caller as its admin.
        ("role_assignments", 2),
    ] {
        assert_eq!(count(&records, kind), n, "{kind}: {records}");
    }
    workdir.assert_no_changes()?;

    // In place, as AKS allows: the pool's size, labels and tags, the cluster's tags.
    let changed = STACK
        .replace(
            "  node_count = 1\n  accelerator",
            "  node_count = 2\n  labels     = { team = \"ml\" }\n  tags       = { owner = \"ml-platform\" }\n  accelerator",
        )
        .replace(
            "  identity_id       = mlcloud_identity.cluster.id\n",
            "  identity_id       = mlcloud_identity.cluster.id\n  tags              = { owner = \"ml-platform\" }\n",
        );
    assert_ne!(changed, STACK);
    workdir.write(
        "main.tf",
        &[TERRAFORM_BLOCK, &provider_block(&emulator), &changed].join("\n"),
    )?;
    let applied = workdir.apply()?;
    assert!(
        applied.stdout.contains("0 added, 2 changed, 0 destroyed"),
        "{applied}"
    );
    workdir.assert_no_changes()?;

    let destroyed = workdir.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])?;
    assert_eq!(destroyed.code, 0, "{destroyed}");
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
        assert_eq!(count(&records, kind), 0, "{kind} left: {records}");
    }
    Ok(())
}
