//! ARM over HTTP: authenticates the bearer token, splits the path into what it names
//! (a resource group, a resource under a provider namespace, a scope's role
//! assignments, an operation) and hands it to the handler of that namespace. Key
//! Vault's data plane lives under `/keyvault/{vault}/` on the same port (the vaults'
//! `vaultUri` points there).

mod agent_pools;
mod call;
mod identities;
mod key_vault;
mod key_vault_data;
mod managed_clusters;
mod resource_groups;
mod role_assignments;
mod validate;

pub use call::Call;

use bytes::Bytes;
use http::{Request, Response, StatusCode};

use super::errors::ArmError;
use super::model::State;
use super::token::{ARM_AUDIENCES, KEY_VAULT_AUDIENCE};

/// The prefix of every vault's data-plane URL.
pub const KEY_VAULT_PREFIX: &str = "/keyvault/";

/// Answers an ARM or Key Vault data-plane request (Entra's are answered before).
pub fn handle(state: &mut State, request: &Request<Bytes>) -> Response<Bytes> {
    state.settle();
    let path = request.uri().path().to_string();
    if let Some(rest) = path.strip_prefix(KEY_VAULT_PREFIX) {
        return match authenticate(state, request, &[KEY_VAULT_AUDIENCE]) {
            Ok(caller) => key_vault_data::handle(state, &Call::new(request, caller), rest),
            Err(_) => key_vault_data::challenge(state),
        };
    }
    let caller = match authenticate(state, request, ARM_AUDIENCES) {
        Ok(caller) => caller,
        Err(error) => {
            let mut response = error.response();
            response.headers_mut().insert(
                "www-authenticate",
                format!(
                    "Bearer authorization_uri=\"{}/{}\", error=\"invalid_token\", error_description=\"{}\"",
                    state.url, state.tenant_id, error.message
                )
                .parse()
                .unwrap_or_else(|_| http::HeaderValue::from_static("Bearer")),
            );
            return response;
        }
    };
    let call = Call::new(request, caller);
    match route(state, &call) {
        Ok(response) => response,
        Err(error) => error.response(),
    }
}

/// The caller's object id, or ARM's 401.
fn authenticate(
    state: &State,
    request: &Request<Bytes>,
    audiences: &[&str],
) -> Result<String, ArmError> {
    let header = request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok());
    let Some(header) = header else {
        return Err(ArmError::new(
            StatusCode::UNAUTHORIZED,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        ));
    };
    let Some(token) = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
    else {
        return Err(ArmError::new(
            StatusCode::UNAUTHORIZED,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        ));
    };
    let Some(issued) = state.tokens.get(token.trim()) else {
        return Err(ArmError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        ));
    };
    if issued.expires <= std::time::Instant::now() {
        return Err(ArmError::new(
            StatusCode::UNAUTHORIZED,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time is earlier than current UTC time.",
        ));
    }
    if !audiences
        .iter()
        .any(|audience| audience.trim_end_matches('/') == issued.audience)
    {
        return Err(ArmError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationTokenAudience",
            format!(
                "The access token has been obtained for wrong audience or resource '{}'. It should exactly match with one of the allowed audiences '{}'.",
                issued.audience,
                audiences.join("','")
            ),
        ));
    }
    Ok(issued.object_id.clone())
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Finds what the path names and calls its handler.
fn route(state: &mut State, call: &Call) -> Result<Response<Bytes>, ArmError> {
    let segments = call.segments();
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    // Role assignments and definitions live under any scope.
    if let Some(index) = s
        .windows(2)
        .rposition(|pair| eq(pair[0], "providers") && eq(pair[1], "Microsoft.Authorization"))
    {
        let scope = format!("/{}", s[..index].join("/"));
        check_subscription(state, &s)?;
        return role_assignments::handle(state, call, &scope, &s[index + 2..]);
    }
    if s.len() < 2 || !eq(s[0], "subscriptions") {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            format!(
                "The resource type '{}' could not be found.",
                s.first().copied().unwrap_or_default()
            ),
        ));
    }
    check_subscription(state, &s)?;
    match &s[2..] {
        [rg] if eq(rg, "resourceGroups") => resource_groups::list(state, call),
        // Resource group deletes are polled here.
        [results, operation] if eq(results, "operationresults") => {
            Ok(super::lro::poll(state, &call.path, operation, true, None))
        }
        [rg, group] if eq(rg, "resourceGroups") => resource_groups::handle(state, call, group),
        [rg, group, providers, namespace, rest @ ..]
            if eq(rg, "resourceGroups") && eq(providers, "providers") =>
        {
            let namespace = *namespace;
            let target = ResourcePath {
                group: group.to_string(),
                pairs: rest.to_vec(),
            };
            state.require_group(group)?;
            by_namespace(state, call, namespace, &target)
        }
        [providers, namespace, rest @ ..] if eq(providers, "providers") => {
            subscription_level(state, call, namespace, rest)
        }
        _ => Err(unknown_route(call)),
    }
}

