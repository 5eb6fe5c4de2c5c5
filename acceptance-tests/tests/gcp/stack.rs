//! The user's Google Cloud stack every story starts from, the provider block that
//! points it at `mlcloud-emulator`'s gcp part (the emulator's generated service-account
//! key, so the provider's real credential path runs), and readers of the emulator's
//! records.

use acceptance_tests::{HarnessError, MlcloudEmulator, Terraform, Workdir, providers};
use serde_json::Value;

pub const LOCATION: &str = "us-central1";

pub const TERRAFORM_BLOCK: &str =
    "terraform {\n  required_providers {\n    mlcloud = { source = \"mlcloud/mlcloud\" }\n  }\n}\n";

/// Terraform addresses of the stack's resources, in dependency order.
pub const KEY: &str = "mlcloud_kms_key.etcd";
pub const CLUSTER_IDENTITY: &str = "mlcloud_identity.cluster";
pub const NODE_IDENTITY: &str = "mlcloud_identity.nodes";
pub const WORKLOAD_IDENTITY: &str = "mlcloud_identity.serving";
pub const CLUSTER: &str = "mlcloud_cluster.main";
pub const GPU_POOL: &str = "mlcloud_node_pool.gpu";
pub const TPU_POOL: &str = "mlcloud_node_pool.tpu";
pub const ADDRESSES: [&str; 7] = [
    KEY,
    CLUSTER_IDENTITY,
    NODE_IDENTITY,
    WORKLOAD_IDENTITY,
    CLUSTER,
    GPU_POOL,
    TPU_POOL,
];

/// A key, the three identities, a private GKE cluster encrypted with the key, one
/// GPU pool and one multi-host TPU v5e slice (2x4 chips on 4-chip VMs: two nodes).
/// GKE clusters have no identity of their own (the provider refuses `identity_id` on
/// gcp): the cluster identity is a service account for the team's own tooling.
pub const STACK: &str = r#"
resource "mlcloud_kms_key" "etcd" {
  cloud                = "gcp"
  name                 = "etcd"
  location             = "us-central1"
  rotation_period_days = 90
}

resource "mlcloud_identity" "cluster" {
  cloud    = "gcp"
  name     = "ml-cluster"
  location = "us-central1"
  purpose  = "cluster"
}

resource "mlcloud_identity" "nodes" {
  cloud    = "gcp"
  name     = "ml-nodes"
  location = "us-central1"
  purpose  = "node"
}

resource "mlcloud_identity" "serving" {
  cloud    = "gcp"
  name     = "ml-serving"
  location = "us-central1"
  purpose  = "workload"
  workload {
    cluster_id      = mlcloud_cluster.main.id
    namespace       = "serving"
    service_account = "model-server"
  }
  grants = [{ action = "kms_decrypt", target = mlcloud_kms_key.etcd.key_ref }]
}

resource "mlcloud_cluster" "main" {
  cloud             = "gcp"
  name              = "ml-main"
  location          = "us-central1"
  encryption_key_id = mlcloud_kms_key.etcd.key_ref
  system_pool {
    node_count       = 1
    node_identity_id = mlcloud_identity.nodes.id
  }
}

resource "mlcloud_node_pool" "gpu" {
  cloud            = "gcp"
  cluster_id       = mlcloud_cluster.main.id
  name             = "gpu"
  location         = "us-central1"
  node_identity_id = mlcloud_identity.nodes.id
  node_count       = 1
  accelerator {
    type = "nvidia-l4"
  }
}

resource "mlcloud_node_pool" "tpu" {
  cloud            = "gcp"
  cluster_id       = mlcloud_cluster.main.id
  name             = "tpu"
  location         = "us-central1"
  node_identity_id = mlcloud_identity.nodes.id
  node_count       = 2
  accelerator {
    type  = "tpu-v5e"
    count = 4
  }
  tpu {
    topology = "2x4"
  }
}
"#;

/// The provider block for the emulator's gcp part: its project, its generated key
/// file, every service at its one endpoint, and short retry waits.
pub fn provider_block(emulator: &MlcloudEmulator) -> String {
    let gcp = &emulator.ready()["gcp"];
    let field = |name: &str| gcp[name].as_str().unwrap_or_default().to_string();
    let endpoint = field("endpoint");
    format!(
        r#"provider "mlcloud" {{
  gcp {{
    project     = "{project}"
    region      = "{LOCATION}"
    credentials = "{credentials}"
    endpoints {{
      container       = "{endpoint}"
      cloudkms        = "{endpoint}"
      iam             = "{endpoint}"
      resourcemanager = "{endpoint}"
      compute         = "{endpoint}"
      oauth2          = "{endpoint}"
    }}
    retry {{
      max_backoff_seconds = 2
    }}
  }}
}}
"#,
        project = field("project"),
        credentials = field("credentials_file"),
    )
}

/// The emulator's project id.
pub fn project(emulator: &MlcloudEmulator) -> String {
    emulator.ready()["gcp"]["project"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A module with the terraform block, the emulator's provider block and `config`.
pub fn module(emulator: &MlcloudEmulator, config: &str) -> String {
    [TERRAFORM_BLOCK, &provider_block(emulator), config].join("\n")
}

/// A working directory with the provider installed and `config` written and inited.
pub fn workdir(
    terraform: &Terraform,
    emulator: &MlcloudEmulator,
    config: &str,
) -> Result<Workdir, HarnessError> {
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &module(emulator, config))?;
    workdir.init()?;
    Ok(workdir)
}

/// The emulator's gcp records.
pub fn records(emulator: &MlcloudEmulator) -> Result<Value, HarnessError> {
    Ok(emulator.records()?["gcp"].clone())
}

/// How many `kind` records (`service_accounts`, `clusters`, `node_pools`, ...) the
/// gcp part holds.
pub fn count(records: &Value, kind: &str) -> usize {
    records[kind].as_array().map_or(0, Vec::len)
}

/// The node pool record named `name` (`{cluster, name, size, status}`).
pub fn pool_record<'a>(records: &'a Value, name: &str) -> Option<&'a Value> {
    records["node_pools"]
        .as_array()?
        .iter()
        .find(|pool| pool["name"] == name)
}

/// The pool `name` as GKE holds it (the `nodePools` entry of its cluster).
pub fn gke_pool<'a>(records: &'a Value, name: &str) -> Option<&'a Value> {
    records["clusters"]
        .as_array()?
        .iter()
        .filter_map(|cluster| cluster["nodePools"].as_array())
        .flatten()
        .find(|pool| pool["name"] == name)
}

/// The members bound to `role` in the IAM policy the emulator holds for `resource`
/// (a crypto key name, `projects/P/serviceAccounts/EMAIL`, `projects/P`).
pub fn members(records: &Value, resource: &str, role: &str) -> Vec<String> {
    records["iam_policies"][resource]["bindings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|binding| binding["role"] == role)
        .filter_map(|binding| binding["members"].as_array())
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// The `id` attribute of `address` in a `terraform show -json` state.
pub fn id_of(state: &acceptance_tests::State, address: &str) -> String {
    state
        .resource(address)
        .and_then(|values| values["id"].as_str())
        .unwrap_or_else(|| panic!("no id for {address} in {}", state.0))
        .to_string()
}
