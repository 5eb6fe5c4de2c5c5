//! One cluster's API server over HTTP: authentication, discovery, then the verbs on
//! the served types (`create`, `get`, `list`, `update`, `patch` in its three
//! formats, `delete`, `deletecollection`), `/status` subresources and the service
//! proxy. The state lives in [`Store`]; the emulator's controllers run before each
//! request, so time-driven changes (pods becoming Ready, namespaces vanishing) are
//! seen by the next read.

use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};

use super::controllers::{self, Runtime};
use super::discovery;
use super::gate::{self, Gate, Refusal};
use super::kinds::{self, Kind};
use super::proxy;
use super::selectors::{FieldSelector, LabelSelector};
use super::settings::Settings;
use super::status::{ApiError, ApiResult};
use super::store::{Change, Part as Written, Store};
use crate::gcp::request::{form_pairs, percent_decode};
use crate::part::{NativeFault, Part};

/// The namespaces every cluster has from the start.
pub const SYSTEM_NAMESPACES: &[&str] =
    &["default", "kube-system", "kube-public", "kube-node-lease"];

/// One emulated API server.
pub struct ClusterApi {
    /// `override` for the part's own API, the cloud's cluster id otherwise.
    pub id: String,
    pub store: Mutex<Store>,
    pub settings: Arc<RwLock<Settings>>,
    pub runtime: Mutex<Runtime>,
    gate: Arc<dyn Gate>,
}

/// What a resource path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: &'static Kind,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// `status`, or `proxy` with the rest of the path.
    pub subresource: Option<String>,
    pub rest: String,
}

impl ClusterApi {
    pub fn new(
        id: impl Into<String>,
        settings: Arc<RwLock<Settings>>,
        gate: Arc<dyn Gate>,
        smoke_binary: Option<std::path::PathBuf>,
    ) -> Self {
        let api = Self {
            id: id.into(),
            store: Mutex::new(Store::default()),
            settings,
            runtime: Mutex::new(Runtime::new(smoke_binary)),
            gate,
        };
        api.seed();
        api
    }

    fn seed(&self) {
        let namespaces = kinds::find("", "v1", "namespaces").expect("served");
        let mut store = self.store.lock().expect("store");
        for name in SYSTEM_NAMESPACES {
            store
                .create(
                    namespaces,
                    "",
                    json!({"metadata": {"name": name}}),
                    "kube-apiserver",
                )
                .expect("system namespaces are valid");
        }
    }

    /// Forgets every object (back to the system namespaces) and stops its processes.
    pub fn reset(&self) {
        *self.store.lock().expect("store") = Store::default();
        self.runtime.lock().expect("runtime").stop_all();
        self.seed();
    }

    /// Runs the controllers up to now, after a write.
    pub fn settle(&self) {
        self.settle_as(false);
    }

    /// Runs the controllers up to now; `looking` when a request is about to read
    /// the result (image pulls back off from one look to the next).
    fn settle_as(&self, looking: bool) {
        let settings = self.settings.read().expect("settings").clone();
        let mut store = self.store.lock().expect("store");
        let mut runtime = self.runtime.lock().expect("runtime");
        controllers::settle(&mut store, &mut runtime, &settings, looking);
    }

    /// What the API holds: every object but the system namespaces (so a cluster
    /// "destroy left nothing" reads `objects: []`), and its nodes apart.
    pub fn records(&self) -> Value {
        self.settle_as(true);
        let store = self.store.lock().expect("store");
        let mut objects = Vec::new();
        let mut nodes = Vec::new();
        for ((plural, namespace, name), object) in store.everything() {
            if *plural == "namespaces" && SYSTEM_NAMESPACES.contains(&name.as_str()) {
                continue;
            }
            if *plural == "nodes" {
                nodes.push(json!(name));
                continue;
            }
            let mut record = json!({"kind": object["kind"], "name": name});
            if !namespace.is_empty() {
                record["namespace"] = json!(namespace);
            }
            objects.push(record);
        }
        json!({"objects": objects, "nodes": nodes})
    }

