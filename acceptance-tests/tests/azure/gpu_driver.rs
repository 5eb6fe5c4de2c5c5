//! A GPU pool for the NVIDIA GPU Operator on AKS: `azure { gpu_driver = "None" }`
//! reaches AKS as `gpuProfile.driver`, a later plan is empty, going back to
//! `Install` replaces the pool (AKS sets the driver when it makes nodes), and
//! leaving the default out afterwards keeps the pool. On a pool
//! without a GPU the setting is refused at plan, on its attribute.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, Workdir, providers};
use serde_json::Value;

use crate::admins_and_upgrades::{arm_get, unwrapped};
use crate::arm::Arm;
use crate::bad_input::{TERRAFORM_BLOCK, provider_block};
use crate::stack::GROUP;
use crate::stack_lifecycle::count;

acceptance_tests::scenarios_on_terraform_1_15!(a_gpu_pool_for_the_gpu_operator);

const AKS_API: &str = "2025-10-01";

const CLUSTER: &str = r#"
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
    resource_group_name = "ml"
  }
}
"#;

/// The GPU pool with `azure_block` inside it ("" for none).
fn gpu_pool(azure_block: &str) -> String {
    format!(
        r#"
resource "mlcloud_node_pool" "gpu" {{
  cloud      = "azure"
  cluster_id = mlcloud_cluster.main.id
  name       = "gpu"
  location   = "westeurope"
  node_count = 1
  accelerator {{
    type = "nvidia-t4"
  }}
  {azure_block}
}}
"#
    )
}

const CPU_POOL: &str = r#"
resource "mlcloud_node_pool" "cpu" {
  cloud        = "azure"
  cluster_id   = mlcloud_cluster.main.id
  name         = "cpu"
  location     = "westeurope"
  node_count   = 1
  machine_type = "Standard_D4ds_v5"
  azure {
    gpu_driver = "None"
  }
}
"#;

fn write(workdir: &Workdir, emulator: &MlcloudEmulator, resources: &[&str]) -> TestResult {
    let mut parts = vec![TERRAFORM_BLOCK.to_string(), provider_block(emulator)];
    parts.extend(resources.iter().map(|r| r.to_string()));
    workdir.write("main.tf", &parts.join("\n"))?;
    Ok(())
}

/// The pool's id in state and the driver AKS holds for it.
fn pool_and_driver(workdir: &Workdir, emulator: &MlcloudEmulator) -> (String, String) {
    let state = workdir.state_json().expect("state");
    let id = state
        .resource("mlcloud_node_pool.gpu")
        .and_then(|p| p["id"].as_str())
        .unwrap_or_default()
        .to_string();
    let body = arm_get(emulator, &id, AKS_API);
    let driver = body
        .pointer("/properties/gpuProfile/driver")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    (id, driver)
}

fn a_gpu_pool_for_the_gpu_operator(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&["--operation-delay-ms", "300"])?;
    Arm::new(&emulator).create_group(GROUP);
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;

    // No GPU, no GPU driver: refused before anything is made.
    write(&workdir, &emulator, &[CLUSTER, CPU_POOL])?;
    workdir.init()?;
    let refused = workdir.plan_expect_error()?;
    let said = unwrapped(&refused.stderr);
    assert!(
        said.contains("gpu_driver applies to GPU pools only"),
        "{refused}"
    );
    assert!(said.contains("Standard_D4ds_v5"), "{refused}");
    assert!(
        said.contains("gpu_driver = \"None\""),
        "points at the line: {refused}"
    );
    assert_eq!(count(&emulator.records()?, "managed_clusters"), 0);

    let operator = gpu_pool("azure {\n    gpu_driver = \"None\"\n  }");
    write(&workdir, &emulator, &[CLUSTER, &operator])?;
    workdir.apply()?;
    let (first, driver) = pool_and_driver(&workdir, &emulator);
    assert_eq!(driver, "None");
    workdir.assert_no_changes()?;

    // Back to AKS's driver: a new pool.
    let install = gpu_pool("azure {\n    gpu_driver = \"Install\"\n  }");
    write(&workdir, &emulator, &[CLUSTER, &install])?;
    let planned = workdir.plan()?;
    assert!(planned.stdout.contains("forces replacement"), "{planned}");
    let applied = workdir.apply()?;
    assert!(
        applied.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{applied}"
    );
    let (second, driver) = pool_and_driver(&workdir, &emulator);
    assert_eq!(driver, "Install");
    assert_eq!(second, first, "same name, same ARM id, made again");
    workdir.assert_no_changes()?;

    // Leaving the default out is the same pool: the empty block leaves the state in
    // place, nothing is made again.
    write(&workdir, &emulator, &[CLUSTER, &gpu_pool("")])?;
    let applied = workdir.apply()?;
    assert!(
        applied.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{applied}"
    );
    assert_eq!(
        pool_and_driver(&workdir, &emulator),
        (second, "Install".into())
    );
    workdir.assert_no_changes()?;

    workdir.destroy()?;
    let records = emulator.records()?;
    for kind in ["managed_clusters", "agent_pools", "role_assignments"] {
        assert_eq!(count(&records, kind), 0, "{kind} left: {records}");
    }
    Ok(())
}
