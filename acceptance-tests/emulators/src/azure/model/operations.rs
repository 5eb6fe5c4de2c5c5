//! Long-running operations: what `Azure-AsyncOperation` and `Location` URLs report.

use std::time::{Instant, SystemTime};

use serde_json::{Value, json};

use crate::azure::errors::ArmError;
use crate::azure::time::{guid, rfc3339};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Write,
    Delete,
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub resource_id: String,
    pub kind: OperationKind,
    pub started: SystemTime,
    pub done_at: Instant,
    pub failure: Option<ArmError>,
}

impl Operation {
    pub fn new(
        resource_id: &str,
        kind: OperationKind,
        done_at: Instant,
        failure: Option<ArmError>,
    ) -> Self {
        Self {
            id: guid(),
            resource_id: resource_id.to_string(),
            kind,
            started: SystemTime::now(),
            done_at,
            failure,
        }
    }

    pub fn finished(&self) -> bool {
        Instant::now() >= self.done_at
    }

    /// `InProgress`, `Succeeded` or `Failed`.
    pub fn status(&self) -> &'static str {
        match (self.finished(), &self.failure) {
            (false, _) => "InProgress",
            (true, None) => "Succeeded",
            (true, Some(_)) => "Failed",
        }
    }

    /// The operation status resource: `{id, name, status, startTime, endTime, error}`.
    pub fn body(&self, status_url_path: &str) -> Value {
        let mut body = json!({
            "id": status_url_path,
            "name": self.id,
            "status": self.status(),
            "startTime": rfc3339(self.started),
        });
        if self.finished() {
            let elapsed = self.done_at.saturating_duration_since(Instant::now());
            body["endTime"] = json!(rfc3339(SystemTime::now() - elapsed));
        }
        if let (true, Some(error)) = (self.finished(), &self.failure) {
            body["error"] = error.inner();
        }
        body
    }
}
