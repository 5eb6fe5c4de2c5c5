//! `mlcloud_serving_endpoint` on EKS: moto holds the cluster, the emulator's override
//! API plays its Kubernetes API (`aws { endpoints { kubernetes } }`, trusted through
//! `ca_certificate_file`), and the harness's kubelets register the node groups' nodes.
//! With the NVIDIA device plugin the GPU pool brings, a GPU endpoint bound to the workload
//! role through IRSA rolls out, answers a real inference from `mlcloud-smoke`, keeps an
//! empty plan, and destroy leaves none of its objects.

use acceptance_tests::{EksKubelets, Moto, Terraform, TestResult, Workdir, hcl_string, providers};
use serde_json::json;

use crate::stack::{CLUSTER_NAME, NAMESPACE, POOL_NAME, SERVICE_ACCOUNT, Stack, WORKLOAD_ROLE};

acceptance_tests::scenarios_on_terraform_1_15!(
    a_gpu_endpoint_on_eks_answers_through_the_override_api
);

fn endpoint() -> String {
    format!(
        r#"
resource "mlcloud_serving_endpoint" "inference" {{
  cloud        = "aws"
  cluster_id   = mlcloud_cluster.main.id
  name         = {name}
  namespace    = {namespace}
  node_pool_id = mlcloud_node_pool.gpu.id
  identity_id  = mlcloud_identity.inference.id
  resources {{
    gpu = 1
  }}
}}

output "endpoint" {{
  value = mlcloud_serving_endpoint.inference
}}
"#,
        name = hcl_string(SERVICE_ACCOUNT),
        namespace = hcl_string(NAMESPACE),
    )
}

fn a_gpu_endpoint_on_eks_answers_through_the_override_api(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let stack = Stack::new(&network);
    let main_tf = stack.main_tf(&moto);
    workdir.write("main.tf", &main_tf)?;
    workdir.init()?;
    workdir.apply()?;

    let kubelets = EksKubelets::new(&moto, CLUSTER_NAME)?;
    kubelets.sync()?;
    let api = kubelets.api();

    workdir.write("main.tf", &format!("{main_tf}\n{}", endpoint()))?;
    workdir.apply()?;
    let endpoint = workdir.output_json()?.value("endpoint").clone();
    assert_eq!(
        endpoint["smoke_test_result"]["passed"],
        json!(true),
        "{endpoint}"
    );
    assert_eq!(endpoint["ready_replicas"], json!(1));
    workdir.assert_no_changes()?;

    // IRSA: the ServiceAccount names the workload role; the pod asks for the GPU on
    // the GPU pool's nodes.
    let sa = api.get(&format!(
        "/api/v1/namespaces/{NAMESPACE}/serviceaccounts/{SERVICE_ACCOUNT}"
    ))?;
    let role = sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(role.ends_with(&format!(":role/{WORKLOAD_ROLE}")), "{sa}");
    let deployment = api.get(&format!(
        "/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{SERVICE_ACCOUNT}"
    ))?;
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(
        pod["nodeSelector"]["eks.amazonaws.com/nodegroup"],
        POOL_NAME
    );
    assert_eq!(
        pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"],
        "1"
    );
    // The control plane is admitted from the cluster's subnets.
    let policy = api.get(&format!(
        "/apis/networking.k8s.io/v1/namespaces/{NAMESPACE}/networkpolicies/{SERVICE_ACCOUNT}"
    ))?;
    assert!(
        policy.to_string().contains("ipBlock"),
        "the subnets' CIDRs: {policy}"
    );

    workdir.write("main.tf", &main_tf)?;
    workdir.apply()?;
    for path in [
        format!("/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{SERVICE_ACCOUNT}"),
        format!("/api/v1/namespaces/{NAMESPACE}/services/{SERVICE_ACCOUNT}"),
        format!("/api/v1/namespaces/{NAMESPACE}"),
    ] {
        assert!(api.find(&path)?.is_none(), "{path} is gone");
    }
    workdir.destroy()?;
    Ok(())
}
