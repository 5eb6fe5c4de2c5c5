//! Google API errors → the shared [`CloudError`] set. The official clients decode a
//! `google.rpc.Status` body; its code comes only from the `"status"` string (a body
//! without one reads as `UNKNOWN`), so the mapping goes by that code and falls back to
//! the HTTP status for bodies that carry none.

use crate::clouds::CloudError;
use google_cloud_gax::error::Error;
use google_cloud_gax::error::rpc::Code;

/// The Google service a call went to, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Container,
    CloudKms,
    Iam,
    ResourceManager,
    Storage,
    Compute,
}

impl Service {
    pub const fn as_str(self) -> &'static str {
        match self {
            Service::Container => "GKE",
            Service::CloudKms => "Cloud KMS",
            Service::Iam => "IAM",
            Service::ResourceManager => "Resource Manager",
            Service::Storage => "Cloud Storage",
            Service::Compute => "Compute Engine",
        }
    }
}

/// What a refusal looked like on the wire: the `google.rpc.Status` code name (e.g.
/// `NOT_FOUND`), the HTTP status and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: String,
    pub http_status: Option<u16>,
    pub message: String,
}

impl Refusal {
    fn of(error: &Error) -> Option<Refusal> {
        if let Some(status) = error.status() {
            let code = if status.code == Code::Unknown {
                // No `status` string: name the HTTP status the way Google does.
                error
                    .http_status_code()
                    .and_then(code_for_http)
                    .unwrap_or(Code::Unknown)
            } else {
                status.code
            };
            return Some(Refusal {
                code: code.name().to_string(),
                http_status: error.http_status_code(),
                message: status.message.clone(),
            });
        }
        let http = error.http_status_code()?;
        Some(Refusal {
            code: code_for_http(http)
                .unwrap_or(Code::Unknown)
                .name()
                .to_string(),
            http_status: Some(http),
            message: error.to_string(),
        })
    }
}

/// The canonical code Google's HTTP mapping gives a status without a body.
fn code_for_http(http: u16) -> Option<Code> {
    Some(match http {
        400 => Code::InvalidArgument,
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 => Code::NotFound,
        409 => Code::Aborted,
        412 => Code::FailedPrecondition,
        429 => Code::ResourceExhausted,
        500 => Code::Internal,
        501 => Code::Unimplemented,
        503 => Code::Unavailable,
        504 => Code::DeadlineExceeded,
        _ => return None,
    })
}

/// One failed call as a [`CloudError`]; `what` names the object for not-found.
pub fn cloud_error(
    service: Service,
    operation: &'static str,
    what: &str,
    error: &Error,
) -> CloudError {
    if error.is_authentication() {
        // The credentials could not produce a token: no retry will fix that.
        return CloudError::PermissionDenied {
            service: service.as_str(),
            operation,
            code: "UNAUTHENTICATED".into(),
            message: format!("cannot get credentials: {}", chain(error)),
        };
    }
    let Some(refusal) = Refusal::of(error) else {
        // No response from the service: credentials, the network, or a body that
        // is not a Google error. The source chain says which.
        return CloudError::Transport(format!(
            "{} {operation}: {}",
            service.as_str(),
            chain(error)
        ));
    };
    from_refusal(service.as_str(), operation, what, refusal)
}

/// A refusal by its code name (also used for a failed GKE operation's `error`).
pub fn from_refusal(
    service: &'static str,
    operation: &'static str,
    what: &str,
    refusal: Refusal,
) -> CloudError {
    let Refusal { code, message, .. } = refusal;
    match code.as_str() {
        "NOT_FOUND" => CloudError::NotFound {
            what: what.to_string(),
            message,
        },
        "ALREADY_EXISTS" => CloudError::AlreadyExists {
            service,
            operation,
            code,
            message,
        },
        "PERMISSION_DENIED" | "UNAUTHENTICATED" => CloudError::PermissionDenied {
            service,
            operation,
            code,
            message,
        },
        "RESOURCE_EXHAUSTED" => CloudError::Throttled {
            service,
            operation,
            code,
            message,
            retry_after: None,
        },
        // ABORTED: a stale etag or a concurrent change; FAILED_PRECONDITION on GKE:
        // another operation is running on the cluster.
        "ABORTED" | "FAILED_PRECONDITION" => CloudError::Conflict {
            service,
            operation,
            code,
            message,
        },
        _ => CloudError::Api {
            service,
            operation,
            code,
            message,
        },
    }
}

