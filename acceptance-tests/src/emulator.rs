//! One launcher for every emulator a test talks to: moto today, `mlcloud-emulator`
//! (Azure, Google Cloud, Kubernetes) next.
//!
//! An [`EmulatorCommand`] names the program, its arguments and environment and how to
//! tell it is ready; [`start`](EmulatorCommand::start) runs it and returns the
//! [`EmulatorProcess`] once it serves:
//!
//! - with the cloud credentials of the caller's environment removed
//!   ([`clean_env`](crate::clean_env)), then only what the command sets;
//! - on a free 127.0.0.1 port when an argument or environment value holds [`PORT`],
//!   and on another one when the port was taken between picking and binding;
//! - with stdout and stderr in a log file, quoted in full in every error;
//! - in its own process group, killed whole (SIGKILL) when the value is dropped: at
//!   the end of the test, on `?` and on panic. Should the test process die without
//!   unwinding (nextest's kill at the time limit), the kernel kills the emulator
//!   process (`PR_SET_PDEATHSIG`); the kernel has no such signal for a whole group, so
//!   an emulator that starts processes of its own ties them to itself the same way.
//!
//! An emulator that prints its endpoints as one JSON line when ready:
//!
//! ```no_run
//! use acceptance_tests::emulator::{EmulatorCommand, Readiness};
//!
//! #[derive(serde::Deserialize)]
//! struct Endpoints {
//!     gcp: Gcp,
//! }
//! #[derive(serde::Deserialize)]
//! struct Gcp {
//!     endpoint: String,
//! }
//!
//! let emulator = EmulatorCommand::new(
//!     "mlcloud-emulator",
//!     "target/debug/mlcloud-emulator",
//!     Readiness::StdoutJson,
//! )
//! .args(["--listen", "127.0.0.1:0"])
//! .start()?;
//! let endpoints: Endpoints = emulator.ready_line_as()?;
//! println!("Google Cloud at {}", endpoints.gcp.endpoint);
//! # Ok::<(), acceptance_tests::emulator::EmulatorError>(())
//! ```
//!
//! and one probed over HTTP on a port it is given:
//!
//! ```no_run
//! use acceptance_tests::emulator::{EmulatorCommand, PORT, Readiness};
//!
//! let moto = EmulatorCommand::new("moto_server", ".venv/bin/moto_server", Readiness::http_get("/moto-api/"))
//!     .args(["-H", "127.0.0.1", "-p", PORT])
//!     .start()?;
//! println!("moto at http://127.0.0.1:{}", moto.port().unwrap());
//! # Ok::<(), acceptance_tests::emulator::EmulatorError>(())
//! ```

mod error;
mod output;
mod owner;
mod port;
mod readiness;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::Value;
use tempfile::TempDir;

use crate::clean_env;
use output::Log;
use readiness::Outcome;

pub use error::EmulatorError;
pub use port::PORT;
pub use readiness::Readiness;

/// moto starts in one or two seconds, our emulator in milliseconds; past this (on a
/// loaded CI machine too) the install is broken.
pub const DEFAULT_STARTUP_LIMIT: Duration = Duration::from_secs(30);

/// What to run, and how to know it is ready. Build with [`new`](Self::new) and the
/// setters, then [`start`](Self::start) (as many times as needed).
#[derive(Clone, Debug)]
pub struct EmulatorCommand {
    name: String,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    env_removed: Vec<String>,
    readiness: Readiness,
    startup_limit: Duration,
    missing_hint: String,
}

impl EmulatorCommand {
    /// `name` labels messages and the log file (e.g. `moto_server`).
    pub fn new(name: &str, program: impl Into<PathBuf>, readiness: Readiness) -> Self {
        EmulatorCommand {
            name: name.to_owned(),
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            env_removed: Vec::new(),
            readiness,
            startup_limit: DEFAULT_STARTUP_LIMIT,
            missing_hint: "run scripts/setup".to_owned(),
        }
    }

    /// One more argument; [`PORT`] in it becomes the port picked.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets `name=value` for the emulator (after the cloud settings were removed);
    /// [`PORT`] in `value` becomes the port picked.
    pub fn env(mut self, name: &str, value: impl Into<String>) -> Self {
        self.env.push((name.to_owned(), value.into()));
        self
    }

    /// Removes `name` from the environment the emulator inherits (e.g. a setting of the
    /// emulator's own that the developer's shell may hold).
    pub fn env_remove(mut self, name: &str) -> Self {
        self.env_removed.push(name.to_owned());
        self
    }

