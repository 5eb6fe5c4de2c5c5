//! Every ARM api-version the backend sends, in one place. All are GA: AKS retires a
//! preview api-version about a year after release, which would break users' applies.

/// `Microsoft.ContainerService/managedClusters` and `.../agentPools`.
pub const CONTAINER_SERVICE: &str = "2025-10-01";
/// `Microsoft.KeyVault/vaults` and `.../keys` (management plane).
pub const KEY_VAULT: &str = "2025-05-01";
/// Key Vault data plane (`{vaultUri}/keys/{name}/rotationpolicy`).
pub const KEY_VAULT_DATA: &str = "7.6";
/// `Microsoft.ManagedIdentity/userAssignedIdentities` and federated credentials.
pub const MANAGED_IDENTITY: &str = "2024-11-30";
/// `Microsoft.Authorization/roleAssignments`.
pub const AUTHORIZATION: &str = "2022-04-01";
/// `Microsoft.Resources/resourceGroups` (existence checks).
pub const RESOURCES: &str = "2021-04-01";
