//! The user's story on Google Cloud: a key, cluster / node / workload identities, a
//! KMS-encrypted private GKE cluster, a GPU pool and a multi-host TPU slice as one
//! stack, applied with the emulator's GKE operations taking seconds (so the waiters
//! really wait); a second plan has nothing to do; the GPU pool's labels (with the
//! cluster's tags), its switch from a fixed size to autoscaling, and its node counts
//! each change in place, each followed by an empty plan; destroy leaves the emulator with nothing but the key ring and the key's
//! destroyed versions, as Cloud KMS keeps them.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, Workdir};
use serde_json::Value;

use crate::stack::{
    STACK, count, gke_pool, members, module, pool_record, project, records, workdir,
};

acceptance_tests::scenarios_on_terraform_1_15!(
    apply_update_in_place_and_destroy_a_gpu_and_tpu_stack
);

/// Writes `config`, applies it, checks the summary line and that the next plan is
/// empty.
fn apply_in_place(
    workdir: &Workdir,
    emulator: &MlcloudEmulator,
    config: &str,
    summary: &str,
) -> TestResult {
    workdir.write("main.tf", &module(emulator, config))?;
    let applied = workdir.apply()?;
    assert!(applied.stdout.contains(summary), "{applied}");
    workdir.assert_no_changes()?;
    Ok(())
}

fn replaced(config: &str, from: &str, to: &str) -> String {
    assert!(config.contains(from), "{from:?} not in the configuration");
    config.replacen(from, to, 1)
}

fn apply_update_in_place_and_destroy_a_gpu_and_tpu_stack(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&["--operation-delay-ms", "2000"])?;
    let project = project(&emulator);
    let workdir = workdir(terraform, &emulator, STACK)?;
    workdir
        .apply()?
        .assert_stdout_contains("Apply complete! Resources: 7 added, 0 changed, 0 destroyed.");

    let created = records(&emulator)?;
    for (kind, n) in [
        ("key_rings", 1),
        ("crypto_keys", 1),
        ("service_accounts", 3),
        ("clusters", 1),
        // The system pool, the GPU pool and the TPU slice.
        ("node_pools", 3),
        ("operations_in_progress", 0),
    ] {
        assert_eq!(count(&created, kind), n, "{kind}: {created:#}");
    }
    let tpu = pool_record(&created, "tpu").expect("the TPU pool");
    assert_eq!(tpu["size"], 2, "a 2x4 v5e slice is two 4-chip VMs: {tpu}");
    let slice = gke_pool(&created, "tpu").expect("the TPU pool in GKE");
    assert_eq!(
        slice["config"]["machineType"], "ct5lp-hightpu-4t",
        "{slice}"
    );
    assert_eq!(slice["placementPolicy"]["tpuTopology"], "2x4", "{slice}");
    let gpu = gke_pool(&created, "gpu").expect("the GPU pool in GKE");
    assert_eq!(gpu["config"]["machineType"], "g2-standard-4", "{gpu}");
    let key = created["crypto_keys"][0]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let serving = format!("serviceAccount:ml-serving@{project}.iam.gserviceaccount.com");
    assert_eq!(
        members(&created, &key, "roles/cloudkms.cryptoKeyDecrypter"),
        std::slice::from_ref(&serving),
        "{created:#}"
    );
    assert_eq!(
        members(
            &created,
            &format!(
                "projects/{project}/serviceAccounts/ml-serving@{project}.iam.gserviceaccount.com"
            ),
            "roles/iam.workloadIdentityUser"
        ),
        [format!(
            "serviceAccount:{project}.svc.id.goog[serving/model-server]"
        )],
        "{created:#}"
    );
    workdir.assert_no_changes()?;

    // In place, as GKE allows: the GPU pool's node labels and the cluster's tags (GKE
    // resource labels) ...
    let labelled = replaced(
        &replaced(
            STACK,
            "  node_count       = 1\n  accelerator {\n    type = \"nvidia-l4\"",
            "  node_count       = 1\n  labels           = { team = \"ml\" }\n  accelerator {\n    type = \"nvidia-l4\"",
        ),
        "  encryption_key_id = mlcloud_kms_key.etcd.key_ref\n",
        "  encryption_key_id = mlcloud_kms_key.etcd.key_ref\n  tags              = { owner = \"ml-platform\" }\n",
    );
    apply_in_place(
        &workdir,
        &emulator,
        &labelled,
        "Apply complete! Resources: 0 added, 2 changed, 0 destroyed.",
    )?;
    let now = records(&emulator)?;
    let gpu = gke_pool(&now, "gpu").expect("the GPU pool");
    assert_eq!(gpu["config"]["labels"]["team"], "ml", "{gpu}");
    assert_eq!(
        now["clusters"][0]["resourceLabels"]["owner"], "ml-platform",
        "{:#}",
        now["clusters"][0]
    );

    // ... from a fixed size to autoscaling (setAutoscaling) ...
    let autoscaled = replaced(
        &labelled,
        "  node_count       = 1\n  labels",
        "  autoscaling {\n    min = 1\n    max = 3\n  }\n  labels",
    );
    apply_in_place(
        &workdir,
        &emulator,
        &autoscaled,
        "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.",
    )?;
    let gpu = gke_pool(&records(&emulator)?, "gpu")
        .cloned()
        .expect("the GPU pool");
    assert_eq!(gpu["autoscaling"]["enabled"], true, "{gpu}");
    assert_eq!(gpu["autoscaling"]["minNodeCount"], 1, "{gpu}");
    assert_eq!(gpu["autoscaling"]["maxNodeCount"], 3, "{gpu}");

    // ... and its node counts: scale to zero, up to five.
    let rescaled = replaced(
        &autoscaled,
        "    min = 1\n    max = 3\n",
        "    min = 0\n    max = 5\n",
    );
    apply_in_place(
        &workdir,
        &emulator,
        &rescaled,
        "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.",
    )?;
    let now = records(&emulator)?;
    let gpu = gke_pool(&now, "gpu").expect("the GPU pool");
    // Proto3 JSON leaves a zero out.
    assert_eq!(
        gpu["autoscaling"]["minNodeCount"].as_i64().unwrap_or(0),
        0,
        "{gpu}"
    );
    assert_eq!(gpu["autoscaling"]["maxNodeCount"], 5, "{gpu}");
    assert_eq!(
        count(&now, "node_pools"),
        3,
        "nothing was replaced: {now:#}"
    );

    workdir.destroy()?;
    let left = records(&emulator)?;
    for kind in [
        "service_accounts",
        "clusters",
        "node_pools",
        "buckets",
        "operations_in_progress",
    ] {
        assert_eq!(count(&left, kind), 0, "{kind} left: {left:#}");
    }
    // Cloud KMS deletes neither key rings nor keys: the ring stays, the key with every
    // version scheduled for destruction.
    assert_eq!(count(&left, "key_rings"), 1, "{left:#}");
    let versions: Vec<&Value> = left["crypto_keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|key| key["versions"].as_array())
        .flatten()
        .collect();
    assert!(!versions.is_empty(), "{left:#}");
    for version in versions {
        assert_eq!(version["state"], "DESTROY_SCHEDULED", "{left:#}");
    }
    // No binding names an account the stack made.
    let policies = left["iam_policies"].to_string();
    for account in ["ml-cluster@", "ml-nodes@", "ml-serving@"] {
        assert!(
            !policies.contains(account),
            "{account} still bound: {policies}"
        );
    }
    Ok(())
}
