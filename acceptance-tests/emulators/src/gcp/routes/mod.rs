//! Routing by path: every Google service of this part shares one port, as the
//! official clients send the same Host to each (`/token`, `/v1/projects/.../clusters`,
//! `/v1/projects/.../keyRings`, `/v1/projects/.../serviceAccounts`, `/v3/projects`).

mod compute;
mod container;
mod iam;
mod kms;
mod oauth;
mod policy;
mod resourcemanager;
mod storage;
mod testing;

use bytes::Bytes;
use http::{Method, Response};

use super::GcpPart;
use super::errors::{ApiError, ApiResult};
use super::request::GcpRequest;

/// A resource path split up: `/v1/projects/p/serviceAccounts/a:getIamPolicy` is
/// version `v1`, segments `[projects, p, serviceAccounts, a]`, verb `getIamPolicy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    pub version: String,
    pub segments: Vec<String>,
    pub verb: Option<String>,
}

impl ResourcePath {
    pub fn parse(path: &str) -> Option<Self> {
        let mut parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let version = parts
            .first()
            .copied()
            .filter(|v| v.starts_with('v'))?
            .to_string();
        parts.remove(0);
        let mut segments: Vec<String> = parts.iter().map(|part| part.to_string()).collect();
        let mut verb = None;
        if let Some(last) = segments.last_mut()
            && let Some((name, action)) = last.rsplit_once(':')
        {
            verb = Some(action.to_string());
            *last = name.to_string();
        }
        segments.retain(|segment| !segment.is_empty());
        Some(Self {
            version,
            segments,
            verb,
        })
    }

    pub fn strs(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }

    /// The resource name (`projects/p/locations/l/clusters/c`).
    pub fn name(&self) -> String {
        self.segments.join("/")
    }

    /// The collection the path names or ends in (`clusters`, `cryptoKeys`).
    fn collection(&self) -> Option<&str> {
        let len = self.segments.len();
        let index = if len.is_multiple_of(2) {
            len.checked_sub(2)?
        } else {
            len - 1
        };
        self.segments.get(index).map(String::as_str)
    }
}

/// The request's operation as Google's method names put it (`container.clusters.create`,
/// `cloudkms.cryptoKeyVersions.destroy`, `iam.serviceAccounts.setIamPolicy`), for
/// fault rules and the request log.
pub fn operation_name(method: &Method, path: &str) -> Option<String> {
    if path == "/token" {
        return Some("oauth2.token".into());
    }
    if path == "/tokeninfo" {
        return Some("oauth2.tokeninfo".into());
    }
    if let Some(rest) = path.strip_prefix("/storage/v1/b") {
        let parts = rest.split('/').filter(|part| !part.is_empty()).count();
        let action = match (method.as_str(), parts, rest.ends_with("/iam")) {
            ("GET", 2, true) => "getIamPolicy",
            ("PUT", 2, true) => "setIamPolicy",
            ("POST", 0, _) => "insert",
            ("GET", 0, _) => "list",
            ("GET", 1, _) => "get",
            ("DELETE", 1, _) => "delete",
            _ => return None,
        };
        return Some(format!("storage.buckets.{action}"));
    }
    if let Some(rest) = path.strip_prefix("/compute/v1/") {
        let is_manager = rest.split('/').nth(4) == Some("instanceGroupManagers");
        return (is_manager && method == Method::GET)
            .then(|| "compute.instanceGroupManagers.get".to_string());
    }
    let parsed = ResourcePath::parse(path)?;
    let collection = parsed.collection()?;
    let service = match collection {
        "clusters" | "nodePools" | "operations" => "container",
        "keyRings" | "cryptoKeys" | "cryptoKeyVersions" => "cloudkms",
        "serviceAccounts" => "iam",
        "projects" if parsed.version == "v3" => "cloudresourcemanager",
        _ => return None,
    };
    let item = parsed.segments.len().is_multiple_of(2);
    let action = match (&parsed.verb, method.as_str(), item) {
        (Some(verb), _, _) => verb.as_str(),
        (None, "GET", true) => "get",
        (None, "GET", false) => "list",
        (None, "POST", false) => "create",
        (None, "PATCH", _) => "patch",
        (None, "PUT", _) => "update",
        (None, "DELETE", _) => "delete",
        _ => return None,
    };
    Some(format!("{service}.{collection}.{action}"))
}

