//! Two identities granting `kms_decrypt` on the same key in one apply: Terraform
//! creates them in parallel, and both write the key's IAM policy read-modify-write.
//! The first policy write is held back a few seconds (an emulator delay), so the other
//! lands in between and the held one arrives with a stale etag: Google answers 409
//! ABORTED, the provider reads the policy again and retries, and both end up bound.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult};
use serde_json::json;

use crate::stack::{members, project, records, workdir};

acceptance_tests::scenarios_on_terraform_1_15!(two_grants_on_one_key_both_land);

const CONFIG: &str = r#"
resource "mlcloud_kms_key" "models" {
  cloud    = "gcp"
  name     = "models"
  location = "us-central1"
}

resource "mlcloud_identity" "reader_a" {
  cloud    = "gcp"
  name     = "ml-reader-a"
  location = "us-central1"
  purpose  = "workload"
  workload {
    cluster_id      = "projects/mlcloud-emulator/locations/us-central1/clusters/ml"
    namespace       = "readers"
    service_account = "reader-a"
  }
  grants   = [{ action = "kms_decrypt", target = mlcloud_kms_key.models.key_ref }]
}

resource "mlcloud_identity" "reader_b" {
  cloud    = "gcp"
  name     = "ml-reader-b"
  location = "us-central1"
  purpose  = "workload"
  workload {
    cluster_id      = "projects/mlcloud-emulator/locations/us-central1/clusters/ml"
    namespace       = "readers"
    service_account = "reader-b"
  }
  grants   = [{ action = "kms_decrypt", target = mlcloud_kms_key.models.key_ref }]
}
"#;

const SET_KEY_POLICY: &str = "cloudkms.cryptoKeys.setIamPolicy";

fn two_grants_on_one_key_both_land(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let project = project(&emulator);
    let workdir = workdir(terraform, &emulator, CONFIG)?;
    emulator.add_fault(json!({
        "part": "gcp",
        "operation": SET_KEY_POLICY,
        "action": {"delay": {"ms": 3000}},
    }))?;
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");

    let statuses: Vec<Option<u64>> = emulator
        .requests("gcp")?
        .iter()
        .filter(|r| r["operation"] == SET_KEY_POLICY)
        .map(|r| r["status"].as_u64())
        .collect();
    assert!(
        statuses.contains(&Some(409)),
        "the held-back write met a newer etag: {statuses:?}"
    );
    let held = records(&emulator)?;
    let key = held["crypto_keys"][0]["name"].as_str().unwrap_or_default();
    let mut bound = members(&held, key, "roles/cloudkms.cryptoKeyDecrypter");
    bound.sort();
    assert_eq!(
        bound,
        [
            format!("serviceAccount:ml-reader-a@{project}.iam.gserviceaccount.com"),
            format!("serviceAccount:ml-reader-b@{project}.iam.gserviceaccount.com"),
        ],
        "{held:#}"
    );
    workdir.assert_no_changes()?;
    Ok(())
}
