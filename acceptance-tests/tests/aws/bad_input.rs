//! Mistakes a user makes are caught at plan time, each on the attribute at fault,
//! with a message that says what would be right; and nothing is created in AWS.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, assert_error_points_at, providers};

use crate::expect::mutating_requests;
use crate::stack::{resource, terraform_block};

acceptance_tests::scenarios_on_every_terraform!(each_mistake_is_an_error_on_its_attribute);

/// One wrong configuration and where the error must point.
struct Mistake {
    what: &'static str,
    /// Whether the provider block has its `aws {}` block.
    aws_block: bool,
    resource: String,
    /// Texts the error's summary or detail must contain.
    says: &'static [&'static str],
    /// The configuration line the error points at. Terraform shows the attribute's
    /// line; for a block, or an attribute that is missing, the resource's first line.
    points_at: &'static str,
}

const KEY_HEAD: &str = r#"resource "mlcloud_kms_key" "etcd" {"#;
const CLUSTER_ARN: &str = "arn:aws:eks:us-east-1:123456789012:cluster/ml-main";
const NODE_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/ml-node";

fn mistakes() -> Vec<Mistake> {
    vec![
        Mistake {
            what: "a TPU on aws",
            aws_block: true,
            resource: resource(
                "mlcloud_node_pool",
                "tpu",
                &format!(
                    "cloud = \"aws\"\ncluster_id = \"{CLUSTER_ARN}\"\nname = \"tpu\"\naccelerator {{\n  type = \"tpu-v5e\"\n}}\nnode_count = 1\nnode_identity_id = \"{NODE_ROLE_ARN}\""
                ),
            ),
            says: &["tpu-v5e", "nvidia-l4", "nvidia-h100-80gb", "nvidia-t4"],
            points_at: r#"type = "tpu-v5e""#,
        },
        Mistake {
            what: "a 3-day deletion window",
            aws_block: true,
            resource: key("deletion_window_days = 3"),
            says: &["must be a whole number between 7 and 30, got 3"],
            points_at: "deletion_window_days = 3",
        },
        Mistake {
            what: "a 30-day rotation period on aws",
            aws_block: true,
            resource: key("rotation_period_days = 30"),
            says: &["90", "2560", "30"],
            points_at: "rotation_period_days = 30",
        },
        Mistake {
            what: "a workload identity without workload {}",
            aws_block: true,
            resource: resource(
                "mlcloud_identity",
                "inference",
                "cloud = \"aws\"\nname = \"ml-inference\"\npurpose = \"workload\"",
            ),
            says: &["workload"],
            points_at: r#"resource "mlcloud_identity" "inference" {"#,
        },
        Mistake {
            what: "a workload namespace Kubernetes would refuse",
            aws_block: true,
            resource: resource(
                "mlcloud_identity",
                "serving",
                &format!(
                    "cloud = \"aws\"\nname = \"ml-serving\"\npurpose = \"workload\"\nworkload {{\n  cluster_id = \"{CLUSTER_ARN}\"\n  namespace = \"ML_Serving\"\n  service_account = \"server\"\n}}"
                ),
            ),
            says: &["Kubernetes namespace", "lowercase", "\"ML_Serving\""],
            points_at: r#"namespace = "ML_Serving""#,
        },
        Mistake {
            what: "a node label under kubernetes.io/",
            aws_block: true,
            resource: resource(
                "mlcloud_node_pool",
                "gpu",
                &format!(
                    "cloud = \"aws\"\ncluster_id = \"{CLUSTER_ARN}\"\nname = \"gpu\"\nmachine_type = \"m6i.large\"\nnode_count = 1\nnode_identity_id = \"{NODE_ROLE_ARN}\"\nlabels = {{ \"kubernetes.io/role\" = \"gpu\" }}"
                ),
            ),
            says: &["\"kubernetes.io/role\"", "reserves", "example.com/role"],
            points_at: r#"labels = { "kubernetes.io/role" = "gpu" }"#,
        },
        Mistake {
            what: "46 tags on aws, where mlcloud's 5 own tags leave room for 45",
            aws_block: true,
            resource: key(r#"tags = { for i in range(46) : "team-${i}" => "ml" }"#),
            says: &["at most 50 tags", "at most 45", "has 46"],
            points_at: r#"tags = { for i in range(46) : "team-${i}" => "ml" }"#,
        },
        Mistake {
            what: "a gcp {} block on an aws key",
            aws_block: true,
            resource: key("gcp {\n  project = \"my-project\"\n}"),
            says: &["gcp", "aws"],
            points_at: KEY_HEAD,
        },
        Mistake {
            what: "an invalid authorized CIDR",
            aws_block: true,
            resource: cluster("endpoint_access = \"public\"\nauthorized_cidrs = [\"10.0.0.0/33\"]"),
            says: &["10.0.0.0/33"],
            points_at: r#"authorized_cidrs = ["10.0.0.0/33"]"#,
        },
        Mistake {
            what: "a public endpoint open to no CIDR",
            aws_block: true,
            resource: cluster("endpoint_access = \"public\""),
            says: &["authorized_cidrs"],
            points_at: r#"resource "mlcloud_cluster" "main" {"#,
        },
        Mistake {
            what: "a provider block without aws {}",
            aws_block: false,
            resource: key("description = \"etcd secrets\""),
            says: &["aws", "provider"],
            points_at: r#"cloud = "aws""#,
        },
    ]
}

fn each_mistake_is_an_error_on_its_attribute(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let with_aws = moto.provider_block("");
    let without_aws = "provider \"mlcloud\" {}\n".to_owned();
    for (index, mistake) in mistakes().into_iter().enumerate() {
        let provider = if mistake.aws_block {
            &with_aws
        } else {
            &without_aws
        };
        workdir.write(
            "main.tf",
            &[
                terraform_block(),
                provider.clone(),
                mistake.resource.clone(),
            ]
            .join("\n"),
        )?;
        if index == 0 {
            workdir.init()?;
        }
        let diagnostics = workdir.failed_plan_diagnostics()?;
        assert_error_points_at(&diagnostics, mistake.what, mistake.says, mistake.points_at);
    }
    let created = mutating_requests(&moto)?;
    assert!(
        created.is_empty(),
        "a failed plan changed AWS: {created:#?}"
    );
    Ok(())
}

/// A valid KMS key plus `line`.
fn key(line: &str) -> String {
    resource(
        "mlcloud_kms_key",
        "etcd",
        &format!("cloud = \"aws\"\nname = \"ml-etcd\"\n{line}"),
    )
}

/// A valid EKS cluster (referring to made-up ARNs, never reached) plus `lines`.
fn cluster(lines: &str) -> String {
    resource(
        "mlcloud_cluster",
        "main",
        &format!(
            r#"cloud = "aws"
name = "ml-main"
encryption_key_id = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
identity_id = "arn:aws:iam::123456789012:role/ml-cluster"
system_pool {{
  node_identity_id = "{NODE_ROLE_ARN}"
}}
aws {{
  subnet_ids = ["subnet-00000000000000001", "subnet-00000000000000002"]
}}
{lines}"#
        ),
    )
}
