//! Enum fields of the messages this part serves, by JSON path, with their numbers.
//!
//! Google's clients ask for `$alt=json;enum-encoding=int`: enums then travel as
//! integers both ways. The model keeps names; requests are normalised to names on the
//! way in ([`to_names`]) and rendered as numbers on the way out when asked
//! ([`to_numbers`]). A path walks through arrays transparently
//! (`nodePools.config.taints.effect` reaches every taint of every pool).

use serde_json::Value;

/// One enum type: (number, name) pairs.
pub type EnumType = &'static [(i64, &'static str)];

/// An enum field at a dotted path inside a message.
pub type EnumFields = &'static [(&'static str, EnumType)];

pub const OPERATION_STATUS: EnumType = &[
    (0, "STATUS_UNSPECIFIED"),
    (1, "PENDING"),
    (2, "RUNNING"),
    (3, "DONE"),
    (4, "ABORTING"),
];
pub const OPERATION_TYPE: EnumType = &[
    (0, "TYPE_UNSPECIFIED"),
    (1, "CREATE_CLUSTER"),
    (2, "DELETE_CLUSTER"),
    (3, "UPGRADE_MASTER"),
    (4, "UPGRADE_NODES"),
    (5, "REPAIR_CLUSTER"),
    (6, "UPDATE_CLUSTER"),
    (7, "CREATE_NODE_POOL"),
    (8, "DELETE_NODE_POOL"),
    (9, "SET_NODE_POOL_MANAGEMENT"),
    (10, "AUTO_REPAIR_NODES"),
    (11, "AUTO_UPGRADE_NODES"),
    (12, "SET_LABELS"),
    (13, "SET_MASTER_AUTH"),
    (14, "SET_NODE_POOL_SIZE"),
    (15, "SET_NETWORK_POLICY"),
    (16, "SET_MAINTENANCE_POLICY"),
    (18, "RESIZE_CLUSTER"),
    (19, "FLEET_FEATURE_UPGRADE"),
];
pub const CLUSTER_STATUS: EnumType = &[
    (0, "STATUS_UNSPECIFIED"),
    (1, "PROVISIONING"),
    (2, "RUNNING"),
    (3, "RECONCILING"),
    (4, "STOPPING"),
    (5, "ERROR"),
    (6, "DEGRADED"),
];
pub const NODE_POOL_STATUS: EnumType = &[
    (0, "STATUS_UNSPECIFIED"),
    (1, "PROVISIONING"),
    (2, "RUNNING"),
    (3, "RUNNING_WITH_ERROR"),
    (4, "RECONCILING"),
    (5, "STOPPING"),
    (6, "ERROR"),
];
const DATABASE_ENCRYPTION_STATE: EnumType = &[(0, "UNKNOWN"), (1, "ENCRYPTED"), (2, "DECRYPTED")];
const RELEASE_CHANNEL: EnumType = &[
    (0, "UNSPECIFIED"),
    (1, "RAPID"),
    (2, "REGULAR"),
    (3, "STABLE"),
    (4, "EXTENDED"),
];
const EVALUATION_MODE: EnumType = &[
    (0, "EVALUATION_MODE_UNSPECIFIED"),
    (1, "DISABLED"),
    (2, "PROJECT_SINGLETON_POLICY_ENFORCE"),
];
const WORKLOAD_METADATA_MODE: EnumType = &[
    (0, "MODE_UNSPECIFIED"),
    (1, "GCE_METADATA"),
    (2, "GKE_METADATA"),
];
const TAINT_EFFECT: EnumType = &[
    (0, "EFFECT_UNSPECIFIED"),
    (1, "NO_SCHEDULE"),
    (2, "PREFER_NO_SCHEDULE"),
    (3, "NO_EXECUTE"),
];
const GPU_DRIVER_VERSION: EnumType = &[
    (0, "GPU_DRIVER_VERSION_UNSPECIFIED"),
    (1, "INSTALLATION_DISABLED"),
    (2, "DEFAULT"),
    (3, "LATEST"),
];
const PLACEMENT_TYPE: EnumType = &[(0, "TYPE_UNSPECIFIED"), (1, "COMPACT")];
const LOCATION_POLICY: EnumType = &[
    (0, "LOCATION_POLICY_UNSPECIFIED"),
    (1, "BALANCED"),
    (2, "ANY"),
];

