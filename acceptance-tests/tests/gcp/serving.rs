//! `mlcloud_serving_endpoint` on GKE: a GPU endpoint bound to a workload identity
//! rolls out on the emulator's cluster, answers a real inference from the
//! `mlcloud-smoke` server behind the service proxy, scales in place, the
//! `mlcloud_smoke_test` action runs the inference again, and destroy leaves nothing in
//! the cluster; an unpullable image and a GPU endpoint on a pool
//! without GPUs fail the apply at once, naming Kubernetes' reason.

use super::stack::{self, LOCATION};
use acceptance_tests::{MlcloudEmulator, PlanChanges, Terraform, TestResult};
use serde_json::{Value, json};

acceptance_tests::scenarios_on_terraform_1_15!(
    a_gpu_endpoint_answers_scales_in_place_and_leaves_nothing,
    a_broken_image_or_a_pool_without_gpus_fails_the_apply_naming_why
);

pub const ENDPOINT: &str = "mlcloud_serving_endpoint.iris";

pub fn config(replicas: u32) -> String {
    format!(
        r#"
resource "mlcloud_identity" "nodes" {{
  cloud    = "gcp"
  name     = "ml-nodes"
  location = "{LOCATION}"
  purpose  = "node"
}}

resource "mlcloud_kms_key" "etcd" {{
  cloud    = "gcp"
  name     = "etcd"
  location = "{LOCATION}"
}}

resource "mlcloud_cluster" "main" {{
  cloud             = "gcp"
  name              = "ml-main"
  location          = "{LOCATION}"
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
  location         = "{LOCATION}"
  node_identity_id = mlcloud_identity.nodes.id
  node_count       = 2
  accelerator {{
    type = "nvidia-l4"
  }}
}}

resource "mlcloud_identity" "serving" {{
  cloud    = "gcp"
  name     = "ml-serving"
  location = "{LOCATION}"
  purpose  = "workload"
  workload {{
    cluster_id      = mlcloud_cluster.main.id
    namespace       = "ml-serving"
    service_account = "iris"
  }}
}}

resource "mlcloud_serving_endpoint" "iris" {{
  cloud        = "gcp"
  cluster_id   = mlcloud_cluster.main.id
  name         = "iris"
  node_pool_id = mlcloud_node_pool.gpu.id
  identity_id  = mlcloud_identity.serving.id
  replicas     = {replicas}
  resources {{
    gpu = 1
  }}
}}

output "endpoint" {{
  value = mlcloud_serving_endpoint.iris
}}

action "mlcloud_smoke_test" "check" {{
  config {{
    cloud       = "gcp"
    endpoint_id = mlcloud_serving_endpoint.iris.id
  }}
}}

action "mlcloud_smoke_test" "nothing_there" {{
  config {{
    cloud       = "gcp"
    endpoint_id = "${{mlcloud_cluster.main.id}}/namespaces/ml-serving/endpoints/nothing"
  }}
}}
"#
    )
}

