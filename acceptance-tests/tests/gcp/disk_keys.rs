//! The user's story of node disks on the customer's key on Google Cloud: a cluster
//! encrypted with a Cloud KMS key and a GPU pool that names no disk key get boot
//! disks on the cluster's key (the system pool too); a second pool names its own key;
//! the Compute Engine service agent may use both keys before any pool needs them;
//! another key replaces a pool; destroy leaves no cluster behind.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, Workdir, providers};
use serde_json::Value;

use crate::feature_support::{TERRAFORM_BLOCK, members, project_number, provider_block, records};

acceptance_tests::scenarios_on_terraform_1_15!(pool_disks_on_the_customers_key);

const KEY_USER: &str = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

fn stack(batch_key: &str) -> String {
    format!(
        r#"
resource "mlcloud_kms_key" "etcd" {{
  cloud    = "gcp"
  name     = "etcd"
  location = "us-central1"
}}

resource "mlcloud_kms_key" "batch" {{
  cloud    = "gcp"
  name     = "batch-disks"
  location = "us-central1"
}}

resource "mlcloud_identity" "nodes" {{
  cloud    = "gcp"
  name     = "ml-nodes"
  location = "us-central1"
  purpose  = "node"
}}

resource "mlcloud_cluster" "main" {{
  cloud             = "gcp"
  name              = "ml-main"
  location          = "us-central1"
  encryption_key_id = mlcloud_kms_key.etcd.key_ref
  system_pool {{
    node_count       = 1
    node_identity_id = mlcloud_identity.nodes.id
  }}
}}

resource "mlcloud_node_pool" "gpu" {{
  cloud            = "gcp"
  cluster_id       = mlcloud_cluster.main.id
  name             = "gpu"
  node_count       = 1
  node_identity_id = mlcloud_identity.nodes.id
  accelerator {{
    type = "nvidia-l4"
  }}
}}

resource "mlcloud_node_pool" "batch" {{
  cloud                  = "gcp"
  cluster_id             = mlcloud_cluster.main.id
  name                   = "batch"
  node_count             = 1
  node_identity_id       = mlcloud_identity.nodes.id
  machine_type           = "e2-standard-8"
  disk_encryption_key_id = mlcloud_kms_key.{batch_key}.key_ref
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

/// The boot-disk key of each pool of the cluster, by pool name.
fn disk_keys(records: &Value) -> Vec<(String, String)> {
    records["clusters"][0]["nodePools"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p["config"]["bootDiskKmsKey"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

fn pool_disks_on_the_customers_key(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    write(&workdir, &emulator, &stack("batch"))?;
    workdir.init()?;
    workdir.apply()?;

    let state = workdir.state_json()?;
    let key_ref = |address: &str| {
        state.resource(address).expect("key")["key_ref"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let (etcd, batch) = (
        key_ref("mlcloud_kms_key.etcd"),
        key_ref("mlcloud_kms_key.batch"),
    );
    assert_eq!(
        state.resource("mlcloud_node_pool.gpu").expect("gpu")["disk_encryption_key_id"],
        etcd.as_str(),
        "a pool without a disk key uses the cluster's"
    );
    let records = records(&emulator);
    let mut keys = disk_keys(&records);
    keys.sort();
    assert_eq!(
        keys,
        vec![
            ("batch".to_string(), batch.clone()),
            ("gpu".to_string(), etcd.clone()),
            ("system".to_string(), etcd.clone()),
        ]
    );
    let agent = format!(
        "serviceAccount:service-{}@compute-system.iam.gserviceaccount.com",
        project_number(&emulator)
    );
    for key in [&etcd, &batch] {
        assert!(
            members(&records, key, KEY_USER, None).contains(&agent),
            "{key}: {records}"
        );
    }
    workdir.assert_no_changes()?;

    // Another key for the batch pool's disks: the pool is replaced.
    write(&workdir, &emulator, &stack("etcd"))?;
    let planned = workdir.plan()?;
    assert!(
        planned
            .stdout
            .contains("mlcloud_node_pool.batch must be replaced")
            && planned
                .stdout
                .contains("Plan: 1 to add, 0 to change, 1 to destroy"),
        "{planned}"
    );
    workdir.apply()?;
    let mut keys = disk_keys(&crate::feature_support::records(&emulator));
    keys.sort();
    assert_eq!(keys[0], ("batch".to_string(), etcd.clone()));
    workdir.assert_no_changes()?;

    workdir.destroy()?;
    assert_eq!(
        crate::feature_support::records(&emulator)["clusters"],
        serde_json::json!([])
    );
    Ok(())
}
