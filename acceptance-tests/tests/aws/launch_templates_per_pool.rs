//! Two pools whose cluster and pool names join to the same text (cluster `ml-main`
//! with pool `gpu-l4`, cluster `ml` with pool `main-gpu-l4`) get a launch template
//! each, with each pool's own disk size, so neither pool's nodes boot with the other's
//! settings and destroying one pool leaves the other's template in place.

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, hcl_string, providers};

use crate::records::Records;
use crate::stack::{CLUSTER_NAME, POOL_LAUNCH_TEMPLATE, POOL_NAME, Stack, hcl_list, resource};

acceptance_tests::scenarios_on_terraform_1_15!(
    pools_whose_names_join_alike_get_their_own_templates
);

const OTHER_CLUSTER: &str = "ml";
const OTHER_POOL: &str = "main-gpu-l4";

/// A second cluster on the stack's key and roles, with one pool of 50 GB disks.
fn other_cluster_and_pool(subnet_ids: &[String]) -> String {
    let cluster = resource(
        "mlcloud_cluster",
        "other",
        &format!(
            r#"cloud              = "aws"
name               = {name}
kubernetes_version = "1.31"
encryption_key_id  = mlcloud_kms_key.etcd.key_ref
identity_id        = mlcloud_identity.cluster.id
system_pool {{
  machine_type     = "m6i.large"
  node_count       = 1
  node_identity_id = mlcloud_identity.node.id
}}
aws {{
  subnet_ids = {subnets}
}}"#,
            name = hcl_string(OTHER_CLUSTER),
            subnets = hcl_list(subnet_ids),
        ),
    );
    let pool = resource(
        "mlcloud_node_pool",
        "other",
        &format!(
            r#"cloud            = "aws"
cluster_id       = mlcloud_cluster.other.id
name             = {name}
machine_type     = "m6i.large"
node_count       = 1
disk_size_gb     = 50
node_identity_id = mlcloud_identity.node.id"#,
            name = hcl_string(OTHER_POOL),
        ),
    );
    [cluster, pool].join("\n")
}

fn root_volume_size(records: &Records, template: &str) -> Option<i32> {
    let version = records.launch_template(template).ok()?;
    version
        .launch_template_data()?
        .block_device_mappings()
        .first()?
        .ebs()?
        .volume_size()
}

fn pools_whose_names_join_alike_get_their_own_templates(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let records = Records::of(&moto);
    let network = moto.sdk().create_network()?;
    let stack = Stack::new(&network);
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let both = [
        stack.main_tf(&moto),
        other_cluster_and_pool(&network.subnet_ids),
    ]
    .join("\n");
    workdir.write("main.tf", &both)?;
    workdir.init()?;
    workdir.apply()?;

    let template_of = |cluster: &str, pool: &str| -> Result<String, acceptance_tests::MotoError> {
        Ok(records
            .node_group(cluster, pool)?
            .launch_template()
            .and_then(|t| t.name())
            .unwrap_or_default()
            .to_owned())
    };
    let first = template_of(CLUSTER_NAME, POOL_NAME)?;
    let second = template_of(OTHER_CLUSTER, OTHER_POOL)?;
    assert_eq!(first, POOL_LAUNCH_TEMPLATE);
    assert_ne!(first, second, "each pool has its own launch template");
    assert!(
        second.starts_with("mlcloud-ml-main-gpu-l4-") && second.len() <= 128,
        "{second}"
    );
    assert_eq!(root_volume_size(&records, &first), Some(200));
    assert_eq!(root_volume_size(&records, &second), Some(50));
    workdir.assert_no_changes()?;

    // Removing the second cluster and its pool leaves the first pool's template alone.
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.apply()?;
    let names = records.launch_template_names()?;
    assert!(names.contains(&first), "{names:?}");
    assert!(!names.contains(&second), "{names:?}");
    assert_eq!(root_volume_size(&records, &first), Some(200));
    workdir.assert_no_changes()?;
    Ok(())
}
