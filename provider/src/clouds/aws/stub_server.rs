//! A scripted HTTP/1.1 server on 127.0.0.1 for unit tests that drive the real SDK
//! clients: it answers requests with a list of replies in order (repeating the last
//! one) and records what it was asked. A reply may also be "no answer" (the
//! connection closes after the request was read: a lost response). A routed stub
//! keeps one script per operation instead, for flows that call many, and a reply
//! may be computed from the requests seen so far (to echo a random token back).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One scripted answer.
#[derive(Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    /// Computes the answer from every request seen so far (the current one last).
    computed: Option<Computed>,
    /// Waits this long before answering.
    delay: std::time::Duration,
}

type Computed = Arc<dyn Fn(&[Seen]) -> Reply + Send + Sync>;

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("body", &self.body)
            .field("computed", &self.computed.is_some())
            .finish()
    }
}

/// `status` 0: close the connection instead of answering.
const DROP: u16 = 0;

impl Reply {
    /// No answer: the request was read (and, on a real service, applied), then the
    /// connection closed.
    pub fn dropped() -> Reply {
        Reply {
            status: DROP,
            headers: Vec::new(),
            body: String::new(),
            computed: None,
            delay: std::time::Duration::ZERO,
        }
    }

    /// The answer `compute` makes from the requests seen so far (the current last).
    pub fn computed(compute: impl Fn(&[Seen]) -> Reply + Send + Sync + 'static) -> Reply {
        Reply {
            computed: Some(Arc::new(compute)),
            ..Reply::dropped()
        }
    }

