//! The Azure stack the stories share: a key, a cluster identity, a KMS-encrypted
//! private AKS cluster, a GPU pool and a workload identity that may decrypt with the
//! key, in the resource group `ml`, with the provider pointed at the emulator.

use acceptance_tests::{HarnessError, MlcloudEmulator, ProviderInstall, State, Terraform, Workdir};
use serde_json::Value;

use crate::arm::Arm;
use crate::bad_input::{TERRAFORM_BLOCK, provider_block};

/// The resource group every story creates its stack in (users bring their own).
pub const GROUP: &str = "ml";
pub const CLUSTER_NAME: &str = "ml-main";
pub const POOL_NAME: &str = "gpu";

pub const KEY: &str = "mlcloud_kms_key.etcd";
pub const CLUSTER_IDENTITY: &str = "mlcloud_identity.cluster";
pub const WORKLOAD_IDENTITY: &str = "mlcloud_identity.inference";
pub const CLUSTER: &str = "mlcloud_cluster.main";
pub const GPU_POOL: &str = "mlcloud_node_pool.gpu";

/// Every resource of the stack, in dependency order.
pub const ADDRESSES: [&str; 5] = [KEY, CLUSTER_IDENTITY, CLUSTER, GPU_POOL, WORKLOAD_IDENTITY];

pub const STACK: &str = r#"
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
  tags              = { team = "ml" }
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
  tags       = { team = "ml" }
  accelerator {
    type = "nvidia-t4"
  }
}

resource "mlcloud_identity" "inference" {
  cloud    = "azure"
  name     = "ml-inference"
  location = "westeurope"
  purpose  = "workload"
  workload {
    cluster_id      = mlcloud_cluster.main.id
    namespace       = "serving"
    service_account = "inference"
  }
  grants = [{ action = "kms_decrypt", target = mlcloud_kms_key.etcd.key_ref }]
  azure {
    resource_group_name = local.azure.resource_group_name
  }
}
"#;

/// The module for `stack` (STACK or a variant of it) against `emulator`.
pub fn main_tf(emulator: &MlcloudEmulator, stack: &str) -> String {
    [TERRAFORM_BLOCK, &provider_block(emulator), stack].join("\n")
}

/// How many objects of `kind` (a key of the emulator's azure records) exist.
pub fn count(records: &Value, kind: &str) -> usize {
    records["azure"][kind].as_array().map_or(0, Vec::len)
}

/// The ids of the objects of `kind` the emulator holds.
pub fn ids(records: &Value, kind: &str) -> Vec<String> {
    records["azure"][kind]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// The `id` (an ARM resource id) of the resource at `address`.
#[track_caller]
pub fn id_of(state: &State, address: &str) -> String {
    let id = state
        .resource(address)
        .unwrap_or_else(|| panic!("{address} is not in state: {:?}", state.addresses()))["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        id.starts_with("/subscriptions/"),
        "{address} is known by its ARM id: {id:?}"
    );
    id
}

/// An emulator with the resource group made, and the stack applied in a fresh workdir.
pub struct Applied {
    pub emulator: MlcloudEmulator,
    pub arm: Arm,
    pub provider: ProviderInstall,
    pub workdir: Workdir,
}

impl Applied {
    /// Starts the emulator with `args`, makes the group and applies `stack`.
    pub fn start(terraform: &Terraform, args: &[&str], stack: &str) -> Result<Self, HarnessError> {
        let emulator = MlcloudEmulator::start(args)?;
        let arm = Arm::new(&emulator);
        arm.create_group(GROUP);
        let provider = acceptance_tests::providers::mlcloud()?;
        let workdir = Workdir::new(terraform, std::slice::from_ref(&provider))?;
        workdir.write("main.tf", &main_tf(&emulator, stack))?;
        workdir.init()?;
        workdir.apply()?;
        Ok(Self {
            emulator,
            arm,
            provider,
            workdir,
        })
    }
}

/// Every attribute of `theirs` at `address` has the same value in `mine`.
#[track_caller]
pub fn same_values(address: &str, mine: &State, theirs: &State) {
    let values = |state: &State| {
        state
            .resource(address)
            .unwrap_or_else(|| panic!("{address} is not in state: {:?}", state.addresses()))
            .clone()
    };
    let (mine, theirs) = (values(mine), values(theirs));
    let differing: Vec<&String> = theirs
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(attribute, value)| mine.get(attribute.as_str()) != Some(value))
        .map(|(attribute, _)| attribute)
        .collect();
    assert!(
        differing.is_empty(),
        "{address}: imported {differing:?} differ\nimported: {mine}\ncreated:  {theirs}"
    );
}

/// The identity Terraform stored for the resource at `address` (`show -json`).
#[track_caller]
pub fn identity<'a>(state: &'a State, address: &str) -> &'a Value {
    state.0["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == address)
        .map(|r| &r["identity"])
        .unwrap_or_else(|| panic!("{address} is not in state: {}", state.0))
}
