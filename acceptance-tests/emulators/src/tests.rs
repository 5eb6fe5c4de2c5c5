//! The shared server, the admin route and faults, driven over real sockets with a part
//! made for the purpose.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;
use crate::part::Part;

/// Answers every request with `handled N`, counting what it handled.
struct Counter {
    url: String,
    handled: Arc<AtomicU32>,
}

#[async_trait]
impl Part for Counter {
    fn name(&self) -> &'static str {
        "counter"
    }
    fn ready(&self) -> Value {
        json!({ "endpoint": self.url })
    }
    fn operation(&self, request: &Request<Bytes>) -> Option<String> {
        request
            .headers()
            .get("x-operation")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    }
    async fn handle(&self, _request: Request<Bytes>) -> Response<Bytes> {
        let n = self.handled.fetch_add(1, Ordering::SeqCst) + 1;
        Response::new(Bytes::from(format!("handled {n}")))
    }
    fn records(&self) -> Value {
        json!({ "handled": self.handled.load(Ordering::SeqCst) })
    }
    fn reset(&self) {
        self.handled.store(0, Ordering::SeqCst);
    }
}

struct CounterFactory {
    https: bool,
    handled: Arc<AtomicU32>,
}

#[async_trait]
impl PartFactory for CounterFactory {
    fn name(&self) -> &'static str {
        "counter"
    }
    fn https(&self) -> bool {
        self.https
    }
    async fn build(&self, context: PartContext) -> Result<Arc<dyn Part>, PartError> {
        Ok(Arc::new(Counter {
            url: context.url,
            handled: self.handled.clone(),
        }))
    }
}

async fn start(https: bool) -> (Emulator, Arc<AtomicU32>) {
    let handled = Arc::new(AtomicU32::new(0));
    let emulator = Emulator::start_with(
        Options::default(),
        vec![Box::new(CounterFactory {
            https,
            handled: handled.clone(),
        })],
    )
    .await
    .unwrap();
    (emulator, handled)
}

fn address(url: &str) -> String {
    url.split("://").nth(1).unwrap().to_string()
}

/// Sends one request and reads until the server closes: (status, body), or none when
/// the connection closed with no response.
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, String)> {
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    if response.is_empty() {
        return None;
    }
    let text = String::from_utf8(response).unwrap();
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1.to_string();
    Some((status, body))
}

async fn http(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, String)> {
    let stream = TcpStream::connect(address(url)).await.unwrap();
    exchange(stream, method, path, headers, body).await
}

