//! Mistakes a user makes with `cloud = "gcp"` are caught at plan time, each on the
//! attribute at fault, with a message that says what would be right, and nothing is
//! written to Google Cloud; an error only the API finds reaches the user with Google's
//! status and message. On Terraform 1.15 and 1.0.3.

use acceptance_tests::{Diagnostic, HarnessError, MlcloudEmulator, Terraform, TestResult, Workdir};
use serde_json::Value;

use crate::stack::{TERRAFORM_BLOCK, provider_block, workdir};

acceptance_tests::scenarios_on_every_terraform!(
    each_mistake_is_an_error_on_its_attribute,
    an_api_error_reaches_the_user_with_its_status
);

struct Mistake {
    what: &'static str,
    /// Whether the provider block has its `gcp {}` block.
    gcp_block: bool,
    resource: String,
    /// Texts the error's summary or detail must contain.
    says: &'static [&'static str],
    /// The configuration line the error points at.
    points_at: &'static str,
}

const CLUSTER_ID: &str = "projects/mlcloud-emulator/locations/us-central1/clusters/ml-main";
const NODES: &str =
    "projects/mlcloud-emulator/serviceAccounts/ml-nodes@mlcloud-emulator.iam.gserviceaccount.com";

fn resource(resource_type: &str, name: &str, body: &str) -> String {
    let indented: String = body.lines().map(|line| format!("  {line}\n")).collect();
    format!("resource \"{resource_type}\" \"{name}\" {{\n{indented}}}\n")
}

fn pool_in(cluster_id: &str, lines: &str) -> String {
    resource(
        "mlcloud_node_pool",
        "pool",
        &format!(
            "cloud = \"gcp\"\ncluster_id = \"{cluster_id}\"\nname = \"pool\"\nnode_identity_id = \"{NODES}\"\n{lines}"
        ),
    )
}

fn pool(lines: &str) -> String {
    pool_in(CLUSTER_ID, lines)
}

fn key(extra: &str) -> String {
    resource(
        "mlcloud_kms_key",
        "etcd",
        &format!("cloud = \"gcp\"\nname = \"etcd\"\nlocation = \"us-central1\"\n{extra}"),
    )
}

fn mistakes() -> Vec<Mistake> {
    vec![
        Mistake {
            what: "a TPU topology that does not fit the machine type",
            gcp_block: true,
            resource: pool(
                "accelerator {\n  type = \"tpu-v5e\"\n  count = 4\n}\ntpu {\n  topology = \"2x3\"\n}",
            ),
            says: &["2x3"],
            points_at: r#"topology = "2x3""#,
        },
        Mistake {
            what: "a TPU in a location without it",
            gcp_block: true,
            resource: pool_in(
                "projects/mlcloud-emulator/locations/us-west2/clusters/ml-main",
                "accelerator {\n  type = \"tpu-v5p\"\n  count = 4\n}\ntpu {\n  topology = \"2x2x1\"\n}",
            ),
            says: &["tpu-v5p", "us-west2", "us-central1"],
            points_at: r#"type = "tpu-v5p""#,
        },
        Mistake {
            what: "an accelerator gcp does not offer",
            gcp_block: true,
            resource: pool("node_count = 1\naccelerator {\n  type = \"nvidia-a10g\"\n}"),
            says: &["nvidia-a10g", "nvidia-l4"],
            points_at: r#"type = "nvidia-a10g""#,
        },
        Mistake {
            what: "a service account name outside the accountId rules",
            gcp_block: true,
            resource: resource(
                "mlcloud_identity",
                "nodes",
                "cloud = \"gcp\"\nname = \"ML_nodes\"\nlocation = \"us-central1\"\npurpose = \"node\"",
            ),
            says: &["ML_nodes", "6 to 30"],
            points_at: r#"name = "ML_nodes""#,
        },
        Mistake {
            what: "an aws {} block on a gcp key",
            gcp_block: true,
            resource: key("aws {}"),
            says: &["aws", "gcp"],
            points_at: r#"resource "mlcloud_kms_key" "etcd" {"#,
        },
        Mistake {
            what: "an azure {} block on a gcp key",
            gcp_block: true,
            resource: key("azure {\n  resource_group_name = \"ml\"\n}"),
            says: &["azure", "gcp"],
            points_at: r#"resource "mlcloud_kms_key" "etcd" {"#,
        },
        Mistake {
            what: "tpu {} on a GPU pool",
            gcp_block: true,
            resource: pool(
                "node_count = 1\naccelerator {\n  type = \"nvidia-l4\"\n}\ntpu {\n  topology = \"2x4\"\n}",
            ),
            says: &["tpu {}", "nvidia-l4"],
            // Terraform points a nested block's diagnostic at its resource.
            points_at: r#"resource "mlcloud_node_pool" "pool" {"#,
        },
        Mistake {
            what: "a provider block without gcp {}",
            gcp_block: false,
            resource: key(""),
            says: &["gcp", "provider"],
            points_at: r#"cloud = "gcp""#,
        },
    ]
}

