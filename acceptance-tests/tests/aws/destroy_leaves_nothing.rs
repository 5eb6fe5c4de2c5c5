//! Tearing the stack down leaves nothing in AWS but the key, which waits out its
//! deletion window as KMS requires.

use std::time::{SystemTime, UNIX_EPOCH};

use acceptance_tests::{Moto, Terraform, TestResult, Workdir, providers};

use crate::expect::resource;
use crate::records::Records;
use crate::stack::{CLUSTER_NAME, KEY, KEY_NAME, POOL_NAME, Stack};

acceptance_tests::scenarios_on_terraform_1_15!(destroy_leaves_nothing_behind);

const DAY_SECONDS: i64 = 24 * 60 * 60;

fn destroy_leaves_nothing_behind(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    let stack = Stack::new(&network);
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir.apply()?;
    let key_arn = resource(&workdir.state_json()?, KEY)["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    workdir
        .destroy()?
        .assert_stdout_contains("Destroy complete! Resources: 6 destroyed.");
    assert!(workdir.state_json()?.addresses().is_empty());
    assert_moto_holds_nothing(&moto, &key_arn, 7)
}

/// No cluster, node group, role of ours, OIDC provider or launch template; the key
/// (`key_arn`) pending deletion after `window_days`, its alias released.
pub fn assert_moto_holds_nothing(moto: &Moto, key_arn: &str, window_days: i64) -> TestResult {
    let records = Records::of(moto);
    assert_eq!(records.cluster_names()?, Vec::<String>::new(), "clusters");
    // Asked by name: moto answers ListNodegroups of a deleted cluster with a 500.
    let sdk = records.sdk();
    for group in ["system", POOL_NAME] {
        let answer = sdk.block_on(
            "eks DescribeNodegroup",
            sdk.eks
                .describe_nodegroup()
                .cluster_name(CLUSTER_NAME)
                .nodegroup_name(group)
                .send(),
        )?;
        assert!(
            answer
                .as_ref()
                .err()
                .and_then(|error| error.as_service_error())
                .is_some_and(|error| error.is_resource_not_found_exception()),
            "node group {group} should be gone: {answer:?}"
        );
    }
    let ours: Vec<String> = records
        .role_names()?
        .into_iter()
        .filter(|name| name.starts_with("ml-"))
        .collect();
    assert!(ours.is_empty(), "roles left: {ours:?}");
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

    let keys = records.customer_keys()?;
    assert_eq!(keys.len(), 1, "only our key: {keys:?}");
    let key = &keys[0];
    assert_eq!(key.arn(), Some(key_arn));
    assert_eq!(
        key.key_state().map(|state| state.as_str()),
        Some("PendingDeletion")
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default();
    let deletion = key
        .deletion_date()
        .map(|date| date.secs())
        .unwrap_or_default();
    let expected = now + window_days * DAY_SECONDS;
    assert!(
        (deletion - expected).abs() < 3600,
        "deleted after {window_days} days: scheduled {} s from now",
        deletion - now
    );
    // Beyond the letter of the contract: a released alias lets the same stack be
    // created again while the old key waits out its window.
    let alias = format!("alias/{KEY_NAME}");
    assert!(
        !records.alias_names()?.contains(&alias),
        "{alias} should be released"
    );
    Ok(())
}
