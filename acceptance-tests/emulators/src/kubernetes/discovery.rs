//! Discovery as the API server answers it (`/version`, `/api`, `/apis`,
//! `/api/v1`, `/apis/{group}/{version}`): enough for kubectl, client-go's
//! discovery and the Python client; typed clients (kube's `Api<K>`) need none.

use serde_json::{Value, json};

use super::kinds::{self, KINDS, Kind};

/// The Kubernetes version every emulated API server reports.
pub const GIT_VERSION: &str = "v1.31.4";

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "31",
        "gitVersion": GIT_VERSION,
        "gitCommit": "a78aa47129b8539636eb86a9d00e31b2720fe06b",
        "gitTreeState": "clean",
        "buildDate": "2024-12-10T00:00:00Z",
        "goVersion": "go1.22.9",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `GET /api`.
pub fn core_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:443"}],
    })
}

/// `GET /apis`.
pub fn groups() -> Value {
    let groups: Vec<Value> = kinds::groups()
        .into_iter()
        .map(|(group, version)| {
            let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
            json!({"name": group, "versions": [gv.clone()], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `GET /apis/{group}`.
pub fn group(name: &str) -> Option<Value> {
    let (group, version) = kinds::groups().into_iter().find(|(g, _)| *g == name)?;
    let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
    Some(json!({
        "kind": "APIGroup", "apiVersion": "v1", "name": group,
        "versions": [gv.clone()], "preferredVersion": gv,
    }))
}

/// `GET /api/v1` or `/apis/{group}/{version}`.
pub fn resources(group: &str, version: &str) -> Option<Value> {
    let served: Vec<&Kind> = KINDS
        .iter()
        .filter(|k| k.group == group && k.version == version)
        .collect();
    if served.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for kind in served {
        let verbs = if kind.client_creatable {
            json!([
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update"
            ])
        } else {
            json!(["delete", "get", "list"])
        };
        resources.push(json!({
            "name": kind.plural,
            "singularName": kind.singular,
            "namespaced": kind.namespaced,
            "kind": kind.kind,
            "verbs": verbs,
            "shortNames": kind.short_names,
        }));
        if kind.has_status {
            resources.push(json!({
                "name": format!("{}/status", kind.plural),
                "singularName": "",
                "namespaced": kind.namespaced,
                "kind": kind.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}
