//! Running one command to completion, with a deadline, keeping all it printed.

use std::fmt;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::error::HarnessError;

/// How often a running command is checked for completion or for its deadline.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// What a finished command printed, and how it exited.
#[derive(Clone)]
pub struct CommandOutput {
    /// The command line, for messages.
    pub command: String,
    /// The exit code; `-N` when killed by signal `N`.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl CommandOutput {
    /// Panics, printing everything the command printed, unless stdout contains `needle`.
    #[track_caller]
    pub fn assert_stdout_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout should contain {needle:?}\n{self}"
        );
        self
    }

    /// Panics, printing everything the command printed, unless stderr contains `needle`.
    #[track_caller]
    pub fn assert_stderr_contains(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr should contain {needle:?}\n{self}"
        );
        self
    }

    /// Panics, printing everything the command printed, if `needle` appears in
    /// stdout or stderr.
    #[track_caller]
    pub fn assert_never_prints(&self, needle: &str) -> &Self {
        assert!(
            !self.stdout.contains(needle) && !self.stderr.contains(needle),
            "the output should never contain {needle:?}\n{self}"
        );
        self
    }
}

impl fmt::Display for CommandOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "$ {}\n(exit code {})\n--- stdout ---\n{}\n--- stderr ---\n{}\n--- end ---",
            self.command, self.code, self.stdout, self.stderr
        )
    }
}

impl fmt::Debug for CommandOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Runs `command` with stdin closed, collecting stdout and stderr, and kills it (with
/// every process it started) when it is still running after `timeout`.
pub fn run_with_timeout(
    command: Command,
    timeout: Duration,
) -> Result<CommandOutput, HarnessError> {
    run_interrupting(command, timeout, || false)
}

/// Like [`run_with_timeout`], and the first time `interrupt_now` says so while the
/// command runs, sends SIGINT to its process group, as Ctrl-C in a terminal does (a
/// user stopping `terraform apply`); then waits for it to finish.
pub fn run_interrupting(
    mut command: Command,
    timeout: Duration,
    mut interrupt_now: impl FnMut() -> bool,
) -> Result<CommandOutput, HarnessError> {
    let description = describe(&command);
    // Its own process group, so a timeout also reaches the providers terraform started.
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: only an async-signal-safe syscall between fork and exec.
    unsafe {
        command.pre_exec(|| {
            // Its own group escapes nextest's kill of the test's group: should the
            // test process die at its time limit, the kernel kills the command.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut child = command.spawn().map_err(|source| HarnessError::Spawn {
        command: description.clone(),
        source,
    })?;
    // Both pipes are drained while the command runs; a full pipe would stall it.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let finished = wait_until(&mut child, Instant::now() + timeout, &mut interrupt_now);
    let output = |code| CommandOutput {
        command: description.clone(),
        code,
        stdout: join(stdout),
        stderr: join(stderr),
    };
    match finished {
        Some(code) => Ok(output(code)),
        None => {
            kill_process_group(&mut child);
            let code = exit_code_of(child.wait().ok());
            Err(HarnessError::Timeout {
                timeout,
                output: Box::new(output(code)),
            })
        }
    }
}

/// The exit code once the child has exited, or `None` at the deadline.
fn wait_until(
    child: &mut Child,
    deadline: Instant,
    interrupt_now: &mut dyn FnMut() -> bool,
) -> Option<i32> {
    let mut interrupted = false;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(exit_code_of(Some(status))),
            Ok(None) if Instant::now() >= deadline => return None,
            Ok(None) => {
                if !interrupted && interrupt_now() {
                    interrupted = true;
                    signal_process_group(child, libc::SIGINT);
                }
                thread::sleep(POLL_INTERVAL);
            }
            // The child cannot be observed any more; report it like a kill by signal.
            Err(_) => return Some(-1),
        }
    }
}

fn exit_code_of(status: Option<std::process::ExitStatus>) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Some(status) => status
            .code()
            .unwrap_or_else(|| -status.signal().unwrap_or(0)),
        None => -1,
    }
}

fn kill_process_group(child: &mut Child) {
    if !signal_process_group(child, libc::SIGKILL) {
        let _ = child.kill();
    }
}

/// Sends `signal` to the group `child` leads; false when its id is out of range.
fn signal_process_group(child: &Child, signal: libc::c_int) -> bool {
    let Ok(group) = libc::pid_t::try_from(child.id()) else {
        return false;
    };
    // SAFETY: killpg only sends a signal; the group is the one this child leads,
    // created by `process_group(0)` above.
    unsafe {
        libc::killpg(group, signal);
    }
    true
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn join(reader: JoinHandle<String>) -> String {
    reader
        .join()
        .unwrap_or_else(|_| "<output reader panicked>".to_owned())
}

fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn keeps_stdout_stderr_and_exit_code() {
        let output = run_with_timeout(
            shell("echo out; echo err >&2; exit 3"),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(output.code, 3);
        assert_eq!(output.stdout, "out\n");
        assert_eq!(output.stderr, "err\n");
    }

    #[test]
    fn kills_a_command_past_its_deadline_with_its_children() {
        let started = Instant::now();
        // The background `sleep` holds stdout open: unless the whole group dies,
        // draining the pipe would wait for it.
        let error = run_with_timeout(
            shell("echo begun; sleep 30 & sleep 30"),
            Duration::from_millis(300),
        )
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10));
        match error {
            HarnessError::Timeout { output, .. } => {
                assert_eq!(output.stdout, "begun\n");
                assert_eq!(output.code, -libc::SIGKILL);
            }
            other => panic!("expected a timeout, got {other}"),
        }
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let error = run_with_timeout(
            Command::new("/nonexistent/terraform"),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(matches!(error, HarnessError::Spawn { .. }), "{error}");
    }
}
