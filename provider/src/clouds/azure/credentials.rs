//! The token credential for the settings' authentication method, built with
//! `azure_identity` 1.x on our https transport (so `ca_certificate_file` and the
//! `active_directory` endpoint apply to token requests too).
//!
//! azure_identity's own certificate credential needs openssl, which this provider does
//! not link; a client certificate is therefore used through the client-assertion
//! credential with an assertion we sign ourselves (see [`certificate`](super::certificate)).

use super::certificate::CertificateAssertion;
use super::settings::{Auth, AzureSettings};
use crate::clouds::CloudError;
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientMethodOptions, ClientOptions, HttpClient, Transport};
use azure_identity::{
    AzureCliCredential, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
    WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use std::sync::Arc;

/// Builds the credential; makes no request (tokens are asked for, and cached, on the
/// first ARM call).
pub fn credential(
    settings: &AzureSettings,
    http: Arc<dyn HttpClient>,
) -> Result<Arc<dyn TokenCredential>, CloudError> {
    let options = client_options(settings, http);
    let failed = |e: azure_core::Error| {
        CloudError::Transport(format!(
            "azure: cannot set up the {} credential: {e}",
            settings.auth.name()
        ))
    };
    let credential: Arc<dyn TokenCredential> = match &settings.auth {
        Auth::ClientSecret { secret } => {
            let (tenant, client) = settings.principal()?;
            ClientSecretCredential::new(
                &tenant,
                client,
                Secret::new(secret.clone()),
                Some(ClientSecretCredentialOptions {
                    client_options: options,
                }),
            )
            .map_err(failed)?
        }
        Auth::ClientCertificate { path } => {
            let (tenant, client) = settings.principal()?;
            let assertion = CertificateAssertion::from_pem_file(
                path,
                client.clone(),
                token_endpoint(&settings.active_directory, &tenant),
            )?;
            assertion_credential(tenant, client, assertion, options).map_err(failed)?
        }
        Auth::OidcToken { token } => {
            let (tenant, client) = settings.principal()?;
            let assertion = StaticAssertion(Secret::new(token.clone()));
            assertion_credential(tenant, client, assertion, options).map_err(failed)?
        }
        Auth::OidcTokenFile { path } => {
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions {
                    client_options: options,
                },
                client_id: settings.client_id.clone(),
                tenant_id: settings.tenant_id.clone(),
                token_file_path: Some(path.into()),
            }))
            .map_err(failed)?
        }
        Auth::ManagedIdentity => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: settings.client_id.clone().map(UserAssignedId::ClientId),
                client_options: options,
            }))
            .map_err(failed)?
        }
        Auth::AzureCli => AzureCliCredential::new(None).map_err(failed)?,
    };
    Ok(credential)
}

fn assertion_credential<C: ClientAssertion + 'static>(
    tenant: String,
    client: String,
    assertion: C,
    options: ClientOptions,
) -> azure_core::Result<Arc<dyn TokenCredential>> {
    let credential = ClientAssertionCredential::new(
        tenant,
        client,
        assertion,
        Some(ClientAssertionCredentialOptions {
            client_options: options,
        }),
    )?;
    Ok(credential)
}

/// Our transport, and the token authority when it is not public Azure's.
fn client_options(settings: &AzureSettings, http: Arc<dyn HttpClient>) -> ClientOptions {
    let mut custom = CustomConfiguration::default();
    custom.authority_host = settings.active_directory.clone();
    ClientOptions {
        transport: Some(Transport::new(http)),
        cloud: Some(Arc::new(CloudConfiguration::from(custom))),
        ..Default::default()
    }
}

/// `{authority}/{tenant}/oauth2/v2.0/token`: the audience of a client assertion.
fn token_endpoint(authority: &str, tenant: &str) -> String {
    format!(
        "{}/{tenant}/oauth2/v2.0/token",
        authority.trim_end_matches('/')
    )
}

/// An OIDC token handed over as is (CI systems mint one per job).
struct StaticAssertion(Secret);

impl std::fmt::Debug for StaticAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticAssertion(<redacted>)")
    }
}

#[async_trait::async_trait]
impl ClientAssertion for StaticAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        Ok(self.0.secret().to_string())
    }
}
