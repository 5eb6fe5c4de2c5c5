//! What a cluster spec becomes on the wire, and back.

use super::*;
use crate::clouds::model::{Machine, SystemPoolSpec, Tags};

const NODES: &str = "projects/ml-proj/serviceAccounts/ml-nodes@ml-proj.iam.gserviceaccount.com";
const KEY: &str = "projects/ml-proj/locations/us-central1/keyRings/r/cryptoKeys/etcd";

fn spec() -> ClusterSpec {
    ClusterSpec {
        admin_principals: Default::default(),
        name: "ml".into(),
        location: "us-central1".into(),
        kubernetes_version: Some("1.31".into()),
        endpoint_access: EndpointAccess::Private,
        authorized_cidrs: BTreeSet::from(["10.0.0.0/8".to_string()]),
        encryption_key_id: Some(KEY.into()),
        identity_id: None,
        system_pool: SystemPoolSpec {
            machine: Machine {
                machine_type: "e2-standard-4".into(),
                ..Machine::default()
            },
            node_count: 2,
            node_identity_id: Some(NODES.into()),
        },
        logging: ["APISERVER", "SYSTEM_COMPONENTS"].map(String::from).into(),
        tags: Tags::from([("team".to_string(), "ml".to_string())]),
        cloud: PerCloud::Gcp(GcpClusterSettings::default()),
    }
}

fn name() -> ClusterName {
    ClusterName::parse("projects/ml-proj/locations/us-central1/clusters/ml").unwrap()
}

#[test]
fn a_cluster_is_private_encrypted_shielded_and_runs_nodes_as_the_node_identity() {
    let c = expand_cluster(&name(), &spec(), &Default::default()).unwrap();
    let private = c.private_cluster_config.as_ref().unwrap();
    assert!(private.enable_private_nodes && private.enable_private_endpoint);
    assert_eq!(private.master_ipv4_cidr_block, DEFAULT_MASTER_CIDR);
    let enc = c.database_encryption.as_ref().unwrap();
    assert_eq!(
        (enc.state.clone(), enc.key_name.as_str()),
        (EncryptionState::Encrypted, KEY)
    );
    assert_eq!(
        c.workload_identity_config.as_ref().unwrap().workload_pool,
        "ml-proj.svc.id.goog"
    );
    assert!(c.shielded_nodes.as_ref().unwrap().enabled);
    assert_eq!(
        c.release_channel.as_ref().unwrap().channel,
        Channel::Regular
    );
    assert_eq!(
        c.binary_authorization.as_ref().unwrap().evaluation_mode,
        EvaluationMode::ProjectSingletonPolicyEnforce
    );
    let system = &c.node_pools[0];
    assert_eq!(
        (system.name.as_str(), system.initial_node_count),
        (SYSTEM_POOL, 2)
    );
    let config = system.config.as_ref().unwrap();
    assert_eq!(
        config.service_account,
        "ml-nodes@ml-proj.iam.gserviceaccount.com"
    );
    assert!(
        config
            .shielded_instance_config
            .as_ref()
            .unwrap()
            .enable_secure_boot
    );
    assert_eq!(
        c.resource_labels.get("mlcloud-name").map(String::as_str),
        Some("ml")
    );
}

#[test]
fn reads_back_what_it_wrote() {
    let c = expand_cluster(&name(), &spec(), &Default::default())
        .unwrap()
        .set_current_master_version("1.31.2-gke.1000")
        .set_endpoint("10.0.0.2")
        .set_status(ClusterStatus::Running);
    let s = flatten_cluster(&c, &name(), Some("ml-proj"));
    assert_eq!(s.id, name().name());
    assert_eq!(s.kubernetes_version, "1.31");
    assert_eq!(s.endpoint_access, EndpointAccess::Private);
    assert_eq!(s.authorized_cidrs, spec().authorized_cidrs);
    assert_eq!(s.encryption_key_id.as_deref(), Some(KEY));
    assert_eq!(s.system_pool.node_identity_id.as_deref(), Some(NODES));
    assert_eq!(s.system_pool.node_count, 2);
    assert_eq!(s.logging, spec().logging);
    assert_eq!(s.tags, spec().tags);
    assert_eq!(s.endpoint, "https://10.0.0.2");
    assert_eq!(s.status, "RUNNING");
    assert_eq!(s.cloud.gcp(), Some(&GcpClusterSettings::default()));
}

#[test]
fn a_public_endpoint_keeps_private_nodes() {
    let mut s = spec();
    s.endpoint_access = EndpointAccess::Public;
    let c = expand_cluster(&name(), &s, &Default::default()).unwrap();
    let private = c.private_cluster_config.as_ref().unwrap();
    assert!(private.enable_private_nodes && !private.enable_private_endpoint);
}
