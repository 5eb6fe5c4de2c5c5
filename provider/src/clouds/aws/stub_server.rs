//! A scripted HTTP/1.1 server on 127.0.0.1 for unit tests that drive the real SDK
//! clients: it answers requests with a list of replies in order (repeating the last
//! one) and records what it was asked.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    pub fn json(body: serde_json::Value) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    /// Any status, headers and body (e.g. ARM's long-running operation answers).
    pub fn with(status: u16, headers: &[(&str, &str)], body: serde_json::Value) -> Reply {
        let mut all = vec![("content-type".to_string(), "application/json".to_string())];
        all.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Reply {
            status,
            headers: all,
            body: if body.is_null() {
                String::new()
            } else {
                body.to_string()
            },
        }
    }

    /// An error as REST-JSON services (EKS) send it.
    pub fn aws_error(status: u16, code: &str, message: &str) -> Reply {
        Reply {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-amzn-errortype".into(), code.into()),
            ],
            body: serde_json::json!({ "message": message }).to_string(),
        }
    }

    /// What an endpoint without the operation sends: an HTML 404 page.
    pub fn html_not_found() -> Reply {
        Reply {
            status: 404,
            headers: vec![("content-type".into(), "text/html".into())],
            body: "<!doctype html><title>404 Not Found</title><h1>Not Found</h1>".into(),
        }
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET /clusters/ml-main`.
    pub line: String,
    pub authorization: Option<String>,
}

pub struct StubServer {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
}

impl StubServer {
    pub async fn start(script: Vec<Reply>) -> StubServer {
        Self::start_with(|_| script).await
    }

    /// A stub whose replies may name its own URL (`script` gets it), e.g. in a
    /// long-running operation's status URL.
    pub async fn start_with(script: impl FnOnce(&str) -> Vec<Reply>) -> StubServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let script = script(&url);
        assert!(!script.is_empty(), "a stub needs at least one reply");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let task = {
            let seen = seen.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serve(stream, script.clone(), seen.clone()));
                }
            })
        };
        StubServer { url, seen, task }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn request_lines(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.line).collect()
    }
}

impl Drop for StubServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answers the requests of one keep-alive connection.
async fn serve(mut stream: TcpStream, script: Arc<Vec<Reply>>, seen: Arc<Mutex<Vec<Seen>>>) {
    let mut buffer = Vec::new();
    loop {
        let Some(head_end) = read_until_head_end(&mut stream, &mut buffer).await else {
            return;
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default();
        let mut content_length = 0usize;
        let mut authorization = None;
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => content_length = value.trim().parse().unwrap_or(0),
                    "authorization" => authorization = Some(value.trim().to_string()),
                    _ => {}
                }
            }
        }
        let body_start = head_end + 4;
        while buffer.len() < body_start + content_length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.drain(..body_start + content_length);

        let reply = {
            let mut seen = seen.lock().unwrap();
            let (method, rest) = request_line.split_once(' ').unwrap_or((request_line, ""));
            let path = rest.rsplit_once(' ').map_or(rest, |(p, _)| p);
            let path = path.split('?').next().unwrap_or(path);
            seen.push(Seen {
                line: format!("{method} {path}"),
                authorization,
            });
            script[(seen.len() - 1).min(script.len() - 1)].clone()
        };
        let mut response = format!(
            "HTTP/1.1 {} Stub\r\ncontent-length: {}\r\n",
            reply.status,
            reply.body.len()
        );
        for (name, value) in &reply.headers {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
        response.push_str("\r\n");
        response.push_str(&reply.body);
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Reads until the buffer holds a full request head; its length, or `None` at EOF.
async fn read_until_head_end(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<usize> {
    loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(at);
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}
