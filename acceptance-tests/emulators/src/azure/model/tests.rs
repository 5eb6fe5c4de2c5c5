//! The state on its own: operations that finish after the delay, deletes that take
//! their children, principals role assignments cannot see yet, planned failures.

use std::time::Duration;

use serde_json::json;

use super::switches::PlannedFailure;
use super::*;

fn state(delay_ms: u64) -> State {
    State::new(
        "https://127.0.0.1:1".into(),
        Duration::from_millis(delay_ms),
        "00000000-0000-0000-0000-00000000000a".into(),
    )
}

fn resource(id: &str, kind: Kind) -> Resource {
    Resource {
        id: id.into(),
        kind,
        body: json!({"id": id, "properties": {}}),
        pending: None,
        created: Instant::now(),
    }
}

#[test]
fn a_write_shows_its_state_until_the_delay_has_passed() {
    let mut state = state(50);
    state.insert(resource("/x/managedClusters/c", Kind::ManagedCluster));
    let operation = state.begin("/x/managedClusters/c", "Creating", "managedClusters.put");
    state.settle();
    assert_eq!(operation.status(), "InProgress");
    assert_eq!(
        state.get("/X/MANAGEDCLUSTERS/C").unwrap().properties()["provisioningState"],
        "Creating"
    );
    std::thread::sleep(Duration::from_millis(60));
    state.settle();
    assert_eq!(state.operations[&operation.id].status(), "Succeeded");
    assert_eq!(
        state.get("/x/managedClusters/c").unwrap().properties()["provisioningState"],
        "Succeeded"
    );
}

#[test]
fn a_finished_delete_removes_the_resource_and_everything_under_it() {
    let mut state = state(0);
    state.insert(resource("/x/managedClusters/c", Kind::ManagedCluster));
    state.insert(resource(
        "/x/managedClusters/c/agentPools/gpu",
        Kind::AgentPool,
    ));
    state.insert(resource("/x/managedClusters/c2", Kind::ManagedCluster));
    state.begin("/x/managedClusters/c", "Deleting", "managedClusters.delete");
    state.settle();
    assert!(state.get("/x/managedClusters/c").is_none());
    assert!(state.get("/x/managedClusters/c/agentPools/gpu").is_none());
    assert!(
        state.get("/x/managedClusters/c2").is_some(),
        "a sibling whose name starts the same stays"
    );
    assert_eq!(
        state.records()["managed_clusters"],
        json!(["/x/managedClusters/c2"])
    );
}

#[test]
fn a_planned_failure_ends_the_next_matching_operation_failed_once() {
    let mut state = state(0);
    state.switches.fail_operations.push(PlannedFailure {
        operation: "agentPools.put".into(),
        code: "QuotaExceeded".into(),
        message: "no GPUs left".into(),
    });
    state.insert(resource("/p/a", Kind::AgentPool));
    let cluster = state.begin("/p/a", "Creating", "managedClusters.put");
    let failed = state.begin("/p/a", "Updating", "agentPools.put");
    let next = state.begin("/p/a", "Updating", "agentPools.put");
    state.settle();
    assert_eq!(cluster.status(), "Succeeded");
    assert_eq!(failed.status(), "Failed");
    assert_eq!(failed.body("/op")["error"]["code"], "QuotaExceeded");
    assert_eq!(next.status(), "Succeeded");
}

#[test]
fn a_young_principal_is_invisible_while_replication_is_switched_on() {
    let mut state = state(0);
    state.principals.insert(
        "p1".into(),
        Principal {
            kind: "ServicePrincipal",
            created: Instant::now(),
        },
    );
    assert_eq!(
        state.principal_visible("p1"),
        PrincipalLookup::Known("ServicePrincipal")
    );
    state.switches.principal_replication_delay_seconds = 5;
    assert_eq!(
        state.principal_visible("p1"),
        PrincipalLookup::NotReplicated
    );
    assert_eq!(
        state.principal_visible(&state.client_object_id.clone()),
        PrincipalLookup::Known("ServicePrincipal"),
        "the caller has existed for long"
    );
    assert_eq!(state.principal_visible("nobody"), PrincipalLookup::Unknown);
    state.reset();
    assert_eq!(state.switches.principal_replication_delay_seconds, 0);
    assert_eq!(state.principal_visible("p1"), PrincipalLookup::Unknown);
}
