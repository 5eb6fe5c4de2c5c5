//! What a node pool spec becomes on the wire, and back.

use super::*;
use crate::clouds::model::{MachineAccelerator, Tags};
use std::collections::{BTreeMap, BTreeSet};

const CLUSTER: &str = "projects/ml-proj/locations/us-central1/clusters/ml";
const NODES: &str = "projects/ml-proj/serviceAccounts/ml-nodes@ml-proj.iam.gserviceaccount.com";

fn machine(ty: &str, acc: &str, per_node: u32, family: AcceleratorFamily) -> Machine {
    Machine {
        machine_type: ty.into(),
        accelerator: Some(MachineAccelerator {
            name: acc.into(),
            per_node,
            family,
        }),
        ..Machine::default()
    }
}

fn spec(machine: Machine) -> NodePoolSpec {
    NodePoolSpec {
        kubernetes_version: None,
        disk_encryption_key_id: None,
        cluster_id: CLUSTER.into(),
        name: "gpu".into(),
        machine,
        scaling: Scaling::Auto { min: 0, max: 3 },
        capacity_type: CapacityType::Spot,
        taints: BTreeSet::from([Taint {
            key: "nvidia.com/gpu".into(),
            value: "present".into(),
            effect: TaintEffect::NoSchedule,
        }]),
        labels: BTreeMap::from([("workload".to_string(), "inference".to_string())]),
        disk_size_gb: 200,
        zones: BTreeSet::new(),
        node_identity_id: Some(NODES.into()),
        tpu_topology: None,
        tags: Tags::from([("team".to_string(), "ml".to_string())]),
        cloud: PerCloud::Gcp(GcpNodePoolSettings::default()),
    }
}

#[test]
fn a_gpu_pool_attaches_its_gpus_with_the_driver_and_reads_back() {
    let s = spec(machine(
        "g2-standard-4",
        "nvidia-l4",
        1,
        AcceleratorFamily::Gpu,
    ));
    let p = expand_pool(&s).unwrap();
    let config = p.config.as_ref().unwrap();
    let acc = &config.accelerators[0];
    assert_eq!(
        (acc.accelerator_type.as_str(), acc.accelerator_count),
        ("nvidia-l4", 1)
    );
    assert_eq!(
        acc.gpu_driver_installation_config
            .as_ref()
            .unwrap()
            .gpu_driver_version,
        Some(GPUDriverVersion::Default)
    );
    assert!(config.spot);
    assert_eq!(
        config.workload_metadata_config.as_ref().unwrap().mode,
        Mode::GkeMetadata
    );
    assert_eq!(config.taints[0].effect, Effect::NoSchedule);
    assert!(p.autoscaling.as_ref().unwrap().enabled);

    let name = NodePoolName::parse(&format!("{CLUSTER}/nodePools/gpu")).unwrap();
    let state = flatten_pool(&p, &name, &[], None);
    assert_eq!(state.scaling, s.scaling);
    assert_eq!(state.taints, s.taints);
    assert_eq!(state.labels, s.labels);
    assert_eq!(state.tags, s.tags);
    assert_eq!(state.node_identity_id, s.node_identity_id);
    assert_eq!(state.capacity_type, CapacityType::Spot);
    assert!(state.spans_cluster);
    assert_eq!(state.cloud.gcp(), Some(&GcpNodePoolSettings::default()));
    assert_eq!(state.tpu_topology, None, "a GPU pool is no slice");
}

#[test]
fn a_multi_host_tpu_slice_is_compact_and_sized_by_its_topology() {
    let mut s = spec(machine(
        "ct5lp-hightpu-4t",
        "tpu-v5e",
        4,
        AcceleratorFamily::Tpu,
    ));
    s.tpu_topology = Some("4x4".into());
    let p = expand_pool(&s).unwrap();
    let placement = p.placement_policy.as_ref().unwrap();
    assert_eq!(placement.r#type, PlacementType::Compact);
    assert_eq!(placement.tpu_topology, "4x4");
    assert_eq!(p.initial_node_count, 4, "16 chips on 4-chip nodes");
    assert!(p.autoscaling.is_none());
    assert!(
        p.config.as_ref().unwrap().accelerators.is_empty(),
        "TPUs come with the machine type"
    );
    // Read back (an imported slice too): the topology from the placement policy.
    let name = NodePoolName::parse(&format!("{CLUSTER}/nodePools/tpu")).unwrap();
    let state = flatten_pool(&p, &name, &[], None);
    assert_eq!(state.tpu_topology.as_deref(), Some("4x4"));
    assert_eq!(state.scaling, Scaling::Fixed(4));
}

#[test]
fn node_identities_come_back_from_the_service_account_email() {
    assert_eq!(
        node_identity_of("ml-nodes@ml-proj.iam.gserviceaccount.com").as_deref(),
        Some(NODES)
    );
    assert_eq!(node_identity_of("default"), None);
    assert_eq!(node_identity_of(""), None);
}
