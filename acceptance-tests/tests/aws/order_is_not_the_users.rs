//! Collections whose order is not the user's are sets: a user writes log types, subnets,
//! zones and taints in whatever order comes to mind, AWS answers in its own, and
//! neither the apply ("Provider produced inconsistent result") nor the next plan
//! cares.

use std::collections::BTreeSet;

use acceptance_tests::{
    Moto, MotoError, MotoSdk, Network, Terraform, TestResult, Workdir, providers,
};
use aws_sdk_ec2::types::Filter;
use serde_json::Value;

use crate::expect::resource;
use crate::records::{Records, taints_of};
use crate::stack::{CLUSTER, CLUSTER_NAME, GPU_POOL, POOL_NAME, Stack, Taint};

acceptance_tests::scenarios_on_terraform_1_15!(
    sets_written_in_any_order_apply_then_plan_is_clean,
    zones_naming_every_cluster_zone_apply_then_plan_is_clean
);

/// A third subnet, so that a pool can be limited to some of the cluster's zones.
const THIRD_SUBNET: (&str, &str) = ("10.42.3.0/24", "us-east-1c");

/// Not sorted by key, value or effect.
const TAINTS: [Taint; 2] = [
    Taint {
        key: "nvidia.com/gpu",
        value: "present",
        effect: "NoSchedule",
    },
    Taint {
        key: "dedicated",
        value: "inference",
        effect: "NoExecute",
    },
];

fn sets_written_in_any_order_apply_then_plan_is_clean(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    add_subnet(moto.sdk(), &network, THIRD_SUBNET)?;
    // Moto's order, reversed: the cluster's subnets as the user wrote them.
    let mut subnets = subnets_of(moto.sdk(), &network)?;
    assert_eq!(subnets.len(), 3, "{subnets:?}");
    subnets.reverse();

    let mut stack = Stack::new(&network);
    stack.subnet_ids = subnets.iter().map(|(id, _)| id.clone()).collect();
    stack.logging = Some(vec!["audit", "api"]);
    stack.pool_zones = Some(vec!["us-east-1c".into(), "us-east-1a".into()]);
    stack.pool_taints = Some(TAINTS.to_vec());

    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir
        .apply()?
        .assert_never_prints("inconsistent")
        .assert_stdout_contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed.");
    workdir.assert_no_changes()?;

    let state = workdir.state_json()?;
    let records = Records::of(&moto);
    let cluster_values = resource(&state, CLUSTER);
    assert_eq!(strings(&cluster_values["logging"]), set(["api", "audit"]));
    assert_eq!(
        strings(&cluster_values["aws"]["subnet_ids"]),
        subnets.iter().map(|(id, _)| id.clone()).collect()
    );
    let cluster = records.cluster(CLUSTER_NAME)?;
    assert_eq!(enabled_log_types(&cluster), set(["api", "audit"]));
    let vpc = cluster.resources_vpc_config().expect("a VPC config");
    assert_eq!(
        vpc.subnet_ids().iter().cloned().collect::<BTreeSet<_>>(),
        subnets.iter().map(|(id, _)| id.clone()).collect()
    );

    let pool_values = resource(&state, GPU_POOL);
    assert_eq!(
        strings(&pool_values["zones"]),
        set(["us-east-1a", "us-east-1c"])
    );
    assert_eq!(
        state_taints(&pool_values["taints"]),
        set_of_taints([
            ("dedicated", "inference", "NoExecute"),
            ("nvidia.com/gpu", "present", "NoSchedule"),
        ])
    );
    let group = records.node_group(CLUSTER_NAME, POOL_NAME)?;
    assert_eq!(
        taints_of(&group).into_iter().collect::<BTreeSet<_>>(),
        set_of_taints([
            ("dedicated", "inference", "NO_EXECUTE"),
            ("nvidia.com/gpu", "present", "NO_SCHEDULE"),
        ])
    );
    // The pool's subnets are the cluster's in the two zones it names.
    let in_zones: BTreeSet<String> = subnets
        .iter()
        .filter(|(_, zone)| zone != "us-east-1b")
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(
        group.subnets().iter().cloned().collect::<BTreeSet<_>>(),
        in_zones
    );
    Ok(())
}

