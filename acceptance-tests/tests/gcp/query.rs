//! `terraform query` (Terraform 1.14+) over an applied Google Cloud stack: the
//! `mlcloud_cluster` list finds the GKE cluster of the provider's project (and none in
//! another region), the `mlcloud_node_pool` list finds the cluster's GPU pool and TPU
//! slice (not its system pool), each by its identity and name.

use acceptance_tests::{MlcloudEmulator, Terraform, TestResult, hcl_string};

use crate::stack::{CLUSTER, GPU_POOL, STACK, TPU_POOL, id_of, workdir};

acceptance_tests::scenarios_on_terraform_1_15!(query_lists_the_cluster_and_its_pools);

fn query_lists_the_cluster_and_its_pools(terraform: &Terraform) -> TestResult {
    let emulator = MlcloudEmulator::start(&[])?;
    let workdir = workdir(terraform, &emulator, STACK)?;
    workdir.apply()?;
    let state = workdir.state_json()?;
    let cluster_id = id_of(&state, CLUSTER);

    workdir.write(
        "stack.tfquery.hcl",
        &format!(
            r#"list "mlcloud_cluster" "all" {{
  provider = mlcloud
  config {{
    cloud = "gcp"
  }}
}}

list "mlcloud_cluster" "elsewhere" {{
  provider = mlcloud
  config {{
    cloud    = "gcp"
    location = "europe-west4"
  }}
}}

list "mlcloud_node_pool" "pools" {{
  provider = mlcloud
  config {{
    cloud      = "gcp"
    cluster_id = {cluster}
  }}
}}
"#,
            cluster = hcl_string(&cluster_id)
        ),
    )?;
    let listed = workdir.succeed(&["query", "-no-color"])?;
    let found = |list: &str| -> Vec<String> {
        listed
            .stdout
            .lines()
            .filter(|line| line.starts_with(&format!("list.{list} ")))
            .map(|line| line.trim_end().to_string())
            .collect()
    };
    let clusters = found("mlcloud_cluster.all");
    assert_eq!(clusters.len(), 1, "one cluster\n{listed}");
    assert!(
        clusters[0].contains(&format!("id={cluster_id}")) && clusters[0].ends_with("ml-main"),
        "the cluster by its identity and name\n{listed}"
    );
    assert!(
        found("mlcloud_cluster.elsewhere").is_empty(),
        "no cluster in another region\n{listed}"
    );
    let mut pools = found("mlcloud_node_pool.pools");
    pools.sort();
    assert_eq!(
        pools.len(),
        2,
        "the GPU and TPU pools, not the system pool\n{listed}"
    );
    for (line, (address, name)) in pools.iter().zip([(GPU_POOL, "gpu"), (TPU_POOL, "tpu")]) {
        assert!(
            line.contains(&format!("id={}", id_of(&state, address))) && line.ends_with(name),
            "{address} by its identity and name\n{listed}"
        );
    }
    Ok(())
}
