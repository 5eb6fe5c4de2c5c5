//! `terraform query` (Terraform 1.14+) over an applied Azure stack: the
//! `mlcloud_cluster` list finds the AKS cluster of the subscription (and none in
//! another location), the `mlcloud_node_pool` list finds the GPU pool of the cluster
//! (not its system pool), and `-generate-config-out` writes import blocks by identity
//! that a second team's copy of the stack imports cleanly.

use acceptance_tests::{Terraform, TestResult, Workdir, hcl_string};

use crate::stack::{
    ADDRESSES, Applied, CLUSTER, CLUSTER_NAME, GPU_POOL, POOL_NAME, STACK, id_of, main_tf,
    same_values,
};

acceptance_tests::scenarios_on_terraform_1_15!(query_lists_the_cluster_and_pool_then_imports);

fn query_lists_the_cluster_and_pool_then_imports(terraform: &Terraform) -> TestResult {
    let Applied {
        emulator,
        arm: _arm,
        provider,
        workdir: creator,
    } = Applied::start(terraform, &[], STACK)?;
    let created = creator.state_json()?;
    let cluster_id = id_of(&created, CLUSTER);
    let pool_id = id_of(&created, GPU_POOL);

    creator.write(
        "stack.tfquery.hcl",
        &format!(
            r#"list "mlcloud_cluster" "all" {{
  provider = mlcloud
  config {{
    cloud = "azure"
  }}
}}

list "mlcloud_cluster" "here" {{
  provider = mlcloud
  config {{
    cloud    = "azure"
    location = "westeurope"
  }}
}}

list "mlcloud_cluster" "elsewhere" {{
  provider = mlcloud
  config {{
    cloud    = "azure"
    location = "eastus"
  }}
}}

list "mlcloud_node_pool" "pools" {{
  provider = mlcloud
  config {{
    cloud      = "azure"
    cluster_id = {cluster}
  }}
}}
"#,
            cluster = hcl_string(&cluster_id)
        ),
    )?;
    let listed = creator.succeed(&["query", "-no-color"])?;
    let found = |list: &str| -> Vec<String> {
        listed
            .stdout
            .lines()
            .filter(|line| line.starts_with(&format!("list.{list} ")))
            .map(str::to_owned)
            .collect()
    };
    for list in ["mlcloud_cluster.all", "mlcloud_cluster.here"] {
        let clusters = found(list);
        assert_eq!(clusters.len(), 1, "{list}: one cluster\n{listed}");
        assert!(
            clusters[0].contains(&format!("id={cluster_id}"))
                && clusters[0].trim_end().ends_with(CLUSTER_NAME),
            "{list}: the cluster by its identity and name\n{listed}"
        );
    }
    assert!(
        found("mlcloud_cluster.elsewhere").is_empty(),
        "no cluster in another location\n{listed}"
    );
    let pools = found("mlcloud_node_pool.pools");
    assert_eq!(
        pools.len(),
        1,
        "the GPU pool, not the system pool\n{listed}"
    );
    assert!(
        pools[0].contains(&format!("id={pool_id}")) && pools[0].trim_end().ends_with(POOL_NAME),
        "the pool by its identity and name\n{listed}"
    );

    creator.succeed(&["query", "-no-color", "-generate-config-out=generated.tf"])?;
    let generated = std::fs::read_to_string(creator.module_dir().join("generated.tf"))
        .expect("query wrote generated.tf");
    for expected in [
        r#"resource "mlcloud_cluster" "all_0" {"#,
        r#"resource "mlcloud_node_pool" "pools_0" {"#,
        &format!("identity = {{\n    cloud = \"azure\"\n    id    = \"{cluster_id}\"\n  }}"),
        &format!("identity = {{\n    cloud = \"azure\"\n    id    = \"{pool_id}\"\n  }}"),
    ] {
        assert!(
            generated.contains(expected),
            "missing {expected:?} in\n{generated}"
        );
    }
    // A second team keeps the stack's configuration and takes the generated import
    // blocks, pointed at its own addresses (and without `provider`, which Terraform
    // allows only where it generates the resource); the other three by identity.
    // (Only the import blocks are taken; the generated resource bodies would duplicate
    // the stack's own configuration.)
    let mut imports: Vec<String> = import_blocks(&generated)
        .into_iter()
        .filter(|block| block.contains("all_0") || block.contains("pools_0"))
        .map(|block| {
            block
                .lines()
                .filter(|line| !line.trim_start().starts_with("provider "))
                .map(|line| format!("{line}\n"))
                .collect::<String>()
                .replace("mlcloud_cluster.all_0", CLUSTER)
                .replace("mlcloud_node_pool.pools_0", GPU_POOL)
        })
        .collect();
    assert_eq!(imports.len(), 2, "{generated}");
    for address in ADDRESSES {
        if address != CLUSTER && address != GPU_POOL {
            imports.push(format!(
                "import {{\n  to       = {address}\n  identity = {{ id = {} }}\n}}\n",
                hcl_string(&id_of(&created, address))
            ));
        }
    }
    let adopter = Workdir::new(terraform, &[provider])?;
    adopter.write("main.tf", &main_tf(&emulator, STACK))?;
    adopter.write("imports.tf", &imports.join("\n"))?;
    adopter.init()?;
    adopter.apply()?.assert_stdout_contains(
        "Apply complete! Resources: 5 imported, 0 added, 0 changed, 0 destroyed.",
    );
    let imported = adopter.state_json()?;
    for address in ADDRESSES {
        same_values(address, &imported, &created);
    }
    adopter.assert_no_changes()?;
    Ok(())
}

/// The `import { ... }` blocks of a generated configuration, each ending at the first
/// unindented `}`.
fn import_blocks(generated: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in generated.lines() {
        if line.starts_with("import {") {
            current = Some(String::new());
        }
        if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
            if line == "}" {
                blocks.extend(current.take());
            }
        }
    }
    blocks
}