fn failed_plan_diagnostics(workdir: &Workdir) -> Result<Vec<Diagnostic>, HarnessError> {
    let output = workdir.fail(&["plan", "-json", "-input=false", "-no-color"])?;
    let mut diagnostics = Vec::new();
    for line in output.stdout.lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["type"] == "diagnostic"
            && let Ok(d) = serde_json::from_value(message["diagnostic"].clone())
        {
            diagnostics.push(d);
        }
    }
    Ok(diagnostics)
}

fn each_mistake_is_an_error_on_its_attribute(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = Workdir::new(terraform, &[acceptance_tests::providers::mlcloud()?])?;
    let with_gcp = provider_block(&emulator);
    let without_gcp = "provider \"mlcloud\" {}\n".to_owned();
    for (index, mistake) in mistakes().into_iter().enumerate() {
        let provider = if mistake.gcp_block {
            &with_gcp
        } else {
            &without_gcp
        };
        workdir.write(
            "main.tf",
            &[TERRAFORM_BLOCK, provider, &mistake.resource].join("\n"),
        )?;
        if index == 0 {
            workdir.init()?;
        }
        let diagnostics = failed_plan_diagnostics(&workdir)
            .unwrap_or_else(|e| panic!("{}: the plan should fail: {e}", mistake.what));
        let error = diagnostics
            .iter()
            .filter(|d| d.severity == "error")
            .find(|d| {
                let text = format!("{} {}", d.summary, d.detail);
                mistake.says.iter().all(|needle| text.contains(needle))
            })
            .unwrap_or_else(|| {
                panic!(
                    "{}: no error saying {:?}: {diagnostics:#?}",
                    mistake.what, mistake.says
                )
            });
        let code = error.snippet.as_ref().map(|snippet| snippet.code.trim());
        assert_eq!(
            code,
            Some(mistake.points_at),
            "{}: the error should point at the attribute: {error:#?}",
            mistake.what
        );
    }
    let writes: Vec<Value> = emulator
        .requests("gcp")?
        .into_iter()
        .filter(|r| r["method"] != "GET" && r["operation"] != "oauth2.token")
        .collect();
    assert!(
        writes.is_empty(),
        "a failed plan wrote to Google Cloud: {writes:#?}"
    );
    Ok(())
}

/// A key in a project the caller cannot see passes every plan check; Google refuses it
/// with 403 PERMISSION_DENIED, and the user reads that status and Google's message.
fn an_api_error_reaches_the_user_with_its_status(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = workdir(
        terraform,
        &emulator,
        &key("gcp {\n  project = \"someone-elses\"\n}"),
    )?;
    let failed = workdir.apply_expect_error()?;
    // Terraform wraps long lines.
    let said = failed
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for needle in [
        "PERMISSION_DENIED",
        "Permission denied on resource project someone-elses",
    ] {
        assert!(
            said.contains(needle),
            "the error should say {needle:?}\n{failed}"
        );
    }
    let records = emulator.records()?;
    assert_eq!(
        records["gcp"]["key_rings"].as_array().map_or(0, Vec::len),
        0,
        "{records:#}"
    );
    Ok(())
}
