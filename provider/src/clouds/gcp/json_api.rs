//! Calls to Google's JSON APIs that the official Rust crates do not cover (Cloud
//! Storage bucket policies, Compute Engine instance group managers): our own HTTP
//! requests, authorized with the same credentials as every client, and the error body
//! these older APIs share (`{"error": {code, message, errors: [{reason}]}}`, no
//! `google.rpc` code name) read by its HTTP status.

use super::errors::Service;
use crate::clouds::CloudError;
use google_cloud_auth::credentials::{CacheableResource, Credentials};
use http::Extensions;
use serde_json::Value;
use std::time::Duration;

/// How long one call may take.
const CALL_LIMIT: Duration = Duration::from_secs(60);

/// Sends `request` with the credentials' headers; the JSON body of a 2xx answer,
/// else the refusal as a [`CloudError`] about `what`.
pub async fn send(
    credentials: &Credentials,
    service: Service,
    operation: &'static str,
    what: &str,
    request: reqwest::RequestBuilder,
) -> Result<Value, CloudError> {
    let headers = match credentials.headers(Extensions::new()).await {
        Ok(CacheableResource::New { data, .. }) => data,
        Ok(CacheableResource::NotModified) => http::HeaderMap::new(),
        Err(e) => {
            return Err(CloudError::PermissionDenied {
                service: service.as_str(),
                operation,
                code: "UNAUTHENTICATED".into(),
                message: format!("cannot get credentials: {e}"),
            });
        }
    };
    let transport = |e: reqwest::Error| {
        CloudError::Transport(format!("{} {operation} on {what}: {e}", service.as_str()))
    };
    let answer = request
        .headers(headers)
        .timeout(CALL_LIMIT)
        .send()
        .await
        .map_err(transport)?;
    let status = answer.status().as_u16();
    let text = answer.text().await.map_err(transport)?;
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !(200..300).contains(&status) {
        return Err(refusal(service, operation, what, status, &body));
    }
    Ok(body)
}

/// An error body as a [`CloudError`], by the HTTP status.
fn refusal(
    service: Service,
    operation: &'static str,
    what: &str,
    status: u16,
    body: &Value,
) -> CloudError {
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or("no message")
        .to_string();
    let service = service.as_str();
    let code = |c: &str| c.to_string();
    match status {
        404 => CloudError::NotFound {
            what: what.to_string(),
            message,
        },
        401 | 403 => CloudError::PermissionDenied {
            service,
            operation,
            code: code(if status == 401 {
                "UNAUTHENTICATED"
            } else {
                "PERMISSION_DENIED"
            }),
            message,
        },
        // A stale etag (412 conditionNotMet) or a concurrent change (409).
        409 | 412 => CloudError::Conflict {
            service,
            operation,
            code: code("ABORTED"),
            message,
        },
        429 => CloudError::Throttled {
            service,
            operation,
            code: code("RESOURCE_EXHAUSTED"),
            message,
            retry_after: None,
        },
        503 => CloudError::Api {
            service,
            operation,
            code: code("UNAVAILABLE"),
            message,
        },
        _ => CloudError::Api {
            service,
            operation,
            code: format!("HTTP {status}"),
            message,
        },
    }
}