pub const CRYPTO_KEY_PURPOSE: EnumType = &[
    (0, "CRYPTO_KEY_PURPOSE_UNSPECIFIED"),
    (1, "ENCRYPT_DECRYPT"),
    (5, "ASYMMETRIC_SIGN"),
    (6, "ASYMMETRIC_DECRYPT"),
    (7, "RAW_ENCRYPT_DECRYPT"),
    (9, "MAC"),
];
pub const PROTECTION_LEVEL: EnumType = &[
    (0, "PROTECTION_LEVEL_UNSPECIFIED"),
    (1, "SOFTWARE"),
    (2, "HSM"),
    (3, "EXTERNAL"),
    (4, "EXTERNAL_VPC"),
];
const VERSION_ALGORITHM: EnumType = &[
    (0, "CRYPTO_KEY_VERSION_ALGORITHM_UNSPECIFIED"),
    (1, "GOOGLE_SYMMETRIC_ENCRYPTION"),
];
pub const VERSION_STATE: EnumType = &[
    (0, "CRYPTO_KEY_VERSION_STATE_UNSPECIFIED"),
    (1, "ENABLED"),
    (2, "DISABLED"),
    (3, "DESTROYED"),
    (4, "DESTROY_SCHEDULED"),
    (5, "PENDING_GENERATION"),
    (6, "PENDING_IMPORT"),
    (7, "IMPORT_FAILED"),
    (8, "GENERATION_FAILED"),
];
const PROJECT_STATE: EnumType = &[
    (0, "STATE_UNSPECIFIED"),
    (1, "ACTIVE"),
    (2, "DELETE_REQUESTED"),
];

/// container v1 `Operation`.
pub const OPERATION: EnumFields = &[
    ("status", OPERATION_STATUS),
    ("operationType", OPERATION_TYPE),
];

/// container v1 `NodePool` (and, under `nodePools.` / as `nodeConfig.`, the cluster's).
pub const NODE_POOL: EnumFields = &[
    ("status", NODE_POOL_STATUS),
    ("config.taints.effect", TAINT_EFFECT),
    ("config.workloadMetadataConfig.mode", WORKLOAD_METADATA_MODE),
    (
        "config.accelerators.gpuDriverInstallationConfig.gpuDriverVersion",
        GPU_DRIVER_VERSION,
    ),
    ("placementPolicy.type", PLACEMENT_TYPE),
    ("autoscaling.locationPolicy", LOCATION_POLICY),
];

/// container v1 `Cluster`.
pub const CLUSTER: EnumFields = &[
    ("status", CLUSTER_STATUS),
    ("databaseEncryption.state", DATABASE_ENCRYPTION_STATE),
    ("releaseChannel.channel", RELEASE_CHANNEL),
    ("binaryAuthorization.evaluationMode", EVALUATION_MODE),
    ("nodeConfig.taints.effect", TAINT_EFFECT),
    (
        "nodeConfig.workloadMetadataConfig.mode",
        WORKLOAD_METADATA_MODE,
    ),
    ("nodePools.status", NODE_POOL_STATUS),
    ("nodePools.config.taints.effect", TAINT_EFFECT),
    (
        "nodePools.config.workloadMetadataConfig.mode",
        WORKLOAD_METADATA_MODE,
    ),
    (
        "nodePools.config.accelerators.gpuDriverInstallationConfig.gpuDriverVersion",
        GPU_DRIVER_VERSION,
    ),
    ("nodePools.placementPolicy.type", PLACEMENT_TYPE),
    ("nodePools.autoscaling.locationPolicy", LOCATION_POLICY),
];

/// container v1 `NodePoolAutoscaling` (`:setAutoscaling` takes `{autoscaling}`).
pub const AUTOSCALING: EnumFields = &[("locationPolicy", LOCATION_POLICY)];