async fn admin(emulator: &Emulator, method: &str, path: &str, body: &str) -> Value {
    let url = emulator.ready()["admin"].as_str().unwrap();
    let (status, body) = http(url, method, path, &[], body).await.unwrap();
    assert!(status < 300, "admin {method} {path}: {status} {body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn the_ready_line_names_the_admin_route_the_ca_and_each_part() {
    let (emulator, _) = start(false).await;
    let ready = emulator.ready();
    assert!(
        ready["admin"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert!(std::path::Path::new(ready["ca_file"].as_str().unwrap()).exists());
    let endpoint = ready["counter"]["endpoint"].as_str().unwrap();
    assert!(endpoint.starts_with("http://127.0.0.1:"));
    assert_ne!(address(endpoint), address(ready["admin"].as_str().unwrap()));
    assert_eq!(admin(&emulator, "GET", "/health", "").await, json!("ok"));
}

#[tokio::test]
async fn a_dropped_response_is_applied_but_never_answered() {
    let (emulator, handled) = start(false).await;
    let endpoint = emulator.ready()["counter"]["endpoint"]
        .as_str()
        .unwrap()
        .to_string();
    admin(
        &emulator,
        "POST",
        "/faults",
        r#"{"part": "counter", "operation": "Write", "action": "drop_response"}"#,
    )
    .await;
    let dropped = http(&endpoint, "POST", "/", &[("x-operation", "Write")], "{}").await;
    assert_eq!(dropped, None, "the connection closes with no response");
    assert_eq!(handled.load(Ordering::SeqCst), 1, "the write was applied");
    let retried = http(&endpoint, "POST", "/", &[("x-operation", "Write")], "{}").await;
    assert_eq!(
        retried,
        Some((200, "handled 2".into())),
        "the rule fired once"
    );

    let log = admin(&emulator, "GET", "/requests?part=counter", "").await;
    let statuses: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["status"])
        .collect();
    assert_eq!(statuses, [&Value::Null, &json!(200)]);
    assert_eq!(log[0]["operation"], "Write");
    assert_eq!(log[0]["fault"], json!("\"drop_response\""));
    let faults = admin(&emulator, "GET", "/faults", "").await;
    assert_eq!(
        (faults[0]["matched"].clone(), faults[0]["fired"].clone()),
        (json!(2), json!(1))
    );
}

#[tokio::test]
async fn a_delayed_response_is_applied_at_once_and_answered_later() {
    let (emulator, handled) = start(false).await;
    let endpoint = emulator.ready()["counter"]["endpoint"]
        .as_str()
        .unwrap()
        .to_string();
    admin(
        &emulator,
        "POST",
        "/faults",
        r#"{"part": "counter", "operation": "Write", "action": {"delay_response": {"ms": 1500}}}"#,
    )
    .await;
    let started = std::time::Instant::now();
    let request = tokio::spawn(async move {
        http(&endpoint, "POST", "/", &[("x-operation", "Write")], "{}").await
    });
    // The write lands well before its answer leaves.
    let mut applied_after = None;
    while started.elapsed() < std::time::Duration::from_millis(1400) {
        if handled.load(Ordering::SeqCst) == 1 {
            applied_after = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        applied_after.is_some(),
        "the write was not applied before the answer"
    );
    assert!(!request.is_finished(), "the answer came before the delay");
    let answer = request.await.unwrap();
    assert_eq!(answer, Some((200, "handled 1".into())));
    assert!(started.elapsed() >= std::time::Duration::from_millis(1500));
}

#[tokio::test]
async fn throttling_and_server_errors_never_reach_the_part() {
    let (emulator, handled) = start(false).await;
    let endpoint = emulator.ready()["counter"]["endpoint"]
        .as_str()
        .unwrap()
        .to_string();
    admin(
        &emulator,
        "POST",
        "/faults",
        r#"{"method": "GET", "times": 2, "action": {"throttle": {"retry_after_seconds": 3}}}"#,
    )
    .await;
    admin(
        &emulator,
        "POST",
        "/faults",
        r#"{"method": "DELETE", "action": {"server_error": {"status": 503}}}"#,
    )
    .await;
    let mut raw = TcpStream::connect(address(&endpoint)).await.unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut text = String::new();
    raw.read_to_string(&mut text).await.unwrap();
    assert!(text.starts_with("HTTP/1.1 429"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("retry-after: 3"),
        "{text}"
    );
    assert_eq!(http(&endpoint, "GET", "/", &[], "").await.unwrap().0, 429);
    assert_eq!(http(&endpoint, "GET", "/", &[], "").await.unwrap().0, 200);
    assert_eq!(
        http(&endpoint, "DELETE", "/", &[], "").await.unwrap().0,
        503
    );
    assert_eq!(handled.load(Ordering::SeqCst), 1);

    let bad = http(
        emulator.ready()["admin"].as_str().unwrap(),
        "POST",
        "/faults",
        &[],
        r#"{"action": "explode"}"#,
    )
    .await
    .unwrap();
    assert_eq!(bad.0, 400);
    assert!(bad.1.contains("not a fault rule"), "{}", bad.1);
}

#[tokio::test]
async fn reset_empties_the_parts_the_faults_and_the_log() {
    let (emulator, _) = start(false).await;
    let endpoint = emulator.ready()["counter"]["endpoint"]
        .as_str()
        .unwrap()
        .to_string();
    http(&endpoint, "GET", "/", &[], "").await.unwrap();
    assert_eq!(
        admin(&emulator, "GET", "/records", "").await,
        json!({"counter": {"handled": 1}})
    );
    admin(
        &emulator,
        "POST",
        "/faults",
        r#"{"action": "drop_response"}"#,
    )
    .await;
    admin(&emulator, "POST", "/reset", "").await;
    assert_eq!(
        admin(&emulator, "GET", "/records", "").await,
        json!({"counter": {"handled": 0}})
    );
    assert_eq!(admin(&emulator, "GET", "/faults", "").await, json!([]));
    assert_eq!(admin(&emulator, "GET", "/requests", "").await, json!([]));
}

#[tokio::test]
async fn https_parts_present_a_certificate_from_the_printed_ca() {
    let (emulator, _) = start(true).await;
    let endpoint = emulator.ready()["counter"]["endpoint"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{endpoint}");
    let ca_pem = std::fs::read(emulator.ready()["ca_file"].as_str().unwrap()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    use rustls_pki_types::pem::PemObject;
    for certificate in rustls_pki_types::CertificateDer::pem_slice_iter(&ca_pem) {
        roots.add(certificate.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(address(&endpoint)).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let tls = connector.connect(name, tcp).await.unwrap();
    let answer = exchange(tls, "GET", "/", &[], "").await.unwrap();
    assert_eq!(answer, (200, "handled 1".to_string()));
}
