//! Kubernetes objects as plain JSON: server-side apply, get, list and delete of any
//! kind the provider owns, and raw requests through the API server (the service
//! proxy). The manifests are built as `serde_json::Value` by pure functions
//! (`crate::serving::manifests`), so nothing here knows a kind's fields.
//!
//! The `kube` client already retries 429, 503 and 504 (honouring `Retry-After`).

use super::KubeError;
use ::kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams,
};
use serde_json::Value;

/// Which object: enough to build its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectKey {
    /// `v1`, `apps/v1`, `networking.k8s.io/v1`...
    pub api_version: String,
    pub kind: String,
    /// `None` for cluster-scoped kinds (Namespace, Node).
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectKey {
    /// The key of a manifest (`apiVersion`, `kind`, `metadata.name` and
    /// `metadata.namespace`).
    pub fn of(object: &Value) -> Result<ObjectKey, KubeError> {
        let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned);
        let missing = || KubeError::NotAnObject(truncated(object));
        Ok(ObjectKey {
            api_version: text(&object["apiVersion"]).ok_or_else(missing)?,
            kind: text(&object["kind"]).ok_or_else(missing)?,
            namespace: text(&object["metadata"]["namespace"]),
            name: text(&object["metadata"]["name"]).ok_or_else(missing)?,
        })
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

fn truncated(object: &Value) -> String {
    let mut text = object.to_string();
    if text.len() > 120 {
        text.truncate(117);
        text.push_str("...");
    }
    text
}

/// The dynamic API of a kind, in a namespace or cluster-wide.
fn api(
    client: &::kube::Client,
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
) -> Api<DynamicObject> {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let resource = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
        None => Api::all_with(client.clone(), &resource),
    }
}

fn key_api(client: &::kube::Client, key: &ObjectKey) -> Api<DynamicObject> {
    api(
        client,
        &key.api_version,
        &key.kind,
        key.namespace.as_deref(),
    )
}

fn to_json(object: DynamicObject) -> Result<Value, KubeError> {
    serde_json::to_value(object).map_err(|e| KubeError::Unreachable(e.to_string()))
}

/// Server-side apply of `object` under `field_manager`, forcing ownership of the
/// fields it sets (mlcloud is the source of truth for them); answers the object as
/// the server holds it.
pub async fn apply(
    client: &::kube::Client,
    field_manager: &str,
    object: &Value,
) -> Result<Value, KubeError> {
    let key = ObjectKey::of(object)?;
    let params = PatchParams::apply(field_manager).force();
    let applied = key_api(client, &key)
        .patch(&key.name, &params, &Patch::Apply(object))
        .await
        .map_err(KubeError::from_call)?;
    to_json(applied)
}

/// The object, or `None` when it does not exist.
pub async fn get(client: &::kube::Client, key: &ObjectKey) -> Result<Option<Value>, KubeError> {
    match key_api(client, key).get(&key.name).await {
        Ok(object) => to_json(object).map(Some),
        Err(e) => match KubeError::from_call(e) {
            e if e.is_not_found() => Ok(None),
            e => Err(e),
        },
    }
}

/// The objects of a kind in `namespace` matching `label_selector` (`k=v,...`).
pub async fn list(
    client: &::kube::Client,
    api_version: &str,
    kind: &str,
    namespace: &str,
    label_selector: Option<&str>,
) -> Result<Vec<Value>, KubeError> {
    let mut params = ListParams::default();
    if let Some(selector) = label_selector {
        params = params.labels(selector);
    }
    let listed = api(client, api_version, kind, Some(namespace))
        .list(&params)
        .await
        .map_err(KubeError::from_call)?;
    listed.items.into_iter().map(to_json).collect()
}

/// Deletes the object (its dependents in the background); `false` when it was
/// already gone.
pub async fn delete(client: &::kube::Client, key: &ObjectKey) -> Result<bool, KubeError> {
    match key_api(client, key)
        .delete(&key.name, &DeleteParams::background())
        .await
    {
        Ok(_) => Ok(true),
        Err(e) => match KubeError::from_call(e) {
            e if e.is_not_found() => Ok(false),
            e => Err(e),
        },
    }
}

/// A raw answer: status code and body text, whatever the status.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub body: String,
}

/// `method path` on the API server with an optional JSON body; any answer is
/// returned as it is (the service proxy passes the backend's own errors through).
pub async fn send(
    client: &::kube::Client,
    method: http::Method,
    path: &str,
    body: Option<&Value>,
) -> Result<RawResponse, KubeError> {
    let mut request = http::Request::builder().method(method).uri(path);
    let bytes = match body {
        Some(body) => {
            request = request.header(http::header::CONTENT_TYPE, "application/json");
            serde_json::to_vec(body).unwrap_or_default()
        }
        None => Vec::new(),
    };
    let request = request
        .body(::kube::client::Body::from(bytes))
        .map_err(|e| KubeError::Unreachable(e.to_string()))?;
    let response = client
        .send(request)
        .await
        .map_err(|e| KubeError::Unreachable(e.to_string()))?;
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect_bytes()
        .await
        .map_err(|e| KubeError::Unreachable(e.to_string()))?;
    Ok(RawResponse {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_manifest_names_its_object() {
        let key = ObjectKey::of(&json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": { "name": "m", "namespace": "ml" },
        }))
        .unwrap();
        assert_eq!(key.to_string(), "Deployment ml/m");
        let key = ObjectKey::of(
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}}),
        )
        .unwrap();
        assert_eq!(key.namespace, None);
        let err = ObjectKey::of(&json!({"kind": "Namespace"})).unwrap_err();
        assert!(err.to_string().contains("not a Kubernetes object"), "{err}");
    }
}
