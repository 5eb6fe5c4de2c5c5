//! IAM and KMS are eventually consistent: a role or key created moments ago may be
//! unknown to EKS for a while. Creates that name them retry through that window.

use crate::clouds::CloudError;
use crate::clouds::wait::{Backoff, Deadline, retry_transient};

/// How long a role or key created moments ago may be unknown to EKS: IAM and KMS are
/// eventually consistent, and EKS answers `InvalidParameterException` meanwhile.
const PROPAGATION_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

fn is_propagation_delay(error: &CloudError) -> bool {
    matches!(error, CloudError::Api { code, message, .. }
        if code == "InvalidParameterException"
            && ["role", "Role", "KMS", "key"].iter().any(|w| message.contains(w)))
}

/// Runs an EKS create, retrying while IAM or KMS have not caught up.
pub async fn retry_while_propagating<T, F, Fut>(
    what: &str,
    backoff: &Backoff,
    deadline: &Deadline,
    call: F,
) -> Result<T, CloudError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, CloudError>>,
{
    retry_transient(
        what,
        backoff,
        deadline,
        PROPAGATION_LIMIT,
        is_propagation_delay,
        call,
    )
    .await
}
