//! The user's story of model store grants on Google Cloud: a serving identity reads
//! models under `gs://models/llama/` and writes checkpoints under
//! `gs://models/checkpoints/`; each grant is a binding on the bucket
//! (`roles/storage.objectViewer`, `roles/storage.objectUser`) limited to its prefix by
//! an IAM condition; a grant removed in the configuration is revoked, one removed out
//! of band shows in the plan and comes back; a location that is not a bucket is a
//! plan-time error on the grant's target; destroy leaves only the bucket's own
//! bindings.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, Workdir, providers};
use serde_json::{Value, json};

use crate::feature_support::{TERRAFORM_BLOCK, call, members, project, provider_block, records};

acceptance_tests::scenarios_on_terraform_1_15!(grants_on_a_bucket_prefix);

const BUCKET_POLICY: &str = "projects/_/buckets/models";

fn only(prefix: &str) -> String {
    format!(
        "resource.name.startsWith(\"projects/_/buckets/models/objects/{prefix}\") || api.getAttribute(\"storage.googleapis.com/objectListPrefix\", \"\").startsWith(\"{prefix}\")"
    )
}

fn stack(project: &str, grants: &str) -> String {
    format!(
        r#"
resource "mlcloud_identity" "serving" {{
  cloud    = "gcp"
  name     = "ml-serving"
  location = "us-central1"
  purpose  = "workload"
  workload {{
    cluster_id      = "projects/{project}/locations/us-central1/clusters/ml-main"
    namespace       = "serving"
    service_account = "model-server"
  }}
  grants = [{grants}]
}}
"#
    )
}

const READ_LLAMA: &str = r#"{ action = "model_store_read", target = "gs://models/llama/" }"#;
const WRITE_CHECKPOINTS: &str =
    r#"{ action = "model_store_write", target = "gs://models/checkpoints/" }"#;

fn write(workdir: &Workdir, emulator: &MlcloudEmulator, grants: &str) -> TestResult {
    workdir.write(
        "main.tf",
        &[
            TERRAFORM_BLOCK,
            &provider_block(emulator),
            &stack(&project(emulator), grants),
        ]
        .join("\n"),
    )?;
    Ok(())
}

fn grants_on_a_bucket_prefix(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    // The bucket is the user's, made by their own tooling, with uniform access.
    call(
        &emulator,
        "POST",
        &format!("/storage/v1/b?project={}", project(&emulator)),
        r#"{"name": "models", "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": true}}}"#,
    );
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    write(&workdir, &emulator, READ_LLAMA)?;
    workdir.init()?;
    workdir.apply()?;
    let state = workdir.state_json()?;
    let principal = state
        .resource("mlcloud_identity.serving")
        .expect("identity")["principal"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let me = format!("serviceAccount:{principal}");
    let viewers = |r: &Value| {
        members(
            r,
            BUCKET_POLICY,
            "roles/storage.objectViewer",
            Some(&only("llama/")),
        )
    };
    let users = |r: &Value| {
        members(
            r,
            BUCKET_POLICY,
            "roles/storage.objectUser",
            Some(&only("checkpoints/")),
        )
    };
    let r = records(&emulator);
    assert!(viewers(&r).contains(&me), "{}", r["iam_policies"]);
    assert_eq!(r["iam_policies"][BUCKET_POLICY]["version"], 3);
    workdir.assert_no_changes()?;

    // Checkpoints written too, then llama no longer read.
    write(
        &workdir,
        &emulator,
        &format!("{READ_LLAMA}, {WRITE_CHECKPOINTS}"),
    )?;
    workdir.apply()?;
    assert!(users(&records(&emulator)).contains(&me));
    write(&workdir, &emulator, WRITE_CHECKPOINTS)?;
    let applied = workdir.apply()?;
    assert!(
        applied.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{applied}"
    );
    let r = records(&emulator);
    assert!(!viewers(&r).contains(&me), "{}", r["iam_policies"]);
    assert!(users(&r).contains(&me));
    workdir.assert_no_changes()?;

    // Someone removes the binding by hand: the plan shows the grant coming back.
    let mut policy = call(
        &emulator,
        "GET",
        "/storage/v1/b/models/iam?optionsRequestedPolicyVersion=3",
        "",
    );
    let kept: Vec<Value> = policy["bindings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b["role"] != "roles/storage.objectUser")
        .collect();
    policy["bindings"] = json!(kept);
    call(
        &emulator,
        "PUT",
        "/storage/v1/b/models/iam",
        &policy.to_string(),
    );
    let drifted = workdir.plan()?;
    assert!(
        drifted.stdout.contains("gs://models/checkpoints/")
            && drifted.stdout.contains("1 to change"),
        "{drifted}"
    );
    workdir.apply()?;
    assert!(users(&records(&emulator)).contains(&me));

    // Not a bucket: refused at plan, on the grant's target.
    write(
        &workdir,
        &emulator,
        r#"{ action = "model_store_read", target = "gs://Models_Bucket/llama/" }"#,
    )?;
    let refused = workdir.plan_expect_error()?;
    assert!(
        refused.stderr.contains("is not a bucket name") && refused.stderr.contains("target"),
        "{refused}"
    );

    write(&workdir, &emulator, WRITE_CHECKPOINTS)?;
    workdir.destroy()?;
    let r = records(&emulator);
    assert!(
        !r["iam_policies"][BUCKET_POLICY].to_string().contains(&me),
        "{}",
        r["iam_policies"]
    );
    assert_eq!(
        members(&r, BUCKET_POLICY, "roles/storage.legacyBucketOwner", None).len(),
        2,
        "the bucket's own bindings stay"
    );
    Ok(())
}