    async fn serve(&self, request: Request<Bytes>) -> ApiResult<Response<Bytes>> {
        let path = percent_decode(request.uri().path());
        let method = request.method().clone();
        // Public info, as `system:public-info-viewer` allows anonymously.
        match (method.as_str(), path.as_str()) {
            ("GET", "/version" | "/version/") => return Ok(ok(&discovery::version())),
            ("GET", "/healthz" | "/livez" | "/readyz") => {
                return Ok(Response::builder()
                    .status(StatusCode::OK)
                    .header("content-type", "text/plain; charset=utf-8")
                    .body(Bytes::from_static(b"ok"))
                    .expect("a static response"));
            }
            _ => {}
        }
        let authorization = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let authorize = self.settings.read().expect("settings").authorization;
        let caller = match gate::check(&self.gate, authorization.as_deref(), authorize).await {
            Ok(caller) => caller,
            Err(Refusal::Unauthenticated) => return Err(ApiError::unauthorized()),
            Err(Refusal::Forbidden(caller)) => return Err(forbidden(&caller.user, &method, &path)),
        };
        let _ = caller;
        if method == Method::GET
            && let Some(body) = discovery_route(&path)
        {
            return body.map(|b| ok(&b));
        }
        let target = parse_target(&path).ok_or_else(ApiError::no_route)?;
        self.settle_as(true);
        if target.subresource.as_deref() == Some("proxy") {
            return proxy::forward(self, &target, request).await;
        }
        let query = request.uri().query().map(form_pairs).unwrap_or_default();
        let param = |name: &str| {
            query
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let manager = param("fieldManager").unwrap_or_else(|| user_agent_manager(&request));
        let content_type = request
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let kind = target.kind;
        let namespace = target.namespace.clone().unwrap_or_default();
        let written = match target.subresource.as_deref() {
            None => Written::Main,
            Some("status") if kind.has_status => Written::Status,
            Some(_) => return Err(ApiError::no_route()),
        };
        let mut store = self.store.lock().expect("store");
        let answer = match (&method, &target.name) {
            (&Method::GET, Some(name)) => store.get(kind, &namespace, name)?,
            (&Method::GET, None) => {
                if param("watch").is_some_and(|w| parse_bool(&w)) {
                    return Err(ApiError::method_not_allowed(
                        "watch: this emulator serves no watches; poll with list",
                    ));
                }
                let labels = LabelSelector::parse(&param("labelSelector").unwrap_or_default())?;
                let fields = FieldSelector::parse(&param("fieldSelector").unwrap_or_default())?;
                store.list(kind, target.namespace.as_deref(), &labels, &fields)
            }
            (&Method::POST, None) if written == Written::Main => {
                if !kind.client_creatable {
                    return Err(pods_are_made_by_controllers(kind, &request));
                }
                let object = json_body(request.body())?;
                let created = store.create(kind, &namespace, object, &manager)?;
                drop(store);
                self.settle();
                return Ok(respond(StatusCode::CREATED, &created));
            }
            (&Method::PUT, Some(name)) => {
                if !kind.client_creatable && written == Written::Main {
                    return Err(pods_are_made_by_controllers(kind, &request));
                }
                let object = json_body(request.body())?;
                store.change(
                    kind,
                    &namespace,
                    name,
                    Change::Replace(object),
                    written,
                    &manager,
                )?
            }
            (&Method::PATCH, Some(name)) => {
                if !kind.client_creatable && written == Written::Main {
                    return Err(pods_are_made_by_controllers(kind, &request));
                }
                let body = json_body(request.body())?;
                let change = match content_type.as_str() {
                    "application/merge-patch+json" | "application/strategic-merge-patch+json" => {
                        Change::Merge(body)
                    }
                    "application/json-patch+json" => Change::Json(body),
                    "application/apply-patch+yaml" | "application/apply-patch+json" => {
                        if param("fieldManager").is_none_or(|m| m.is_empty()) {
                            return Err(ApiError::bad_request(
                                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                            ));
                        }
                        let force = param("force").is_some_and(|f| parse_bool(&f));
                        Change::Apply {
                            object: body,
                            force,
                        }
                    }
                    other => return Err(ApiError::unsupported_media_type(other)),
                };
                let created = store.find(kind, &namespace, name).is_none();
                let changed = store.change(kind, &namespace, name, change, written, &manager)?;
                if created {
                    drop(store);
                    self.settle();
                    return Ok(respond(StatusCode::CREATED, &changed));
                }
                changed
            }
            (&Method::DELETE, Some(name)) if written == Written::Main => {
                let deleted = store.delete(kind, &namespace, name)?;
                drop(store);
                self.settle();
                return Ok(ok(&deleted));
            }
            (&Method::DELETE, None) => {
                let labels = LabelSelector::parse(&param("labelSelector").unwrap_or_default())?;
                let fields = FieldSelector::parse(&param("fieldSelector").unwrap_or_default())?;
                let list = store.list(kind, target.namespace.as_deref(), &labels, &fields);
                for item in list["items"].as_array().into_iter().flatten() {
                    let name = item["metadata"]["name"].as_str().unwrap_or_default();
                    let namespace = item["metadata"]["namespace"].as_str().unwrap_or_default();
                    store.delete(kind, namespace, name)?;
                }
                list
            }
            _ => return Err(ApiError::method_not_allowed(method.as_str())),
        };
        drop(store);
        if method != Method::GET {
            self.settle();
        }
        Ok(ok(&answer))
    }
}

/// Go's `strconv.ParseBool` truths, as the API server reads query flags (the
/// Python client sends `force=True`).
fn parse_bool(text: &str) -> bool {
    matches!(text, "1" | "t" | "T" | "true" | "TRUE" | "True")
}

fn ok(body: &Value) -> Response<Bytes> {
    respond(StatusCode::OK, body)
}

fn respond(status: StatusCode, body: &Value) -> Response<Bytes> {
    crate::server::json_response(status, body)
}

fn json_body(body: &Bytes) -> ApiResult<Value> {
    serde_json::from_slice(body).map_err(|error| {
        ApiError::bad_request(format!(
            "the body of the request could not be decoded as JSON (YAML bodies are not served by this emulator: send JSON): {error}"
        ))
    })
}

/// `kubectl/v1.31.0 (linux/amd64) ...` → `kubectl`, as the API server names a
/// manager when the request gives none.
fn user_agent_manager(request: &Request<Bytes>) -> String {
    request
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .and_then(|agent| agent.split('/').next())
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .unwrap_or("unknown")
        .to_string()
}

fn pods_are_made_by_controllers(kind: &Kind, request: &Request<Bytes>) -> ApiError {
    let name = serde_json::from_slice::<Value>(request.body())
        .ok()
        .and_then(|body| body["metadata"]["name"].as_str().map(str::to_string))
        .unwrap_or_default();
    ApiError::forbidden_on(
        kind,
        &name,
        "in this emulator pods are made only by its controllers; create a Deployment or a DaemonSet",
    )
}

/// RBAC's 403 message.
fn forbidden(user: &str, method: &Method, path: &str) -> ApiError {
    let verb = match *method {
        Method::GET => "get",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => "access",
    };
    match parse_target(path) {
        Some(target) => {
            let verb = if verb == "get" && target.name.is_none() {
                "list"
            } else {
                verb
            };
            let scope = match &target.namespace {
                Some(ns) => format!("in the namespace \"{ns}\""),
                None => "at the cluster scope".into(),
            };
            ApiError::forbidden(format!(
                "{} is forbidden: User \"{user}\" cannot {verb} resource \"{}\" in API group \"{}\" {scope}",
                target.kind.qualified(),
                target.kind.plural,
                target.kind.group
            ))
        }
        None => ApiError::forbidden(format!(
            "forbidden: User \"{user}\" cannot {verb} path \"{path}\""
        )),
    }
}

fn discovery_route(path: &str) -> Option<ApiResult<Value>> {
    let trimmed = path.trim_end_matches('/');
    let segments: Vec<&str> = trimmed.split('/').filter(|s| !s.is_empty()).collect();
    let missing = || Err(ApiError::no_route());
    Some(match segments.as_slice() {
        ["api"] => Ok(discovery::core_versions()),
        ["apis"] => Ok(discovery::groups()),
        ["api", version] => discovery::resources("", version).map_or_else(missing, Ok),
        ["apis", group] => discovery::group(group).map_or_else(missing, Ok),
        ["apis", group, version] => discovery::resources(group, version).map_or_else(missing, Ok),
        _ => return None,
    })
}

/// `/api/v1/namespaces/ml/services/web:8080/proxy/v2/health/ready` and the like.
pub fn parse_target(path: &str) -> Option<Target> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let (group, version, rest) = match segments.as_slice() {
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, plural, rest @ ..] if !matches!(*plural, "status" | "finalize") => {
            (Some(ns.to_string()), [&[*plural][..], rest].concat())
        }
        _ => (None, rest.to_vec()),
    };
    let (plural, name, subresource, tail) = match rest.as_slice() {
        [plural] => (*plural, None, None, Vec::new()),
        [plural, name] => (*plural, Some(name.to_string()), None, Vec::new()),
        [plural, name, sub, tail @ ..] => (
            *plural,
            Some(name.to_string()),
            Some(sub.to_string()),
            tail.to_vec(),
        ),
        _ => return None,
    };
    let kind = kinds::find(group, version, plural)?;
    if namespace.is_some() && !kind.namespaced {
        return None;
    }
    if subresource.as_deref() != Some("proxy") && !tail.is_empty() {
        return None;
    }
    Some(Target {
        kind,
        namespace,
        name: name.filter(|n| !n.is_empty()),
        subresource,
        rest: tail.join("/"),
    })
}

