//! Who the provider acts as on a cloud: the default of a cluster's
//! `admin_principals` (so the person or pipeline that creates a cluster can use it,
//! through an access grant Terraform sees, not a hidden creator-admin).

use super::CloudError;

#[async_trait::async_trait]
pub trait Caller: Send + Sync {
    /// The caller as a principal that cluster access can name (AWS: an IAM role or
    /// user ARN; an assumed-role session reads as its role).
    async fn principal(&self) -> Result<String, CloudError>;
}
