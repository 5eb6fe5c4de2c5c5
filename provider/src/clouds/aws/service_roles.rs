//! AWS service-linked roles that mlcloud's objects name. A key policy naming the Auto
//! Scaling service-linked role is refused by KMS while that role does not exist (a
//! fresh account has none until its first Auto Scaling group), so it is made first:
//! it is AWS-managed, one per account, and what EKS node groups use anyway.

use super::errors::{SdkResultExt, Service};
use crate::clouds::CloudError;
use aws_sdk_iam::Client;

const AUTOSCALING_SERVICE: &str = "autoscaling.amazonaws.com";
const AUTOSCALING_ROLE: &str = "AWSServiceRoleForAutoScaling";

/// Makes sure the Auto Scaling service-linked role exists: looked up first (so a
/// caller without `iam:CreateServiceLinkedRole` is fine once it exists), created
/// otherwise; a concurrent create of it is success too.
pub async fn ensure_autoscaling_role(iam: &Client) -> Result<(), CloudError> {
    let what = format!("the service-linked role {AUTOSCALING_ROLE}");
    match iam
        .get_role()
        .role_name(AUTOSCALING_ROLE)
        .send()
        .await
        .or_cloud(Service::Iam, "GetRole", &what)
    {
        Ok(_) => return Ok(()),
        Err(CloudError::NotFound { .. }) => {}
        Err(error) => return Err(error),
    }
    match iam
        .create_service_linked_role()
        .aws_service_name(AUTOSCALING_SERVICE)
        .send()
        .await
        .or_cloud(Service::Iam, "CreateServiceLinkedRole", &what)
    {
        Ok(_) => Ok(()),
        // "Service role name AWSServiceRoleForAutoScaling has been taken in this account"
        Err(error) if error.has_code("InvalidInput") && error.to_string().contains("taken") => {
            Ok(())
        }
        Err(error) => Err(error),
    }
}
