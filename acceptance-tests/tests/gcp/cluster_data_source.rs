//! A GKE cluster is read back with `data "mlcloud_cluster"`, by id and by name in its
//! project, and `ephemeral "mlcloud_cluster_credentials"` gives the caller's access
//! token, which a provisioner can use but neither the state nor the saved plan holds.

use acceptance_tests::{
    MlcloudEmulator, Terraform, TestResult, Workdir, plan_file_text, providers,
};
use serde_json::json;

acceptance_tests::scenarios_on_terraform_1_15!(
    a_gke_cluster_is_read_and_its_token_stays_out_of_state_and_plan
);

const TERRAFORM_BLOCK: &str =
    "terraform {\n  required_providers {\n    mlcloud = { source = \"mlcloud/mlcloud\" }\n  }\n}\n";

/// The provider block for the emulator's gcp part: its project, its generated
/// service-account key, every service at its one endpoint.
fn provider_block(emulator: &MlcloudEmulator) -> String {
    let gcp = &emulator.ready()["gcp"];
    let field = |name: &str| gcp[name].as_str().unwrap_or_default().to_string();
    let endpoint = field("endpoint");
    let endpoints: String = [
        "container",
        "cloudkms",
        "iam",
        "resourcemanager",
        "compute",
        "oauth2",
    ]
    .iter()
    .map(|s| format!("      {s} = \"{endpoint}\"\n"))
    .collect();
    format!(
        "provider \"mlcloud\" {{\n  gcp {{\n    project     = \"{}\"\n    region      = \"us-central1\"\n    credentials = \"{}\"\n    endpoints {{\n{endpoints}    }}\n  }}\n}}\n",
        field("project"),
        field("credentials_file"),
    )
}

const CONFIG: &str = r#"
resource "mlcloud_identity" "nodes" {
  cloud    = "gcp"
  name     = "ml-nodes"
  location = "us-central1"
  purpose  = "node"
}

resource "mlcloud_kms_key" "etcd" {
  cloud    = "gcp"
  name     = "etcd"
  location = "us-central1"
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

data "mlcloud_cluster" "by_id" {
  cloud = "gcp"
  id    = mlcloud_cluster.main.id
}

data "mlcloud_cluster" "by_name" {
  cloud    = "gcp"
  name     = mlcloud_cluster.main.name
  location = "us-central1"
  gcp {
    project = "PROJECT"
  }
}

ephemeral "mlcloud_cluster_credentials" "main" {
  cloud      = "gcp"
  cluster_id = data.mlcloud_cluster.by_id.id
}

resource "terraform_data" "use" {
  provisioner "local-exec" {
    command = "printf %s \"$TOKEN\" > token.txt && printf %s \"$HOST\" > host.txt"
    environment = {
      TOKEN = ephemeral.mlcloud_cluster_credentials.main.token
      HOST  = ephemeral.mlcloud_cluster_credentials.main.host
    }
  }
}

output "cluster" {
  value = mlcloud_cluster.main
}

output "by_id" {
  value = data.mlcloud_cluster.by_id
}

output "by_name" {
  value = data.mlcloud_cluster.by_name
}
"#;

fn a_gke_cluster_is_read_and_its_token_stays_out_of_state_and_plan(
    terraform: &Terraform,
) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let project = emulator.ready()["gcp"]["project"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write(
        "main.tf",
        &[
            TERRAFORM_BLOCK,
            &provider_block(&emulator),
            &CONFIG.replace("PROJECT", &project),
        ]
        .join("\n"),
    )?;
    workdir.init()?;
    workdir.succeed(&["plan", "-input=false", "-no-color", "-out=tfplan"])?;
    workdir.succeed(&["apply", "-input=false", "-no-color", "tfplan"])?;

    let outputs = workdir.output_json()?;
    let cluster = outputs.value("cluster");
    assert_eq!(
        cluster["id"],
        json!(format!(
            "projects/{project}/locations/us-central1/clusters/ml-main"
        ))
    );
    for read in [outputs.value("by_id"), outputs.value("by_name")] {
        for field in [
            "id",
            "name",
            "location",
            "kubernetes_version",
            "endpoint",
            "ca_certificate",
            "oidc_issuer_url",
            "status",
        ] {
            assert_eq!(read[field], cluster[field], "{field}: {read} vs {cluster}");
        }
    }
    assert_eq!(cluster["status"], json!("RUNNING"));

    let dir = workdir.module_dir();
    let token = std::fs::read_to_string(dir.join("token.txt")).expect("token.txt");
    assert!(token.len() > 20, "a token: {token:?}");
    let host = std::fs::read_to_string(dir.join("host.txt")).expect("host.txt");
    assert_eq!(json!(host), cluster["endpoint"]);

    let state = std::fs::read_to_string(dir.join("terraform.tfstate")).expect("terraform.tfstate");
    let plan = plan_file_text(&dir.join("tfplan"));
    for (what, text) in [("state", &state), ("plan", &plan)] {
        assert!(!text.contains(&token), "the token is in the {what}");
    }
    Ok(())
}
