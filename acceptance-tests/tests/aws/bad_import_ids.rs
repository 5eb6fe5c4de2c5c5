//! Importing with something that is not the resource's id fails, saying which id forms
//! are accepted, whether the id comes from `terraform import` or from an `import`
//! block's identity; nothing lands in state and nothing is asked of AWS but reads.

use acceptance_tests::{CommandOutput, Moto, Terraform, TestResult, Workdir, providers};

use crate::expect::mutating_requests;
use crate::stack::{CLUSTER, GPU_POOL, KEY, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(an_id_of_the_wrong_form_is_refused_naming_the_forms);

const CLUSTER_FORM: &str = "aws: arn:aws:eks:REGION:ACCOUNT:cluster/NAME";
const POOL_FORM: &str = "aws: arn:aws:eks:REGION:ACCOUNT:nodegroup/CLUSTER/NAME/ID";
const KEY_FORM: &str = "aws: arn:aws:kms:REGION:ACCOUNT:key/KEY_ID";
const CLUSTER_ARN: &str = "arn:aws:eks:us-east-1:123456789012:cluster/ml-main";
const NODE_GROUP_ARN: &str = "arn:aws:eks:us-east-1:123456789012:nodegroup/ml-main/gpu-l4/0ec2a2f4-1323-45d4-8d52-067c46ec0a86";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/ml-cluster";

/// `terraform import ADDRESS ID` that must fail.
struct BadImport {
    address: &'static str,
    id: &'static str,
    /// The accepted form the error must name.
    form: &'static str,
}

const BAD_IMPORTS: [BadImport; 4] = [
    BadImport {
        address: CLUSTER,
        id: "ml-main",
        form: CLUSTER_FORM,
    },
    BadImport {
        address: CLUSTER,
        id: NODE_GROUP_ARN,
        form: CLUSTER_FORM,
    },
    BadImport {
        address: GPU_POOL,
        id: CLUSTER_ARN,
        form: POOL_FORM,
    },
    BadImport {
        address: KEY,
        id: ROLE_ARN,
        form: KEY_FORM,
    },
];

fn an_id_of_the_wrong_form_is_refused_naming_the_forms(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &Stack::new(&network).main_tf(&moto))?;
    workdir.init()?;

    for bad in BAD_IMPORTS {
        let output = workdir.fail(&["import", "-input=false", "-no-color", bad.address, bad.id])?;
        let said = unwrapped(&output);
        for needle in [
            "Cannot import",
            &format!("\"{}\" is not the id of a", bad.id),
            "Accepted forms:",
            bad.form,
        ] {
            assert!(
                said.contains(needle),
                "import {} {}: the error should say {needle:?}\n{output}",
                bad.address,
                bad.id
            );
        }
        assert_state_is_empty(&workdir)?;
    }

    // The same through an import block's identity: a bare name, then an id whose
    // cloud is not the one the identity names.
    let import_block = |identity: &str| {
        format!("import {{\n  to       = {CLUSTER}\n  identity = {identity}\n}}\n")
    };
    workdir.write("imports.tf", &import_block(r#"{ id = "ml-main" }"#))?;
    let output = workdir.plan_expect_error()?;
    let said = unwrapped(&output);
    for needle in [
        "\"ml-main\" is not the id of a",
        "Accepted forms:",
        CLUSTER_FORM,
    ] {
        assert!(said.contains(needle), "should say {needle:?}\n{output}");
    }
    workdir.write(
        "imports.tf",
        &import_block(&format!(r#"{{ id = "{CLUSTER_ARN}", cloud = "gcp" }}"#)),
    )?;
    let output = workdir.plan_expect_error()?;
    let said = unwrapped(&output);
    for needle in [
        "Identity does not match its id",
        &format!("The identity says cloud = \"gcp\", but \"{CLUSTER_ARN}\" is an id on aws."),
    ] {
        assert!(said.contains(needle), "should say {needle:?}\n{output}");
    }
    assert_state_is_empty(&workdir)?;

    let changed = mutating_requests(&moto)?;
    assert!(
        changed.is_empty(),
        "a failed import changed AWS: {changed:#?}"
    );
    Ok(())
}

/// Stdout and stderr with Terraform's line wrapping (and its box drawing) undone.
fn unwrapped(output: &CommandOutput) -> String {
    format!("{} {}", output.stdout, output.stderr)
        .split_whitespace()
        .filter(|word| *word != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

#[track_caller]
fn assert_state_is_empty(workdir: &Workdir) -> TestResult {
    let state = workdir.state_json()?;
    assert!(
        state.addresses().is_empty(),
        "nothing is in state: {:?}",
        state.addresses()
    );
    Ok(())
}
