//! Errors as the API server answers them: a `Status` body whose `reason` and `code`
//! clients branch on (the kube crate's `is_not_found()` reads only `reason`).

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::{Value, json};
use thiserror::Error;

use super::kinds::Kind;

/// One `details.causes` entry of an `Invalid` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// `FieldValueRequired`, `FieldValueInvalid`, `FieldManagerConflict`...
    pub reason: &'static str,
    pub message: String,
    /// The field's path (`metadata.name`, `spec.replicas`).
    pub field: String,
}

/// A failed request, rendered as a `Status`.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{code} {reason}: {message}")]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Box<Details>,
}

/// `details`: the object's name, group and kind (plural) when there is one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    pub name: Option<String>,
    pub group: Option<String>,
    pub kind: Option<String>,
    pub causes: Vec<Cause>,
    /// `Retry-After` for throttling.
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            details: Box::default(),
        }
    }

    fn about(mut self, kind: &Kind, name: &str) -> Self {
        self.details.name = Some(name.to_string()).filter(|n| !n.is_empty());
        self.details.group = Some(kind.group.to_string()).filter(|g| !g.is_empty());
        self.details.kind = Some(kind.plural.to_string());
        self
    }

    /// `deployments.apps "web" not found`.
    pub fn not_found(kind: &Kind, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", kind.qualified()),
        )
        .about(kind, name)
    }

    /// `namespaces "ml" already exists`.
    pub fn already_exists(kind: &Kind, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", kind.qualified()),
        )
        .about(kind, name)
    }

    /// A write with a stale `resourceVersion`.
    pub fn conflict(kind: &Kind, name: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                kind.qualified()
            ),
        )
        .about(kind, name)
    }

    /// Server-side apply touching fields another manager owns, without `force`.
    pub fn apply_conflict(kind: &Kind, name: &str, conflicts: Vec<(String, String)>) -> Self {
        let count = conflicts.len();
        let plural = if count == 1 { "" } else { "s" };
        let listed: Vec<String> = conflicts
            .iter()
            .map(|(manager, field)| format!("conflict with \"{manager}\": {field}"))
            .collect();
        let mut error = Self::new(
            409,
            "Conflict",
            format!(
                "Apply failed with {count} conflict{plural}: {}",
                listed.join("\n")
            ),
        )
        .about(kind, name);
        error.details.causes = conflicts
            .into_iter()
            .map(|(manager, field)| Cause {
                reason: "FieldManagerConflict",
                message: format!("conflict with \"{manager}\""),
                field,
            })
            .collect();
        error
    }

    /// `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: ...`.
    pub fn invalid(kind: &Kind, name: &str, causes: Vec<Cause>) -> Self {
        let listed: Vec<String> = causes
            .iter()
            .map(|cause| format!("{}: {}", cause.field, cause.message))
            .collect();
        let group = if kind.group.is_empty() {
            String::new()
        } else {
            format!(".{}", kind.group)
        };
        let mut error = Self::new(
            422,
            "Invalid",
            format!(
                "{}{group} \"{name}\" is invalid: {}",
                kind.kind,
                if listed.len() == 1 {
                    listed[0].clone()
                } else {
                    format!("[{}]", listed.join(", "))
                }
            ),
        );
        error.details.name = Some(name.to_string());
        error.details.group = Some(kind.group.to_string()).filter(|g| !g.is_empty());
        error.details.kind = Some(kind.kind.to_string());
        error.details.causes = causes;
        error
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    /// `pods "x" is forbidden: ...` about one object.
    pub fn forbidden_on(kind: &Kind, name: &str, why: &str) -> Self {
        Self::forbidden(format!(
            "{} \"{name}\" is forbidden: {why}",
            kind.qualified()
        ))
        .about(kind, name)
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )
    }

    /// A path nothing serves: the API server's plain 404 `Status`.
    pub fn no_route() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got {content_type:?})"
            ),
        )
    }

    /// The service proxy with no ready endpoint behind the Service.
    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "ServiceUnavailable", message)
    }

    pub fn too_many_requests(retry_after: u64) -> Self {
        let mut error = Self::new(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
        );
        error.details.retry_after = Some(retry_after);
        error
    }

    pub fn internal(status: u16) -> Self {
        let reason = match status {
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "InternalError",
        };
        Self::new(
            status,
            reason,
            "an error on the server has prevented the request from succeeding",
        )
    }

    /// The `Status` object.
    pub fn body(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        let mut details = serde_json::Map::new();
        let given = &self.details;
        if let Some(name) = &given.name {
            details.insert("name".into(), json!(name));
        }
        if let Some(group) = &given.group {
            details.insert("group".into(), json!(group));
        }
        if let Some(kind) = &given.kind {
            details.insert("kind".into(), json!(kind));
        }
        if !given.causes.is_empty() {
            details.insert(
                "causes".into(),
                Value::Array(
                    given
                        .causes
                        .iter()
                        .map(
                            |c| json!({"reason": c.reason, "message": c.message, "field": c.field}),
                        )
                        .collect(),
                ),
            );
        }
        if let Some(seconds) = given.retry_after {
            details.insert("retryAfterSeconds".into(), json!(seconds));
        }
        if !details.is_empty() {
            status["details"] = Value::Object(details);
        }
        status
    }

    pub fn response(&self) -> Response<Bytes> {
        let mut response = Response::builder()
            .status(StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
            .header("content-type", "application/json");
        if let Some(seconds) = self.details.retry_after {
            response = response.header("retry-after", seconds.to_string());
        }
        response
            .body(Bytes::from(self.body().to_string()))
            .expect("a Status response")
    }
}

/// The `Status` a delete answers when the object is gone at once.
pub fn deleted(kind: &Kind, name: &str, uid: &str) -> Value {
    let mut details = json!({"name": name, "kind": kind.plural, "uid": uid});
    if !kind.group.is_empty() {
        details["group"] = json!(kind.group);
    }
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    })
}
