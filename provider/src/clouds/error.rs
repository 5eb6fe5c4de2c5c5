//! Errors from cloud APIs, in one typed set every backend maps its service's errors
//! into, so the shared plumbing (waiter, retries) and the resources can act on the
//! kind of failure without knowing the cloud.

use std::time::Duration;
use tfplug::AttributePath;

/// What went wrong talking to a cloud.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CloudError {
    /// The object does not exist (read turns this into "gone").
    #[error("{what} not found: {message}")]
    NotFound { what: String, message: String },
    /// A create found the name taken.
    #[error("{service} {operation} failed: {code}: {message}")]
    AlreadyExists {
        service: &'static str,
        operation: &'static str,
        code: String,
        message: String,
    },
    /// The caller's credentials may not do this.
    #[error("{service} {operation} was denied: {code}: {message}")]
    PermissionDenied {
        service: &'static str,
        operation: &'static str,
        code: String,
        message: String,
    },
    /// The service asked us to slow down, possibly saying for how long.
    #[error("{service} {operation} was throttled: {code}: {message}")]
    Throttled {
        service: &'static str,
        operation: &'static str,
        code: String,
        message: String,
        retry_after: Option<Duration>,
    },
    /// The object is busy with another change (an update in progress, a stale etag).
    #[error("{service} {operation} conflicted: {code}: {message}")]
    Conflict {
        service: &'static str,
        operation: &'static str,
        code: String,
        message: String,
    },
    /// The name is taken by an object this create did not make (another state's, or
    /// made by hand): never adopted, since destroying either state would delete the
    /// other's object. `import` is the `terraform import` arguments that would take
    /// it over.
    #[error(
        "{what} already exists ({existing}); import it with `terraform import {import}` or choose another name"
    )]
    Taken {
        what: String,
        existing: String,
        import: String,
    },
    /// Any other refusal; `code` and `message` quote the service.
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
    /// Bad input that belongs to one attribute of the configuration.
    #[error("{message}")]
    InvalidAttribute {
        path: AttributePath,
        message: String,
    },
    /// Credentials, endpoints or the network.
    #[error("{0}")]
    Transport(String),
}

impl CloudError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, CloudError::NotFound { .. })
    }

    pub fn is_throttled(&self) -> bool {
        matches!(self, CloudError::Throttled { .. })
    }

    /// How long the service asked us to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            CloudError::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The service's own error code, for refusals that carry one.
    pub fn code(&self) -> Option<&str> {
        match self {
            CloudError::AlreadyExists { code, .. }
            | CloudError::PermissionDenied { code, .. }
            | CloudError::Throttled { code, .. }
            | CloudError::Conflict { code, .. }
            | CloudError::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// True when the service refused with `wanted` as its code.
    pub fn has_code(&self, wanted: &str) -> bool {
        self.code() == Some(wanted)
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