/// An error and its sources, for transport failures whose cause is nested.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// `Ok(None)` for a not-found, so a read can report the object gone.
pub fn found<T>(result: Result<T, CloudError>) -> Result<Option<T>, CloudError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// A delete of something already gone succeeded.
pub fn gone_is_ok(result: Result<(), CloudError>) -> Result<(), CloudError> {
    match result {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}

/// Maps a client call's error in place: `.map_err(err(service, "op", &what))`.
pub fn err<'a>(
    service: Service,
    operation: &'static str,
    what: &'a str,
) -> impl Fn(Error) -> CloudError + 'a {
    move |e| cloud_error(service, operation, what, &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(code: &str, message: &str) -> Refusal {
        Refusal {
            code: code.into(),
            http_status: None,
            message: message.into(),
        }
    }

    #[test]
    fn maps_each_status_to_its_kind_of_failure() {
        let map = |code| from_refusal("IAM", "create", "service account x", refusal(code, "m"));
        assert!(map("NOT_FOUND").is_not_found());
        assert!(matches!(
            map("ALREADY_EXISTS"),
            CloudError::AlreadyExists { .. }
        ));
        assert!(matches!(
            map("PERMISSION_DENIED"),
            CloudError::PermissionDenied { .. }
        ));
        assert!(map("RESOURCE_EXHAUSTED").is_throttled());
        assert!(matches!(map("ABORTED"), CloudError::Conflict { .. }));
        assert!(matches!(
            map("FAILED_PRECONDITION"),
            CloudError::Conflict { .. }
        ));
        let other = map("INVALID_ARGUMENT");
        assert!(other.has_code("INVALID_ARGUMENT"));
        assert_eq!(
            other.to_string(),
            "IAM create failed: INVALID_ARGUMENT: m",
            "the user sees the status and the message"
        );
    }

    #[test]
    fn credentials_that_yield_no_token_are_a_denial_not_a_transport_error() {
        let e = Error::authentication(google_cloud_gax::error::CredentialsError::from_msg(
            false, "no key",
        ));
        let mapped = cloud_error(Service::Iam, "GetServiceAccount", "x", &e);
        assert!(
            matches!(mapped, CloudError::PermissionDenied { .. }),
            "{mapped}"
        );
        assert!(mapped.to_string().contains("no key"), "{mapped}");
        let status = google_cloud_gax::error::rpc::Status::default()
            .set_code(Code::NotFound)
            .set_message("gone");
        assert!(cloud_error(Service::Iam, "Get", "x", &Error::service(status)).is_not_found());
    }

    #[test]
    fn an_http_status_without_a_body_code_gets_googles_name() {
        assert_eq!(code_for_http(404), Some(Code::NotFound));
        assert_eq!(code_for_http(409), Some(Code::Aborted));
        assert_eq!(code_for_http(429), Some(Code::ResourceExhausted));
        assert_eq!(code_for_http(418), None);
    }

    #[test]
    fn gone_reads_as_none_and_deletes_of_gone_objects_succeed() {
        let missing = || {
            Err::<(), _>(CloudError::NotFound {
                what: "key".into(),
                message: "m".into(),
            })
        };
        assert_eq!(found(missing()), Ok(None));
        assert_eq!(gone_is_ok(missing()), Ok(()));
    }
}
