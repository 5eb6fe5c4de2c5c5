//! EmulatorCommand against small fake emulators: a Python HTTP server that prints its
//! endpoint as a JSON line (the `mlcloud-emulator` contract) or listens on the port it
//! is given (moto's), and shell one-liners that fail in each way a start can fail.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::*;
use crate::http;
use crate::paths::repo_root;

/// Serves 200 on every GET at FAKE_PORT (0: a port of its own), starts a grandchild
/// (`sleep`), then prints a line of noise and its JSON ready line.
const FAKE_EMULATOR: &str = r#"
import http.server, json, os, subprocess
class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("FAKE_PORT", "0"))), Ok)
child = subprocess.Popen(["sleep", "600"])
print("fake emulator starting", flush=True)
print(json.dumps({"fake": {"endpoint": "http://127.0.0.1:%d" % server.server_port, "child_pid": child.pid}}), flush=True)
server.serve_forever()
"#;

fn python() -> PathBuf {
    repo_root().join(".venv").join("bin").join("python")
}

fn fake_emulator(readiness: Readiness) -> EmulatorCommand {
    EmulatorCommand::new("fake-emulator", python(), readiness).args(["-c", FAKE_EMULATOR])
}

fn shell(script: &str, readiness: Readiness) -> EmulatorCommand {
    EmulatorCommand::new("fake-shell", "/bin/sh", readiness).args(["-c", script])
}

#[derive(Deserialize)]
struct ReadyLine {
    fake: Fake,
}

#[derive(Deserialize)]
struct Fake {
    endpoint: String,
    child_pid: u32,
}

fn port_of(endpoint: &str) -> u16 {
    endpoint.rsplit(':').next().unwrap().parse().unwrap()
}

/// Whether the process is gone: no such pid, or a zombie nobody reaped yet.
fn is_gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

