//! An AKS cluster is read back with `data "mlcloud_cluster"`, by id and by name in
//! its resource group, and `ephemeral "mlcloud_cluster_credentials"` gives an Entra
//! token for the AKS server application that a provisioner can use but that neither
//! the state nor the saved plan holds.

use acceptance_tests::{
    MlcloudEmulator, Terraform, TestResult, Workdir, plan_file_text, providers,
};
use base64::Engine;
use serde_json::{Value, json};

use crate::arm::Arm;
use crate::bad_input::{TERRAFORM_BLOCK, provider_block};
use crate::stack::GROUP;

acceptance_tests::scenarios_on_terraform_1_15!(
    an_aks_cluster_is_read_and_its_token_stays_out_of_state_and_plan
);

const CONFIG: &str = r#"
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
  cloud       = "azure"
  name        = "ml-main"
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

data "mlcloud_cluster" "by_id" {
  cloud = "azure"
  id    = mlcloud_cluster.main.id
}

data "mlcloud_cluster" "by_name" {
  cloud    = "azure"
  name     = mlcloud_cluster.main.name
  location = "westeurope"
  azure {
    resource_group_name = "ml"
  }
}

ephemeral "mlcloud_cluster_credentials" "main" {
  cloud      = "azure"
  cluster_id = mlcloud_cluster.main.id
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

/// The claims of a JWT, unverified.
fn claims(jwt: &str) -> Value {
    let payload = jwt
        .split('.')
        .nth(1)
        .unwrap_or_else(|| panic!("not a JWT: {jwt}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

fn an_aks_cluster_is_read_and_its_token_stays_out_of_state_and_plan(
    terraform: &Terraform,
) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    Arm::new(&emulator).create_group(GROUP);
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write(
        "main.tf",
        &[TERRAFORM_BLOCK, &provider_block(&emulator), CONFIG].join("\n"),
    )?;
    workdir.init()?;
    workdir.succeed(&["plan", "-input=false", "-no-color", "-out=tfplan"])?;
    workdir.succeed(&["apply", "-input=false", "-no-color", "tfplan"])?;

    let outputs = workdir.output_json()?;
    let cluster = outputs.value("cluster");
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
        assert_eq!(read["endpoint_access"], json!("private"), "{read}");
    }
    assert!(
        !cluster["ca_certificate"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{cluster}"
    );

    // An Entra token for the AKS server application, for the cluster's own endpoint.
    let dir = workdir.module_dir();
    let token = std::fs::read_to_string(dir.join("token.txt")).expect("token.txt");
    let audience = claims(&token)["aud"].clone();
    assert!(
        audience
            .as_str()
            .is_some_and(|a| a.contains("6dae42f8-4368-4678-94ff-3960e28e3630")),
        "{audience}"
    );
    let host = std::fs::read_to_string(dir.join("host.txt")).expect("host.txt");
    assert_eq!(json!(host), cluster["endpoint"]);

    let state = std::fs::read_to_string(dir.join("terraform.tfstate")).expect("terraform.tfstate");
    let plan = plan_file_text(&dir.join("tfplan"));
    for (what, text) in [("state", &state), ("plan", &plan)] {
        assert!(!text.contains(&token), "the token is in the {what}");
    }

    let destroyed = workdir.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])?;
    assert_eq!(destroyed.code, 0, "{destroyed}");
    Ok(())
}
