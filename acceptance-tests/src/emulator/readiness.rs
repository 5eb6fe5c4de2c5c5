//! When an emulator counts as started: its HTTP endpoint answers, or it printed the
//! JSON line with its endpoints.

use std::process::{Child, ExitStatus};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::owner;
use crate::http;

/// How often a starting emulator is looked at.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// One probe request; a server that accepted the connection answers well within it.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// After stdout ends, how long the process gets to be seen exiting (its exit status
/// makes a better message than "closed stdout").
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// How [`EmulatorCommand::start`](super::EmulatorCommand::start) knows the emulator is
/// ready to serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// `GET http://127.0.0.1:PORT{path}` answers 2xx, from a socket the emulator's own
    /// process group listens on (not a neighbour that took the port first). Needs
    /// [`PORT`](super::PORT) in an argument or the environment. moto is probed so.
    HttpGet { path: String },
    /// The emulator printed a JSON object as one line on stdout (lines before it that
    /// are not JSON objects are logged and skipped). `mlcloud-emulator` prints its
    /// endpoints so, after binding its own ports; the object is kept as
    /// [`EmulatorProcess::ready_line`](super::EmulatorProcess::ready_line).
    StdoutJson,
}

impl Readiness {
    pub fn http_get(path: impl Into<String>) -> Readiness {
        Readiness::HttpGet { path: path.into() }
    }

    /// For messages: what is waited for.
    pub(super) fn describe(&self, port: Option<u16>) -> String {
        match self {
            Readiness::HttpGet { path } => {
                let port = port.map_or_else(|| "?".to_owned(), |port| port.to_string());
                format!("waiting for GET http://127.0.0.1:{port}{path} to answer 2xx")
            }
            Readiness::StdoutJson => "waiting for a JSON line on stdout".to_owned(),
        }
    }
}

/// How waiting for readiness ended.
pub(super) enum Outcome {
    /// Ready; with the JSON line for [`Readiness::StdoutJson`].
    Ready(Option<Value>),
    Exited(ExitStatus),
    /// stdout ended without a JSON line, the process still running.
    NoReadyLine,
    TimedOut,
}

/// Watches `child` until `readiness` holds, it exits, or `limit` passes. `json` delivers
/// the first JSON line of its stdout.
pub(super) fn wait(
    readiness: &Readiness,
    child: &mut Child,
    port: Option<u16>,
    json: &Receiver<Value>,
    limit: Duration,
) -> Outcome {
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Outcome::Exited(status);
        }
        match readiness {
            Readiness::StdoutJson => match json.recv_timeout(POLL_INTERVAL) {
                Ok(line) => return Outcome::Ready(Some(line)),
                Err(RecvTimeoutError::Disconnected) => return after_stdout_ended(child),
                Err(RecvTimeoutError::Timeout) => {}
            },
            Readiness::HttpGet { path } => {
                // Checked when built: an HTTP probe always has a port.
                let port = port.unwrap_or_default();
                if answers(port, path) && owner::group_listens_on(child.id(), port) != Some(false) {
                    return Outcome::Ready(None);
                }
                thread::sleep(POLL_INTERVAL);
            }
        }
        if started.elapsed() > limit {
            return Outcome::TimedOut;
        }
    }
}

fn answers(port: u16, path: &str) -> bool {
    http::status(port, "GET", path, PROBE_TIMEOUT).is_ok_and(|status| (200..300).contains(&status))
}

fn after_stdout_ended(child: &mut Child) -> Outcome {
    let deadline = Instant::now() + EXIT_GRACE;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Outcome::Exited(status);
        }
        thread::sleep(POLL_INTERVAL);
    }
    Outcome::NoReadyLine
}
