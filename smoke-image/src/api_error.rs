//! Every failed request is answered with a status code and the protocol's error body,
//! `{"error": "<message>"}`, never an empty or HTML page and never a panic.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use thiserror::Error;

use crate::oip::TensorError;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("model '{requested}' is not served here; this server serves '{served}'")]
    UnknownModel { requested: String, served: String },
    #[error("model '{model}' has no version '{requested}'; available: '{available}'")]
    UnknownVersion {
        model: String,
        requested: String,
        available: String,
    },
    #[error("request body is not a valid inference request: {0}")]
    InvalidJson(String),
    #[error(transparent)]
    InvalidTensor(#[from] TensorError),
    #[error("request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("could not read the request body: {0}")]
    UnreadableBody(String),
    #[error("no route for {method} {path}")]
    NoRoute { method: String, path: String },
    #[error("method {method} is not allowed on {path}")]
    MethodNotAllowed { method: String, path: String },
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::UnknownModel { .. }
            | ApiError::UnknownVersion { .. }
            | ApiError::NoRoute { .. } => StatusCode::NOT_FOUND,
            ApiError::InvalidJson(_) | ApiError::InvalidTensor(_) | ApiError::UnreadableBody(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    /// Maps axum's body-reading failure; `limit` is the configured body limit, which the
    /// rejection itself does not carry.
    pub fn from_body_rejection(rejection: BytesRejection, limit: usize) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit }
        } else {
            ApiError::UnreadableBody(rejection.body_text())
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), Json(json!({ "error": self.to_string() }))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_mistakes_are_4xx() {
        let errors = [
            ApiError::UnknownModel {
                requested: "a".into(),
                served: "b".into(),
            },
            ApiError::InvalidJson("eof".into()),
            ApiError::InvalidTensor(TensorError::NoInputs),
            ApiError::PayloadTooLarge { limit: 10 },
            ApiError::MethodNotAllowed {
                method: "PUT".into(),
                path: "/v2".into(),
            },
        ];
        let statuses: Vec<u16> = errors.iter().map(|e| e.status().as_u16()).collect();
        assert_eq!(statuses, [404, 400, 400, 413, 405]);
    }
}
