//! Compute Engine's managed instance groups behind GKE node pools, as far as a reader
//! of a pool's size needs them. GKE's NodePool has no current size (only
//! `initialNodeCount`); it lists one instance group manager per zone in
//! `instanceGroupUrls`, and each manager's `targetSize` is the pool's nodes in that
//! zone. `setSize` (nodes per zone) changes every one of them.

use serde_json::{Value, json};

use crate::gcp::errors::{ApiError, ApiResult};

const COMPUTE: &str = "https://www.googleapis.com/compute/v1";

/// A stable number per pool and zone (FNV-1a), so the same pool in the same zone
/// always has the same manager, as GKE's `gke-CLUSTER-POOL-1a2b3c4d-grp` names do.
fn stable_hash(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// The manager of `pool` (of cluster `cluster`, its short name) in `zone`.
pub fn manager_name(cluster: &str, pool: &str, zone: &str) -> String {
    let hash = stable_hash(&format!("{cluster}/{pool}/{zone}"));
    format!("gke-{cluster}-{pool}-{hash:08x}-grp")
}

/// `instanceGroupUrls` of a pool placed in `zones`, one manager per zone.
pub fn urls(project: &str, cluster: &str, pool: &str, zones: &Value) -> Value {
    let zones = zones.as_array().cloned().unwrap_or_default();
    Value::Array(
        zones
            .iter()
            .filter_map(Value::as_str)
            .map(|zone| {
                json!(format!(
                    "{COMPUTE}/projects/{project}/zones/{zone}/instanceGroupManagers/{}",
                    manager_name(cluster, pool, zone)
                ))
            })
            .collect(),
    )
}

/// Whether `pool` lists the manager `name` in `zone`.
pub fn lists(pool: &Value, zone: &str, name: &str) -> bool {
    let tail = format!("/zones/{zone}/instanceGroupManagers/{name}");
    pool["instanceGroupUrls"].as_array().is_some_and(|urls| {
        urls.iter()
            .any(|u| u.as_str().is_some_and(|u| u.ends_with(&tail)))
    })
}

/// compute v1 `InstanceGroupManager` of a pool's nodes in one zone (`targetSize` is
/// int32: a JSON number).
pub fn render(project: &str, zone: &str, name: &str, size: i64, created: &str) -> Value {
    let base = name.trim_end_matches("-grp");
    let zone_url = format!("{COMPUTE}/projects/{project}/zones/{zone}");
    json!({
        "kind": "compute#instanceGroupManager",
        // uint64 travels as a string.
        "id": (4_000_000_000_000_000_000u64 + u64::from(stable_hash(&zone_url) ^ stable_hash(name))).to_string(),
        "creationTimestamp": created,
        "name": name,
        "zone": zone_url,
        "instanceTemplate": format!("{COMPUTE}/projects/{project}/global/instanceTemplates/{base}"),
        "instanceGroup": format!("{zone_url}/instanceGroups/{name}"),
        "baseInstanceName": base,
        "currentActions": {"none": size, "creating": 0, "deleting": 0, "recreating": 0, "refreshing": 0, "restarting": 0, "abandoning": 0, "verifying": 0},
        "status": {"isStable": true},
        "targetSize": size,
        "selfLink": format!("{zone_url}/instanceGroupManagers/{name}"),
        "updatePolicy": {"type": "OPPORTUNISTIC"},
    })
}

/// Compute's answer for a manager that does not exist.
pub fn not_found(project: &str, zone: &str, name: &str) -> ApiError {
    ApiError::not_found(format!(
        "The resource 'projects/{project}/zones/{zone}/instanceGroupManagers/{name}' was not found"
    ))
}

/// Finds the manager `name` in `zone` among `pools` (pool value, nodes per zone,
/// its cluster's creation time) and renders it.
pub fn find<'a>(
    project: &str,
    zone: &str,
    name: &str,
    mut pools: impl Iterator<Item = (&'a Value, i64, &'a str)>,
) -> ApiResult<Value> {
    let (_, size, created) = pools
        .find(|(pool, _, _)| lists(pool, zone, name))
        .ok_or_else(|| not_found(project, zone, name))?;
    Ok(render(project, zone, name, size, created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_manager_per_zone_with_stable_distinct_names() {
        let listed = urls(
            "p",
            "ml-main",
            "gpu",
            &json!(["us-central1-a", "us-central1-b"]),
        );
        let listed: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(listed.len(), 2);
        assert_ne!(listed[0].rsplit('/').next(), listed[1].rsplit('/').next());
        assert_eq!(
            manager_name("ml-main", "gpu", "us-central1-a"),
            manager_name("ml-main", "gpu", "us-central1-a")
        );
        assert!(listed[0].starts_with(
            "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/instanceGroupManagers/gke-ml-main-gpu-"
        ));
    }

    #[test]
    fn a_manager_is_found_only_in_its_zone_and_shows_the_pools_size() {
        let zones = json!(["us-central1-a", "us-central1-b"]);
        let pool = json!({"instanceGroupUrls": urls("p", "c", "gpu", &zones)});
        let name = manager_name("c", "gpu", "us-central1-b");
        let found = find(
            "p",
            "us-central1-b",
            &name,
            [(&pool, 3, "2026-01-01T00:00:00Z")].into_iter(),
        )
        .unwrap();
        assert_eq!(found["targetSize"], 3);
        assert_eq!(found["name"], name.as_str());
        let elsewhere = find(
            "p",
            "us-central1-a",
            &name,
            [(&pool, 3, "2026-01-01T00:00:00Z")].into_iter(),
        )
        .unwrap_err();
        assert_eq!(elsewhere.status, "NOT_FOUND");
    }
}
