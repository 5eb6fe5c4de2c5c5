//! Mistakes a user makes with `cloud = "azure"` are caught at plan time, each on the
//! attribute at fault, with a message that says what would be right; and nothing is
//! written to Azure. (AKS's spot pools need eviction policy `Delete`, which mlcloud
//! always sets: there is no eviction setting to get wrong.)

use acceptance_tests::{
    MlcloudEmulator, Terraform, TestResult, Workdir, assert_error_points_at, providers,
};
use serde_json::Value;

acceptance_tests::scenarios_on_every_terraform!(each_mistake_is_an_error_on_its_attribute);

struct Mistake {
    what: &'static str,
    /// Whether the provider block has its `azure {}` block.
    azure_block: bool,
    resource: String,
    /// Texts the error's summary or detail must contain.
    says: &'static [&'static str],
    /// The configuration line the error points at.
    points_at: &'static str,
}

const CLUSTER_ID: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/ml/providers/Microsoft.ContainerService/managedClusters/ml-main";

fn resource(resource_type: &str, name: &str, body: &str) -> String {
    let indented: String = body.lines().map(|line| format!("  {line}\n")).collect();
    format!("resource \"{resource_type}\" \"{name}\" {{\n{indented}}}\n")
}

fn pool(lines: &str) -> String {
    resource(
        "mlcloud_node_pool",
        "gpu",
        &format!("cloud = \"azure\"\ncluster_id = \"{CLUSTER_ID}\"\nnode_count = 1\n{lines}"),
    )
}

fn mistakes() -> Vec<Mistake> {
    vec![
        Mistake {
            what: "an agent pool name AKS refuses",
            azure_block: true,
            resource: pool("name = \"gpu-pool\"\naccelerator {\n  type = \"nvidia-t4\"\n}"),
            says: &["^[a-z][a-z0-9]{0,11}$"],
            points_at: r#"name = "gpu-pool""#,
        },
        Mistake {
            what: "an accelerator azure does not offer",
            azure_block: true,
            resource: pool("name = \"tpu\"\naccelerator {\n  type = \"tpu-v5e\"\n}"),
            says: &["tpu-v5e", "nvidia-t4", "nvidia-h100-80gb"],
            points_at: r#"type = "tpu-v5e""#,
        },
        Mistake {
            what: "an identity without its resource group",
            azure_block: true,
            resource: resource(
                "mlcloud_identity",
                "cluster",
                "cloud = \"azure\"\nname = \"ml-cluster\"\nlocation = \"westeurope\"\npurpose = \"cluster\"",
            ),
            says: &["resource_group_name"],
            points_at: r#"resource "mlcloud_identity" "cluster" {"#,
        },
        Mistake {
            what: "an aws {} block on an azure key",
            azure_block: true,
            resource: resource(
                "mlcloud_kms_key",
                "etcd",
                "cloud = \"azure\"\nname = \"etcd\"\nlocation = \"westeurope\"\nazure {\n  resource_group_name = \"ml\"\n}\naws {}",
            ),
            says: &["aws", "azure"],
            points_at: r#"resource "mlcloud_kms_key" "etcd" {"#,
        },
        Mistake {
            what: "a gcp {} block on an azure pool",
            azure_block: true,
            resource: pool(
                "name = \"gpu\"\naccelerator {\n  type = \"nvidia-t4\"\n}\ngcp {\n  gpu_driver_version = \"LATEST\"\n}",
            ),
            says: &["gcp", "azure"],
            points_at: r#"resource "mlcloud_node_pool" "gpu" {"#,
        },
        Mistake {
            what: "a provider block without azure {}",
            azure_block: false,
            resource: resource(
                "mlcloud_kms_key",
                "etcd",
                "cloud = \"azure\"\nname = \"etcd\"\nlocation = \"westeurope\"\nazure {\n  resource_group_name = \"ml\"\n}",
            ),
            says: &["azure", "provider"],
            points_at: r#"cloud = "azure""#,
        },
    ]
}

pub fn provider_block(emulator: &MlcloudEmulator) -> String {
    let azure = &emulator.ready()["azure"];
    let field = |name: &str| azure[name].as_str().unwrap_or_default().to_string();
    format!(
        r#"provider "mlcloud" {{
  azure {{
    subscription_id     = "{}"
    tenant_id           = "{}"
    client_id           = "{}"
    client_secret       = "{}"
    ca_certificate_file = "{}"
    endpoints {{
      resource_manager = "{}"
      active_directory = "{}"
    }}
  }}
}}
"#,
        field("subscription_id"),
        field("tenant_id"),
        field("client_id"),
        field("client_secret"),
        field("ca_file"),
        field("resource_manager"),
        field("active_directory"),
    )
}

pub const TERRAFORM_BLOCK: &str =
    "terraform {\n  required_providers {\n    mlcloud = { source = \"mlcloud/mlcloud\" }\n  }\n}\n";

fn each_mistake_is_an_error_on_its_attribute(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let with_azure = provider_block(&emulator);
    let without_azure = "provider \"mlcloud\" {}\n".to_owned();
    for (index, mistake) in mistakes().into_iter().enumerate() {
        let provider = if mistake.azure_block {
            &with_azure
        } else {
            &without_azure
        };
        workdir.write(
            "main.tf",
            &[TERRAFORM_BLOCK, provider, &mistake.resource].join("\n"),
        )?;
        if index == 0 {
            workdir.init()?;
        }
        let diagnostics = workdir.failed_plan_diagnostics()?;
        assert_error_points_at(&diagnostics, mistake.what, mistake.says, mistake.points_at);
    }
    let writes: Vec<Value> = emulator
        .requests("azure")?
        .into_iter()
        .filter(|r| r["method"] != "GET" && r["operation"] != "token")
        .collect();
    assert!(
        writes.is_empty(),
        "a failed plan wrote to Azure: {writes:#?}"
    );
    Ok(())
}
