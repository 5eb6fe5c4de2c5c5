//! Tracking an update EKS started (`UpdateClusterConfig`, `UpdateClusterVersion`,
//! `UpdateNodegroupConfig`, ...) through `DescribeUpdate` until it succeeds or fails.

use super::errors::{SdkResultExt, Service};
use crate::clouds::CloudError;
use crate::clouds::wait::{Backoff, Deadline, Observed, StateChange, Target};
use aws_sdk_eks::Client;
use aws_sdk_eks::types::{Update, UpdateStatus};

async fn status_update(
    eks: &Client,
    cluster: &str,
    nodegroup: Option<&str>,
    id: &str,
) -> Result<Option<Observed<()>>, CloudError> {
    let out = eks
        .describe_update()
        .name(cluster)
        .update_id(id)
        .set_nodegroup_name(nodegroup.map(str::to_string))
        .send()
        .await
        .or_cloud(Service::Eks, "DescribeUpdate", &format!("EKS update {id}"))?;
    Ok(out.update.map(|u| {
        let detail = update_errors(&u);
        Observed::new((), u.status().map(|s| s.as_str()).unwrap_or_default()).with_detail(detail)
    }))
}

fn update_errors(update: &Update) -> String {
    update
        .errors()
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e.error_code().map(|c| c.as_str()).unwrap_or("error"),
                e.error_message().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Waits for `update` (of the cluster, or of `nodegroup` in it) to finish.
pub async fn wait_update(
    eks: &Client,
    cluster: &str,
    nodegroup: Option<&str>,
    update: &Update,
    backoff: &Backoff,
    deadline: &Deadline,
) -> Result<(), CloudError> {
    let subject = match nodegroup {
        Some(g) => format!("EKS node group {g:?} of cluster {cluster:?}"),
        None => format!("EKS cluster {cluster:?}"),
    };
    let id = update.id().ok_or_else(|| {
        CloudError::Transport(format!("EKS started an update of {subject} without an id"))
    })?;
    match update.status() {
        Some(UpdateStatus::Successful) => return Ok(()),
        Some(UpdateStatus::Failed | UpdateStatus::Cancelled) => {
            return Err(CloudError::FailedState {
                what: format!("update {id} of {subject}"),
                state: update
                    .status()
                    .map(|s| s.as_str())
                    .unwrap_or_default()
                    .into(),
                detail: update_errors(update),
            });
        }
        _ => {}
    }
    let change = StateChange {
        what: format!("update {id} of {subject} to finish"),
        pending: &["InProgress"],
        target: Target::States(&["Successful"]),
        failure: &["Failed", "Cancelled"],
    };
    change
        .wait(backoff, deadline, || {
            status_update(eks, cluster, nodegroup, id)
        })
        .await
        .map(|_| ())
}
