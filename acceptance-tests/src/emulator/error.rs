//! What can go wrong starting an emulator. Every variant raised once the program ran
//! carries what it printed (stdout and stderr, from its log file), so a failure in CI
//! explains itself.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("{name} is not installed at {}: {hint}", program.display())]
    Missing {
        name: String,
        program: PathBuf,
        hint: String,
    },

    /// A builder mistake: an HTTP probe needs to know the port, so some argument or
    /// environment value must hold [`PORT`](super::PORT).
    #[error(
        "{name}: an HTTP readiness probe needs {placeholder} in an argument or the environment"
    )]
    ProbeNeedsPort {
        name: String,
        placeholder: &'static str,
    },

    #[error("cannot {action} for {name}: {source}")]
    Io {
        name: String,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot start {name} ({}): {source}", program.display())]
    Spawn {
        name: String,
        program: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{name} exited ({status}) before it was ready{}\n--- {name} log {} ---\n{log}--- end of log ---",
        attempts_note(*attempts),
        log_path.display()
    )]
    Exited {
        name: String,
        status: String,
        /// How many ports were tried; a port taken between picking and binding is
        /// retried, so more than one means every try failed.
        attempts: usize,
        log_path: PathBuf,
        log: String,
    },

    #[error(
        "{name} was not ready within {waited:?} ({probe})\n--- {name} log {} ---\n{log}--- end of log ---",
        log_path.display()
    )]
    NotReady {
        name: String,
        waited: Duration,
        /// What was being waited for, e.g. `GET http://127.0.0.1:PORT/moto-api/ answering 2xx`.
        probe: String,
        log_path: PathBuf,
        log: String,
    },

    #[error(
        "{name} closed its stdout without printing a JSON line\n--- {name} log {} ---\n{log}--- end of log ---",
        log_path.display()
    )]
    NoReadyLine {
        name: String,
        log_path: PathBuf,
        log: String,
    },

    #[error(
        "{name} did not exit within {within:?} of signal {signal}, so it was killed\n--- {name} log {} ---\n{log}--- end of log ---",
        log_path.display()
    )]
    NotStopped {
        name: String,
        signal: i32,
        within: Duration,
        log_path: PathBuf,
        log: String,
    },

    #[error("{name}'s ready line does not have the shape expected ({source}): {line}")]
    ReadyLineShape {
        name: String,
        line: String,
        #[source]
        source: serde_json::Error,
    },
}

fn attempts_note(attempts: usize) -> String {
    if attempts > 1 {
        format!(" (tried {attempts} free ports)")
    } else {
        String::new()
    }
}