fn check_subscription(state: &State, s: &[&str]) -> Result<(), ArmError> {
    if s.len() >= 2 && eq(s[0], "subscriptions") && !eq(s[1], &state.subscription_id) {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            format!("The subscription '{}' could not be found.", s[1]),
        ));
    }
    Ok(())
}

fn unknown_route(call: &Call) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "InvalidResourceType",
        format!(
            "The resource type could not be found in the namespace for path '{}'.",
            call.path
        ),
    )
}

/// `resourceGroups/{g}/providers/{namespace}/` + the rest of the path.
pub struct ResourcePath<'a> {
    pub group: String,
    pub pairs: Vec<&'a str>,
}

fn by_namespace(
    state: &mut State,
    call: &Call,
    namespace: &str,
    target: &ResourcePath,
) -> Result<Response<Bytes>, ArmError> {
    let first = target.pairs.first().copied().unwrap_or_default();
    if eq(namespace, "Microsoft.ContainerService") && eq(first, "managedClusters") {
        if target.pairs.len() >= 3 && eq(target.pairs[2], "agentPools") {
            return agent_pools::handle(state, call, target);
        }
        return managed_clusters::handle(state, call, target);
    }
    if eq(namespace, "Microsoft.KeyVault") && eq(first, "vaults") {
        return key_vault::handle(state, call, target);
    }
    if eq(namespace, "Microsoft.ManagedIdentity") && eq(first, "userAssignedIdentities") {
        return identities::handle(state, call, target);
    }
    Err(ArmError::bad_request(
        "InvalidResourceType",
        format!(
            "The resource type '{first}' could not be found in the namespace '{namespace}' for api version '{}'.",
            call.api_version().unwrap_or_default()
        ),
    ))
}

/// `/subscriptions/{s}/providers/{namespace}/...`: operations, deleted vaults, lists.
fn subscription_level(
    state: &mut State,
    call: &Call,
    namespace: &str,
    rest: &[&str],
) -> Result<Response<Bytes>, ArmError> {
    if eq(namespace, "Microsoft.ContainerService") {
        return managed_clusters::subscription_level(state, call, rest);
    }
    if eq(namespace, "Microsoft.KeyVault") {
        return key_vault::subscription_level(state, call, rest);
    }
    if eq(namespace, "Microsoft.ManagedIdentity") {
        return identities::subscription_level(state, call, rest);
    }
    Err(unknown_route(call))
}

pub use identities::HoldFor;

/// The request's operation for fault rules and the request log: `{type}.{method}`
/// (`managedClusters.put`, `agentPools.delete`), `{type}.{action}` for POST actions
/// (`managedClusters.listClusterUserCredential`, `deletedVaults.purge`), `token` for
/// Entra's token endpoint.
pub fn operation_name(request: &Request<Bytes>) -> String {
    const TYPES: &[&str] = &[
        "resourceGroups",
        "managedClusters",
        "agentPools",
        "vaults",
        "keys",
        "deletedVaults",
        "userAssignedIdentities",
        "federatedIdentityCredentials",
        "roleAssignments",
        "roleDefinitions",
        "operations",
        "operationresults",
        "rotationpolicy",
    ];
    let path = request.uri().path();
    if path.ends_with("/oauth2/v2.0/token") {
        return "token".into();
    }
    if path.ends_with("/.well-known/openid-configuration") {
        return "openidConfiguration".into();
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = request.method().as_str().to_ascii_lowercase();
    let found = segments
        .iter()
        .enumerate()
        .rev()
        .find_map(|(index, segment)| {
            TYPES
                .iter()
                .find(|known| known.eq_ignore_ascii_case(segment))
                .map(|known| (index, *known))
        });
    match found {
        Some((index, "rotationpolicy")) if index + 1 == segments.len() => {
            format!("rotationPolicy.{method}")
        }
        Some((index, kind)) if index + 2 < segments.len() => {
            format!("{kind}.{}", segments[segments.len() - 1])
        }
        Some((_, kind)) => format!("{kind}.{method}"),
        None => format!("unknown.{method}"),
    }
}
