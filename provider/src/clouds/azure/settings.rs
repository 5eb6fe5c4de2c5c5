//! The `azure {}` block with its `ARM_*` environment fallbacks applied: what the
//! credential and the ARM client are built from. `Debug` never prints a secret.

use crate::clouds::CloudError;
use crate::config::azure::AzureConfig;
use crate::config::common::{RetryBlock, RetrySettings, endpoint};

/// Public Azure's endpoints, and the sovereign clouds' ones by `environment`.
fn default_endpoints(environment: &str) -> (&'static str, &'static str) {
    match environment {
        "usgovernment" => (
            "https://management.usgovcloudapi.net/",
            "https://login.microsoftonline.us/",
        ),
        "china" => (
            "https://management.chinacloudapi.cn/",
            "https://login.chinacloudapi.cn/",
        ),
        _ => (
            "https://management.azure.com/",
            "https://login.microsoftonline.com/",
        ),
    }
}

/// How the provider signs in.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    ClientSecret {
        secret: String,
    },
    ClientCertificate {
        path: String,
    },
    /// An OIDC token (GitHub Actions, Terraform Cloud) exchanged for an Entra token.
    OidcToken {
        token: String,
    },
    /// A token file Kubernetes' workload identity keeps fresh.
    OidcTokenFile {
        path: String,
    },
    ManagedIdentity,
    AzureCli,
}

impl Auth {
    pub fn name(&self) -> &'static str {
        match self {
            Auth::ClientSecret { .. } => "client secret",
            Auth::ClientCertificate { .. } => "client certificate",
            Auth::OidcToken { .. } => "OIDC token",
            Auth::OidcTokenFile { .. } => "OIDC token file",
            Auth::ManagedIdentity => "managed identity",
            Auth::AzureCli => "Azure CLI",
        }
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::ClientCertificate { path } | Auth::OidcTokenFile { path } => {
                write!(f, "{} ({path})", self.name())
            }
            _ => f.write_str(self.name()),
        }
    }
}

/// Everything needed to reach Azure.
#[derive(Debug, Clone)]
pub struct AzureSettings {
    pub subscription_id: String,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub auth: Auth,
    pub resource_manager: String,
    pub active_directory: String,
    pub ca_certificate_file: Option<String>,
    pub retry: RetrySettings,
}

