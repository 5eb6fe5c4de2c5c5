//! SDK errors → [`CloudError`], quoting the service's own code and message, with one
//! not-found predicate per service so `find_*` functions can tell "gone" from "broken".

use crate::clouds::CloudError;
use aws_sdk_eks::config::http::HttpResponse;
use aws_sdk_eks::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::time::Duration;

/// The AWS services the backend calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Eks,
    Kms,
    Iam,
    Sts,
    Ec2,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Eks => "EKS",
            Service::Kms => "KMS",
            Service::Iam => "IAM",
            Service::Sts => "STS",
            Service::Ec2 => "EC2",
        }
    }

    /// The error codes with which this service says "no such object".
    pub fn is_not_found(self, code: &str) -> bool {
        match self {
            Service::Eks => code == "ResourceNotFoundException",
            Service::Kms => code == "NotFoundException",
            Service::Iam => code == "NoSuchEntity" || code == "NoSuchEntityException",
            Service::Sts => false,
            Service::Ec2 => {
                code.ends_with(".NotFound")
                    || code.ends_with(".NotFoundException")
                    || code == "InvalidLaunchTemplateId.Malformed"
            }
        }
    }
}

/// Error codes AWS services use for throttling (the SDK retries these itself first).
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
];

/// Codes that mean the caller may not do this.
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
];

/// Codes that mean the name is taken.
const EXISTS_CODES: &[&str] = &[
    "EntityAlreadyExists",
    "AlreadyExistsException",
    "ResourceInUseException",
    "InvalidLaunchTemplateName.AlreadyExistsException",
];

/// Codes that mean the object is busy with another change.
const CONFLICT_CODES: &[&str] = &[
    "ConflictException",
    "ConcurrentModification",
    "ConcurrentModificationException",
    "ResourceLimitExceeded",
];

/// The code an endpoint gets when it answers 404 without an AWS error code: the
/// endpoint does not implement the operation.
pub const UNSUPPORTED_OPERATION: &str = "UnsupportedOperation";

/// A service refusal sorted into the shared error set by its code.
fn classify(
    service: Service,
    operation: &'static str,
    code: String,
    message: String,
    retry_after: Option<Duration>,
) -> CloudError {
    let service = service.name();
    let code_is = |codes: &[&str]| codes.contains(&code.as_str());
    if code_is(THROTTLING_CODES) {
        CloudError::Throttled {
            service,
            operation,
            code,
            message,
            retry_after,
        }
    } else if code_is(DENIED_CODES) {
        CloudError::PermissionDenied {
            service,
            operation,
            code,
            message,
        }
    } else if code_is(EXISTS_CODES) {
        CloudError::AlreadyExists {
            service,
            operation,
            code,
            message,
        }
    } else if code_is(CONFLICT_CODES) {
        CloudError::Conflict {
            service,
            operation,
            code,
            message,
        }
    } else {
        CloudError::Api {
            service,
            operation,
            code,
            message,
        }
    }
}

/// `Retry-After` in seconds, when the response carries one.
fn retry_after(response: Option<&HttpResponse>) -> Option<Duration> {
    response?
        .headers()
        .get("retry-after")?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Converts one SDK error. `what` names the object for a not-found error
/// (e.g. `EKS cluster "ml-main"`).
pub fn from_sdk<E>(
    service: Service,
    operation: &'static str,
    what: &str,
    error: SdkError<E, HttpResponse>,
) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = error.raw_response().map(|r| r.status().as_u16());
    let wait = retry_after(error.raw_response());
    match &error {
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
            match (error.code(), error.message()) {
                (Some(code), message) if service.is_not_found(code) => CloudError::NotFound {
                    what: what.to_string(),
                    message: message.unwrap_or(code).to_string(),
                },
                (Some(code), message) => classify(
                    service,
                    operation,
                    code.to_string(),
                    message
                        .unwrap_or("(the service gave no message)")
                        .to_string(),
                    wait,
                ),
                (None, _) if status == Some(404) => CloudError::Api {
                    service: service.name(),
                    operation,
                    code: UNSUPPORTED_OPERATION.into(),
                    message: format!(
                        "the {} endpoint answered HTTP 404 without an AWS error code: it does not \
                         support {operation}; check the endpoint override",
                        service.name()
                    ),
                },
                (None, _) if status == Some(429) => classify(
                    service,
                    operation,
                    "TooManyRequestsException".into(),
                    DisplayErrorContext(&error).to_string(),
                    wait,
                ),
                (None, _) => CloudError::Api {
                    service: service.name(),
                    operation,
                    code: status.map_or_else(|| "Unknown".into(), |s| format!("HTTP {s}")),
                    message: DisplayErrorContext(&error).to_string(),
                },
            }
        }
        _ => CloudError::Transport(format!(
            "{} {operation}: {}",
            service.name(),
            DisplayErrorContext(&error)
        )),
    }
}

