//! `terraform query` (Terraform 1.14+) over an applied stack: the `mlcloud_cluster`
//! list finds the EKS cluster of the provider's region (and none in another), the
//! `mlcloud_node_pool` list finds the GPU pool of a cluster (not its system pool), and
//! `-generate-config-out` writes resources with import blocks by identity that import
//! cleanly, on their own and pointed at a second team's copy of the stack.

use acceptance_tests::{Terraform, TestResult, Workdir, hcl_string};

use crate::adoption::Adoption;
use crate::expect::{arn_of, identity, same_values};
use crate::stack::{ADDRESSES, CLUSTER, CLUSTER_NAME, GPU_POOL, POOL_NAME, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(query_lists_the_stack_and_generates_imports);

fn query_lists_the_stack_and_generates_imports(terraform: &Terraform) -> TestResult {
    let Adoption {
        moto,
        provider,
        config,
        creator,
        created,
    } = Adoption::start(terraform)?;
    let cluster_arn = arn_of(&created, CLUSTER);
    let pool_arn = arn_of(&created, GPU_POOL);

    creator.write(
        "stack.tfquery.hcl",
        &format!(
            r#"list "mlcloud_cluster" "all" {{
  provider = mlcloud
  config {{
    cloud = "aws"
  }}
}}

list "mlcloud_cluster" "elsewhere" {{
  provider = mlcloud
  config {{
    cloud    = "aws"
    location = "eu-west-1"
  }}
}}

list "mlcloud_node_pool" "pools" {{
  provider = mlcloud
  config {{
    cloud      = "aws"
    cluster_id = {cluster}
  }}
}}
"#,
            cluster = hcl_string(&cluster_arn)
        ),
    )?;
    let listed = creator.succeed(&["query", "-no-color"])?;
    let lines: Vec<&str> = listed.stdout.lines().collect();
    let found = |list: &str| -> Vec<&str> {
        lines
            .iter()
            .copied()
            .filter(|line| line.starts_with(&format!("list.{list} ")))
            .collect()
    };
    let clusters = found("mlcloud_cluster.all");
    assert_eq!(clusters.len(), 1, "one cluster\n{listed}");
    assert!(
        clusters[0].contains(&format!("id={cluster_arn}"))
            && clusters[0].trim_end().ends_with(CLUSTER_NAME),
        "the cluster by its identity and name\n{listed}"
    );
    assert!(
        found("mlcloud_cluster.elsewhere").is_empty(),
        "no cluster in another region\n{listed}"
    );
    let pools = found("mlcloud_node_pool.pools");
    assert_eq!(
        pools.len(),
        1,
        "the GPU pool, not the system pool\n{listed}"
    );
    assert!(
        pools[0].contains(&format!("id={pool_arn}")) && pools[0].trim_end().ends_with(POOL_NAME),
        "the pool by its identity and name\n{listed}"
    );

    creator.succeed(&["query", "-no-color", "-generate-config-out=generated.tf"])?;
    let generated = std::fs::read_to_string(creator.module_dir().join("generated.tf"))
        .expect("query wrote generated.tf");
    for expected in [
        r#"resource "mlcloud_cluster" "all_0" {"#,
        r#"resource "mlcloud_node_pool" "pools_0" {"#,
        &format!("identity = {{\n    cloud = \"aws\"\n    id    = \"{cluster_arn}\"\n  }}"),
        &format!("identity = {{\n    cloud = \"aws\"\n    id    = \"{pool_arn}\"\n  }}"),
    ] {
        assert!(
            generated.contains(expected),
            "missing {expected:?} in\n{generated}"
        );
    }

    // The generated configuration on its own imports the two and then matches them.
    let alone = Workdir::new(terraform, std::slice::from_ref(&provider))?;
    alone.write("main.tf", &Stack::provider_only(&moto))?;
    alone.write("generated.tf", &generated)?;
    alone.init()?;
    alone.apply()?.assert_stdout_contains(
        "Apply complete! Resources: 2 imported, 0 added, 0 changed, 0 destroyed.",
    );
    alone.assert_no_changes()?;

    // A second team keeps the stack's configuration and takes only the import blocks,
    // pointed at its own addresses (and without `provider`, which Terraform allows
    // only where it generates the resource); the other four it imports by identity.
    let adopter = Workdir::new(terraform, &[provider])?;
    adopter.write("main.tf", &config)?;
    let mut imports: Vec<String> = import_blocks(&generated)
        .into_iter()
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
                hcl_string(&arn_of(&created, address))
            ));
        }
    }
    adopter.write("imports.tf", &imports.join("\n"))?;
    adopter.init()?;
    adopter.apply()?.assert_stdout_contains(
        "Apply complete! Resources: 6 imported, 0 added, 0 changed, 0 destroyed.",
    );
    let imported = adopter.state_json()?;
    for address in ADDRESSES {
        same_values(address, &imported, &created);
        assert_eq!(
            identity(&imported, address),
            identity(&created, address),
            "{address}"
        );
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
