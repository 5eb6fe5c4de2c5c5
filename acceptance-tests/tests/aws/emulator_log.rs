//! Checks shared by the stories that script faults on the emulator in front of moto:
//! what its request log says the provider sent, and that AWS holds the stack exactly
//! once.

use acceptance_tests::{HarnessError, Moto, State, TestResult};
use serde_json::Value;

use crate::expect::resource;

/// The system node group's launch template: `mlcloud-<cluster>-system...`.
const SYSTEM_LAUNCH_TEMPLATE_PREFIX: &str = "mlcloud-ml-main-system";
use crate::records::Records;
use crate::stack::{
    ADDRESSES, CLUSTER, CLUSTER_NAME, CLUSTER_ROLE, KEY, KEY_NAME, NODE_ROLE, POOL_LAUNCH_TEMPLATE,
    POOL_NAME, WORKLOAD_ROLE,
};

/// Adds a fault rule for the aws part (`part` is filled in).
pub fn fault(moto: &Moto, mut rule: Value) -> Result<(), HarnessError> {
    rule["part"] = Value::from("aws");
    moto.emulator().add_fault(rule).map(|_| ())
}

/// The statuses the provider's requests of `operation` got, in order (none: the
/// response was dropped).
pub fn statuses(moto: &Moto, operation: &str) -> Result<Vec<Option<u64>>, HarnessError> {
    Ok(moto
        .emulator()
        .requests("aws")?
        .iter()
        .filter(|request| request["operation"] == operation)
        .map(|request| request["status"].as_u64())
        .collect())
}

/// Whether the provider has sent `operation` and got `status` for it.
pub fn answered(moto: &Moto, operation: &str, status: u64) -> bool {
    statuses(moto, operation).is_ok_and(|statuses| statuses.contains(&Some(status)))
}

/// AWS holds exactly one of each object of the stack, and state holds those.
pub fn assert_stack_exactly_once(moto: &Moto, state: &State) -> TestResult {
    for address in ADDRESSES {
        resource(state, address);
    }
    let records = Records::of(moto);
    let keys: Vec<_> = records
        .customer_keys()?
        .into_iter()
        .filter(|key| key.key_state().map(|state| state.as_str()) == Some("Enabled"))
        .collect();
    assert_eq!(keys.len(), 1, "one enabled key: {keys:?}");
    let key_id = keys[0].key_id().to_string();
    assert_eq!(
        resource(state, KEY)["id"].as_str(),
        keys[0].arn(),
        "state holds the key AWS has"
    );
    assert_eq!(
        records.aliases_of(&key_id)?,
        [format!("alias/{KEY_NAME}")],
        "one alias, on that key"
    );
    let mut roles: Vec<String> = records
        .role_names()?
        .into_iter()
        .filter(|name| name.starts_with("ml-"))
        .collect();
    roles.sort();
    let mut expected = vec![CLUSTER_ROLE, NODE_ROLE, WORKLOAD_ROLE];
    expected.sort();
    assert_eq!(roles, expected, "one role per identity");
    assert_eq!(
        records.inline_policy_names(WORKLOAD_ROLE)?.len(),
        1,
        "one grants policy"
    );
    assert_eq!(records.cluster_names()?, [CLUSTER_NAME], "one cluster");
    assert_eq!(
        resource(state, CLUSTER)["id"].as_str(),
        records.cluster(CLUSTER_NAME)?.arn(),
        "state holds the cluster"
    );
    let mut groups = records.node_group_names(CLUSTER_NAME)?;
    groups.sort();
    assert_eq!(groups, [POOL_NAME, "system"], "one node group each");
    let templates = records.launch_template_names()?;
    assert_eq!(
        templates.len(),
        2,
        "one launch template per node group: {templates:?}"
    );
    assert!(
        templates.iter().any(|name| name == POOL_LAUNCH_TEMPLATE)
            && templates
                .iter()
                .any(|name| name.starts_with(SYSTEM_LAUNCH_TEMPLATE_PREFIX)),
        "the pool's and the system group's: {templates:?}"
    );
    Ok(())
}