/// A trace line per AWS call: which call and how it ended (the service's error code),
/// never the request or response, which may carry credentials (the SDK's own lines
/// that would show them are capped at warn, see `SDK_LOG_TARGETS`).
fn trace_call<T, E: ProvideErrorMetadata>(
    service: Service,
    operation: &'static str,
    result: &Result<T, SdkError<E, HttpResponse>>,
) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(e) => e.code().unwrap_or("error"),
    };
    tracing::trace!(service = service.name(), operation, outcome, "AWS call");
}

/// `.or_cloud(service, operation, what)` on an SDK call's result.
pub trait SdkResultExt<T> {
    fn or_cloud(
        self,
        service: Service,
        operation: &'static str,
        what: &str,
    ) -> Result<T, CloudError>;

    /// For calls on an object known to exist (e.g. tagging it): a "not found" is the
    /// service refusing the call, kept as an API error with its code.
    fn or_api(self, service: Service, operation: &'static str) -> Result<T, CloudError>;
}

impl<T, E> SdkResultExt<T> for Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    fn or_cloud(
        self,
        service: Service,
        operation: &'static str,
        what: &str,
    ) -> Result<T, CloudError> {
        trace_call(service, operation, &self);
        self.map_err(|e| from_sdk(service, operation, what, e))
    }

    fn or_api(self, service: Service, operation: &'static str) -> Result<T, CloudError> {
        trace_call(service, operation, &self);
        self.map_err(|e| {
            let code = e.code().map(str::to_string);
            match from_sdk(service, operation, "", e) {
                CloudError::NotFound { message, .. } => CloudError::Api {
                    service: service.name(),
                    operation,
                    code: code.unwrap_or_default(),
                    message,
                },
                other => other,
            }
        })
    }
}

/// Codes of a server-side failure: the request may or may not have been applied.
const SERVER_FAULT_CODES: &[&str] = &[
    "ServerException",
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

/// Whether a write may have happened although it failed: no answer (the connection
/// dropped, the operation timed out, we were stopped) or a server fault. A clear 4xx
/// refusal means it did not.
pub fn outcome_unknown(error: &CloudError) -> bool {
    match error {
        CloudError::Transport(_) | CloudError::Timeout { .. } | CloudError::Cancelled(_) => true,
        CloudError::Api { code, .. } => {
            SERVER_FAULT_CODES.contains(&code.as_str()) || code.starts_with("HTTP 5")
        }
        _ => false,
    }
}

/// A find's "not found" as `None`.
pub fn found<T>(result: Result<T, CloudError>) -> Result<Option<T>, CloudError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// A delete of something already gone is a success.
pub fn gone_is_ok(result: Result<(), CloudError>) -> Result<(), CloudError> {
    match result {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_codes_are_per_service() {
        assert!(Service::Eks.is_not_found("ResourceNotFoundException"));
        assert!(!Service::Eks.is_not_found("NotFoundException"));
        assert!(Service::Kms.is_not_found("NotFoundException"));
        assert!(Service::Iam.is_not_found("NoSuchEntity"));
        assert!(Service::Ec2.is_not_found("InvalidLaunchTemplateId.NotFound"));
        assert!(Service::Ec2.is_not_found("InvalidLaunchTemplateName.NotFoundException"));
        assert!(!Service::Ec2.is_not_found("InvalidParameterValue"));
    }

    #[test]
    fn refusals_are_sorted_by_code() {
        let sorted = |code: &str| {
            classify(
                Service::Eks,
                "DescribeCluster",
                code.into(),
                String::new(),
                Some(Duration::from_secs(3)),
            )
        };
        let throttled = sorted("ThrottlingException");
        assert!(throttled.is_throttled());
        assert_eq!(throttled.retry_after(), Some(Duration::from_secs(3)));
        assert!(matches!(
            sorted("AccessDeniedException"),
            CloudError::PermissionDenied { .. }
        ));
        assert!(matches!(
            sorted("EntityAlreadyExists"),
            CloudError::AlreadyExists { .. }
        ));
        assert!(matches!(
            sorted("ConcurrentModificationException"),
            CloudError::Conflict { .. }
        ));
        let other = sorted("InvalidParameterException");
        assert!(matches!(other, CloudError::Api { .. }));
        assert!(other.has_code("InvalidParameterException"));
        assert!(sorted("EntityAlreadyExists").has_code("EntityAlreadyExists"));
    }
}
