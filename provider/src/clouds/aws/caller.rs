//! The caller as a principal that EKS access entries can name. STS reports an
//! assumed role as its session (`arn:aws:sts::111122223333:assumed-role/Admin/alice`);
//! access entries take the role (`arn:aws:iam::111122223333:role/Admin`). A role's
//! path is not in the session ARN: a caller whose role has a path names it in
//! `admin_principals` itself.

use super::AwsBackend;
use crate::clouds::{Caller, CloudError};

/// The IAM principal behind an STS caller ARN.
pub fn principal_of(caller_arn: &str) -> String {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    if let [_, partition, "sts", _, account, resource] = parts.as_slice()
        && let Some(rest) = resource.strip_prefix("assumed-role/")
        && let Some((role, _session)) = rest.split_once('/')
    {
        return format!("arn:{partition}:iam::{account}:role/{role}");
    }
    caller_arn.to_string()
}

#[async_trait::async_trait]
impl Caller for AwsBackend {
    async fn principal(&self) -> Result<String, CloudError> {
        Ok(principal_of(&self.clients.caller().await?.arn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assumed_role_session_reads_as_its_role() {
        assert_eq!(
            principal_of("arn:aws:sts::111122223333:assumed-role/Admin/alice"),
            "arn:aws:iam::111122223333:role/Admin"
        );
        assert_eq!(
            principal_of("arn:aws-us-gov:sts::111122223333:assumed-role/ci-deploy/run-42"),
            "arn:aws-us-gov:iam::111122223333:role/ci-deploy"
        );
        assert_eq!(
            principal_of("arn:aws:iam::111122223333:user/bob"),
            "arn:aws:iam::111122223333:user/bob"
        );
    }
}
