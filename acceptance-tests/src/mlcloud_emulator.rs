//! `mlcloud-emulator` (crate `acceptance-tests/emulators`) for the scenarios: started
//! from the workspace's build on free 127.0.0.1 ports, one per test, killed when the
//! [`MlcloudEmulator`] is dropped. Its ready line says where each part listens; its
//! admin route scripts faults and shows what the parts hold and were sent.
//!
//! ```no_run
//! use acceptance_tests::{MlcloudEmulator, TestResult};
//! use serde_json::json;
//!
//! fn scenario() -> TestResult {
//!     let emulator = MlcloudEmulator::start(&["--operation-delay-ms", "50"])?;
//!     let gcp_endpoint = emulator.ready()["gcp"]["endpoint"].as_str().unwrap_or_default();
//!     emulator.add_fault(json!({"part": "gcp", "method": "POST", "action": "drop_response"}))?;
//!     // ... apply with the provider pointed at gcp_endpoint ...
//!     let records = emulator.records()?;
//!     assert!(records["gcp"]["clusters"].as_array().is_some_and(|c| c.len() == 1));
//!     Ok(())
//! }
//! ```

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::emulator::{EmulatorCommand, EmulatorProcess, Readiness};
use crate::error::HarnessError;
use crate::http;
use crate::paths::target_dirs;

/// How long one admin call may take.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

/// A running `mlcloud-emulator`.
pub struct MlcloudEmulator {
    process: EmulatorProcess,
    ready: Value,
    admin_port: u16,
}

/// Where the workspace build put the binary (`cargo build --workspace --bins`).
pub fn emulator_binary() -> Result<PathBuf, HarnessError> {
    let candidates: Vec<PathBuf> = target_dirs()
        .into_iter()
        .map(|dir| dir.join("debug").join("mlcloud-emulator"))
        .collect();
    candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .ok_or_else(|| HarnessError::ProviderBinaryMissing {
            name: "mlcloud-emulator".into(),
            searched: candidates
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl MlcloudEmulator {
    /// Starts the emulator with `args` (its command line, see its README) and waits for
    /// its ready line.
    pub fn start(args: &[&str]) -> Result<Self, HarnessError> {
        let process = EmulatorCommand::new(
            "mlcloud-emulator",
            emulator_binary()?,
            Readiness::StdoutJson,
        )
        .args(args.iter().copied())
        .start()?;
        let ready = process.ready_line().cloned().unwrap_or(Value::Null);
        let admin_port = ready["admin"]
            .as_str()
            .and_then(|url| url.rsplit(':').next())
            .and_then(|port| port.parse().ok())
            .ok_or_else(|| admin_error("ready line", format!("no admin URL in {ready}")))?;
        Ok(Self {
            process,
            ready,
            admin_port,
        })
    }

    /// The ready line: `{"admin": ..., "ca_file": ..., "azure": {...}, ...}`.
    pub fn ready(&self) -> &Value {
        &self.ready
    }

    /// Everything the emulator printed so far (stdout and stderr).
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Adds a scripted fault (a rule as the emulator's README describes); its id.
    pub fn add_fault(&self, rule: Value) -> Result<u64, HarnessError> {
        let answer = self.admin("POST", "/faults", &rule.to_string())?;
        Ok(answer["id"].as_u64().unwrap_or_default())
    }

    /// The scripted faults, with how often each matched and fired.
    pub fn faults(&self) -> Result<Value, HarnessError> {
        self.admin("GET", "/faults", "")
    }

    /// Removes every scripted fault.
    pub fn clear_faults(&self) -> Result<(), HarnessError> {
        self.admin("DELETE", "/faults", "").map(|_| ())
    }

    /// The requests one part was sent, in order.
    pub fn requests(&self, part: &str) -> Result<Vec<Value>, HarnessError> {
        let answer = self.admin("GET", &format!("/requests?part={part}"), "")?;
        Ok(answer.as_array().cloned().unwrap_or_default())
    }

    /// What each part holds, by part name.
    pub fn records(&self) -> Result<Value, HarnessError> {
        self.admin("GET", "/records", "")
    }

    /// A part's test switches (the emulator README's section on the part lists them).
    pub fn settings(&self, part: &str) -> Result<Value, HarnessError> {
        self.admin("GET", &format!("/settings/{part}"), "")
    }

    /// Replaces a part's test switches, e.g. `configure("azure",
    /// json!({"principal_replication_delay_seconds": 10}))`; answers them as now set.
    pub fn configure(&self, part: &str, settings: Value) -> Result<Value, HarnessError> {
        self.admin("PUT", &format!("/settings/{part}"), &settings.to_string())
    }

    /// Empties every part, the faults and the request log.
    pub fn reset(&self) -> Result<(), HarnessError> {
        self.admin("POST", "/reset", "").map(|_| ())
    }

    fn admin(&self, method: &str, path: &str, body: &str) -> Result<Value, HarnessError> {
        let request = format!("{method} {path}");
        let (status, answer) = http::exchange(self.admin_port, method, path, body, ADMIN_TIMEOUT)
            .map_err(|error| admin_error(&request, error.to_string()))?;
        if !(200..300).contains(&status) {
            return Err(admin_error(&request, format!("{status} {answer}")));
        }
        serde_json::from_str(&answer)
            .map_err(|error| admin_error(&request, format!("{error} in {answer}")))
    }
}

fn admin_error(request: &str, detail: String) -> HarnessError {
    HarnessError::EmulatorAdmin {
        request: request.to_string(),
        detail,
    }
}