/// Answers one request (authenticated unless it is the token endpoint or the
/// emulator's own test route).
pub fn handle(part: &GcpPart, request: &GcpRequest) -> Response<Bytes> {
    route(part, request).unwrap_or_else(|error| error.response())
}

fn route(part: &GcpPart, request: &GcpRequest) -> ApiResult<Response<Bytes>> {
    if request.path == "/token" {
        return oauth::token(part, request);
    }
    if request.path == "/tokeninfo" {
        return oauth::tokeninfo(part, request);
    }
    if let Some(rest) = request.path.strip_prefix("/_emulator/") {
        return testing::handle(part, request, rest);
    }
    part.auth.check(request.authorization.as_deref())?;
    if let Some(rest) = request.path.strip_prefix("/storage/v1/b") {
        let mut model = part.model.lock().expect("gcp model");
        return Ok(storage::handle(&mut model, request, rest));
    }
    if let Some(rest) = request.path.strip_prefix("/compute/v1/") {
        let mut model = part.model.lock().expect("gcp model");
        return Ok(compute::handle(&mut model, request, rest));
    }
    let no_route = || ApiError::no_route(&request.method, &request.path);
    let path = ResourcePath::parse(&request.path).ok_or_else(no_route)?;
    let segments = path.strs();
    let mut model = part.model.lock().expect("gcp model");
    match (path.version.as_str(), segments.as_slice()) {
        ("v3", ["projects", ..]) => resourcemanager::handle(&mut model, request, &path),
        ("v1", ["projects", _, "serviceAccounts", ..]) => iam::handle(&mut model, request, &path),
        ("v1", ["projects", _, "locations", _, "keyRings", ..]) => {
            kms::handle(&mut model, request, &path)
        }
        ("v1", ["projects", _, "locations", _, "clusters" | "operations", ..]) => {
            container::handle(part, &mut model, request, &path)
        }
        _ => Err(no_route()),
    }
}

/// Refuses a path under a project this emulator does not play, as Google does for a
/// project the caller cannot see.
pub fn check_project(model: &super::model::Model, project: &str) -> ApiResult<()> {
    if model.project.is(project) || project == "-" {
        Ok(())
    } else {
        Err(ApiError::permission_denied(format!(
            "Permission denied on resource project {project}."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_named_as_googles_methods() {
        let cases = [
            (
                Method::POST,
                "/v1/projects/p/locations/l/clusters",
                "container.clusters.create",
            ),
            (
                Method::PUT,
                "/v1/projects/p/locations/l/clusters/c",
                "container.clusters.update",
            ),
            (
                Method::POST,
                "/v1/projects/p/locations/l/clusters/c/nodePools/n:setSize",
                "container.nodePools.setSize",
            ),
            (
                Method::GET,
                "/v1/projects/p/locations/l/operations/o",
                "container.operations.get",
            ),
            (
                Method::POST,
                "/v1/projects/p/locations/l/keyRings/r/cryptoKeys",
                "cloudkms.cryptoKeys.create",
            ),
            (
                Method::POST,
                "/v1/projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1:destroy",
                "cloudkms.cryptoKeyVersions.destroy",
            ),
            (
                Method::POST,
                "/v1/projects/p/serviceAccounts",
                "iam.serviceAccounts.create",
            ),
            (
                Method::POST,
                "/v1/projects/p/serviceAccounts/a@p.iam.gserviceaccount.com:setIamPolicy",
                "iam.serviceAccounts.setIamPolicy",
            ),
            (
                Method::POST,
                "/v3/projects/p:getIamPolicy",
                "cloudresourcemanager.projects.getIamPolicy",
            ),
            (
                Method::GET,
                "/v3/projects/p",
                "cloudresourcemanager.projects.get",
            ),
            (Method::POST, "/token", "oauth2.token"),
            (
                Method::PUT,
                "/storage/v1/b/models/iam",
                "storage.buckets.setIamPolicy",
            ),
            (Method::POST, "/storage/v1/b", "storage.buckets.insert"),
            (
                Method::GET,
                "/compute/v1/projects/p/zones/us-central1-a/instanceGroupManagers/gke-c-gpu-1a2b3c4d-grp",
                "compute.instanceGroupManagers.get",
            ),
        ];
        for (method, path, name) in cases {
            assert_eq!(
                operation_name(&method, path).as_deref(),
                Some(name),
                "{method} {path}"
            );
        }
    }
}
