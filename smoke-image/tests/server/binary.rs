//! The real `mlcloud-smoke` binary: configured by environment, logs JSON lines, serves,
//! and exits 0 after draining on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use acceptance_tests::emulator::{EmulatorCommand, EmulatorProcess, PORT, Readiness};
use serde_json::Value;

use crate::support::{raw_http, status_of};

const SETTINGS: [&str; 5] = [
    "PORT",
    "MODEL_NAME",
    "LOG_LEVEL",
    "MAX_BODY_BYTES",
    "SHUTDOWN_TIMEOUT_SECONDS",
];

/// Starts the binary with only `env` set among its settings; stdout lines arrive, parsed,
/// on the returned channel.
fn spawn(env: &[(&str, String)]) -> (Child, Receiver<Value>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mlcloud-smoke"));
    for name in SETTINGS {
        command.env_remove(name);
    }
    command.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let parsed = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("log line is not JSON ({e}): {line}"));
            if lines.send(parsed).is_err() {
                break;
            }
        }
    });
    (child, receiver)
}

fn next_event(lines: &Receiver<Value>, event: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no {event:?} log line"));
        if line["event"] == event {
            return line;
        }
    }
}

fn wait_for_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The binary on a free port picked for it (`PORT`), started like the acceptance tests'
/// emulators: ready once `/v2/health/ready` answers, everything it prints in a log.
fn start_on_a_free_port(model_name: &str) -> EmulatorProcess {
    let mut command = EmulatorCommand::new(
        "mlcloud-smoke",
        env!("CARGO_BIN_EXE_mlcloud-smoke"),
        Readiness::http_get("/v2/health/ready"),
    );
    for name in SETTINGS {
        command = command.env_remove(name);
    }
    command
        .env("PORT", PORT)
        .env("MODEL_NAME", model_name)
        .start()
        .unwrap_or_else(|error| panic!("{error}"))
}

/// The log lines, each of which must be a JSON object.
fn log_lines(server: &EmulatorProcess) -> Vec<Value> {
    server
        .log()
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("log line is not JSON ({e}): {line}"))
        })
        .collect()
}

/// The first `event` line of the server's log, waiting up to 20 s for it.
fn logged_event(server: &EmulatorProcess, event: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(line) = log_lines(server)
            .into_iter()
            .find(|line| line["event"] == event)
        {
            return line;
        }
        assert!(
            Instant::now() < deadline,
            "no {event:?} log line in:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_binary_serves_then_drains_and_exits_zero_on_sigterm() {
    let mut server = start_on_a_free_port("smoke");
    let port = server.port().expect("PORT was given");
    let ready = logged_event(&server, "ready");
    assert_eq!(ready["level"], "info");
    assert_eq!(ready["port"], port);
    assert_eq!(ready["model"], "smoke");
    assert!(ready["ts"].as_str().unwrap().ends_with('Z'));
    assert!(ready["startup_ms"].as_f64().unwrap() < 2000.0, "{ready}");

    let health = raw_http(
        port,
        "GET /v2/health/ready HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert_eq!(status_of(&health), 200);
    let body = r#"{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[6.3,3.3,6.0,2.5]}]}"#;
    let infer = raw_http(
        port,
        &format!(
            "POST /v2/models/smoke/infer HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap();
    assert_eq!(status_of(&infer), 200, "{infer}");
    assert!(infer.contains("\"virginica\""), "{infer}");

    let accelerators = logged_event(&server, "accelerators");
    assert_eq!(accelerators["gpu_visible"], false);
    assert_eq!(accelerators["summary"], "no NVIDIA GPU visible");

    let status = server
        .stop(libc::SIGTERM, Duration::from_secs(20))
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(status.success(), "{status:?}");
    assert_eq!(logged_event(&server, "signal")["signal"], "SIGTERM");
    assert_eq!(logged_event(&server, "stopped")["drained"], true);
}

#[test]
fn port_zero_listens_on_a_free_port_and_logs_it() {
    let (mut child, lines) = spawn(&[("PORT", "0".into())]);
    let ready = next_event(&lines, "ready");
    let port = ready["port"].as_u64().unwrap() as u16;
    assert_ne!(port, 0);
    let live = raw_http(
        port,
        "GET /v2/health/live HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert_eq!(status_of(&live), 200);
    // SAFETY: plain kill(2) on our own child's pid.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    assert_eq!(next_event(&lines, "signal")["signal"], "SIGINT");
    assert!(wait_for_exit(&mut child).success());
}

#[test]
fn invalid_settings_stop_start_up_with_exit_code_2() {
    let (mut child, lines) = spawn(&[("PORT", "eighty".into())]);
    let line = next_event(&lines, "invalid_configuration");
    assert_eq!(line["level"], "error");
    assert!(line["error"].as_str().unwrap().contains("PORT"), "{line}");
    assert_eq!(wait_for_exit(&mut child).code(), Some(2));
}
