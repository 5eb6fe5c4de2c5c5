//! Errors from cloud APIs, in a shape resources can turn into diagnostics.

use std::time::Duration;

/// What went wrong talking to a cloud.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CloudError {
    /// The object does not exist (read turns this into "gone").
    #[error("{what} not found: {message}")]
    NotFound { what: String, message: String },
    /// The service refused the request; `code` and `message` quote the service.
    #[error("{service} {operation} failed: {code}: {message}")]
    Api {
        service: &'static str,
        operation: &'static str,
        code: String,
        message: String,
    },
    /// A waiter gave up; says what it waited for and the last state seen.
    #[error("timed out after {after:?} waiting for {what} (last state: {last_state})")]
    Timeout {
        what: String,
        after: Duration,
        last_state: String,
    },
    /// An object reached a state it will not recover from (e.g. CREATE_FAILED).
    #[error("{what} reached {state}: {detail}")]
    FailedState {
        what: String,
        state: String,
        detail: String,
    },
    /// Terraform asked the provider to stop.
    #[error("cancelled while {0}")]
    Cancelled(String),
    /// Bad input found only when talking to the cloud (e.g. an id that is not an ARN).
    #[error("{0}")]
    Invalid(String),
    /// Credentials, endpoints or the network.
    #[error("{0}")]
    Transport(String),
}

impl CloudError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, CloudError::NotFound { .. })
    }
}

/// A create that made something in the cloud and then failed: `created` is what exists
/// (it must reach Terraform's state so nothing is lost), `error` what went wrong.
#[derive(Debug, Clone)]
pub struct PartialFailure<S> {
    pub created: Option<S>,
    pub error: CloudError,
}

impl<S> From<CloudError> for PartialFailure<S> {
    fn from(error: CloudError) -> Self {
        PartialFailure {
            created: None,
            error,
        }
    }
}

/// Result of a create or update that may leave something behind on failure.
pub type Outcome<S> = Result<S, PartialFailure<S>>;