/// `zones` naming every zone of the cluster, in reverse: the pool spans all its
/// subnets, and the state still says what the user wrote.
fn zones_naming_every_cluster_zone_apply_then_plan_is_clean(terraform: &Terraform) -> TestResult {
    let moto = Moto::start()?;
    let network = moto.sdk().create_network()?;
    let mut stack = Stack::new(&network);
    stack.pool_zones = Some(vec!["us-east-1b".into(), "us-east-1a".into()]);

    let workdir = Workdir::new(terraform, &[providers::mlcloud()?])?;
    workdir.write("main.tf", &stack.main_tf(&moto))?;
    workdir.init()?;
    workdir
        .apply()?
        .assert_never_prints("inconsistent")
        .assert_stdout_contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed.");
    workdir.assert_no_changes()?;

    let state = workdir.state_json()?;
    assert_eq!(
        strings(&resource(&state, GPU_POOL)["zones"]),
        set(["us-east-1a", "us-east-1b"])
    );
    let group = Records::of(&moto).node_group(CLUSTER_NAME, POOL_NAME)?;
    assert_eq!(
        group.subnets().iter().cloned().collect::<BTreeSet<_>>(),
        network.subnet_ids.iter().cloned().collect()
    );
    Ok(())
}

fn add_subnet(sdk: &MotoSdk, network: &Network, (cidr, zone): (&str, &str)) -> TestResult {
    sdk.call(
        "ec2 CreateSubnet",
        sdk.ec2
            .create_subnet()
            .vpc_id(&network.vpc_id)
            .cidr_block(cidr)
            .availability_zone(zone)
            .send(),
    )?;
    Ok(())
}

/// `(subnet id, zone)` of the network's subnets, in the order moto lists them.
fn subnets_of(sdk: &MotoSdk, network: &Network) -> Result<Vec<(String, String)>, MotoError> {
    let answer = sdk.call(
        "ec2 DescribeSubnets",
        sdk.ec2
            .describe_subnets()
            .filters(
                Filter::builder()
                    .name("vpc-id")
                    .values(&network.vpc_id)
                    .build(),
            )
            .send(),
    )?;
    Ok(answer
        .subnets()
        .iter()
        .map(|subnet| {
            (
                subnet.subnet_id().unwrap_or_default().to_owned(),
                subnet.availability_zone().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

fn enabled_log_types(cluster: &aws_sdk_eks::types::Cluster) -> BTreeSet<String> {
    cluster
        .logging()
        .into_iter()
        .flat_map(|logging| logging.cluster_logging())
        .filter(|setup| setup.enabled() == Some(true))
        .flat_map(|setup| setup.types())
        .map(|log_type| log_type.as_str().to_owned())
        .collect()
}

/// A set attribute of the state (a JSON array) as a set of strings.
#[track_caller]
fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("a set: {value}"))
        .iter()
        .map(|item| item.as_str().unwrap_or_default().to_owned())
        .collect()
}

fn set<const N: usize>(items: [&str; N]) -> BTreeSet<String> {
    items.into_iter().map(str::to_owned).collect()
}

type TaintTuple = (String, String, String);

fn set_of_taints<const N: usize>(taints: [(&str, &str, &str); N]) -> BTreeSet<TaintTuple> {
    taints
        .into_iter()
        .map(|(key, value, effect)| (key.to_owned(), value.to_owned(), effect.to_owned()))
        .collect()
}

#[track_caller]
fn state_taints(value: &Value) -> BTreeSet<TaintTuple> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("taints: {value}"))
        .iter()
        .map(|taint| {
            let field = |name: &str| taint[name].as_str().unwrap_or_default().to_owned();
            (field("key"), field("value"), field("effect"))
        })
        .collect()
}
