use serde_json::{Value, json};

use super::*;

fn deployment(generation: u64, status: Value) -> Value {
    json!({
        "metadata": { "name": "iris", "generation": generation },
        "spec": { "replicas": 2 },
        "status": status,
    })
}

fn done() -> Value {
    deployment(
        3,
        json!({
            "observedGeneration": 3, "replicas": 2, "updatedReplicas": 2,
            "readyReplicas": 2, "availableReplicas": 2,
        }),
    )
}

fn waiting_pod(reason: &str, message: &str) -> Value {
    json!({
        "metadata": { "name": "iris-7d9-abc" },
        "status": { "containerStatuses": [{
            "name": "model-server",
            "state": { "waiting": { "reason": reason, "message": message } },
        }]},
    })
}

fn unschedulable_pod() -> Value {
    json!({
        "metadata": { "name": "iris-7d9-xyz" },
        "status": { "phase": "Pending", "conditions": [{
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
            "message": "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
        }]},
    })
}

#[test]
fn a_finished_rollout_is_complete() {
    assert_eq!(
        evaluate(&done(), &[], &[]),
        Rollout::Complete { ready_replicas: 2 }
    );
}

#[test]
fn an_unobserved_spec_is_still_in_progress() {
    let mut stale = done();
    stale["metadata"]["generation"] = json!(4);
    assert!(matches!(evaluate(&stale, &[], &[]), Rollout::InProgress(_)));
}

#[test]
fn updated_old_and_available_replicas_are_each_waited_for() {
    let cases = [
        (
            json!({ "observedGeneration": 3, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1 }),
            "1 of 2 replicas updated",
        ),
        (
            json!({ "observedGeneration": 3, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2 }),
            "1 old replicas are pending termination",
        ),
        (
            json!({ "observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1 }),
            "1 of 2 updated replicas available",
        ),
    ];
    for (status, expected) in cases {
        assert_eq!(
            evaluate(&deployment(3, status), &[], &[]),
            Rollout::InProgress(expected.to_owned())
        );
    }
}

#[test]
fn the_progress_deadline_fails_at_once() {
    let mut stuck = done();
    stuck["status"]["conditions"] = json!([{
        "type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
        "message": "ReplicaSet \"iris-7d9\" has timed out progressing.",
    }]);
    let Rollout::Failed(failure) = evaluate(&stuck, &[], &[]) else {
        panic!("expected a failure")
    };
    assert_eq!(failure.reason, "ProgressDeadlineExceeded");
    assert_eq!(failure.pod, None);
}

#[test]
fn image_pull_and_crash_loops_fail_naming_the_pod() {
    for reason in ["ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff"] {
        let pod = waiting_pod(reason, "Back-off pulling image \"nope:1\"");
        let Rollout::Failed(failure) = evaluate(&done(), &[pod], &[]) else {
            panic!("{reason} should fail the rollout")
        };
        assert_eq!(failure.reason, reason);
        assert_eq!(
            failure.to_string(),
            format!("pod iris-7d9-abc: {reason}: Back-off pulling image \"nope:1\"")
        );
    }
}

#[test]
fn a_container_still_creating_is_not_a_failure() {
    let pod = waiting_pod("ContainerCreating", "");
    assert_eq!(
        evaluate(&done(), &[pod], &[]),
        Rollout::Complete { ready_replicas: 2 }
    );
}

#[test]
fn an_unschedulable_pod_fails_with_the_schedulers_message() {
    let Rollout::Failed(failure) = evaluate(&done(), &[unschedulable_pod()], &[]) else {
        panic!("expected a failure")
    };
    assert_eq!(failure.reason, "Unschedulable");
    assert_eq!(
        failure.message,
        "0/3 nodes are available: 3 Insufficient nvidia.com/gpu."
    );
}

#[test]
fn an_unschedulable_pod_that_triggered_a_scale_up_is_waited_for() {
    let event = json!({
        "reason": "TriggeredScaleUp",
        "involvedObject": { "kind": "Pod", "name": "iris-7d9-xyz" },
        "message": "pod triggered scale-up: [{gpu 0->1 (max: 4)}]",
    });
    let stale = deployment(
        3,
        json!({ "observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1 }),
    );
    assert!(matches!(
        evaluate(&stale, &[unschedulable_pod()], &[event]),
        Rollout::InProgress(_)
    ));
}
