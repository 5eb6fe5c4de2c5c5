//! `Microsoft.ContainerService/managedClusters`: PUT (201 + `Azure-AsyncOperation` +
//! `Retry-After`, `Creating`/`Updating` until the operation delay has passed), GET
//! (with the pools as `agentPoolProfiles`), DELETE (202 + `Location` / 204), lists,
//! `listClusterUserCredential` / `listClusterAdminCredential`, and the operation
//! routes. The checks are AKS's: name pattern, versions, enums, one System pool,
//! identities that exist, OIDC issuer before workload identity, local accounts off
//! only with Entra integration, and KMS with a key the cluster identity can use and
//! reach (see [`check_kms`]).

use std::time::Instant;

use base64::Engine;
use bytes::Bytes;
use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::agent_pools::{self, pool_body};
use super::call::Call;
use super::resource_groups::method_not_allowed;
use super::{ResourcePath, eq, validate};
use crate::azure::api_versions;
use crate::azure::errors::{ArmError, arm_json};
use crate::azure::lro;
use crate::azure::model::{Kind, Principal, Resource, State};
use crate::azure::time::guid;

pub const NAMESPACE: &str = "Microsoft.ContainerService";

/// Supported minors and their newest patch.
const VERSIONS: &[(&str, u32)] = &[("1.31", 13), ("1.32", 9), ("1.33", 5), ("1.34", 1)];
const DEFAULT_VERSION: &str = "1.33.5";

/// Properties AKS refuses to change on an existing cluster.
const IMMUTABLE: &[(&str, &str)] = &[
    ("/properties/dnsPrefix", "properties.dnsPrefix"),
    (
        "/properties/nodeResourceGroup",
        "properties.nodeResourceGroup",
    ),
    (
        "/properties/apiServerAccessProfile/enablePrivateCluster",
        "properties.apiServerAccessProfile.enablePrivateCluster",
    ),
    (
        "/properties/networkProfile/networkPlugin",
        "properties.networkProfile.networkPlugin",
    ),
    (
        "/properties/networkProfile/podCidr",
        "properties.networkProfile.podCidr",
    ),
    (
        "/properties/networkProfile/serviceCidr",
        "properties.networkProfile.serviceCidr",
    ),
];

pub fn check_version(call: &Call, resource_type: &str) -> Result<String, ArmError> {
    api_versions::check(
        call.api_version(),
        NAMESPACE,
        resource_type,
        api_versions::CONTAINER_SERVICE,
    )
}

/// `1.33` → `1.33.5`; a version AKS does not offer → `K8sVersionNotSupported`.
pub fn resolve_version(version: &str, target: &str) -> Result<String, ArmError> {
    let parts: Vec<&str> = version.split('.').collect();
    let minor = parts.iter().take(2).copied().collect::<Vec<_>>().join(".");
    let supported = VERSIONS.iter().find(|(m, _)| *m == minor);
    let resolved = match (
        supported,
        parts.len(),
        parts.get(2).and_then(|p| p.parse::<u32>().ok()),
    ) {
        (Some((m, patch)), 2, _) => Some(format!("{m}.{patch}")),
        (Some((m, newest)), 3, Some(patch)) if patch <= *newest => Some(format!("{m}.{patch}")),
        _ => None,
    };
    resolved.ok_or_else(|| {
        ArmError::bad_request(
            "K8sVersionNotSupported",
            format!("Version {version} is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list"),
        )
        .with_target(target)
    })
}