    /// How long [`start`](Self::start) waits for readiness ([`DEFAULT_STARTUP_LIMIT`]).
    pub fn startup_limit(mut self, limit: Duration) -> Self {
        self.startup_limit = limit;
        self
    }

    /// What the error says to do when the program does not exist ("run scripts/setup").
    pub fn missing_hint(mut self, hint: &str) -> Self {
        self.missing_hint = hint.to_owned();
        self
    }

    /// Runs the emulator and waits until it is ready. Call it on the thread that keeps
    /// the value: the kernel's kill-on-parent-death watches the starting thread.
    pub fn start(&self) -> Result<EmulatorProcess, EmulatorError> {
        if !self.program.is_file() {
            return Err(EmulatorError::Missing {
                name: self.name.clone(),
                program: self.program.clone(),
                hint: self.missing_hint.clone(),
            });
        }
        let wants_port = self.wants_port();
        if matches!(self.readiness, Readiness::HttpGet { .. }) && !wants_port {
            return Err(EmulatorError::ProbeNeedsPort {
                name: self.name.clone(),
                placeholder: PORT,
            });
        }
        let scratch = tempfile::Builder::new()
            .prefix(&format!("mlcloud-{}-", self.name))
            .tempdir()
            .map_err(|source| self.io_error("create a scratch directory", source))?;
        let mut attempt = 1;
        loop {
            let port = if wants_port {
                Some(
                    port::free_port()
                        .map_err(|source| self.io_error("find a free port", source))?,
                )
            } else {
                None
            };
            match self.launch(scratch.path(), port, attempt) {
                // The port was probably taken between picking and binding.
                Err(EmulatorError::Exited { .. }) if wants_port && attempt < port::ATTEMPTS => {
                    attempt += 1;
                }
                Err(error) => return Err(error),
                Ok((running, ready_line)) => {
                    return Ok(EmulatorProcess {
                        running,
                        port,
                        ready_line,
                        _scratch: scratch,
                    });
                }
            }
        }
    }

    fn wants_port(&self) -> bool {
        self.args.iter().any(|arg| port::mentions_port(arg))
            || self.env.iter().any(|(_, value)| port::mentions_port(value))
    }

