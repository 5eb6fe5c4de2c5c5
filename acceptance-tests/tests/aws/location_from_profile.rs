//! A user whose AWS profile names a region, and whose provider block and resources
//! name none: `location` is that region, shown in the plan, and the key is made
//! there, as the AWS CLI with the same profile would make it.

use acceptance_tests::moto::{ACCESS_KEY, ENDPOINT_SERVICES, SECRET_KEY};
use acceptance_tests::{Moto, Terraform, TestResult, Workdir, hcl_string, providers};

use crate::expect::resource;
use crate::stack::terraform_block;

acceptance_tests::scenarios_on_terraform_1_15!(location_defaults_to_the_profiles_region);

const SHARED_CONFIG: &str = "[default]\nregion = eu-west-1\n\n[profile ml]\nregion = ap-south-1\n";

/// The provider block without `region`, using profile `ml`; every endpoint on moto.
fn module(moto: &Moto) -> String {
    let endpoint = hcl_string(&moto.endpoint());
    let endpoints: String = ENDPOINT_SERVICES
        .iter()
        .map(|service| format!("      {service} = {endpoint}\n"))
        .collect();
    format!(
        r#"{terraform}
provider "mlcloud" {{
  aws {{
    profile    = "ml"
    access_key = {access_key}
    secret_key = {secret_key}
    endpoints {{
{endpoints}    }}
  }}
}}

resource "mlcloud_kms_key" "etcd" {{
  cloud       = "aws"
  name        = "profile-etcd"
  description = "etcd secrets"
}}
"#,
        terraform = terraform_block(),
        access_key = hcl_string(ACCESS_KEY),
        secret_key = hcl_string(SECRET_KEY),
    )
}

fn location_defaults_to_the_profiles_region(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    // `~/.aws/config` of the (empty) home terraform and the provider run with.
    let aws_dir = workdir.scratch_dir("home/.aws")?;
    std::fs::write(aws_dir.join("config"), SHARED_CONFIG).expect("write ~/.aws/config");
    workdir.write("main.tf", &module(&moto))?;
    workdir.init()?;

    workdir
        .plan()?
        .assert_stdout_contains(r#"+ location             = "ap-south-1""#);
    workdir.apply()?;
    let state = workdir.state_json()?;
    let key = resource(&state, "mlcloud_kms_key.etcd");
    assert_eq!(key["location"], "ap-south-1");
    let arn = key["id"].as_str().unwrap_or_default();
    assert!(arn.starts_with("arn:aws:kms:ap-south-1:"), "{arn}");
    workdir.assert_no_changes()?;
    workdir.destroy()?;
    Ok(())
}
