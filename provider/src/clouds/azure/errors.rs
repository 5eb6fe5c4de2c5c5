//! ARM error bodies (`{"error": {"code", "message", ...}}`) → the shared [`CloudError`]
//! set, so the waiter and resources act on the kind of failure, and the user sees ARM's
//! own code and message.

use crate::clouds::CloudError;
use serde::Deserialize;
use std::time::Duration;

/// The ARM error envelope. Some services (Key Vault's data plane, Entra) use the same
/// `error` object; anything else is quoted as the message.
#[derive(Debug, Deserialize)]
struct Envelope {
    error: Option<Body>,
}

#[derive(Debug, Deserialize)]
struct Body {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Vec<Body>,
}

/// Codes that mean the object (or its parent) does not exist.
const NOT_FOUND_CODES: &[&str] = &[
    "ResourceNotFound",
    "ResourceGroupNotFound",
    "ParentResourceNotFound",
    "NotFound",
    "KeyNotFound",
    "VaultNotFound",
    "RoleAssignmentNotFound",
];

/// The failed call, for messages: `service` is the resource provider
/// (`Microsoft.KeyVault`), `operation` the verb (`PUT`).
#[derive(Debug, Clone, Copy)]
pub struct Call {
    pub service: &'static str,
    pub operation: &'static str,
}

/// Decodes a non-success response into a typed error.
pub fn decode(call: Call, status: u16, retry_after: Option<Duration>, body: &[u8]) -> CloudError {
    let (code, message) = match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope { error: Some(b) }) => {
            let mut message = b.message;
            // ARM nests the real reason in `details` for validation failures.
            for d in b.details.iter().filter(|d| !d.message.is_empty()) {
                message.push_str(&format!(" ({}: {})", d.code, d.message));
            }
            (b.code, message)
        }
        _ => (
            format!("HTTP{status}"),
            String::from_utf8_lossy(body).chars().take(500).collect(),
        ),
    };
    let Call { service, operation } = call;
    if status == 404 || NOT_FOUND_CODES.contains(&code.as_str()) {
        return CloudError::NotFound {
            what: service.to_string(),
            message: format!("{code}: {message}"),
        };
    }
    match status {
        429 => CloudError::Throttled {
            service,
            operation,
            code,
            message,
            retry_after,
        },
        401 | 403 => CloudError::PermissionDenied {
            service,
            operation,
            code,
            message,
        },
        409 if code.ends_with("Exists") || code == "Conflict" && message.contains("already") => {
            CloudError::AlreadyExists {
                service,
                operation,
                code,
                message,
            }
        }
        409 | 412 => CloudError::Conflict {
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

/// `Retry-After` in seconds (ARM never sends the HTTP-date form).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUT: Call = Call {
        service: "Microsoft.ManagedIdentity",
        operation: "PUT",
    };

    fn body(code: &str, message: &str) -> Vec<u8> {
        serde_json::json!({"error": {"code": code, "message": message, "target": null, "details": []}})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn not_found_codes_and_404_read_as_gone() {
        let e = decode(
            PUT,
            404,
            None,
            &body(
                "ResourceGroupNotFound",
                "Resource group 'rg' could not be found.",
            ),
        );
        assert!(e.is_not_found(), "{e:?}");
        assert!(e.to_string().contains("ResourceGroupNotFound"));
        // A 400 that names a missing parent is still not-found.
        assert!(decode(PUT, 400, None, &body("ParentResourceNotFound", "x")).is_not_found());
    }

    #[test]
    fn throttling_carries_retry_after() {
        let e = decode(
            PUT,
            429,
            Some(Duration::from_secs(7)),
            &body("TooManyRequests", "slow down"),
        );
        assert!(e.is_throttled());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    }

    #[test]
    fn conflicts_keep_the_code_users_see() {
        let e = decode(
            PUT,
            409,
            None,
            &body(
                "RoleAssignmentExists",
                "The role assignment already exists.",
            ),
        );
        assert!(matches!(e, CloudError::AlreadyExists { .. }), "{e:?}");
        assert!(e.has_code("RoleAssignmentExists"));
        let e = decode(
            PUT,
            409,
            None,
            &body(
                "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
                "Too many",
            ),
        );
        assert!(matches!(e, CloudError::Conflict { .. }), "{e:?}");
        assert!(
            e.to_string()
                .contains("ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity")
        );
    }

    #[test]
    fn details_and_non_json_bodies_reach_the_message() {
        let nested = serde_json::json!({"error": {"code": "InvalidTemplateDeployment", "message": "failed",
            "details": [{"code": "InvalidParameter", "message": "agentPoolProfile.name is invalid"}]}});
        let e = decode(PUT, 400, None, nested.to_string().as_bytes());
        assert!(
            e.to_string()
                .contains("InvalidParameter: agentPoolProfile.name is invalid"),
            "{e}"
        );
        let e = decode(PUT, 502, None, b"<html>bad gateway</html>");
        assert!(e.has_code("HTTP502"));
        assert!(e.to_string().contains("bad gateway"));
    }

    #[test]
    fn retry_after_is_seconds() {
        assert_eq!(parse_retry_after(Some("3")), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(Some("soon")), None);
        assert_eq!(parse_retry_after(None), None);
    }
}
