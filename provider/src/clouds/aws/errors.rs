//! SDK errors → [`CloudError`], quoting the service's own code and message, with one
//! not-found predicate per service so `find_*` functions can tell "gone" from "broken".

use crate::clouds::CloudError;
use aws_sdk_eks::config::http::HttpResponse;
use aws_sdk_eks::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

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

/// The code an endpoint gets when it answers 404 without an AWS error code: the
/// operation does not exist there (moto lacks e.g. `UpdateClusterVersion`).
pub const UNSUPPORTED_OPERATION: &str = "UnsupportedOperation";

pub fn is_throttling(error: &CloudError) -> bool {
    matches!(error, CloudError::Api { code, .. } if THROTTLING_CODES.contains(&code.as_str()))
}

pub fn is_unsupported_operation(error: &CloudError) -> bool {
    matches!(error, CloudError::Api { code, .. } if code == UNSUPPORTED_OPERATION)
}

/// True when the service refused with `code`.
pub fn has_code(error: &CloudError, wanted: &str) -> bool {
    matches!(error, CloudError::Api { code, .. } if code == wanted)
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
    match &error {
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
            match (error.code(), error.message()) {
                (Some(code), message) if service.is_not_found(code) => CloudError::NotFound {
                    what: what.to_string(),
                    message: message.unwrap_or(code).to_string(),
                },
                (Some(code), message) => CloudError::Api {
                    service: service.name(),
                    operation,
                    code: code.to_string(),
                    message: message
                        .unwrap_or("(the service gave no message)")
                        .to_string(),
                },
                (None, _) if status == Some(404) => CloudError::Api {
                    service: service.name(),
                    operation,
                    code: UNSUPPORTED_OPERATION.into(),
                    message: format!(
                        "the {} endpoint answered HTTP 404 without an AWS error code: it does not \
                         support {operation} (local emulators such as moto lack some operations)",
                        service.name()
                    ),
                },
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
        self.map_err(|e| from_sdk(service, operation, what, e))
    }

    fn or_api(self, service: Service, operation: &'static str) -> Result<T, CloudError> {
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
    fn throttling_and_unsupported_are_recognised_by_code() {
        let api = |code: &str| CloudError::Api {
            service: "EKS",
            operation: "DescribeCluster",
            code: code.into(),
            message: String::new(),
        };
        assert!(is_throttling(&api("ThrottlingException")));
        assert!(!is_throttling(&api("ResourceInUseException")));
        assert!(is_unsupported_operation(&api(UNSUPPORTED_OPERATION)));
        assert!(!is_unsupported_operation(&api("ThrottlingException")));
    }
}