/// The minor number of `1.33.5`.
pub fn minor(version: &str) -> u32 {
    version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

/// AKS refuses a write while another operation on the same resource runs.
pub fn not_busy(resource: &Resource, what: &str) -> Result<(), ArmError> {
    match &resource.pending {
        Some(pending) => Err(ArmError::conflict(
            "OperationNotAllowed",
            format!(
                "Operation is not allowed because there's an in progress {} {what} operation. Please wait for it to finish before starting a new operation.",
                pending.state.trim_end_matches("ing").to_ascii_lowercase() + "e"
            ),
        )),
        None => Ok(()),
    }
}

pub fn subscription_level(
    state: &mut State,
    call: &Call,
    rest: &[&str],
) -> Result<Response<Bytes>, ArmError> {
    match rest {
        [kind] if eq(kind, "managedClusters") && call.method == Method::GET => {
            check_version(call, "managedClusters")?;
            let ids: Vec<String> = state
                .of_kind(Kind::ManagedCluster)
                .map(|r| r.id.clone())
                .collect();
            let value: Vec<Value> = ids
                .iter()
                .filter_map(|id| cluster_body(state, id))
                .collect();
            Ok(arm_json(StatusCode::OK, &json!({ "value": value })))
        }
        [locations, _, kind, operation]
            if eq(locations, "locations")
                && (eq(kind, "operations") || eq(kind, "operationresults")) =>
        {
            check_version(call, "locations/operations")?;
            let results = eq(kind, "operationresults");
            let body = state
                .operations
                .get(*operation)
                .map(|op| op.resource_id.clone())
                .and_then(|id| cluster_or_pool_body(state, &id));
            Ok(lro::poll(state, &call.path, operation, results, body))
        }
        _ => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            "The resource type could not be found in the namespace 'Microsoft.ContainerService'.",
        )),
    }
}

fn cluster_or_pool_body(state: &State, id: &str) -> Option<Value> {
    match state.get(id)?.kind {
        Kind::ManagedCluster => cluster_body(state, id),
        _ => state.get(id).map(|r| r.body.clone()),
    }
}

/// A cluster as GET answers it: the stored body with its pools as profiles.
pub fn cluster_body(state: &State, id: &str) -> Option<Value> {
    let cluster = state.get(id)?;
    let mut body = cluster.body.clone();
    let profiles: Vec<Value> = state
        .children(id, Kind::AgentPool)
        .into_iter()
        .map(|pool| {
            let mut profile = json!({ "name": pool.name() });
            if let (Some(profile_map), Some(properties)) =
                (profile.as_object_mut(), pool.properties().as_object())
            {
                profile_map.extend(properties.clone());
            }
            profile
        })
        .collect();
    body["properties"]["agentPoolProfiles"] = Value::Array(profiles);
    Some(body)
}

pub fn handle(
    state: &mut State,
    call: &Call,
    target: &ResourcePath,
) -> Result<Response<Bytes>, ArmError> {
    let api_version = check_version(call, "managedClusters")?;
    let group_id = state.group_id(&target.group);
    let Some(name) = target.pairs.get(1).copied() else {
        if call.method != Method::GET {
            return Err(method_not_allowed(&call.method));
        }
        let prefix = format!("{}/", group_id.to_ascii_lowercase());
        let ids: Vec<String> = state
            .of_kind(Kind::ManagedCluster)
            .filter(|r| r.id.to_ascii_lowercase().starts_with(&prefix))
            .map(|r| r.id.clone())
            .collect();
        let value: Vec<Value> = ids
            .iter()
            .filter_map(|id| cluster_body(state, id))
            .collect();
        return Ok(arm_json(StatusCode::OK, &json!({ "value": value })));
    };
    let id = format!("{group_id}/providers/{NAMESPACE}/managedClusters/{name}");
    let not_found = || {
        ArmError::resource_not_found(&format!("{NAMESPACE}/managedClusters"), name, &target.group)
    };
    match (&call.method, target.pairs.get(2).copied()) {
        (&Method::GET, None) => cluster_body(state, &id)
            .map(|b| arm_json(StatusCode::OK, &b))
            .ok_or_else(not_found),
        (&Method::PUT, None) => put(state, call, &id, name, &target.group, &api_version),
        (&Method::PATCH, None) => {
            update_tags(state, call, &id, &api_version).and_then(|r| r.ok_or_else(not_found))
        }
        (&Method::DELETE, None) => {
            let Some(cluster) = state.get(&id).cloned() else {
                let mut response = arm_json(StatusCode::NO_CONTENT, &Value::Null);
                *response.body_mut() = Bytes::new();
                return Ok(response);
            };
            if cluster
                .pending
                .as_ref()
                .is_some_and(|p| p.state == "Deleting")
            {
                return Err(ArmError::conflict(
                    "OperationNotAllowed",
                    "Operation is not allowed because there's an in progress delete managed cluster operation. Please wait for it to finish.",
                ));
            }
            let pools: Vec<String> = state
                .children(&id, Kind::AgentPool)
                .iter()
                .map(|p| p.id.clone())
                .collect();
            let operation = state.begin(&id, "Deleting", "managedClusters.delete");
            for pool in pools {
                if let Some(pool) = state.get_mut(&pool) {
                    pool.body["properties"]["provisioningState"] = json!("Deleting");
                }
            }
            let location = cluster.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            Ok(lro::started(
                state,
                StatusCode::ACCEPTED,
                None,
                NAMESPACE,
                &location,
                &operation,
                &api_version,
            ))
        }
        (&Method::POST, Some(action))
            if eq(action, "listClusterUserCredential")
                || eq(action, "listClusterAdminCredential") =>
        {
            let cluster = state.get(&id).cloned().ok_or_else(not_found)?;
            let admin = eq(action, "listClusterAdminCredential");
            if admin && cluster.properties()["disableLocalAccounts"] == json!(true) {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    "Getting static credential is not allowed because this cluster is set to disable local accounts.",
                ));
            }
            let kubeconfig = super::kubeconfig::kubeconfig(state, &cluster, admin);
            Ok(arm_json(
                StatusCode::OK,
                &json!({"kubeconfigs": [{
                    "name": if admin { "clusterAdmin" } else { "clusterUser" },
                    "value": base64::engine::general_purpose::STANDARD.encode(kubeconfig),
                }]}),
            ))
        }
        _ => Err(method_not_allowed(&call.method)),
    }
}

