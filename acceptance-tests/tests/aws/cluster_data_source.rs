//! A cluster made outside this configuration (another team's state, the console) is
//! read by name and by id with `data "mlcloud_cluster"`, and
//! `ephemeral "mlcloud_cluster_credentials"` gives a token for it that a provisioner
//! can use (Terraform >= 1.10) but that neither the state nor the saved plan holds.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, plan_file_text, providers};
use aws_sdk_eks::types::VpcConfigRequest;
use base64::Engine;
use serde_json::json;

use crate::stack::terraform_block;

acceptance_tests::scenarios_on_terraform_1_15!(
    a_foreign_cluster_is_read_and_its_token_stays_out_of_state_and_plan
);

const SHARED: &str = "shared";
const SHARED_ARN: &str = "arn:aws:eks:us-east-1:123456789012:cluster/shared";

const CONFIG: &str = r#"
data "mlcloud_cluster" "by_name" {
  cloud = "aws"
  name  = "shared"
}

data "mlcloud_cluster" "by_id" {
  cloud = "aws"
  id    = data.mlcloud_cluster.by_name.id
}

ephemeral "mlcloud_cluster_credentials" "shared" {
  cloud      = "aws"
  cluster_id = data.mlcloud_cluster.by_id.id
}

# What a user would do with the credentials: hand them to a tool. Here the tool
# writes them down, so the test can look for the token itself.
resource "terraform_data" "use" {
  provisioner "local-exec" {
    command = "printf %s \"$TOKEN\" > token.txt && printf %s \"$KUBECONFIG_TEXT\" > kubeconfig.yaml && printf %s \"$EXPIRES\" > expires.txt && printf %s \"$HOST\" > host.txt"
    environment = {
      TOKEN           = ephemeral.mlcloud_cluster_credentials.shared.token
      KUBECONFIG_TEXT = ephemeral.mlcloud_cluster_credentials.shared.kubeconfig
      EXPIRES         = ephemeral.mlcloud_cluster_credentials.shared.expires_at
      HOST            = ephemeral.mlcloud_cluster_credentials.shared.host
    }
  }
}

output "by_name" {
  value = data.mlcloud_cluster.by_name
}

output "by_id" {
  value = data.mlcloud_cluster.by_id
}
"#;

fn a_foreign_cluster_is_read_and_its_token_stays_out_of_state_and_plan(
    terraform: &Terraform,
) -> TestResult {
    let moto = Moto::start()?;
    let sdk = moto.sdk();
    let network = sdk.create_network()?;
    sdk.call(
        "eks CreateCluster",
        sdk.eks
            .create_cluster()
            .name(SHARED)
            .role_arn("arn:aws:iam::123456789012:role/shared-cluster")
            .resources_vpc_config(
                VpcConfigRequest::builder()
                    .set_subnet_ids(Some(network.subnet_ids.clone()))
                    .build(),
            )
            .send(),
    )?;
    let described = sdk.call(
        "eks DescribeCluster",
        sdk.eks.describe_cluster().name(SHARED).send(),
    )?;
    let cluster = described.cluster().expect("the cluster");

    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let main_tf = [
        terraform_block(),
        moto.provider_block(""),
        CONFIG.to_string(),
    ]
    .join("\n");
    workdir.write("main.tf", &main_tf)?;
    workdir.init()?;
    workdir.succeed(&["plan", "-input=false", "-no-color", "-out=tfplan"])?;
    workdir.succeed(&["apply", "-input=false", "-no-color", "tfplan"])?;

    // The data source, by name and by id: the same cluster, as EKS describes it.
    let outputs = workdir.output_json()?;
    let by_name = outputs.value("by_name");
    assert_eq!(by_name["id"], json!(SHARED_ARN), "{by_name}");
    assert_eq!(by_name["name"], json!(SHARED));
    assert_eq!(by_name["location"], json!("us-east-1"));
    assert_eq!(
        by_name["endpoint"],
        json!(cluster.endpoint().unwrap_or_default())
    );
    assert_eq!(
        by_name["ca_certificate"],
        json!(
            cluster
                .certificate_authority()
                .and_then(|c| c.data())
                .unwrap_or_default()
        )
    );
    assert_eq!(
        by_name["kubernetes_version"],
        json!(cluster.version().unwrap_or_default())
    );
    assert_eq!(by_name["status"], json!("ACTIVE"));
    let by_id = outputs.value("by_id");
    for field in [
        "id",
        "name",
        "location",
        "endpoint",
        "kubernetes_version",
        "status",
        "oidc_issuer_url",
    ] {
        assert_eq!(
            by_id[field], by_name[field],
            "{field}: {by_id} vs {by_name}"
        );
    }
    // The token the provisioner got: an EKS token presigned against the STS endpoint
    // in use, for this cluster.
    let dir = workdir.module_dir();
    let token = std::fs::read_to_string(dir.join("token.txt")).expect("token.txt");
    let encoded = token
        .strip_prefix("k8s-aws-v1.")
        .unwrap_or_else(|| panic!("{token}"));
    let url = String::from_utf8(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded)
            .expect("base64url"),
    )
    .expect("utf-8");
    assert!(
        url.starts_with(&moto.endpoint()),
        "{url} vs {}",
        moto.endpoint()
    );
    assert!(url.contains("Action=GetCallerIdentity"), "{url}");
    assert!(
        url.contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"),
        "{url}"
    );
    let kubeconfig = std::fs::read_to_string(dir.join("kubeconfig.yaml")).expect("kubeconfig.yaml");
    assert!(
        kubeconfig.contains(&format!("token: \"{token}\"")),
        "{kubeconfig}"
    );
    assert!(!kubeconfig.contains("exec"), "{kubeconfig}");
    // The contract's provider block overrides every cluster's API server with the
    // emulator's (EKS in moto has none), so the host is the override, not the
    // cluster's own endpoint.
    let host = std::fs::read_to_string(dir.join("host.txt")).expect("host.txt");
    assert_eq!(host, moto.kubernetes_endpoint().0);
    assert_ne!(host, cluster.endpoint().unwrap_or_default());
    let expires = std::fs::read_to_string(dir.join("expires.txt")).expect("expires.txt");
    assert!(expires.ends_with('Z') && expires.len() == 20, "{expires}");

    // Neither the state nor the saved plan holds a token: not this one, and no EKS
    // token at all (the plan opened its own).
    let state = std::fs::read_to_string(dir.join("terraform.tfstate")).expect("terraform.tfstate");
    let plan = plan_file_text(&dir.join("tfplan"));
    for (what, text) in [("state", &state), ("plan", &plan)] {
        assert!(!text.contains(&token), "the token is in the {what}");
        assert!(
            !text.contains("k8s-aws-v1."),
            "an EKS token is in the {what}"
        );
        assert!(
            !text.contains("kind: Config"),
            "a kubeconfig is in the {what}"
        );
    }
    assert!(
        state.contains(SHARED_ARN),
        "the data source is in the state: {state}"
    );
    Ok(())
}
