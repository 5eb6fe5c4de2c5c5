//! AWS errors in each service's own wire shape, so the AWS SDK parses and classifies
//! them as it would the real service's: the error code decides whether it retries
//! (throttling codes), and 500/502/503/504 are transient whatever the body.
//!
//! - EKS, REST-JSON: the code in `x-amzn-ErrorType`, `{"message": ...}` in the body;
//! - KMS, awsJson1.1: `{"__type": CODE, "message": ...}`;
//! - IAM and STS, awsQuery: `<ErrorResponse><Error><Type>Sender</Type><Code>...`;
//! - EC2, ec2Query: `<Response><Errors><Error><Code>...</Code>...</Errors><RequestID>`.

use std::time::Duration;

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::json;

use super::ids;
use crate::part::NativeFault;

/// One error as a service reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl AwsError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// The fault's error for `service` (the credential scope's name), in its wire shape.
pub fn fault_error(service: Option<&str>, fault: NativeFault) -> (AwsError, Option<Duration>) {
    match fault {
        NativeFault::Throttled { retry_after } => {
            let (status, code, message) = match service {
                // EC2 answers throttling with 503 RequestLimitExceeded.
                Some("ec2") => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "RequestLimitExceeded",
                    "Request limit exceeded.",
                ),
                Some("iam" | "sts") => (StatusCode::BAD_REQUEST, "Throttling", "Rate exceeded"),
                Some("eks") => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "ThrottlingException",
                    "Rate exceeded",
                ),
                _ => (
                    StatusCode::BAD_REQUEST,
                    "ThrottlingException",
                    "Rate exceeded",
                ),
            };
            (AwsError::new(status, code, message), Some(retry_after))
        }
        NativeFault::ServerError { status } => {
            let unavailable = status == StatusCode::SERVICE_UNAVAILABLE;
            let code = match (service, unavailable) {
                (Some("eks"), false) => "ServerException",
                (Some("eks"), true) => "ServiceUnavailableException",
                (Some("kms"), false) => "KMSInternalException",
                (Some("iam"), false) => "ServiceFailure",
                (Some("ec2"), false) => "InternalError",
                (Some("ec2"), true) => "Unavailable",
                (_, true) => "ServiceUnavailable",
                (_, false) => "InternalFailure",
            };
            let message = if unavailable {
                "The service is unavailable. Please try again later."
            } else {
                "We encountered an internal error. Please try again."
            };
            (AwsError::new(status, code, message), None)
        }
    }
}

/// Renders `error` as `service` does; throttling carries `Retry-After` (seconds) and
/// `x-amz-retry-after` (milliseconds, which the AWS SDK's retry strategy reads).
pub fn render(
    service: Option<&str>,
    error: &AwsError,
    retry_after: Option<Duration>,
) -> Response<Bytes> {
    let request_id = ids::uuid();
    let (content_type, body) = match service {
        Some("iam" | "sts") => {
            let namespace = if service == Some("iam") {
                "https://iam.amazonaws.com/doc/2010-05-08/"
            } else {
                "https://sts.amazonaws.com/doc/2011-06-15/"
            };
            let kind = if error.status.is_server_error() {
                "Receiver"
            } else {
                "Sender"
            };
            (
                "text/xml",
                format!(
                    "<ErrorResponse xmlns=\"{namespace}\"><Error><Type>{kind}</Type><Code>{}</Code>\
                     <Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
                    xml_escape(&error.code),
                    xml_escape(&error.message)
                ),
            )
        }
        Some("ec2") => (
            "text/xml;charset=UTF-8",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{}</Code>\
                 <Message>{}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>",
                xml_escape(&error.code),
                xml_escape(&error.message)
            ),
        ),
        Some("eks") => (
            "application/json",
            json!({ "message": error.message }).to_string(),
        ),
        _ => (
            "application/x-amz-json-1.1",
            json!({ "__type": error.code, "message": error.message }).to_string(),
        ),
    };
    let mut response = Response::builder()
        .status(error.status)
        .header("content-type", content_type)
        .header("x-amzn-requestid", &request_id)
        .header("x-amz-request-id", &request_id);
    if service == Some("eks") {
        response = response.header("x-amzn-errortype", &error.code);
    }
    if let Some(after) = retry_after {
        response = response
            .header("retry-after", after.as_secs().max(1).to_string())
            .header("x-amz-retry-after", after.as_millis().to_string());
    }
    response
        .body(Bytes::from(body))
        .expect("an error response from valid parts")
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttled(service: &str) -> Response<Bytes> {
        let (error, after) = fault_error(
            Some(service),
            NativeFault::Throttled {
                retry_after: Duration::from_secs(2),
            },
        );
        render(Some(service), &error, after)
    }

    fn body(response: &Response<Bytes>) -> String {
        String::from_utf8(response.body().to_vec()).unwrap()
    }

    #[test]
    fn throttling_in_each_services_shape() {
        let eks = throttled("eks");
        assert_eq!(eks.status(), 429);
        assert_eq!(eks.headers()["x-amzn-errortype"], "ThrottlingException");
        assert_eq!(eks.headers()["retry-after"], "2");
        assert_eq!(eks.headers()["x-amz-retry-after"], "2000");
        assert_eq!(body(&eks), r#"{"message":"Rate exceeded"}"#);

        let kms = throttled("kms");
        let parsed: serde_json::Value = serde_json::from_str(&body(&kms)).unwrap();
        assert_eq!(parsed["__type"], "ThrottlingException");

        let iam = body(&throttled("iam"));
        assert!(
            iam.contains("<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"),
            "{iam}"
        );
        assert!(iam.contains("<RequestId>"), "{iam}");

        let ec2 = throttled("ec2");
        assert_eq!(ec2.status(), 503);
        assert!(
            body(&ec2).contains("<Response><Errors><Error><Code>RequestLimitExceeded</Code>"),
            "{}",
            body(&ec2)
        );
    }

    #[test]
    fn server_errors_keep_their_status() {
        let (error, after) = fault_error(
            Some("eks"),
            NativeFault::ServerError {
                status: StatusCode::SERVICE_UNAVAILABLE,
            },
        );
        assert_eq!(after, None);
        let response = render(Some("eks"), &error, after);
        assert_eq!(response.status(), 503);
        assert_eq!(
            response.headers()["x-amzn-errortype"],
            "ServiceUnavailableException"
        );
        let (error, _) = fault_error(
            Some("sts"),
            NativeFault::ServerError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
            },
        );
        assert_eq!(error.code, "InternalFailure");
        assert!(body(&render(Some("sts"), &error, None)).contains("<Type>Receiver</Type>"));
    }
}