    /// This answer, after `delay`.
    pub fn after(mut self, delay: std::time::Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// An `awsJson1.1` answer (KMS).
    pub fn aws_json(body: serde_json::Value) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/x-amz-json-1.1".into())],
            body: body.to_string(),
            computed: None,
            delay: std::time::Duration::ZERO,
        }
    }

    /// An `awsJson1.1` error (KMS).
    pub fn aws_json_error(status: u16, code: &str, message: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/x-amz-json-1.1".into())],
            body: serde_json::json!({ "__type": code, "message": message }).to_string(),
            computed: None,
            delay: std::time::Duration::ZERO,
        }
    }

    /// An `awsQuery` answer (IAM, STS): `<{action}Response><{action}Result>…`.
    pub fn query(action: &str, result: &str) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/xml".into())],
            body: format!(
                "<{action}Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
                 <{action}Result>{result}</{action}Result>\
                 <ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata>\
                 </{action}Response>"
            ),
            computed: None,
            delay: std::time::Duration::ZERO,
        }
    }

    /// An XML answer as it is (EC2's `ec2Query` has no `Result` wrapper).
    pub fn xml(body: &str) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/xml".into())],
            body: body.to_string(),
            computed: None,
            delay: std::time::Duration::ZERO,
        }
    }

    /// An `ec2Query` error.
    pub fn ec2_error(status: u16, code: &str, message: &str) -> Reply {
        Reply {
            status,
            ..Reply::xml(&format!(
                "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>\
                 </Error></Errors><RequestID>stub</RequestID></Response>"
            ))
        }
    }

    /// An `awsQuery` error (IAM, STS).
    pub fn query_error(status: u16, code: &str, message: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/xml".into())],
            body: format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
                 <Message>{message}</Message></Error><RequestId>stub</RequestId></ErrorResponse>"
            ),
            computed: None,
            delay: std::time::Duration::ZERO,
        }
    }

    pub fn json(body: serde_json::Value) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            computed: None,
            delay: std::time::Duration::ZERO,
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
            computed: None,
            delay: std::time::Duration::ZERO,
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
            computed: None,
            delay: std::time::Duration::ZERO,
        }
    }

    /// What an endpoint without the operation sends: an HTML 404 page.
    pub fn html_not_found() -> Reply {
        Reply {
            status: 404,
            headers: vec![("content-type".into(), "text/html".into())],
            body: "<!doctype html><title>404 Not Found</title><h1>Not Found</h1>".into(),
            computed: None,
            delay: std::time::Duration::ZERO,
        }
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET /clusters/ml-main`.
    pub line: String,
    pub authorization: Option<String>,
    /// `X-Amz-Target` (the operation of an `awsJson` call, e.g. `TrentService.CreateKey`).
    pub target: Option<String>,
    pub body: String,
}

impl Seen {
    /// The operation: the JSON target's last part, the query `Action`, else the line.
    pub fn operation(&self) -> String {
        if let Some(target) = &self.target {
            return target.rsplit('.').next().unwrap_or(target).to_string();
        }
        self.body
            .split('&')
            .find_map(|pair| pair.strip_prefix("Action="))
            .map_or_else(|| self.line.clone(), str::to_string)
    }
}

/// What the stub answers: one script for every request, or one per operation.
enum Script {
    InOrder(Vec<Reply>),
    ByOperation(HashMap<String, Vec<Reply>>),
}

impl Script {
    /// The answer to the latest of `seen`: the script's next reply, its last repeated.
    fn reply(&self, seen: &[Seen]) -> Reply {
        let latest = seen.last().expect("called with the current request");
        let (replies, n) = match self {
            Script::InOrder(replies) => (Some(replies), seen.len()),
            Script::ByOperation(routes) => {
                let operation = latest.operation();
                let n = seen.iter().filter(|s| s.operation() == operation).count();
                (routes.get(&operation), n)
            }
        };
        let Some(replies) = replies else {
            return Reply::aws_error(500, "StubHasNoScript", &latest.operation());
        };
        let reply = replies[(n - 1).min(replies.len() - 1)].clone();
        match &reply.computed {
            Some(compute) => Reply {
                delay: reply.delay,
                ..compute(seen)
            },
            None => reply,
        }
    }
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
        StubServer::serving(|url| {
            let script = script(url);
            assert!(!script.is_empty(), "a stub needs at least one reply");
            Script::InOrder(script)
        })
        .await
    }

    /// A stub answering each operation (see [`Seen::operation`]) from its own script;
    /// an operation without one gets an HTTP 500 naming it.
    pub async fn routed(routes: Vec<(&str, Vec<Reply>)>) -> StubServer {
        assert!(
            routes.iter().all(|(_, r)| !r.is_empty()),
            "a route needs a reply"
        );
        let routes: HashMap<String, Vec<Reply>> = routes
            .into_iter()
            .map(|(op, replies)| (op.to_string(), replies))
            .collect();
        StubServer::serving(|_| Script::ByOperation(routes)).await
    }

    async fn serving(script: impl FnOnce(&str) -> Script) -> StubServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let script = script(&url);
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

    /// The operations asked for, in order (see [`Seen::operation`]).
    pub fn operations(&self) -> Vec<String> {
        self.seen().iter().map(Seen::operation).collect()
    }
}

impl Drop for StubServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answers the requests of one keep-alive connection.
async fn serve(mut stream: TcpStream, script: Arc<Script>, seen: Arc<Mutex<Vec<Seen>>>) {
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
        let mut target = None;
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => content_length = value.trim().parse().unwrap_or(0),
                    "authorization" => authorization = Some(value.trim().to_string()),
                    "x-amz-target" => target = Some(value.trim().to_string()),
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
        let body =
            String::from_utf8_lossy(&buffer[body_start..body_start + content_length]).to_string();
        buffer.drain(..body_start + content_length);

        let reply = {
            let mut seen = seen.lock().unwrap();
            let (method, rest) = request_line.split_once(' ').unwrap_or((request_line, ""));
            let path = rest.rsplit_once(' ').map_or(rest, |(p, _)| p);
            let path = path.split('?').next().unwrap_or(path);
            seen.push(Seen {
                line: format!("{method} {path}"),
                authorization,
                target,
                body,
            });
            script.reply(&seen)
        };
        if !reply.delay.is_zero() {
            tokio::time::sleep(reply.delay).await;
        }
        if reply.status == DROP {
            return;
        }
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
