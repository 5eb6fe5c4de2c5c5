//! Entra ID as the credentials see it: the client-credentials token endpoint
//! (`POST /{tenant}/oauth2/v2.0/token`) and the OpenID discovery document MSAL (Python
//! azure-identity) fetches first. It accepts exactly the printed client id + secret,
//! or a client assertion: for the printed client any well-formed JWT for
//! `api://AzureADTokenExchange` (signatures are not checked), for a user-assigned
//! identity's client id one that matches one of its federated credentials. Tokens are
//! JWT-shaped (clients read `oid`/`tid` from them) and valid only because this
//! emulator issued them.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use serde_json::{Value, json};

use super::errors::{arm_json, entra_error};
use super::model::{Kind, State};
use super::time::{guid, unix_seconds};

/// The printed credentials.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
}

/// An issued token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub audience: String,
    pub object_id: String,
    pub expires: Instant,
}

/// The audiences ARM accepts.
pub const ARM_AUDIENCES: &[&str] = &[
    "https://management.azure.com",
    "https://management.azure.com/",
    "https://management.core.windows.net",
    "https://management.core.windows.net/",
];

pub const KEY_VAULT_AUDIENCE: &str = "https://vault.azure.net";

/// Resources a token may be asked for (`{resource}/.default`).
const KNOWN_RESOURCES: &[&str] = &[
    "https://management.azure.com",
    "https://management.azure.com/",
    "https://management.core.windows.net",
    "https://management.core.windows.net/",
    KEY_VAULT_AUDIENCE,
    "https://graph.microsoft.com",
    // AKS's Entra server application, for kubelogin.
    "6dae42f8-4368-4678-94ff-3960e28e3630",
];

const TOKEN_LIFETIME: Duration = Duration::from_secs(3599);

/// Whether this path is Entra's.
pub fn is_entra_path(path: &str) -> bool {
    path.ends_with("/oauth2/v2.0/token")
        || path.ends_with("/.well-known/openid-configuration")
        || path.ends_with("/discovery/v2.0/keys")
}

pub fn handle(
    state: &mut State,
    credentials: &ClientCredentials,
    request: &Request<Bytes>,
) -> Response<Bytes> {
    let path = request.uri().path();
    let tenant = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    if !tenant_matches(state, tenant) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    if path.ends_with("/.well-known/openid-configuration") {
        return arm_json(StatusCode::OK, &discovery(state));
    }
    if path.ends_with("/discovery/v2.0/keys") {
        return arm_json(StatusCode::OK, &json!({"keys": []}));
    }
    if request.method() != http::Method::POST {
        return entra_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            900561,
            "The endpoint only accepts POST requests.",
        );
    }
    let form: Vec<(String, String)> = form_pairs(request.body());
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if field("grant_type") != Some("client_credentials") {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    let Some(scope) = field("scope") else {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    };
    let Some(resource) = scope
        .strip_suffix("/.default")
        .filter(|r| KNOWN_RESOURCES.contains(r))
    else {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    };
    let client_id = field("client_id").unwrap_or_default();
    let object_id = match authenticate(state, credentials, client_id, &field) {
        Ok(object_id) => object_id,
        Err(response) => return *response,
    };
    let token = issue(state, resource, &object_id, client_id);
    arm_json(
        StatusCode::OK,
        &json!({
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME.as_secs(),
            "ext_expires_in": TOKEN_LIFETIME.as_secs(),
            "access_token": token,
        }),
    )
}

fn tenant_matches(state: &State, tenant: &str) -> bool {
    tenant.eq_ignore_ascii_case(&state.tenant_id) || tenant == "organizations"
}

fn discovery(state: &State) -> Value {
    let base = format!("{}/{}", state.url, state.tenant_id);
    json!({
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/v2.0"),
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
    })
}

