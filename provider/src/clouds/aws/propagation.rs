//! IAM and KMS are eventually consistent: a role or key created moments ago may be
//! unknown to EKS for a while. Creates that name them retry through that window, and
//! only through that window: any other `InvalidParameterException` (a bad subnet, a
//! version EKS does not offer, a key in the wrong region) fails at once.

use crate::clouds::CloudError;
use crate::clouds::wait::{Backoff, Deadline, retry_transient};

/// How long a role or key created moments ago may be unknown to EKS: IAM and KMS are
/// eventually consistent, and EKS answers `InvalidParameterException` meanwhile.
const PROPAGATION_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// How long an object made moments ago may be invisible to the same service's other
/// calls (KMS and IAM are eventually consistent; terraform-provider-aws allows two
/// minutes for both).
pub const READ_AFTER_WRITE_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// What EKS says while a new role or key has not reached it, as terraform-provider-aws
/// matches them around CreateCluster (the messages are EKS's own), e.g.
/// "Role with arn: arn:aws:iam::…:role/x could not be assumed because it does not
/// exist or the trusted entity is not correct", "roleArn, arn:…, does not exist",
/// "KMS key arn:… does not exist".
const NOT_YET_USABLE: &[&str] = &[
    "does not exist",
    "Error in role params",
    "could not be assumed because the trusted entity is not correct",
    "The provided role doesn't have the Amazon EKS Managed Policies associated with it",
    "IAM role's policy must include",
];

fn is_propagation_delay(error: &CloudError) -> bool {
    matches!(error, CloudError::Api { code, message, .. }
        if code == "InvalidParameterException"
            && NOT_YET_USABLE.iter().any(|m| message.contains(m)))
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

/// `read` again while it finds nothing (`Ok(None)` or not found), for at most
/// [`READ_AFTER_WRITE_LIMIT`]: right after a create, the object may not be visible to
/// every call yet.
pub async fn read_after_write<T, F, Fut>(
    what: &str,
    (backoff, deadline): (&Backoff, &Deadline),
    mut read: F,
) -> Result<T, CloudError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, CloudError>>,
{
    retry_transient(
        what,
        backoff,
        deadline,
        READ_AFTER_WRITE_LIMIT,
        CloudError::is_not_found,
        || {
            let read = read();
            async move {
                read.await?.ok_or_else(|| CloudError::NotFound {
                    what: what.to_string(),
                    message: "not visible yet after it was created".into(),
                })
            }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eks(code: &str, message: &str) -> CloudError {
        CloudError::Api {
            service: "EKS",
            operation: "CreateCluster",
            code: code.into(),
            message: message.into(),
        }
    }

    #[test]
    fn only_role_and_key_propagation_is_retried() {
        for waiting in [
            "Role with arn: arn:aws:iam::123456789012:role/ml-cluster could not be assumed \
             because it does not exist or the trusted entity is not correct",
            "roleArn, arn:aws:iam::123456789012:role/ml-cluster, does not exist",
            "Error in role params",
            "Role could not be assumed because the trusted entity is not correct",
            "The provided role doesn't have the Amazon EKS Managed Policies associated with it. \
             Please ensure the following policy is attached: \
             arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            "KMS key arn:aws:kms:us-east-1:123456789012:key/1234 does not exist",
        ] {
            assert!(
                is_propagation_delay(&eks("InvalidParameterException", waiting)),
                "{waiting}"
            );
        }
        for refusal in [
            // Mentions a key and a role, but time will not fix it.
            "The keyArn must be in the same region as the cluster",
            "Key usage must be ENCRYPT_DECRYPT for the provided key",
            "Unsupported Kubernetes version 1.10",
            "Subnets specified must be in at least two different AZs",
            "The role arn is not valid",
        ] {
            assert!(
                !is_propagation_delay(&eks("InvalidParameterException", refusal)),
                "{refusal}"
            );
        }
        assert!(!is_propagation_delay(&eks(
            "ResourceInUseException",
            "Cluster already exists with name: ml; role does not exist"
        )));
    }
}