/// `PATCH` (AKS's UpdateTags): only `tags` change, as a long-running update.
fn update_tags(
    state: &mut State,
    call: &Call,
    id: &str,
    api_version: &str,
) -> Result<Option<Response<Bytes>>, ArmError> {
    let Some(existing) = state.get(id).cloned() else {
        return Ok(None);
    };
    not_busy(&existing, "managed cluster")?;
    let request = call.json()?;
    let tags = validate::tags(&request)?;
    if let Some(cluster) = state.get_mut(id) {
        cluster.body["tags"] = tags;
    }
    let operation = state.begin(id, "Updating", "managedClusters.patch");
    let body = cluster_body(state, id).unwrap_or_default();
    let location = existing.body["location"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Ok(Some(lro::started(
        state,
        StatusCode::OK,
        Some(&body),
        NAMESPACE,
        &location,
        &operation,
        api_version,
    )))
}

fn put(
    state: &mut State,
    call: &Call,
    id: &str,
    name: &str,
    group: &str,
    api_version: &str,
) -> Result<Response<Bytes>, ArmError> {
    if !validate::cluster_name_ok(name) {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("The value of parameter name is invalid. Error details: The managed cluster name '{name}' must match ^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{{0,61}}[a-zA-Z0-9]$. Please see https://aka.ms/aks-naming-rules for more details."),
        )
        .with_target("name"));
    }
    let existing = state.get(id).cloned();
    if let Some(existing) = &existing {
        not_busy(existing, "managed cluster")?;
    }
    let mut request = call.json()?;
    let location = validate::location(&request)?;
    if let Some(existing) = &existing {
        validate::same_location(&existing.body, &location, id, group)?;
        for (pointer, field) in IMMUTABLE {
            validate::unchanged(&existing.body, &request, pointer, field)?;
        }
    }
    let tags = validate::tags(&request)?;
    for (pointer, target, allowed) in [
        (
            "/identity/type",
            "identity.type",
            &["SystemAssigned", "UserAssigned", "None"][..],
        ),
        ("/sku/name", "sku.name", &["Base", "Automatic"][..]),
        (
            "/sku/tier",
            "sku.tier",
            &["Free", "Standard", "Premium"][..],
        ),
        (
            "/properties/networkProfile/networkPlugin",
            "properties.networkProfile.networkPlugin",
            &["azure", "kubenet", "none"][..],
        ),
        (
            "/properties/networkProfile/networkPluginMode",
            "properties.networkProfile.networkPluginMode",
            &["overlay"][..],
        ),
        (
            "/properties/networkProfile/networkPolicy",
            "properties.networkProfile.networkPolicy",
            &["none", "calico", "azure", "cilium"][..],
        ),
        (
            "/properties/networkProfile/networkDataplane",
            "properties.networkProfile.networkDataplane",
            &["azure", "cilium"][..],
        ),
        (
            "/properties/networkProfile/loadBalancerSku",
            "properties.networkProfile.loadBalancerSku",
            &["standard", "basic"][..],
        ),
        (
            "/properties/networkProfile/outboundType",
            "properties.networkProfile.outboundType",
            &[
                "loadBalancer",
                "userDefinedRouting",
                "managedNATGateway",
                "userAssignedNATGateway",
                "none",
            ][..],
        ),
        (
            "/properties/autoUpgradeProfile/upgradeChannel",
            "properties.autoUpgradeProfile.upgradeChannel",
            &["rapid", "stable", "patch", "node-image", "none"][..],
        ),
        (
            "/properties/autoUpgradeProfile/nodeOSUpgradeChannel",
            "properties.autoUpgradeProfile.nodeOSUpgradeChannel",
            &["None", "Unmanaged", "NodeImage", "SecurityPatch"][..],
        ),
        (
            "/properties/securityProfile/azureKeyVaultKms/keyVaultNetworkAccess",
            "properties.securityProfile.azureKeyVaultKms.keyVaultNetworkAccess",
            &["Public", "Private"][..],
        ),
    ] {
        validate::enum_value(&mut request, pointer, target, allowed)?;
    }
    let old = existing
        .as_ref()
        .map(|e| e.body.clone())
        .unwrap_or(Value::Null);
    let p = request["properties"].clone();
    // `kubernetesVersion` stays as asked (`1.33`); `currentKubernetesVersion` is the
    // patch AKS picked (`1.33.5`), as AKS reports them.
    let asked = p["kubernetesVersion"].as_str().filter(|v| !v.is_empty());
    let running = old["properties"]["currentKubernetesVersion"]
        .as_str()
        .or(old["properties"]["kubernetesVersion"].as_str());
    let version = match asked {
        Some(version) => resolve_version(version, "properties.kubernetesVersion")?,
        None => running.unwrap_or(DEFAULT_VERSION).to_string(),
    };
    let requested = asked
        .or(old["properties"]["kubernetesVersion"].as_str())
        .unwrap_or(&version)
        .to_string();
    if let Some(current) = running {
        if minor(&version) < minor(current) {
            return Err(ArmError::bad_request(
                "NotAllowedToDowngradeKubernetesVersion",
                format!(
                    "Kubernetes version {version} is lower than the cluster's current version {current}; downgrades are not allowed."
                ),
            ));
        }
        if minor(&version) > minor(current) + 1 {
            return Err(ArmError::bad_request(
                "UpgradeNotAllowed",
                format!(
                    "Upgrading Kubernetes version {current} to {version} is not allowed. Available upgrades must be one minor version at a time."
                ),
            ));
        }
    }
    // Pools: every profile is checked; a new cluster needs at least one System pool.
    let profiles = p["agentPoolProfiles"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if existing.is_none() && profiles.is_empty() {
        return Err(ArmError::invalid_parameter(
            "properties.agentPoolProfiles",
            "at least one agent pool profile is required",
        ));
    }
    let mut pools = Vec::new();
    for (index, profile) in profiles.iter().enumerate() {
        let pool_name = profile["name"].as_str().unwrap_or_default().to_string();
        let pool_id = format!("{id}/agentPools/{pool_name}");
        let current = state.get(&pool_id).map(|r| r.properties().clone());
        let mut properties = profile.clone();
        let target = format!("properties.agentPoolProfiles[{index}].");
        agent_pools::check_pool(
            &mut properties,
            &pool_name,
            &target,
            &version,
            current.as_ref(),
            "User",
        )?;
        pools.push((pool_id, pool_name, properties));
    }
    if existing.is_none() && !pools.iter().any(|(_, _, p)| p["mode"] == json!("System")) {
        return Err(ArmError::invalid_parameter(
            "properties.agentPoolProfiles",
            "A managed cluster must have at least one agent pool in System mode",
        ));
    }
    let identity = resolve_identity(state, &request, &old)?;
    let mut properties = p.clone();
    properties["kubernetesVersion"] = json!(requested);
    properties["currentKubernetesVersion"] = json!(version);
    properties["enableRBAC"] = json!(p["enableRBAC"].as_bool().unwrap_or(true));
    let dns_prefix = p["dnsPrefix"]
        .as_str()
        .map(str::to_string)
        .or_else(|| old["properties"]["dnsPrefix"].as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{name}-{}", &guid()[..6]));
    properties["dnsPrefix"] = json!(dns_prefix);
    let node_group = old["properties"]["nodeResourceGroup"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| {
            p["nodeResourceGroup"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("MC_{group}_{name}_{location}"))
        });
    properties["nodeResourceGroup"] = json!(node_group);
    let private = p["apiServerAccessProfile"]["enablePrivateCluster"] == json!(true);
    let host_suffix = old["properties"]["fqdn"]
        .as_str()
        .or(old["properties"]["privateFQDN"].as_str())
        .and_then(|f| f.split('.').next())
        .and_then(|h| h.rsplit('-').next())
        .map(str::to_string)
        .unwrap_or_else(|| guid()[..8].to_string());
    if private {
        properties["privateFQDN"] = json!(format!(
            "{dns_prefix}-{host_suffix}.{}.privatelink.{location}.azmk8s.io",
            &guid()[..8]
        ));
        if let Some(old_private) = old["properties"]["privateFQDN"].as_str() {
            properties["privateFQDN"] = json!(old_private);
        }
        properties["apiServerAccessProfile"]["privateDNSZone"] = json!(
            p["apiServerAccessProfile"]["privateDNSZone"]
                .as_str()
                .unwrap_or("system")
        );
    } else {
        properties["fqdn"] = json!(format!(
            "{dns_prefix}-{host_suffix}.hcp.{location}.azmk8s.io"
        ));
    }
    properties["azurePortalFQDN"] = json!(format!(
        "{dns_prefix}-{host_suffix}.portal.hcp.{location}.azmk8s.io"
    ));
    properties["maxAgentPools"] = json!(100);
    properties["powerState"] = json!({"code": "Running"});
    properties
        .as_object_mut()
        .map(|m| m.remove("agentPoolProfiles"));
    if p["disableLocalAccounts"] == json!(true) && p["aadProfile"]["managed"] != json!(true) {
        return Err(ArmError::invalid_parameter(
            "properties.disableLocalAccounts",
            "local accounts can only be disabled on a cluster with managed Entra ID integration (aadProfile.managed = true)",
        ));
    }
    if p["aadProfile"].is_object() {
        properties["aadProfile"]["tenantID"] = json!(
            p["aadProfile"]["tenantID"]
                .as_str()
                .unwrap_or(&state.tenant_id)
        );
    }
    let oidc = p["oidcIssuerProfile"]["enabled"] == json!(true);
    if !oidc && old["properties"]["oidcIssuerProfile"]["enabled"] == json!(true) {
        return Err(ArmError::invalid_parameter(
            "properties.oidcIssuerProfile.enabled",
            "the OIDC issuer cannot be disabled once it is enabled",
        ));
    }
    if oidc {
        let issuer = old["properties"]["oidcIssuerProfile"]["issuerURL"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}/oidc/{}/{}/", state.url, state.tenant_id, guid()));
        properties["oidcIssuerProfile"] = json!({"enabled": true, "issuerURL": issuer});
    }
    if p["securityProfile"]["workloadIdentity"]["enabled"] == json!(true) && !oidc {
        return Err(ArmError::invalid_parameter(
            "properties.securityProfile.workloadIdentity",
            "Enabling workload identity requires enabling OIDC issuer profile",
        ));
    }
    super::aks_kms::check_kms(state, &request, &identity)?;
    properties["identityProfile"] = kubelet_identity(state, &p, &old, &node_group, name)?;
    let networking = &mut properties["networkProfile"];
    if !networking.is_object() {
        *networking = json!({});
    }
    for (field, default) in [
        ("networkPlugin", "azure"),
        ("networkPluginMode", "overlay"),
        ("podCidr", "10.244.0.0/16"),
        ("serviceCidr", "10.0.0.0/16"),
        ("dnsServiceIP", "10.0.0.10"),
        ("loadBalancerSku", "standard"),
        ("outboundType", "loadBalancer"),
    ] {
        if networking.get(field).is_none_or(Value::is_null) {
            networking[field] = json!(default);
        }
    }
    let mut body = json!({
        "id": id,
        "name": name,
        "type": Kind::ManagedCluster.arm_type(),
        "location": location,
        "tags": tags,
        "sku": request.get("sku").cloned().unwrap_or_else(|| json!({"name": "Base", "tier": "Free"})),
        "properties": properties,
    });
    if !identity.is_null() {
        body["identity"] = identity;
    }
    let created = existing.is_none();
    state.insert(Resource {
        id: id.to_string(),
        kind: Kind::ManagedCluster,
        body,
        pending: None,
        created: existing.map(|e| e.created).unwrap_or_else(Instant::now),
    });
    let operation = state.begin(
        id,
        if created { "Creating" } else { "Updating" },
        "managedClusters.put",
    );
    for (pool_id, pool_name, properties) in pools {
        let since = state.get(&pool_id).map(|p| p.created);
        let pool_created = since.is_none();
        state.insert(Resource {
            id: pool_id.clone(),
            kind: Kind::AgentPool,
            body: pool_body(&pool_id, &pool_name, &properties),
            pending: None,
            created: since.unwrap_or_else(Instant::now),
        });
        if let Some(pool) = state.get_mut(&pool_id) {
            pool.pending = Some(crate::azure::model::Pending {
                state: if pool_created { "Creating" } else { "Updating" },
                done_at: operation.done_at,
                failure: operation.failure.clone(),
            });
            pool.body["properties"]["provisioningState"] =
                json!(if pool_created { "Creating" } else { "Updating" });
        }
    }
    let body = cluster_body(state, id).unwrap_or_default();
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let location = body["location"].as_str().unwrap_or_default().to_string();
    Ok(lro::started(
        state,
        status,
        Some(&body),
        NAMESPACE,
        &location,
        &operation,
        api_version,
    ))
}

/// The cluster's `identity` as answered: a user-assigned identity that exists, or a
/// new system-assigned principal.
fn resolve_identity(state: &mut State, request: &Value, old: &Value) -> Result<Value, ArmError> {
    let kind = request["identity"]["type"]
        .as_str()
        .unwrap_or(if request["identity"].is_null() {
            "None"
        } else {
            ""
        });
    match kind {
        "UserAssigned" => {
            let ids: Vec<String> = request["identity"]["userAssignedIdentities"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            if ids.len() != 1 {
                return Err(ArmError::invalid_parameter(
                    "identity.userAssignedIdentities",
                    "exactly one user-assigned identity is required for the control plane",
                ));
            }
            let identity = state.get(&ids[0]).ok_or_else(|| {
                ArmError::invalid_parameter(
                    "identity.userAssignedIdentities",
                    &format!("the user-assigned identity '{}' was not found", ids[0]),
                )
            })?;
            let p = identity.properties();
            Ok(
                json!({"type": "UserAssigned", "userAssignedIdentities": {identity.id.clone(): {"clientId": p["clientId"], "principalId": p["principalId"]}}}),
            )
        }
        "SystemAssigned" => {
            let principal = old["identity"]["principalId"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(guid);
            state
                .principals
                .entry(principal.clone())
                .or_insert(Principal {
                    kind: "ServicePrincipal",
                    created: Instant::now(),
                });
            Ok(
                json!({"type": "SystemAssigned", "principalId": principal, "tenantId": state.tenant_id}),
            )
        }
        _ => Ok(Value::Null),
    }
}

/// The kubelet identity: the one given in `identityProfile`, or one AKS makes in the
/// node resource group.
fn kubelet_identity(
    state: &mut State,
    p: &Value,
    old: &Value,
    node_group: &str,
    name: &str,
) -> Result<Value, ArmError> {
    if let Some(given) = p["identityProfile"]["kubeletidentity"]["resourceId"].as_str() {
        let identity = state.get(given).ok_or_else(|| {
            ArmError::invalid_parameter(
                "properties.identityProfile.kubeletidentity.resourceId",
                &format!("the user-assigned identity '{given}' was not found"),
            )
        })?;
        let ip = identity.properties();
        return Ok(
            json!({"kubeletidentity": {"resourceId": identity.id, "clientId": ip["clientId"], "objectId": ip["principalId"]}}),
        );
    }
    if old["properties"]["identityProfile"].is_object() {
        return Ok(old["properties"]["identityProfile"].clone());
    }
    let object_id = guid();
    state.principals.insert(
        object_id.clone(),
        Principal {
            kind: "ServicePrincipal",
            created: Instant::now(),
        },
    );
    Ok(json!({"kubeletidentity": {
        "resourceId": format!("/subscriptions/{}/resourcegroups/{node_group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}-agentpool", state.subscription_id),
        "clientId": guid(),
        "objectId": object_id,
    }}))
}
