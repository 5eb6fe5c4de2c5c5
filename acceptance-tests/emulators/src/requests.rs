//! Every request the parts were sent, in order, so a test can count attempts
//! ("the throttled CreateKey was sent three times").

use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub seq: u64,
    pub part: String,
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The status sent back; none when the response was dropped.
    pub status: Option<u16>,
    /// The scripted fault applied to it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

#[derive(Debug, Default)]
pub struct RequestLog {
    records: Mutex<Vec<RequestRecord>>,
}

impl RequestLog {
    pub fn push(&self, mut record: RequestRecord) {
        let mut records = self.records.lock().expect("request log");
        record.seq = records.len() as u64 + 1;
        records.push(record);
    }

    /// The records of one part (all when `part` is none).
    pub fn list(&self, part: Option<&str>) -> Vec<RequestRecord> {
        self.records
            .lock()
            .expect("request log")
            .iter()
            .filter(|record| part.is_none_or(|part| record.part == part))
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.records.lock().expect("request log").clear();
    }
}