#[async_trait]
impl Part for ClusterApi {
    fn name(&self) -> &'static str {
        "kubernetes"
    }

    fn ready(&self) -> Value {
        Value::Null
    }

    /// `deployments.create`, `deployments/status.patch`, `services/proxy.post`.
    fn operation(&self, request: &Request<Bytes>) -> Option<String> {
        let target = parse_target(&percent_decode(request.uri().path()))?;
        let verb = match (request.method().as_str(), target.name.is_some()) {
            ("GET", true) => "get",
            ("GET", false) => "list",
            ("POST", _) => "create",
            ("PUT", _) => "update",
            ("PATCH", _) => "patch",
            ("DELETE", true) => "delete",
            ("DELETE", false) => "deletecollection",
            (other, _) => other,
        };
        let resource = match &target.subresource {
            Some(sub) => format!("{}/{sub}", target.kind.plural),
            None => target.kind.plural.to_string(),
        };
        Some(format!("{resource}.{verb}"))
    }

    async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        self.serve(request)
            .await
            .unwrap_or_else(|error| error.response())
    }

    fn fault_response(&self, fault: NativeFault, _request: &Request<Bytes>) -> Response<Bytes> {
        match fault {
            NativeFault::Throttled { retry_after } => {
                ApiError::too_many_requests(retry_after.as_secs()).response()
            }
            NativeFault::ServerError { status } => ApiError::internal(status.as_u16()).response(),
        }
    }

    fn records(&self) -> Value {
        ClusterApi::records(self)
    }

    fn reset(&self) {
        ClusterApi::reset(self)
    }
}
