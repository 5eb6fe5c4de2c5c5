//! Graceful shutdown through real sockets: a request in progress when the signal comes
//! is finished, new connections are refused, and a drain that takes too long is cut.

use std::time::Duration;

use smoke_image::config::Config;
use smoke_image::server::{self, Shutdown};
use smoke_image::state::AppState;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::support::{infer_body, state_with, status_of};

/// Polls `condition` every 10 ms for up to five seconds.
async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn refuses_connections(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).await.is_err()
}

/// Starts a server whose shutdown fires when the returned sender is used.
async fn start(
    state: &AppState,
) -> (
    u16,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<Shutdown, server::ServeError>>,
) {
    let listener = server::bind(0).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (trigger, signal) = oneshot::channel::<()>();
    let shutdown = async move {
        let _ = signal.await;
    };
    let handle = tokio::spawn(server::serve(listener, state.clone(), shutdown));
    (port, trigger, handle)
}

/// Sends an infer request's headers and the first half of its body; returns the
/// connection and the half still to send.
async fn half_sent_request(port: u16) -> (TcpStream, String) {
    let body = infer_body(&[[5.1, 3.5, 1.4, 0.2]]).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /v2/models/iris/infer HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{first}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    (stream, rest.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_request_in_flight_and_refuses_new_ones() {
    let state = state_with(Config::default());
    let (port, trigger, server) = start(&state).await;
    let (mut stream, rest) = half_sent_request(port).await;
    eventually("the request is in flight", || {
        state.metrics.in_flight() == 1
    })
    .await;

    trigger.send(()).unwrap();
    eventually("readiness is withdrawn", || !state.readiness.is_ready()).await;
    let mut refused = false;
    for _ in 0..500 {
        if refuses_connections(port).await {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "new connections must be refused while draining");

    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert_eq!(status_of(&response), 200, "{response}");
    assert!(response.contains("\"setosa\""), "{response}");

    let outcome = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops once drained")
        .unwrap()
        .unwrap();
    assert_eq!(outcome, Shutdown::Drained);
    assert_eq!(state.metrics.in_flight(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_never_completes_is_abandoned_at_the_drain_limit() {
    let state = state_with(Config {
        shutdown_timeout: Duration::from_millis(300),
        ..Config::default()
    });
    let (port, trigger, server) = start(&state).await;
    let (_stalled, _never_sent) = half_sent_request(port).await;
    eventually("the request is in flight", || {
        state.metrics.in_flight() == 1
    })
    .await;

    trigger.send(()).unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the drain limit ends serving")
        .unwrap()
        .unwrap();
    assert_eq!(outcome, Shutdown::TimedOut { abandoned: 1 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_server_stops_at_once() {
    let state = state_with(Config::default());
    let (port, trigger, server) = start(&state).await;
    // An idle keep-alive connection must not hold the drain open.
    let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    trigger.send(()).unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("idle server stops")
        .unwrap()
        .unwrap();
    assert_eq!(outcome, Shutdown::Drained);
}