/// The object id of the principal the request authenticates, or Entra's refusal.
fn authenticate<'a>(
    state: &State,
    credentials: &ClientCredentials,
    client_id: &str,
    field: &dyn Fn(&str) -> Option<&'a str>,
) -> Result<String, Box<Response<Bytes>>> {
    let assertion = field("client_assertion");
    if client_id.eq_ignore_ascii_case(&credentials.client_id) {
        return match (field("client_secret"), assertion) {
            (Some(secret), _) if secret == credentials.client_secret => {
                Ok(state.client_object_id.clone())
            }
            (Some(_), _) => Err(refuse(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                &format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                ),
            )),
            (None, Some(assertion)) => check_assertion(assertion, field, |claims| {
                claims["aud"] == json!("api://AzureADTokenExchange")
                    || claims["aud"]
                        .as_array()
                        .is_some_and(|a| a.contains(&json!("api://AzureADTokenExchange")))
            })
            .map(|()| state.client_object_id.clone()),
            (None, None) => Err(refuse(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )),
        };
    }
    // A user-assigned identity signing in with a federated credential.
    let identity = state.of_kind(Kind::Identity).find(|identity| {
        identity.properties()["clientId"]
            .as_str()
            .is_some_and(|id| id.eq_ignore_ascii_case(client_id))
    });
    match (identity, assertion) {
        (Some(identity), Some(assertion)) => {
            let credentials = state.children(&identity.id, Kind::FederatedCredential);
            check_assertion(assertion, field, |claims| {
                credentials.iter().any(|credential| {
                    let p = credential.properties();
                    p["issuer"] == claims["iss"]
                        && p["subject"] == claims["sub"]
                        && p["audiences"]
                            .as_array()
                            .is_some_and(|audiences| audiences.contains(&claims["aud"]))
                })
            })?;
            Ok(identity.properties()["principalId"]
                .as_str()
                .unwrap_or_default()
                .to_string())
        }
        _ => Err(refuse(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                state.tenant_id
            ),
        )),
    }
}

fn check_assertion<'a>(
    assertion: &str,
    field: &dyn Fn(&str) -> Option<&'a str>,
    matches: impl Fn(&Value) -> bool,
) -> Result<(), Box<Response<Bytes>>> {
    if field("client_assertion_type")
        != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
        ));
    }
    let claims = assertion
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    let Some(claims) = claims else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50027,
            "JWT token is invalid or malformed.",
        ));
    };
    if matches(&claims) {
        Ok(())
    } else {
        Err(refuse(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            70021,
            &format!(
                "No matching federated identity record found for presented assertion. Assertion Issuer: '{}'. Assertion Subject: '{}'. Assertion Audience: '{}'.",
                claims["iss"].as_str().unwrap_or_default(),
                claims["sub"].as_str().unwrap_or_default(),
                claims["aud"],
            ),
        ))
    }
}

fn issue(state: &mut State, resource: &str, object_id: &str, client_id: &str) -> String {
    let now = unix_seconds();
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": "mlcloud-emulator"});
    let claims = json!({
        "aud": resource,
        "iss": format!("https://sts.windows.net/{}/", state.tenant_id),
        "iat": now,
        "nbf": now,
        "exp": now + TOKEN_LIFETIME.as_secs(),
        "appid": client_id,
        "appidacr": "1",
        "idtyp": "app",
        "oid": object_id,
        "sub": object_id,
        "tid": state.tenant_id,
        "ver": "1.0",
        "uti": guid(),
    });
    let token = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(guid().replace('-', "")),
    );
    state.tokens.insert(
        token.clone(),
        IssuedToken {
            audience: resource.trim_end_matches('/').to_string(),
            object_id: object_id.to_string(),
            expires: Instant::now() + TOKEN_LIFETIME,
        },
    );
    token
}

/// `application/x-www-form-urlencoded` pairs, percent-decoded.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (percent_decode(key), percent_decode(value)))
        .collect()
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 3 <= bytes.len() && text.is_char_boundary(i + 3) => {
                match u8::from_str_radix(&text[i + 1..i + 3], 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Entra's refusal, boxed (responses are large).
fn refuse(status: StatusCode, error: &str, code: u32, description: &str) -> Box<Response<Bytes>> {
    Box::new(entra_error(status, error, code, description))
}