/// The emulator's Kubernetes objects of the cluster `cluster_id`, as `KIND ns/name`.
fn cluster_objects(emulator: &MlcloudEmulator, cluster_id: &str) -> Vec<String> {
    let records = emulator.records().expect("records");
    records["kubernetes"]["clusters"][cluster_id]["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            format!(
                "{} {}/{}",
                o["kind"].as_str().unwrap_or_default(),
                o["namespace"].as_str().unwrap_or_default(),
                o["name"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn a_gpu_endpoint_answers_scales_in_place_and_leaves_nothing(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = stack::workdir(terraform, &emulator, &config(1))?;
    workdir.apply()?;

    let endpoint = workdir.output_json()?.value("endpoint").clone();
    let result = &endpoint["smoke_test_result"];
    assert_eq!(result["passed"], json!(true), "{endpoint}");
    assert_eq!(result["model"], json!("iris"), "{endpoint}");
    assert!(
        result["answer"].as_str().is_some_and(|a| !a.is_empty()),
        "the model's answer: {result}"
    );
    assert!(result["latency_ms"].as_i64().is_some(), "{result}");
    assert_eq!(endpoint["ready_replicas"], json!(1));
    assert_eq!(
        endpoint["internal_url"],
        json!("http://iris.ml-serving.svc.cluster.local:8080")
    );
    let cluster_id = stack::id_of(&workdir.state_json()?, "mlcloud_cluster.main");
    assert_eq!(
        endpoint["id"],
        json!(format!("{cluster_id}/namespaces/ml-serving/endpoints/iris"))
    );
    let objects = cluster_objects(&emulator, &cluster_id);
    for expected in [
        "Namespace /ml-serving",
        "ServiceAccount ml-serving/iris",
        "Deployment ml-serving/iris",
        "Service ml-serving/iris",
        "PodDisruptionBudget ml-serving/iris",
        "NetworkPolicy ml-serving/iris",
    ] {
        assert!(
            objects.iter().any(|o| o == expected),
            "{expected} in {objects:?}"
        );
    }
    workdir.assert_no_changes()?;

    // The action runs the smoke test again, and fails where no model answers.
    let invoke = |action: &str| {
        let flag = format!("-invoke=action.mlcloud_smoke_test.{action}");
        ["apply", "-auto-approve", "-input=false", "-no-color"]
            .into_iter()
            .map(str::to_string)
            .chain([flag])
            .collect::<Vec<_>>()
    };
    let args = invoke("check");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    workdir
        .succeed(&args)?
        .assert_stdout_contains(
            "Action action.mlcloud_smoke_test.check (triggered by CLI): passed in",
        )
        .assert_stdout_contains("Actions: 1 invoked.");
    let args = invoke("nothing_there");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let failed = workdir.fail(&args)?;
    let said = failed
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(said.contains("ml-serving/nothing does not exist"), "{said}");

    // Scaling is in place: the plan says update, not replace.
    workdir.write("main.tf", &stack::module(&emulator, &config(2)))?;
    let (changes, plan) = workdir.plan_detailed_exitcode()?;
    assert_eq!(changes, PlanChanges::Some, "{}", plan.stdout);
    assert!(
        plan.stdout.contains("~ replicas") && plan.stdout.contains("1 to change"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    workdir.apply()?;
    let endpoint = workdir.output_json()?.value("endpoint").clone();
    assert_eq!(endpoint["ready_replicas"], json!(2), "{endpoint}");
    assert_eq!(endpoint["smoke_test_result"]["passed"], json!(true));
    workdir.assert_no_changes()?;

    workdir.succeed(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-target={ENDPOINT}"),
    ])?;
    assert_eq!(
        cluster_objects(&emulator, &cluster_id),
        Vec::<String>::new(),
        "destroy leaves nothing in the cluster"
    );
    workdir.destroy()?;
    Ok(())
}

fn a_broken_image_or_a_pool_without_gpus_fails_the_apply_naming_why(
    terraform: &Terraform,
) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let broken = config(1).replace(
        "  replicas     = 1\n",
        "  replicas     = 1\n  image        = \"registry.example.com/nowhere/model:1\"\n",
    );
    let workdir = stack::workdir(terraform, &emulator, &broken)?;
    let failed = workdir.apply_expect_error()?;
    let said = format!("{}{}", failed.stdout, failed.stderr);
    assert!(
        said.contains("ErrImagePull") || said.contains("ImagePullBackOff"),
        "{said}"
    );
    assert!(
        said.contains("with mlcloud_serving_endpoint.iris"),
        "{said}"
    );
    // The objects made are in state (tainted), so the next apply replaces them.
    let state = workdir.state_json()?;
    let endpoint: &Value = state.resource(ENDPOINT).expect("the endpoint is in state");
    assert_eq!(endpoint["smoke_test_result"], Value::Null);

    // A GPU endpoint on a pool without GPUs never fits: the scheduler's reason.
    let cpu_pool = config(1).replace(
        "  accelerator {\n    type = \"nvidia-l4\"\n  }\n",
        "  machine_type     = \"e2-standard-4\"\n",
    );
    workdir.write("main.tf", &stack::module(&emulator, &cpu_pool))?;
    let failed = workdir.apply_expect_error()?;
    let said = format!("{}{}", failed.stdout, failed.stderr);
    assert!(said.contains("Unschedulable"), "{said}");
    assert!(said.contains("nvidia.com/gpu"), "{said}");
    workdir.destroy()?;
    Ok(())
}
