//! `provider::example::shout` through Terraform's function calls (Terraform 1.8+).

use acceptance_tests::{Terraform, TestResult, Workdir, providers};

use crate::config::main_tf;
use crate::store::ItemStore;

acceptance_tests::scenarios_on_terraform_1_15!(shout_upper_cases_and_exclaims);

fn shout_upper_cases_and_exclaims(terraform: &Terraform) -> TestResult {
    let workdir = Workdir::new(terraform, &[providers::tfplug_example()?])?;
    let store = ItemStore::new(&workdir)?;
    let body = r#"output "shouted" {
  value = provider::example::shout("hello, world")
}
"#;
    workdir.write("main.tf", &main_tf(&store, body))?;
    workdir.init()?;
    workdir.apply()?;
    assert_eq!(workdir.output_json()?.string("shouted"), "HELLO, WORLD!");
    Ok(())
}
