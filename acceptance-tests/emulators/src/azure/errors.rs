//! The error bodies Azure answers with: ARM's `{"error": {code, message, ...}}`, Key
//! Vault's data-plane `{"error": {code, message, innererror}}`, and Entra's OAuth
//! errors (`error`, `error_description`, `error_codes`, ...).

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::{Value, json};

use super::time::{guid, now_rfc3339};

/// An ARM error: status, code and message, optionally the property it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub target: Option<String>,
}

impl ArmError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_string(),
            message: message.into(),
            target: None,
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn with_target(mut self, target: &str) -> Self {
        self.target = Some(target.to_string());
        self
    }

    /// AKS's answer to a property it cannot accept.
    pub fn invalid_parameter(target: &str, detail: &str) -> Self {
        Self::bad_request(
            "InvalidParameter",
            format!("The value of parameter {target} is invalid. Error details: {detail}."),
        )
        .with_target(target)
    }

    /// ARM's answer to a missing resource.
    pub fn resource_not_found(kind: &str, name: &str, group: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "The Resource '{kind}/{name}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }

    pub fn resource_group_not_found(group: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ResourceGroupNotFound",
            format!("Resource group '{group}' could not be found."),
        )
    }

    pub fn parent_not_found(parent: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ParentResourceNotFound",
            format!(
                "Failed to perform 'write' on resource(s) of type '{}', because the parent resource '{parent}' could not be found.",
                parent.rsplit('/').nth(1).unwrap_or_default()
            ),
        )
    }

    pub fn body(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(target) = &self.target {
            error["target"] = json!(target);
        }
        json!({ "error": error })
    }

    /// The error object alone, as operation status resources carry it.
    pub fn inner(&self) -> Value {
        self.body()["error"].clone()
    }

    pub fn response(&self) -> Response<Bytes> {
        let mut response = arm_json(self.status, &self.body());
        response
            .headers_mut()
            .insert("x-ms-failure-cause", "gateway".parse().expect("a header"));
        response
    }
}

/// A JSON answer with the headers every ARM response carries.
pub fn arm_json(status: StatusCode, body: &Value) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .header("x-ms-request-id", guid())
        .header("x-ms-correlation-request-id", guid())
        .body(Bytes::from(body.to_string()))
        .expect("a JSON response")
}

/// Key Vault's data-plane error.
pub fn key_vault_error(status: StatusCode, code: &str, message: &str) -> Response<Bytes> {
    arm_json(
        status,
        &json!({ "error": { "code": code, "message": message } }),
    )
}

/// Entra's OAuth error body (`invalid_client`, `unauthorized_client`, ...).
pub fn entra_error(
    status: StatusCode,
    error: &str,
    code: u32,
    description: &str,
) -> Response<Bytes> {
    let trace_id = guid();
    let correlation_id = guid();
    let timestamp = now_rfc3339();
    let body = json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {description} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}"
        ),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .header("cache-control", "no-store, no-cache")
        .body(Bytes::from(body.to_string()))
        .expect("a JSON response")
}