    /// One try: spawn, then wait for readiness. On error the process group is killed
    /// (by `Running`'s drop) and its log quoted.
    fn launch(
        &self,
        scratch: &Path,
        port: Option<u16>,
        attempt: usize,
    ) -> Result<(Running, Option<Value>), EmulatorError> {
        let (log, stderr) = Log::create(&scratch.join(format!("{}.log", self.name)))
            .map_err(|source| self.io_error("create a log file", source))?;
        let mut command = Command::new(&self.program);
        clean_env::remove_cloud_settings(&mut command);
        for name in &self.env_removed {
            command.env_remove(name);
        }
        command
            .args(self.args.iter().map(|arg| port::fill_in(arg, port)))
            .envs(
                self.env
                    .iter()
                    .map(|(name, value)| (name, port::fill_in(value, port))),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            // Its own group, so that drop kills whatever the emulator started too.
            .process_group(0);
        // SAFETY: only an async-signal-safe syscall between fork and exec.
        unsafe {
            command.pre_exec(|| {
                // If the test process dies without dropping us (SIGKILL, abort), the
                // kernel kills the emulator too.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = command.spawn().map_err(|source| EmulatorError::Spawn {
            name: self.name.clone(),
            program: self.program.clone(),
            source,
        })?;
        let stdout = child.stdout.take();
        let mut running = Running {
            name: self.name.clone(),
            child,
            log,
            killed: false,
        };
        let json = match stdout.map(|stdout| running.log.copy_stdout(stdout)) {
            Some(Ok(json)) => json,
            // Unreachable (stdout is piped above), but then there is nothing to read.
            None => std::sync::mpsc::channel().1,
            Some(Err(source)) => return Err(self.io_error("open the log file", source)),
        };
        let outcome = readiness::wait(
            &self.readiness,
            &mut running.child,
            port,
            &json,
            self.startup_limit,
        );
        match outcome {
            Outcome::Ready(line) => Ok((running, line)),
            Outcome::Exited(status) => {
                let (log_path, log) = running.stop_and_read_log();
                Err(EmulatorError::Exited {
                    name: self.name.clone(),
                    status: status.to_string(),
                    attempts: attempt,
                    log_path,
                    log,
                })
            }
            Outcome::NoReadyLine => {
                let (log_path, log) = running.stop_and_read_log();
                Err(EmulatorError::NoReadyLine {
                    name: self.name.clone(),
                    log_path,
                    log,
                })
            }
            Outcome::TimedOut => {
                let (log_path, log) = running.stop_and_read_log();
                Err(EmulatorError::NotReady {
                    name: self.name.clone(),
                    waited: self.startup_limit,
                    probe: self.readiness.describe(port),
                    log_path,
                    log,
                })
            }
        }
    }

    fn io_error(&self, action: &'static str, source: std::io::Error) -> EmulatorError {
        EmulatorError::Io {
            name: self.name.clone(),
            action,
            source,
        }
    }
}

/// A running emulator; dropping it kills its whole process group.
pub struct EmulatorProcess {
    // Declared first so it is dropped first: the emulator stops before its log is
    // deleted with the scratch directory.
    running: Running,
    port: Option<u16>,
    ready_line: Option<Value>,
    _scratch: TempDir,
}

impl EmulatorProcess {
    /// The port it was given ([`PORT`]); `None` when it picks its own.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The JSON object it printed when ready ([`Readiness::StdoutJson`]).
    pub fn ready_line(&self) -> Option<&Value> {
        self.ready_line.as_ref()
    }

    /// The ready line read into `T`, e.g. a struct of the endpoints a test uses.
    pub fn ready_line_as<T: DeserializeOwned>(&self) -> Result<T, EmulatorError> {
        let line = self.ready_line.clone().unwrap_or(Value::Null);
        serde_json::from_value(line.clone()).map_err(|source| EmulatorError::ReadyLineShape {
            name: self.name().to_owned(),
            line: line.to_string(),
            source,
        })
    }

    /// Its process id (also its process group id).
    pub fn pid(&self) -> u32 {
        self.running.child.id()
    }

    /// What it printed so far, stdout and stderr.
    pub fn log(&self) -> String {
        self.running.log.read()
    }

    pub fn log_path(&self) -> &Path {
        self.running.log.path()
    }

    /// Sends `signal` to the emulator's main process and waits up to `within` for it
    /// to exit, for tests of a graceful shutdown; then [`log`](Self::log) holds all it
    /// printed. Past `within` the group is killed and the log quoted in the error.
    pub fn stop(&mut self, signal: i32, within: Duration) -> Result<ExitStatus, EmulatorError> {
        let name = self.name().to_owned();
        let child = &mut self.running.child;
        // SAFETY: kill(2) on our own child, which has not been reaped (we hold it).
        unsafe {
            libc::kill(child.id() as libc::pid_t, signal);
        }
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                // Now, not at drop: whatever it started goes too.
                self.running.kill_group();
                // So that `log()` holds all it printed on the way out.
                self.running.log.settle();
                return Ok(status);
            }
            thread::sleep(Duration::from_millis(20));
        }
        let (log_path, log) = self.running.stop_and_read_log();
        Err(EmulatorError::NotStopped {
            name,
            signal,
            within,
            log_path,
            log,
        })
    }

    fn name(&self) -> &str {
        &self.running.name
    }
}

/// The process with its log; its drop is the one place an emulator is killed.
struct Running {
    name: String,
    child: Child,
    log: Log,
    /// The group is signalled once: after that its id may belong to someone else.
    killed: bool,
}

impl Running {
    /// SIGKILL to the whole process group the child leads, then reaps the child.
    fn kill_group(&mut self) {
        if std::mem::replace(&mut self.killed, true) {
            return;
        }
        match libc::pid_t::try_from(self.child.id()) {
            // SAFETY: killpg only sends a signal, to the group this child leads
            // (`process_group(0)`); Linux keeps a group's id from being reused while a
            // member lives, and it is signalled once.
            Ok(group) => unsafe {
                libc::killpg(group, libc::SIGKILL);
            },
            Err(_) => {
                let _ = self.child.kill();
            }
        }
        let _ = self.child.wait();
    }

    /// Kills the group, then reads the log once the stdout copier caught up.
    fn stop_and_read_log(&mut self) -> (PathBuf, String) {
        self.kill_group();
        self.log.settle();
        (self.log.path().to_path_buf(), self.log.read())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill_group();
    }
}

#[cfg(test)]
mod tests;
