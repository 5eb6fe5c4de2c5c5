//! GKE's long-running operations, polled by hand with the shared waiter: an operation
//! goes PENDING → RUNNING → DONE (or ABORTING), and a DONE operation with an `error`
//! failed. The clients' own LRO helpers are not used: the waiter honours the
//! resource's timeouts, Terraform's stop and throttling the same way for every cloud.

// `Operation.statusMessage` is deprecated in the v1 protos but still carries GKE's
// explanation when `error.message` is empty.
#![allow(deprecated)]

use super::GcpBackend;
use super::errors::{Refusal, Service, err, from_refusal};
use super::names::ClusterName;
use crate::clouds::CloudError;
use crate::clouds::wait::{Deadline, Observed, StateChange, Target};
use futures::FutureExt as _;
use google_cloud_container_v1::model::Operation;
use google_cloud_container_v1::model::operation::Status;

fn status_name(op: &Operation) -> &'static str {
    match op.status {
        Status::Pending => "PENDING",
        Status::Running => "RUNNING",
        Status::Done => "DONE",
        Status::Aborting => "ABORTING",
        _ => "UNKNOWN",
    }
}

/// The operation's full name, from the short name GKE returns and the cluster's
/// project and location.
fn operation_name(cluster: &ClusterName, op: &Operation) -> String {
    if op.name.starts_with("projects/") {
        return op.name.clone();
    }
    format!("{}/operations/{}", cluster.parent(), op.name)
}

/// A finished operation's failure, if it failed: its `error` as a refusal with the
/// status code GKE gave.
pub fn failure(op: &Operation, operation: &'static str, what: &str) -> Option<CloudError> {
    let error = op.error.as_ref()?;
    let code = google_cloud_gax::error::rpc::Code::from(error.code);
    Some(from_refusal(
        Service::Container.as_str(),
        operation,
        what,
        Refusal {
            code: code.name().to_string(),
            http_status: None,
            message: if error.message.is_empty() {
                op.status_message.clone()
            } else {
                error.message.clone()
            },
        },
    ))
}

impl GcpBackend {
    /// Waits for `op` to finish; its failure becomes the error.
    pub(super) async fn wait_operation(
        &self,
        cluster: &ClusterName,
        op: Operation,
        operation: &'static str,
        what: &str,
        deadline: &Deadline,
    ) -> Result<(), CloudError> {
        let name = operation_name(cluster, &op);
        let change = StateChange {
            what: format!("GKE operation {name:?} ({operation} of {what}) to finish"),
            pending: &["PENDING", "RUNNING", "ABORTING", "UNKNOWN"],
            target: Target::States(&["DONE"]),
            failure: &[],
        };
        let finished = if status_name(&op) == "DONE" {
            op
        } else {
            let w = format!("GKE operation {name:?}");
            change
                .wait(&self.backoff, deadline, || async {
                    let op = self
                        .clients
                        .container
                        .get_operation()
                        .set_name(&name)
                        .send()
                        .boxed()
                        .await
                        .map_err(err(Service::Container, "GetOperation", &w))?;
                    let state = status_name(&op);
                    Ok(Some(Observed::new(op, state)))
                })
                .await?
                .ok_or_else(|| CloudError::NotFound {
                    what: w.clone(),
                    message: "gone while waiting".into(),
                })?
        };
        match failure(&finished, operation, what) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_done_operation_with_an_error_is_a_failure_with_its_code() {
        let op = Operation::new()
            .set_name("operation-1")
            .set_status(Status::Done)
            .set_error(
                google_cloud_rpc::model::Status::new()
                    .set_code(9)
                    .set_message("key lacks the binding"),
            );
        let e = failure(&op, "CreateCluster", "cluster x").unwrap();
        assert!(e.has_code("FAILED_PRECONDITION"), "{e}");
        assert!(e.to_string().contains("key lacks the binding"), "{e}");
        assert!(
            failure(
                &Operation::new().set_status(Status::Done),
                "CreateCluster",
                "x"
            )
            .is_none()
        );
        let cluster = ClusterName::parse("projects/p/locations/l/clusters/c").unwrap();
        assert_eq!(
            operation_name(&cluster, &op),
            "projects/p/locations/l/operations/operation-1"
        );
    }
}