/// container v1 `ClusterUpdate` (inside `UpdateClusterRequest.update`).
pub const CLUSTER_UPDATE: EnumFields = &[
    ("desiredDatabaseEncryption.state", DATABASE_ENCRYPTION_STATE),
    ("desiredReleaseChannel.channel", RELEASE_CHANNEL),
    ("desiredBinaryAuthorization.evaluationMode", EVALUATION_MODE),
    ("desiredNodePoolAutoscaling.locationPolicy", LOCATION_POLICY),
];

/// container v1 `UpdateNodePoolRequest`.
pub const NODE_POOL_UPDATE: EnumFields = &[
    ("taints.taints.effect", TAINT_EFFECT),
    ("workloadMetadataConfig.mode", WORKLOAD_METADATA_MODE),
    (
        "accelerators.gpuDriverInstallationConfig.gpuDriverVersion",
        GPU_DRIVER_VERSION,
    ),
];

/// cloudkms v1 `CryptoKeyVersion`.
pub const CRYPTO_KEY_VERSION: EnumFields = &[
    ("state", VERSION_STATE),
    ("protectionLevel", PROTECTION_LEVEL),
    ("algorithm", VERSION_ALGORITHM),
];

/// cloudkms v1 `CryptoKey`.
pub const CRYPTO_KEY: EnumFields = &[
    ("purpose", CRYPTO_KEY_PURPOSE),
    ("versionTemplate.protectionLevel", PROTECTION_LEVEL),
    ("versionTemplate.algorithm", VERSION_ALGORITHM),
    ("primary.state", VERSION_STATE),
    ("primary.protectionLevel", PROTECTION_LEVEL),
    ("primary.algorithm", VERSION_ALGORITHM),
];

/// resourcemanager v3 `Project`.
pub const PROJECT: EnumFields = &[("state", PROJECT_STATE)];

/// Rewrites the enum fields of `value` as names (a request in either encoding).
pub fn to_names(value: &mut Value, fields: EnumFields) {
    for (path, kind) in fields {
        rewrite(value, path, &|field| match field {
            Value::Number(number) => number.as_i64().and_then(|number| {
                kind.iter()
                    .find(|(n, _)| *n == number)
                    .map(|(_, name)| Value::String((*name).to_string()))
            }),
            _ => None,
        });
    }
}

/// Rewrites the enum fields of `value` as numbers (a response under
/// `enum-encoding=int`). Unknown names are left as they are.
pub fn to_numbers(value: &mut Value, fields: EnumFields) {
    for (path, kind) in fields {
        rewrite(value, path, &|field| match field {
            Value::String(name) => kind
                .iter()
                .find(|(_, n)| n == name)
                .map(|(number, _)| Value::from(*number)),
            _ => None,
        });
    }
}

fn rewrite(value: &mut Value, path: &str, change: &dyn Fn(&Value) -> Option<Value>) {
    if let Value::Array(items) = value {
        for item in items {
            rewrite(item, path, change);
        }
        return;
    }
    let Value::Object(object) = value else {
        return;
    };
    match path.split_once('.') {
        Some((head, rest)) => {
            if let Some(child) = object.get_mut(head) {
                rewrite(child, rest, change);
            }
        }
        None => match object.get_mut(path) {
            Some(Value::Array(items)) => {
                for item in items {
                    if let Some(new) = change(item) {
                        *item = new;
                    }
                }
            }
            Some(field) => {
                if let Some(new) = change(field) {
                    *field = new;
                }
            }
            None => {}
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn enums_travel_as_numbers_when_asked_and_live_as_names() {
        let mut cluster = json!({
            "status": "RUNNING",
            "nodePools": [{"status": "RECONCILING", "config": {"taints": [
                {"key": "a", "effect": "NO_SCHEDULE"}, {"key": "b", "effect": "NO_EXECUTE"}
            ]}}],
        });
        to_numbers(&mut cluster, CLUSTER);
        assert_eq!(cluster["status"], 2);
        assert_eq!(
            cluster["nodePools"][0]["status"], 4,
            "a node pool's own numbering"
        );
        assert_eq!(cluster["nodePools"][0]["config"]["taints"][1]["effect"], 3);
        to_names(&mut cluster, CLUSTER);
        assert_eq!(
            cluster["nodePools"][0]["config"]["taints"][0]["effect"],
            "NO_SCHEDULE"
        );
        assert_eq!(cluster["status"], "RUNNING");
    }
}
