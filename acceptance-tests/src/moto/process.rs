//! The moto_server process: started on a free port, watched until it answers, killed
//! on drop, and tied to the test's life so that no server outlives its test.

use std::fs::File;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::error::MotoError;
use super::http;

/// Moto starts in about a second; past this something is wrong with the install.
const STARTUP_DEADLINE: Duration = Duration::from_secs(20);
const POLL_INTERVAL: Duration = Duration::from_millis(50);
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// A free port may be taken by a parallel test between our check and moto's bind;
/// moto then exits at once and another port is tried.
const PORT_ATTEMPTS: usize = 3;

/// Where moto writes what it prints.
pub fn log_path(scratch: &Path) -> PathBuf {
    scratch.join("moto.log")
}

/// Where moto's recorder appends one JSON line per request it serves.
pub fn recording_path(scratch: &Path) -> PathBuf {
    scratch.join("requests.jsonl")
}

pub struct MotoProcess {
    child: Child,
    port: u16,
}

impl MotoProcess {
    pub fn spawn(program: &Path, scratch: &Path) -> Result<MotoProcess, MotoError> {
        if !program.is_file() {
            return Err(MotoError::Missing {
                path: program.to_path_buf(),
            });
        }
        let mut attempt = 1;
        loop {
            let port = free_port()?;
            match Self::launch(program, scratch, port) {
                Err(MotoError::Exited { .. }) if attempt < PORT_ATTEMPTS => attempt += 1,
                result => return result,
            }
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn launch(program: &Path, scratch: &Path, port: u16) -> Result<MotoProcess, MotoError> {
        let log = log_path(scratch);
        let log_file = File::create(&log).map_err(|source| MotoError::Scratch { source })?;
        let log_copy = log_file
            .try_clone()
            .map_err(|source| MotoError::Scratch { source })?;
        let mut command = Command::new(program);
        command
            // moto with the EKS behaviour the real API has (acceptance-tests/moto/serve.py).
            .arg(crate::paths::repo_root().join("acceptance-tests/moto/serve.py"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            // Without it AWS-managed policies (AmazonEKSClusterPolicy...) do not exist.
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .env("AWS_DEFAULT_REGION", super::REGION)
            .env("MOTO_ENABLE_RECORDING", "true")
            .env("MOTO_RECORDER_FILEPATH", recording_path(scratch))
            .stdin(Stdio::null())
            // A file, not a pipe: moto logs every request, and nobody drains a pipe.
            .stdout(log_copy)
            .stderr(log_file);
        // SAFETY: only an async-signal-safe syscall between fork and exec.
        unsafe {
            command.pre_exec(|| {
                // If the test process dies without dropping us (SIGKILL, abort), the
                // kernel kills moto too.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command.spawn().map_err(|source| MotoError::Spawn {
            path: program.to_path_buf(),
            source,
        })?;
        let mut process = MotoProcess { child, port };
        process.wait_until_ready(&log)?;
        Ok(process)
    }

    /// Polls moto's own API until it answers 200; an error (with moto's log) when the
    /// process exits first or the deadline passes. On error `self` is dropped, which
    /// kills the process.
    fn wait_until_ready(&mut self, log: &Path) -> Result<(), MotoError> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(MotoError::Exited {
                    port: self.port,
                    status: status.to_string(),
                    log: read_log(log),
                });
            }
            if http::status(self.port, "GET", "/moto-api/", PROBE_TIMEOUT).ok() == Some(200) {
                return Ok(());
            }
            if started.elapsed() > STARTUP_DEADLINE {
                return Err(MotoError::NotReady {
                    port: self.port,
                    waited: STARTUP_DEADLINE,
                    log: read_log(log),
                });
            }
            thread::sleep(POLL_INTERVAL);
        }
    }
}

impl Drop for MotoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now (the kernel's pick, released at once).
fn free_port() -> Result<u16, MotoError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|source| MotoError::NoFreePort { source })
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| format!("<unreadable: {error}>"))
}
