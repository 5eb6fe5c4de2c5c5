//! `azure { ... }`: subscription, tenant and one way to authenticate.

use super::common::{Endpoints, RetryBlock, endpoints_block, retry_block};
use serde::Deserialize;
use tfplug::schema::{Attribute, Block, NestedBlock, validators};

/// `resource_manager` (ARM), `active_directory` (the Entra token authority) and
/// `kubernetes` (a cluster's API server, e.g. through a private endpoint).
pub const SERVICES: &[&str] = &["resource_manager", "active_directory", "kubernetes"];

const GUID: &str = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

fn guid(name: &str, what: &str) -> Attribute {
    Attribute::string(name)
        .optional()
        .validate(validators::matches(
            GUID,
            "must be a GUID such as \"00000000-0000-0000-0000-000000000000\"",
        ))
        .describe(what)
}

pub fn block() -> NestedBlock {
    NestedBlock::single(
        "azure",
        Block::new()
            .describe("Settings for resources with `cloud = \"azure\"`. Authenticate with exactly one of: a client secret, a client certificate, OIDC / workload identity federation, a managed identity, or the Azure CLI (the default when nothing else is set). Values default to the `ARM_*` environment variables. Without an explicit choice the provider tries, in order: a client secret (`ARM_CLIENT_SECRET`), a client certificate (`ARM_CLIENT_CERTIFICATE_PATH`), an OIDC token (`ARM_OIDC_TOKEN`, `ARM_OIDC_TOKEN_FILE_PATH` or `AZURE_FEDERATED_TOKEN_FILE`), a managed identity (`ARM_USE_MSI`), then the Azure CLI.")
            .attr(guid("subscription_id", "Subscription to manage. Default `ARM_SUBSCRIPTION_ID`."))
            .attr(guid("tenant_id", "Microsoft Entra tenant. Default `ARM_TENANT_ID`."))
            .attr(guid("client_id", "Application (client) id of the service principal or managed identity. Default `ARM_CLIENT_ID`."))
            .attr(Attribute::string("client_secret").optional().sensitive().describe("Client secret of the service principal."))
            .attr(Attribute::string("client_certificate_path").optional().describe("PEM file holding the service principal's client certificate and its unencrypted PKCS#8 or RSA private key. Default `ARM_CLIENT_CERTIFICATE_PATH`."))
            .attr(Attribute::bool("use_oidc").optional().describe("Use OIDC / workload identity federation (GitHub Actions, Kubernetes, Terraform Cloud)."))
            .attr(Attribute::string("oidc_token").optional().sensitive().describe("The OIDC token itself."))
            .attr(Attribute::string("oidc_token_file_path").optional().describe("File holding the OIDC token (e.g. `AZURE_FEDERATED_TOKEN_FILE`)."))
            .attr(Attribute::bool("use_msi").optional().describe("Use a managed identity."))
            .attr(Attribute::bool("use_cli").optional().describe("Use the Azure CLI's login (default when nothing else is configured)."))
            .attr(
                Attribute::string("environment")
                    .optional()
                    .one_of(&["public", "usgovernment", "china"])
                    .describe("Azure cloud. Default `public`."),
            )
            .attr(Attribute::string("ca_certificate_file").optional().describe("Extra PEM CA certificates to trust (besides the system's) for every Azure connection: token requests and ARM calls. For TLS-inspecting proxies, private endpoints and emulators. Default `ARM_CA_CERTIFICATE_FILE`."))
            .block(endpoints_block("Azure", SERVICES))
            .block(retry_block()),
    )
}

/// `Debug` is written by hand: the client secret and OIDC token are never printed.
#[derive(Clone, Default, Deserialize)]
pub struct AzureConfig {
    pub subscription_id: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub client_certificate_path: Option<String>,
    pub use_oidc: Option<bool>,
    pub oidc_token: Option<String>,
    pub oidc_token_file_path: Option<String>,
    pub use_msi: Option<bool>,
    pub use_cli: Option<bool>,
    pub environment: Option<String>,
    pub ca_certificate_file: Option<String>,
    pub endpoints: Option<Endpoints>,
    pub retry: Option<RetryBlock>,
}

impl AzureConfig {
    /// The authentication methods the block selects (should be at most one).
    pub fn auth_methods(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.client_secret.is_some() {
            m.push("client_secret");
        }
        if self.client_certificate_path.is_some() {
            m.push("client_certificate_path");
        }
        if self.use_oidc == Some(true) {
            m.push("use_oidc");
        }
        if self.use_msi == Some(true) {
            m.push("use_msi");
        }
        if self.use_cli == Some(true) {
            m.push("use_cli");
        }
        m
    }
}

impl std::fmt::Debug for AzureConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureConfig")
            .field("subscription_id", &self.subscription_id)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &super::common::Redacted(&self.client_secret),
            )
            .field("client_certificate_path", &self.client_certificate_path)
            .field("use_oidc", &self.use_oidc)
            .field("oidc_token", &super::common::Redacted(&self.oidc_token))
            .field("oidc_token_file_path", &self.oidc_token_file_path)
            .field("use_msi", &self.use_msi)
            .field("use_cli", &self.use_cli)
            .field("environment", &self.environment)
            .field("ca_certificate_file", &self.ca_certificate_file)
            .field("endpoints", &self.endpoints)
            .field("retry", &self.retry)
            .finish()
    }
}
