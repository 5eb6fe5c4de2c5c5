//! Google's error body, `google.rpc.Status` inside `{"error": ...}`: the official
//! clients take the error code only from the `status` string, so every error carries
//! one.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::json;

/// An API error as Google renders it: HTTP status, canonical code name, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub http: StatusCode,
    /// The canonical code (`NOT_FOUND`, `ABORTED`, ...).
    pub status: &'static str,
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    fn new(http: StatusCode, status: &'static str, message: impl Into<String>) -> Self {
        Self {
            http,
            status,
            message: message.into(),
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", message)
    }

    pub fn failed_precondition(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "FAILED_PRECONDITION", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "ALREADY_EXISTS", message)
    }

    /// A read-modify-write lost the race (etag mismatch).
    pub fn aborted(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "ABORTED", message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message)
    }

    pub fn permission_denied(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "PERMISSION_DENIED", message)
    }

    pub fn resource_exhausted(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "RESOURCE_EXHAUSTED", message)
    }

    /// 500 INTERNAL, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED, by HTTP status.
    pub fn server_error(http: StatusCode) -> Self {
        let status = match http.as_u16() {
            503 => "UNAVAILABLE",
            504 => "DEADLINE_EXCEEDED",
            501 => "UNIMPLEMENTED",
            _ => "INTERNAL",
        };
        let message = match status {
            "UNAVAILABLE" => "The service is currently unavailable.",
            "DEADLINE_EXCEEDED" => "Deadline exceeded.",
            "UNIMPLEMENTED" => "Method not implemented.",
            _ => "Internal error encountered.",
        };
        Self::new(http, status, message)
    }

    /// A path no service of this emulator serves.
    pub fn no_route(method: &http::Method, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("The requested URL {method} {path} was not found on this server."),
        )
    }

    /// The numeric google.rpc.Code of the status name.
    pub fn code(&self) -> i32 {
        rpc_code(self.status)
    }

    /// The `{"error": {...}}` body.
    pub fn body(&self) -> serde_json::Value {
        json!({"error": {
            "code": self.http.as_u16(),
            "message": self.message,
            "status": self.status,
            "details": [],
        }})
    }

    pub fn response(&self) -> Response<Bytes> {
        let mut response = Response::builder()
            .status(self.http)
            .header("content-type", "application/json; charset=UTF-8");
        if self.http == StatusCode::UNAUTHORIZED {
            response = response.header(
                "www-authenticate",
                "Bearer realm=\"https://accounts.google.com/\"",
            );
        }
        response
            .body(Bytes::from(self.body().to_string()))
            .expect("a JSON error response")
    }
}

/// google.rpc.Code numbers, as an Operation's `error.code` carries them.
pub fn rpc_code(status: &str) -> i32 {
    match status {
        "OK" => 0,
        "CANCELLED" => 1,
        "UNKNOWN" => 2,
        "INVALID_ARGUMENT" => 3,
        "DEADLINE_EXCEEDED" => 4,
        "NOT_FOUND" => 5,
        "ALREADY_EXISTS" => 6,
        "PERMISSION_DENIED" => 7,
        "RESOURCE_EXHAUSTED" => 8,
        "FAILED_PRECONDITION" => 9,
        "ABORTED" => 10,
        "OUT_OF_RANGE" => 11,
        "UNIMPLEMENTED" => 12,
        "INTERNAL" => 13,
        "UNAVAILABLE" => 14,
        "DATA_LOSS" => 15,
        "UNAUTHENTICATED" => 16,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_the_status_string_the_clients_read() {
        let error = ApiError::aborted("There were concurrent policy changes.");
        assert_eq!(error.http, StatusCode::CONFLICT);
        assert_eq!(error.body()["error"]["status"], "ABORTED");
        assert_eq!(error.body()["error"]["code"], 409);
        assert_eq!(error.code(), 10);
        assert_eq!(
            ApiError::server_error(StatusCode::SERVICE_UNAVAILABLE).status,
            "UNAVAILABLE"
        );
    }
}