fn eventually_gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if is_gone(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn answers(port: u16) -> bool {
    http::status(port, "GET", "/", Duration::from_secs(2)).is_ok_and(|status| status == 200)
}

#[test]
fn a_json_line_on_stdout_means_ready_and_drop_kills_the_whole_group() {
    let emulator = fake_emulator(Readiness::StdoutJson).start().unwrap();
    let ready: ReadyLine = emulator.ready_line_as().unwrap();
    let port = port_of(&ready.fake.endpoint);
    assert_eq!(emulator.port(), None, "it picked its own port");
    assert!(answers(port), "ready means serving");
    assert!(
        emulator
            .log()
            .starts_with("fake emulator starting\n{\"fake\""),
        "stdout goes to the log: {}",
        emulator.log()
    );
    let (pid, grandchild) = (emulator.pid(), ready.fake.child_pid);
    assert!(!is_gone(grandchild));

    drop(emulator);

    assert!(is_gone(pid));
    assert!(
        eventually_gone(grandchild),
        "the grandchild died with the group"
    );
    assert!(!answers(port), "nothing listens any more");
}

#[test]
fn the_emulator_dies_with_a_panicking_test() {
    let (sender, receiver) = std::sync::mpsc::channel();
    let panicked = std::panic::catch_unwind(move || {
        let emulator = fake_emulator(Readiness::StdoutJson).start().unwrap();
        let ready: ReadyLine = emulator.ready_line_as().unwrap();
        sender.send((emulator.pid(), ready.fake.child_pid)).unwrap();
        panic!("the test fails with the emulator running");
    });
    assert!(panicked.is_err());
    let (pid, grandchild) = receiver.recv().unwrap();
    assert!(is_gone(pid));
    assert!(eventually_gone(grandchild));
}

#[test]
fn an_http_probe_waits_for_the_given_port_to_answer() {
    let emulator = fake_emulator(Readiness::http_get("/health"))
        .env("FAKE_PORT", PORT)
        .start()
        .unwrap();
    let port = emulator.port().expect("a port was picked");
    assert!(answers(port));
    assert_eq!(owner::group_listens_on(emulator.pid(), port), Some(true));
    assert_eq!(
        owner::group_listens_on(std::process::id(), port),
        Some(false),
        "the test process does not hold it"
    );
}

#[test]
fn a_port_taken_before_the_emulator_bound_it_is_retried_with_another() {
    let marks = tempfile::tempdir().unwrap();
    // The first try fails as a lost race would; the second serves.
    let emulator = shell(
        r#"if [ ! -e "$MARK" ]; then : >"$MARK"; echo "Address already in use" >&2; exit 98; fi
exec "$PYTHON" -c "$FAKE""#,
        Readiness::http_get("/"),
    )
    .env("MARK", marks.path().join("tried").to_string_lossy())
    .env("PYTHON", python().to_string_lossy())
    .env("FAKE", FAKE_EMULATOR)
    .env("FAKE_PORT", PORT)
    .start()
    .unwrap();
    assert!(answers(emulator.port().unwrap()));
}

#[test]
fn an_emulator_that_always_exits_fails_after_three_ports_quoting_its_log() {
    let error = shell(
        "echo \"cannot bind 127.0.0.1:$FAKE_PORT\" >&2; exit 98",
        Readiness::http_get("/"),
    )
    .env("FAKE_PORT", PORT)
    .start()
    .err()
    .expect("it never starts")
    .to_string();
    assert!(
        error.contains("fake-shell exited (exit status: 98)"),
        "{error}"
    );
    assert!(error.contains("tried 3 free ports"), "{error}");
    assert!(error.contains("cannot bind 127.0.0.1:"), "{error}");
    assert!(error.contains("fake-shell.log"), "{error}");
}

#[test]
fn without_a_port_an_exit_is_not_retried() {
    let marks = tempfile::tempdir().unwrap();
    let count = marks.path().join("count");
    let error = shell(
        r#"echo run >>"$COUNT"; echo "bad flag" >&2; exit 2"#,
        Readiness::StdoutJson,
    )
    .env("COUNT", count.to_string_lossy())
    .start()
    .err()
    .expect("it exits");
    assert!(
        matches!(error, EmulatorError::Exited { attempts: 1, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("bad flag"), "{error}");
    assert_eq!(std::fs::read_to_string(count).unwrap(), "run\n");
}

#[test]
fn stdout_closed_without_a_json_line_is_an_error_with_the_log() {
    let error = shell(
        "echo 'listening somewhere'; exec 1>&-; exec sleep 600",
        Readiness::StdoutJson,
    )
    .start()
    .err()
    .expect("no JSON line");
    assert!(
        matches!(error, EmulatorError::NoReadyLine { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("listening somewhere"), "{error}");
}

#[test]
fn an_emulator_never_ready_is_killed_at_the_limit_with_its_log() {
    let started = Instant::now();
    let error = shell(
        "echo 'still loading'; exec sleep 600",
        Readiness::StdoutJson,
    )
    .startup_limit(Duration::from_millis(300))
    .start()
    .err()
    .expect("never ready")
    .to_string();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(error.contains("not ready within 300ms"), "{error}");
    assert!(
        error.contains("waiting for a JSON line on stdout"),
        "{error}"
    );
    assert!(
        error.contains("still loading\n--- end of log ---"),
        "{error}"
    );
}

#[test]
fn a_missing_program_or_an_http_probe_without_a_port_is_refused_before_running() {
    let missing = EmulatorCommand::new(
        "mlcloud-emulator",
        "/nonexistent/mlcloud-emulator",
        Readiness::StdoutJson,
    )
    .missing_hint("run cargo build -p emulators")
    .start()
    .err()
    .expect("missing")
    .to_string();
    assert_eq!(
        missing,
        "mlcloud-emulator is not installed at /nonexistent/mlcloud-emulator: run cargo build -p emulators"
    );
    let no_port = shell("exit 0", Readiness::http_get("/"))
        .start()
        .err()
        .expect("no port");
    assert!(
        matches!(no_port, EmulatorError::ProbeNeedsPort { .. }),
        "{no_port}"
    );
}

#[test]
fn stop_delivers_a_signal_and_reports_how_it_exited() {
    let mut graceful = shell(
        "trap 'echo draining; exit 0' TERM; echo '{}'; while :; do sleep 0.05; done",
        Readiness::StdoutJson,
    )
    .start()
    .unwrap();
    let status = graceful
        .stop(libc::SIGTERM, Duration::from_secs(10))
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(graceful.log().contains("draining"), "{}", graceful.log());

    let mut stubborn = shell(
        "trap '' TERM; echo '{}'; exec sleep 600",
        Readiness::StdoutJson,
    )
    .start()
    .unwrap();
    let error = stubborn
        .stop(libc::SIGTERM, Duration::from_millis(300))
        .unwrap_err();
    assert!(matches!(error, EmulatorError::NotStopped { .. }), "{error}");
    assert!(is_gone(stubborn.pid()), "killed past the limit");
}
