//! Whether a Deployment has rolled out, judged as `kubectl rollout status` and the
//! kubernetes provider's `wait_for_rollout` do, plus what they leave out: a pod that
//! cannot pull its image, keeps crashing or fits no node fails the wait at once, with
//! the pod's own reason and message, instead of after the progress deadline.

use serde_json::Value;

/// Container waiting reasons that waiting does not cure.
const FATAL_WAITING_REASONS: [&str; 6] = [
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "CreateContainerError",
];

/// The event the cluster autoscaler records when a pending pod makes it add a node: an
/// unschedulable pod that caused one (a pool scaling up from zero) is still on its way.
const SCALE_UP_EVENT: &str = "TriggeredScaleUp";

/// Where a rollout stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollout {
    /// Every replica updated, ready and available; no old ones left.
    Complete { ready_replicas: u32 },
    /// Still moving; the message says on what, for progress reports.
    InProgress(String),
    /// Stopped for a reason waiting will not fix.
    Failed(RolloutFailure),
}

/// Why a rollout cannot finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutFailure {
    /// Kubernetes' own word: `ImagePullBackOff`, `Unschedulable`, `ProgressDeadlineExceeded`...
    pub reason: String,
    pub message: String,
    /// The pod it was seen on, when it was a pod.
    pub pod: Option<String>,
}

impl std::fmt::Display for RolloutFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.pod {
            Some(pod) => write!(f, "pod {pod}: {}: {}", self.reason, self.message),
            None => write!(f, "{}: {}", self.reason, self.message),
        }
    }
}

fn count(value: &Value) -> u32 {
    value
        .as_u64()
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// Judges `deployment` with its `pods` (those its selector matches) and the
/// namespace's `events`.
pub fn evaluate(deployment: &Value, pods: &[Value], events: &[Value]) -> Rollout {
    if let Some(failure) = deadline_exceeded(deployment) {
        return Rollout::Failed(failure);
    }
    if let Some(failure) = pods.iter().find_map(|pod| pod_failure(pod, events)) {
        return Rollout::Failed(failure);
    }
    let status = &deployment["status"];
    let generation = deployment["metadata"]["generation"].as_u64().unwrap_or(0);
    let observed = status["observedGeneration"].as_u64().unwrap_or(0);
    if observed < generation {
        return Rollout::InProgress(
            "waiting for the Deployment's new spec to be observed".to_owned(),
        );
    }
    let desired = deployment["spec"]["replicas"]
        .as_u64()
        .map_or(1, |n| n as u32);
    let updated = count(&status["updatedReplicas"]);
    let total = count(&status["replicas"]);
    let available = count(&status["availableReplicas"]);
    if updated < desired {
        return Rollout::InProgress(format!("{updated} of {desired} replicas updated"));
    }
    if total > updated {
        return Rollout::InProgress(format!(
            "{} old replicas are pending termination",
            total - updated
        ));
    }
    if available < updated {
        return Rollout::InProgress(format!(
            "{available} of {updated} updated replicas available"
        ));
    }
    Rollout::Complete {
        ready_replicas: count(&status["readyReplicas"]),
    }
}

fn deadline_exceeded(deployment: &Value) -> Option<RolloutFailure> {
    let conditions = deployment["status"]["conditions"].as_array()?;
    conditions
        .iter()
        .find(|c| c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded")
        .map(|c| RolloutFailure {
            reason: "ProgressDeadlineExceeded".to_owned(),
            message: text(&c["message"]),
            pod: None,
        })
}

fn pod_failure(pod: &Value, events: &[Value]) -> Option<RolloutFailure> {
    let name = text(&pod["metadata"]["name"]);
    let statuses = ["initContainerStatuses", "containerStatuses"]
        .iter()
        .filter_map(|key| pod["status"][key].as_array())
        .flatten();
    for status in statuses {
        let waiting = &status["state"]["waiting"];
        let reason = text(&waiting["reason"]);
        if FATAL_WAITING_REASONS.contains(&reason.as_str()) {
            return Some(RolloutFailure {
                reason,
                message: text(&waiting["message"]),
                pod: Some(name),
            });
        }
    }
    let unschedulable = pod["status"]["conditions"].as_array()?.iter().find(|c| {
        c["type"] == "PodScheduled" && c["status"] == "False" && c["reason"] == "Unschedulable"
    })?;
    if scaling_up_for(&name, events) {
        return None;
    }
    Some(RolloutFailure {
        reason: "Unschedulable".to_owned(),
        message: text(&unschedulable["message"]),
        pod: Some(name),
    })
}

fn scaling_up_for(pod: &str, events: &[Value]) -> bool {
    events.iter().any(|event| {
        event["reason"] == SCALE_UP_EVENT
            && event["involvedObject"]["kind"] == "Pod"
            && event["involvedObject"]["name"] == pod
    })
}

#[cfg(test)]
#[path = "rollout_tests.rs"]
mod tests;
