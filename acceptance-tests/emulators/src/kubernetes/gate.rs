//! Who may call an API server: authentication (401) then, when the part's
//! `authorization` setting is on, authorization (403). Each cloud plugs its own
//! check in, sharing the token verification of the part that issued the token.

use std::sync::Arc;

use async_trait::async_trait;

/// The caller a token names, as the API server's audit log would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `oid` (Entra), the account email (Google), the principal ARN (AWS).
    pub user: String,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 401: no token, or one this cluster's cloud did not issue.
    Unauthenticated,
    /// 403: the caller is known but has no role on the cluster.
    Forbidden(Caller),
}

/// One cluster's check of a bearer token.
#[async_trait]
pub trait Gate: Send + Sync {
    /// The caller `token` names, or `None` when it is not valid for this cluster.
    async fn authenticate(&self, token: &str) -> Option<Caller>;

    /// Whether the caller may use the cluster (asked only when authorization is on).
    fn authorize(&self, _caller: &Caller) -> bool {
        true
    }
}

/// Any bearer token names a caller "anonymous-bearer"; a missing one is refused.
pub struct AnyBearer;

#[async_trait]
impl Gate for AnyBearer {
    async fn authenticate(&self, token: &str) -> Option<Caller> {
        (!token.is_empty()).then(|| Caller {
            user: "bearer".into(),
        })
    }
}

/// Applies a gate to a request's `authorization` header.
pub async fn check(
    gate: &Arc<dyn Gate>,
    header: Option<&str>,
    authorize: bool,
) -> Result<Caller, Refusal> {
    let token = header
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or_default();
    if token.is_empty() {
        return Err(Refusal::Unauthenticated);
    }
    let caller = gate
        .authenticate(token)
        .await
        .ok_or(Refusal::Unauthenticated)?;
    if authorize && !gate.authorize(&caller) {
        return Err(Refusal::Forbidden(caller));
    }
    Ok(caller)
}
