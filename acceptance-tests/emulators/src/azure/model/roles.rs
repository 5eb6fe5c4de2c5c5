//! Built-in role definitions the provider assigns or checks, by their fixed GUIDs
//! (the same in every tenant), and the question "does this principal hold one of
//! these roles at this scope or above it".

use serde_json::{Value, json};

use super::{Kind, State};

pub const KEY_VAULT_CRYPTO_USER: &str = "12338af0-0e69-4776-bea7-57ae8d297424";
pub const KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER: &str = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
pub const KEY_VAULT_CRYPTO_OFFICER: &str = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
pub const KEY_VAULT_ADMINISTRATOR: &str = "00482a5a-887f-4fb3-b363-3b7fe8e74483";

/// (GUID, role name, description).
pub const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        KEY_VAULT_CRYPTO_USER,
        "Key Vault Crypto User",
        "Perform cryptographic operations using keys. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    ),
    (
        KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
        "Key Vault Crypto Service Encryption User",
        "Read metadata of keys and perform wrap/unwrap operations. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    ),
    (
        KEY_VAULT_CRYPTO_OFFICER,
        "Key Vault Crypto Officer",
        "Perform any action on the keys of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    ),
    (
        KEY_VAULT_ADMINISTRATOR,
        "Key Vault Administrator",
        "Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets. Cannot manage key vault resources or manage role assignments. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    ),
    (
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        "Storage Blob Data Reader",
        "Allows for read access to Azure Storage blob containers and data",
    ),
    (
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "Storage Blob Data Contributor",
        "Allows for read, write and delete access to Azure Storage blob containers and data",
    ),
    (
        "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
        "Azure Kubernetes Service RBAC Cluster Admin",
        "Lets you manage all resources in the cluster.",
    ),
    (
        "3498e952-d568-435e-9b2c-8d77e338d7f7",
        "Azure Kubernetes Service RBAC Admin",
        "Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces.",
    ),
    (
        "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
        "Azure Kubernetes Service RBAC Reader",
        "Allows read-only access to see most objects in a namespace.",
    ),
    (
        "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
        "Azure Kubernetes Service RBAC Writer",
        "Allows read/write access to most objects in a namespace.",
    ),
    (
        "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
        "Azure Kubernetes Service Cluster User Role",
        "List cluster user credential action.",
    ),
    (
        "f1a07417-d97a-45cb-824c-7a7467783830",
        "Managed Identity Operator",
        "Read and Assign User Assigned Identity",
    ),
    (
        "4d97b98b-1d4f-4787-a291-c67834d212e7",
        "Network Contributor",
        "Lets you manage networks, but not access to them.",
    ),
    (
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "Contributor",
        "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
    ),
    (
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "Owner",
        "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    ),
    (
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "Reader",
        "View all resources, but does not allow you to make any changes.",
    ),
];

pub fn built_in(guid: &str) -> Option<(&'static str, &'static str, &'static str)> {
    BUILT_IN
        .iter()
        .copied()
        .find(|(id, _, _)| id.eq_ignore_ascii_case(guid))
}

/// A role definition resource as ARM answers it, under `scope`.
pub fn definition_body(scope: &str, guid: &str) -> Option<Value> {
    let (id, name, description) = built_in(guid)?;
    Some(json!({
        "id": format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{id}"),
        "name": id,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": name,
            "type": "BuiltInRole",
            "description": description,
            "assignableScopes": ["/"],
            "permissions": [{"actions": [], "notActions": [], "dataActions": [], "notDataActions": []}],
        }
    }))
}

/// The GUID at the end of a `roleDefinitionId`.
pub fn definition_guid(role_definition_id: &str) -> &str {
    role_definition_id.rsplit('/').next().unwrap_or_default()
}

/// Whether `principal_id` holds one of `roles` at `scope` or a scope above it.
pub fn holds_role(state: &State, principal_id: &str, roles: &[&str], scope: &str) -> bool {
    let scope = scope.to_ascii_lowercase();
    state.of_kind(Kind::RoleAssignment).any(|assignment| {
        let properties = assignment.properties();
        let assigned_scope = properties["scope"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let guid = definition_guid(properties["roleDefinitionId"].as_str().unwrap_or_default());
        properties["principalId"]
            .as_str()
            .is_some_and(|p| p.eq_ignore_ascii_case(principal_id))
            && roles.iter().any(|role| role.eq_ignore_ascii_case(guid))
            && (scope == assigned_scope || scope.starts_with(&format!("{assigned_scope}/")))
    })
}
