//! AKS cluster tokens: an Entra token for the AKS server application, from the
//! credential the `azure {}` block configures (AKS clusters run with Azure RBAC and
//! local accounts off, so no kubeconfig secret is involved).

use super::settings::{self, AzureSettings};
use super::{credentials, transport};
use crate::clouds::model::{ClusterState, IdentityState};
use crate::clouds::{CloudError, ClusterAccess, ClusterToken, konnectivity_agents};
use crate::config::azure::AzureConfig;
use crate::serving::spec::{ControlPlanePeer, WorkloadBinding};
use azure_core::credentials::TokenCredential;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The AKS server application's scope (the same application in every tenant), as
/// kubelogin asks for it.
pub const AKS_SERVER_SCOPE: &str = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";
/// Taken off the token's own expiry, so a client never sends one about to expire.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// Tokens from the block's credential (its own token cache, next to ARM's).
pub struct AzureClusterAccess {
    credential: Arc<dyn TokenCredential>,
}

impl AzureClusterAccess {
    /// Builds the credential as the backend does; makes no request.
    pub fn connect(block: &AzureConfig) -> Result<Self, CloudError> {
        let settings = AzureSettings::resolve(block, &settings::process_env)?;
        let http = transport::https_client(settings.ca_certificate_file.as_deref())?;
        Ok(AzureClusterAccess {
            credential: credentials::credential(&settings, http)?,
        })
    }

    #[cfg(test)]
    pub fn with_credential(credential: Arc<dyn TokenCredential>) -> Self {
        AzureClusterAccess { credential }
    }
}

#[async_trait::async_trait]
impl ClusterAccess for AzureClusterAccess {
    async fn token(&self, _cluster: &ClusterState) -> Result<ClusterToken, CloudError> {
        let token = self
            .credential
            .get_token(&[AKS_SERVER_SCOPE], None)
            .await
            .map_err(|e| {
                CloudError::Transport(format!(
                    "azure: cannot get an Entra token for the AKS server application ({AKS_SERVER_SCOPE}): {e}"
                ))
            })?;
        let expires_at = SystemTime::from(token.expires_on)
            .checked_sub(EXPIRY_MARGIN)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        Ok(ClusterToken {
            token: token.token.secret().to_string(),
            expires_at,
        })
    }

    fn pool_label(&self) -> &'static str {
        "kubernetes.azure.com/agentpool"
    }

    /// Azure Workload Identity: the webhook mutates pods labelled `use: "true"` and
    /// exchanges their projected token for the managed identity the service account's
    /// client-id annotation names.
    fn workload_binding(&self, identity: &IdentityState) -> WorkloadBinding {
        let uses = || {
            (
                "azure.workload.identity/use".to_string(),
                "true".to_string(),
            )
        };
        WorkloadBinding {
            service_account_annotations: [(
                "azure.workload.identity/client-id".to_string(),
                identity.client_id.clone(),
            )]
            .into(),
            service_account_labels: [uses()].into(),
            pod_labels: [uses()].into(),
        }
    }

    /// AKS reaches pods through its konnectivity agents.
    async fn control_plane_peers(
        &self,
        _cluster: &ClusterState,
    ) -> Result<Vec<ControlPlanePeer>, CloudError> {
        Ok(vec![konnectivity_agents("app")])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_core::credentials::{AccessToken, Secret, TokenRequestOptions};
    use std::sync::Mutex;

    #[derive(Debug, Default)]
    struct Recording {
        scopes: Mutex<Vec<String>>,
    }

    #[async_trait::async_trait]
    impl TokenCredential for Recording {
        async fn get_token(
            &self,
            scopes: &[&str],
            _options: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            self.scopes
                .lock()
                .unwrap()
                .extend(scopes.iter().map(|s| s.to_string()));
            Ok(AccessToken {
                token: Secret::new("entra-token"),
                expires_on: azure_core::time::OffsetDateTime::from_unix_timestamp(2_000_000_000)
                    .unwrap(),
            })
        }
    }

    #[tokio::test]
    async fn the_token_is_for_the_aks_server_application_and_expires_a_minute_early() {
        let credential = Arc::new(Recording::default());
        let access = AzureClusterAccess::with_credential(credential.clone());
        let cluster = crate::clouds::cluster_access::test_cluster("id", "ml");
        let token = access.token(&cluster).await.unwrap();
        assert_eq!(token.token, "entra-token");
        assert_eq!(
            token.expires_at,
            SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000 - 60)
        );
        assert_eq!(
            *credential.scopes.lock().unwrap(),
            vec!["6dae42f8-4368-4678-94ff-3960e28e3630/.default".to_string()]
        );
    }
}
