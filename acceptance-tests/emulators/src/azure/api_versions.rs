//! The GA api-versions each resource type answers, as ARM lists them; anything else is
//! refused the way ARM refuses it. Previews are left out on purpose: AKS retires them
//! about a year after release, so a client pinned to one breaks.

use super::errors::ArmError;

pub const RESOURCE_GROUPS: &[&str] = &[
    "2025-04-01",
    "2025-03-01",
    "2024-11-01",
    "2024-07-01",
    "2024-03-01",
    "2023-07-01",
    "2022-09-01",
    "2021-04-01",
    "2021-01-01",
    "2020-10-01",
    "2020-06-01",
    "2019-10-01",
];

pub const CONTAINER_SERVICE: &[&str] = &[
    "2026-08-01",
    "2026-07-01",
    "2026-06-01",
    "2026-05-01",
    "2026-04-01",
    "2026-03-01",
    "2026-02-01",
    "2026-01-01",
    "2025-10-01",
    "2025-09-01",
    "2025-08-01",
    "2025-07-01",
    "2025-06-01",
    "2025-05-01",
    "2025-04-01",
    "2025-03-01",
    "2025-02-01",
    "2025-01-01",
    "2024-10-01",
    "2024-09-01",
];

pub const KEY_VAULT: &[&str] = &[
    "2026-05-15",
    "2025-05-01",
    "2024-11-01",
    "2023-07-01",
    "2023-02-01",
    "2022-07-01",
    "2021-10-01",
    "2019-09-01",
];

/// Key Vault's data plane (`{vaultUri}keys/...`).
pub const KEY_VAULT_DATA: &[&str] = &["2025-07-01", "7.6", "7.5", "7.4", "7.3"];

pub const MANAGED_IDENTITY: &[&str] = &["2024-11-30", "2023-01-31", "2018-11-30"];

pub const AUTHORIZATION: &[&str] = &["2022-04-01", "2020-04-01-preview", "2015-07-01"];

/// `Microsoft.Authorization/roleDefinitions` answers older versions as well.
pub const ROLE_DEFINITIONS: &[&str] = &[
    "2022-05-01-preview",
    "2022-04-01",
    "2018-01-01-preview",
    "2015-07-01",
];

/// The request's `api-version`, checked against `supported` for `resource_type` as ARM
/// checks it: missing → `MissingApiVersionParameter`, unknown on a resource group →
/// `InvalidApiVersionParameter`, unknown on a provider type → `NoRegisteredProviderFound`.
pub fn check(
    api_version: Option<&str>,
    namespace: &str,
    resource_type: &str,
    supported: &[&str],
) -> Result<String, ArmError> {
    let Some(version) = api_version.filter(|version| !version.is_empty()) else {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    if supported.contains(&version) {
        return Ok(version.to_string());
    }
    let list = supported.join(", ");
    if namespace.eq_ignore_ascii_case("Microsoft.Resources") {
        return Err(ArmError::bad_request(
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{version}' is invalid. The supported versions are '{}'.",
                supported.join(",")
            ),
        ));
    }
    Err(ArmError::bad_request(
        "NoRegisteredProviderFound",
        format!(
            "No registered resource provider found for location 'eastus' and API version '{version}' for type '{resource_type}'. The supported api-versions are '{list}'. The supported locations are 'eastus, eastus2, westus2, westus3, centralus, northeurope, westeurope, uksouth, swedencentral, japaneast, australiaeast'."
        ),
    ))
}