/// Reads an environment variable; empty counts as unset.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl AzureSettings {
    /// Applies the environment fallbacks and picks the authentication method: the one
    /// the block selects, else the first that the environment provides, in the order
    /// client secret, client certificate, OIDC token, OIDC token file, managed
    /// identity, Azure CLI.
    pub fn resolve(block: &AzureConfig, env: Env) -> Result<Self, CloudError> {
        let pick = |set: &Option<String>, var: &str| set.clone().or_else(|| env(var));
        let flag = |set: Option<bool>, var: &str| {
            set.unwrap_or_else(|| env(var).is_some_and(|v| v.eq_ignore_ascii_case("true")))
        };
        let subscription_id =
            pick(&block.subscription_id, "ARM_SUBSCRIPTION_ID").ok_or_else(|| {
                CloudError::Transport(
                    "azure: no subscription; set azure.subscription_id or ARM_SUBSCRIPTION_ID"
                        .into(),
                )
            })?;
        let secret = pick(&block.client_secret, "ARM_CLIENT_SECRET");
        let certificate = pick(
            &block.client_certificate_path,
            "ARM_CLIENT_CERTIFICATE_PATH",
        );
        let token = pick(&block.oidc_token, "ARM_OIDC_TOKEN");
        let token_file = pick(&block.oidc_token_file_path, "ARM_OIDC_TOKEN_FILE_PATH")
            .or_else(|| env("AZURE_FEDERATED_TOKEN_FILE"));
        let use_oidc = flag(block.use_oidc, "ARM_USE_OIDC");
        let use_msi = flag(block.use_msi, "ARM_USE_MSI");
        let use_cli = block.use_cli == Some(true);

        let auth = if use_cli {
            Auth::AzureCli
        } else if use_msi {
            Auth::ManagedIdentity
        } else if use_oidc {
            match (token, token_file) {
                (Some(token), _) => Auth::OidcToken { token },
                (None, Some(path)) => Auth::OidcTokenFile { path },
                (None, None) => {
                    return Err(CloudError::Transport(
                        "azure: use_oidc needs oidc_token, oidc_token_file_path, ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH or AZURE_FEDERATED_TOKEN_FILE".into(),
                    ));
                }
            }
        } else if let Some(secret) = secret {
            Auth::ClientSecret { secret }
        } else if let Some(path) = certificate {
            Auth::ClientCertificate { path }
        } else if let Some(token) = token {
            Auth::OidcToken { token }
        } else if let Some(path) = token_file {
            Auth::OidcTokenFile { path }
        } else {
            Auth::AzureCli
        };

        let environment = pick(&block.environment, "ARM_ENVIRONMENT").unwrap_or_default();
        let (arm, aad) = default_endpoints(&environment);
        let endpoints = block.endpoints.as_ref();
        Ok(AzureSettings {
            subscription_id,
            tenant_id: pick(&block.tenant_id, "ARM_TENANT_ID"),
            client_id: pick(&block.client_id, "ARM_CLIENT_ID"),
            auth,
            resource_manager: endpoint(endpoints, "resource_manager")
                .map(str::to_string)
                .unwrap_or_else(|| arm.to_string()),
            active_directory: endpoint(endpoints, "active_directory")
                .map(str::to_string)
                .unwrap_or_else(|| aad.to_string()),
            ca_certificate_file: pick(&block.ca_certificate_file, "ARM_CA_CERTIFICATE_FILE"),
            retry: RetryBlock::settings(block.retry.as_ref()),
        })
    }

    /// The tenant and client ids a service principal method needs.
    pub fn principal(&self) -> Result<(String, String), CloudError> {
        let missing = |what: &str, var: &str| {
            CloudError::Transport(format!(
                "azure: signing in with a {} needs {what} (or {var})",
                self.auth.name()
            ))
        };
        Ok((
            self.tenant_id
                .clone()
                .ok_or_else(|| missing("tenant_id", "ARM_TENANT_ID"))?,
            self.client_id
                .clone()
                .ok_or_else(|| missing("client_id", "ARM_CLIENT_ID"))?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const SUB: &str = "00000000-0000-0000-0000-000000000001";

    #[test]
    fn environment_fills_what_the_block_leaves_out() {
        let env = env_of(&[
            ("ARM_SUBSCRIPTION_ID", SUB),
            ("ARM_TENANT_ID", "t"),
            ("ARM_CLIENT_ID", "c"),
            ("ARM_CLIENT_SECRET", "s3cret"),
        ]);
        let s = AzureSettings::resolve(&AzureConfig::default(), &env).unwrap();
        assert_eq!(s.subscription_id, SUB);
        assert_eq!(
            s.auth,
            Auth::ClientSecret {
                secret: "s3cret".into()
            }
        );
        assert_eq!(s.principal().unwrap(), ("t".into(), "c".into()));
        assert_eq!(s.resource_manager, "https://management.azure.com/");
        assert!(!format!("{s:?}").contains("s3cret"), "{s:?}");
    }

    #[test]
    fn documented_order_and_explicit_choices() {
        let both = env_of(&[
            ("ARM_SUBSCRIPTION_ID", SUB),
            ("ARM_CLIENT_CERTIFICATE_PATH", "/c.pem"),
            ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
        ]);
        let s = AzureSettings::resolve(&AzureConfig::default(), &both).unwrap();
        assert_eq!(
            s.auth,
            Auth::ClientCertificate {
                path: "/c.pem".into()
            }
        );
        let oidc = AzureConfig {
            use_oidc: Some(true),
            ..Default::default()
        };
        let s = AzureSettings::resolve(&oidc, &both).unwrap();
        assert_eq!(
            s.auth,
            Auth::OidcTokenFile {
                path: "/var/run/token".into()
            }
        );
        let msi = AzureConfig {
            use_msi: Some(true),
            ..Default::default()
        };
        assert_eq!(
            AzureSettings::resolve(&msi, &both).unwrap().auth,
            Auth::ManagedIdentity
        );
        let nothing = env_of(&[("ARM_SUBSCRIPTION_ID", SUB)]);
        let s = AzureSettings::resolve(&AzureConfig::default(), &nothing).unwrap();
        assert_eq!(s.auth, Auth::AzureCli);
        assert!(s.principal().is_err());
    }

    #[test]
    fn a_subscription_is_required_and_endpoints_follow_the_environment() {
        let err = AzureSettings::resolve(&AzureConfig::default(), &env_of(&[])).unwrap_err();
        assert!(err.to_string().contains("ARM_SUBSCRIPTION_ID"));
        let gov = AzureConfig {
            subscription_id: Some(SUB.into()),
            environment: Some("usgovernment".into()),
            ..Default::default()
        };
        let s = AzureSettings::resolve(&gov, &env_of(&[])).unwrap();
        assert_eq!(s.resource_manager, "https://management.usgovcloudapi.net/");
        assert_eq!(s.active_directory, "https://login.microsoftonline.us/");
    }
}
