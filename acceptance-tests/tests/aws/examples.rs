//! The `examples/aws-*` modules run as a user runs them: credentials from the
//! environment, `aws_endpoint` and `subnet_ids` as variables, apply, read the outputs,
//! destroy, and moto holds nothing of them any more.

use acceptance_tests::moto::CREDENTIALS_ENV;
use acceptance_tests::{Moto, Network, Outputs, Terraform, TestResult, Workdir, paths, providers};

use crate::records::Records;
use crate::stack::hcl_list;

acceptance_tests::scenarios_on_terraform_1_15!(ml_stack_example, single_resource_examples);

fn ml_stack_example(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let records = Records::of(&moto);
    let workdir = example_workdir(terraform, &moto, &network, "aws-ml-stack")?;
    workdir.apply()?;
    let outputs = workdir.output_json()?;
    assert_eq!(outputs.string("gpu_machine_type"), "g6.xlarge");
    assert_eq!(
        Some(outputs.string("cluster_id")),
        records.cluster("ml-platform")?.arn()
    );
    assert_eq!(
        outputs.string("inference_role_arn"),
        records.role("ml-platform-inference")?.arn()
    );
    workdir.assert_no_changes()?;
    workdir.destroy()?;
    assert_nothing_left(&records)
}

/// Each single-resource example on a fresh moto state: it applies, its main output
/// names what moto holds, and destroy removes it.
fn single_resource_examples(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    type Check = fn(&Records, &Outputs) -> TestResult;
    let examples: [(&str, Check); 4] = [
        ("aws-kms-key", |records, outputs| {
            let key = records.key(outputs.string("key_arn"))?;
            assert_eq!(outputs.string("alias"), "alias/ml-etcd");
            assert_eq!(records.aliases_of(key.key_id())?, ["alias/ml-etcd"]);
            Ok(())
        }),
        ("aws-identity", |records, outputs| {
            assert_eq!(
                outputs.string("node_role_arn"),
                records.role("ml-node")?.arn()
            );
            assert_eq!(
                outputs.string("cluster_role_arn"),
                records.role("ml-cluster")?.arn()
            );
            let mut roles = records.role_names()?;
            roles.sort();
            assert_eq!(
                roles,
                ["ml-cluster", "ml-node"],
                "no workload role without a cluster"
            );
            Ok(())
        }),
        ("aws-cluster", |records, outputs| {
            assert_eq!(
                Some(outputs.string("cluster_id")),
                records.cluster("ml-main")?.arn()
            );
            Ok(())
        }),
        ("aws-node-pool", |records, outputs| {
            assert_eq!(outputs.string("resolved_machine_type"), "g6.xlarge");
            let group = records.node_group("ml-main", "gpu-l4")?;
            assert_eq!(Some(outputs.string("node_pool_id")), group.nodegroup_arn());
            // The disks' own key, not the cluster's, is on the pool's root volumes.
            let disks = records.key("alias/ml-main-gpu-l4-disks")?;
            assert_eq!(Some(outputs.string("disk_encryption_key_id")), disks.arn());
            let template = records
                .launch_template_names()?
                .into_iter()
                .find(|name| name.starts_with("mlcloud-ml-main-gpu-l4-"))
                .expect("the pool's launch template");
            let root = records
                .launch_template(&template)?
                .launch_template_data()
                .map(|d| d.block_device_mappings())
                .unwrap_or_default()
                .first()
                .and_then(|m| m.ebs())
                .cloned()
                .expect("a root volume");
            assert_eq!(root.kms_key_id(), disks.arn());
            Ok(())
        }),
    ];
    for (example, check) in examples {
        moto.reset()?;
        let network = moto.sdk().create_network()?;
        let workdir = example_workdir(terraform, &moto, &network, example)?;
        workdir.apply()?;
        check(&records, &workdir.output_json()?)?;
        workdir.destroy()?;
        assert_nothing_left(&records)?;
    }
    Ok(())
}

/// `examples/NAME` in a fresh workdir, initialised, with moto's endpoint and the
/// network as variables (only those the example declares).
fn example_workdir(
    terraform: &Terraform,
    moto: &Moto,
    network: &Network,
    name: &str,
) -> Result<Workdir, acceptance_tests::HarnessError> {
    let module = paths::example_module(name);
    let mut workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    for (variable, value) in CREDENTIALS_ENV {
        workdir.set_env(variable, value);
    }
    workdir.copy_module(&module)?;
    let mut tfvars = format!("aws_endpoint = \"{}\"\n", moto.endpoint());
    let declared = std::fs::read_to_string(module.join("variables.tf")).unwrap_or_default();
    // GPU pools apply the NVIDIA device plugin through the cluster's Kubernetes API:
    // the emulator's override API, as moto's clusters have none.
    if declared.contains("variable \"kubernetes_endpoint\"") {
        let (kubernetes, ca_file) = moto.kubernetes_endpoint();
        tfvars.push_str(&format!(
            "kubernetes_endpoint = \"{kubernetes}\"\nca_certificate_file = \"{ca_file}\"\n"
        ));
    }
    if declared.contains("variable \"subnet_ids\"") {
        tfvars.push_str(&format!("subnet_ids = {}\n", hcl_list(&network.subnet_ids)));
    }
    workdir.write("terraform.tfvars", &tfvars)?;
    workdir.init()?;
    Ok(workdir)
}

fn assert_nothing_left(records: &Records) -> TestResult {
    assert_eq!(records.cluster_names()?, Vec::<String>::new(), "clusters");
    assert_eq!(records.role_names()?, Vec::<String>::new(), "roles");
    assert_eq!(
        records.oidc_provider_arns()?,
        Vec::<String>::new(),
        "OIDC providers"
    );
    assert_eq!(
        records.launch_template_names()?,
        Vec::<String>::new(),
        "launch templates"
    );
    for key in records.customer_keys()? {
        assert_eq!(
            key.key_state().map(|state| state.as_str()),
            Some("PendingDeletion"),
            "{key:?}"
        );
    }
    Ok(())
}
