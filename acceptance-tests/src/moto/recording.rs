//! Moto's request recording (one JSON line per request served) read back as AWS
//! operations: which service, which operation, with which parameters.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::Value;

use super::encoding::percent_decode;
use super::error::MotoError;
use super::sdk::HARNESS_APP_NAME;

/// The user agent of mlcloud-emulator's own requests to moto (its aws part's
/// `forward::OWN_USER_AGENT`).
const EMULATOR_USER_AGENT: &str = "mlcloud-emulator";

/// Operations that only read, by name prefix (JSON and query protocols).
const READ_ONLY_PREFIXES: [&str; 3] = ["Get", "List", "Describe"];

/// One signed AWS request moto served.
#[derive(Clone, Debug)]
pub struct AwsRequest {
    /// The SigV4 credential scope's service: `kms`, `iam`, `eks`, `ec2`, `sts`.
    pub service: String,
    /// `CreateKey`, `CreateRole`... (from `X-Amz-Target` or the `Action` parameter);
    /// for REST services (EKS) the method and path, e.g. `POST /clusters`.
    pub operation: String,
    pub method: String,
    /// The URL path, without the query.
    pub path: String,
    /// The request body as text.
    pub body: String,
    user_agent: String,
}

impl AwsRequest {
    /// The body parsed as JSON (KMS and EKS requests).
    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// A form parameter of a query-protocol request (IAM, EC2, STS), decoded.
    pub fn form_param(&self, name: &str) -> Option<String> {
        self.body.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (percent_decode(key) == name).then(|| percent_decode(value))
        })
    }

    /// Whether the request may change something (anything but a Get/List/Describe,
    /// or for REST services anything but GET).
    pub fn is_mutating(&self) -> bool {
        if self.operation.contains(' ') {
            self.method != "GET"
        } else {
            !READ_ONLY_PREFIXES
                .iter()
                .any(|prefix| self.operation.starts_with(prefix))
        }
    }

    /// Sent by the harness's SDK clients, or by the emulator in front of moto for its
    /// own reads (a cluster's version before an upgrade): not by the provider.
    pub(super) fn is_from_harness(&self) -> bool {
        self.user_agent.contains(HARNESS_APP_NAME)
            || self.user_agent.starts_with(EMULATOR_USER_AGENT)
    }
}

/// One line of moto's recording.
#[derive(Deserialize)]
struct Entry {
    headers: serde_json::Map<String, Value>,
    method: String,
    url: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_encoded: bool,
}

/// The signed AWS requests in the recording at `path`, oldest first (moto's own API
/// calls, unsigned, are left out). No file yet means no requests.
pub fn read(path: &Path) -> Result<Vec<AwsRequest>, MotoError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => {
            return Err(MotoError::Recording {
                path: path.to_path_buf(),
                detail: error.to_string(),
            });
        }
    };
    let mut requests = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let entry: Entry = serde_json::from_str(line).map_err(|error| MotoError::Recording {
            path: path.to_path_buf(),
            detail: format!("{error} in {line}"),
        })?;
        if let Some(request) = parse(entry) {
            requests.push(request);
        }
    }
    Ok(requests)
}

fn parse(entry: Entry) -> Option<AwsRequest> {
    let header = |name: &str| {
        entry
            .headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| value.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let service = signed_service(&header("authorization"))?;
    let body = match (&entry.body, entry.body_encoded) {
        (Some(body), true) => STANDARD
            .decode(body)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default(),
        (Some(body), false) => body.clone(),
        (None, _) => String::new(),
    };
    let path = url_path(&entry.url);
    let mut request = AwsRequest {
        service,
        operation: String::new(),
        method: entry.method.clone(),
        path,
        body,
        user_agent: format!("{} {}", header("user-agent"), header("x-amz-user-agent")),
    };
    let target = header("x-amz-target");
    request.operation = match target.rsplit_once('.') {
        Some((_, operation)) => operation.to_owned(),
        None => request
            .form_param("Action")
            .unwrap_or_else(|| format!("{} {}", request.method, request.path)),
    };
    Some(request)
}

/// `AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, ...` → SERVICE.
fn signed_service(authorization: &str) -> Option<String> {
    let scope = authorization.split("Credential=").nth(1)?;
    let scope = scope.split([',', ' ']).next()?;
    scope.split('/').nth(3).map(str::to_owned)
}

/// `http://127.0.0.1:5000/clusters/x?a=b` → `/clusters/x`.
fn url_path(url: &str) -> String {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = without_scheme
        .find('/')
        .map_or("/", |start| &without_scheme[start..]);
    path.split('?').next().unwrap_or("/").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const AUTH_KMS: &str = "AWS4-HMAC-SHA256 Credential=testing/20261125/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00";
    const AUTH_EKS: &str = "AWS4-HMAC-SHA256 Credential=testing/20261125/us-east-1/eks/aws4_request, SignedHeaders=host, Signature=00";
    const AUTH_IAM: &str = "AWS4-HMAC-SHA256 Credential=testing/20261125/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00";

    fn recording(entries: &[Value]) -> Vec<AwsRequest> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requests.jsonl");
        let text: String = entries.iter().map(|entry| format!("{entry}\n")).collect();
        std::fs::write(&path, text).unwrap();
        read(&path).unwrap()
    }

    #[test]
    fn names_json_query_and_rest_operations() {
        let requests = recording(&[
            json!({ "headers": { "Host": "x" }, "method": "GET", "url": "http://127.0.0.1:1/moto-api/", "body": "", "body_encoded": false }),
            json!({ "headers": { "Authorization": AUTH_KMS, "X-Amz-Target": "TrentService.EnableKeyRotation", "User-Agent": "aws-sdk-rust" },
                    "method": "POST", "url": "http://127.0.0.1:1/",
                    "body": STANDARD.encode(r#"{"KeyId":"k","RotationPeriodInDays":180}"#), "body_encoded": true }),
            json!({ "headers": { "Authorization": AUTH_IAM },
                    "method": "POST", "url": "http://127.0.0.1:1/",
                    "body": "Action=CreateRole&RoleName=ml-node&Path=%2F", "body_encoded": false }),
            json!({ "headers": { "Authorization": AUTH_EKS, "User-Agent": "x app/mlcloud-acceptance-harness" },
                    "method": "GET", "url": "http://127.0.0.1:1/clusters/ml-main?x=1", "body": null, "body_encoded": false }),
        ]);
        assert_eq!(
            requests.len(),
            3,
            "moto's own API call is not an AWS request"
        );

        assert_eq!(requests[0].service, "kms");
        assert_eq!(requests[0].operation, "EnableKeyRotation");
        assert_eq!(
            requests[0].json_body().unwrap()["RotationPeriodInDays"],
            180
        );
        assert!(requests[0].is_mutating());
        assert!(!requests[0].is_from_harness());

        assert_eq!(requests[1].operation, "CreateRole");
        assert_eq!(requests[1].form_param("Path").as_deref(), Some("/"));
        assert!(requests[1].is_mutating());

        assert_eq!(requests[2].operation, "GET /clusters/ml-main");
        assert!(!requests[2].is_mutating());
        assert!(requests[2].is_from_harness());
    }

    #[test]
    fn no_recording_yet_is_no_requests() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(&dir.path().join("absent.jsonl")).unwrap().is_empty());
    }
}
