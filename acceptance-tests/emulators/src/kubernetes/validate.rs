//! The validation the API server applies to what this emulator serves: object names,
//! and the spec rules a client most often gets wrong (a Deployment whose selector
//! does not match its template, negative replicas, a Service without ports).

use serde_json::Value;

use super::kinds::Kind;
use super::selectors::LabelSelector;
use super::status::{ApiError, ApiResult, Cause};

/// RFC 1123 label: what namespaces and services are named with.
pub fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label)
}

/// RBAC names are path segments (`system:controller:x` is a ClusterRole's name).
pub fn is_path_segment(name: &str) -> bool {
    name != "." && name != ".." && !name.contains('/') && !name.contains('%')
}

fn name_rule(kind: &Kind) -> (fn(&str) -> bool, &'static str) {
    if kind.group == "rbac.authorization.k8s.io" {
        return (
            is_path_segment,
            "may not be '.' or '..' and may not contain '/' or '%'",
        );
    }
    match kind.plural {
        "namespaces" | "services" => (
            is_dns_label,
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
        _ => (
            is_dns_subdomain,
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
    }
}

/// Everything wrong with `object`, as `Invalid` causes.
pub fn check(kind: &Kind, object: &Value) -> ApiResult<()> {
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    let mut causes = Vec::new();
    let (valid, rule) = name_rule(kind);
    if name.is_empty() {
        causes.push(Cause {
            reason: "FieldValueRequired",
            message: "Required value: name or generateName is required".into(),
            field: "metadata.name".into(),
        });
    } else if !valid(name) {
        causes.push(Cause {
            reason: "FieldValueInvalid",
            message: format!("Invalid value: \"{name}\": {rule}"),
            field: "metadata.name".into(),
        });
    }
    for map in ["labels", "annotations"] {
        let entries = &object["metadata"][map];
        if !(entries.is_null() || entries.is_object()) {
            causes.push(Cause {
                reason: "FieldValueInvalid",
                message: "Invalid value: expected a map of strings".into(),
                field: format!("metadata.{map}"),
            });
        } else if let Some(bad) = entries
            .as_object()
            .into_iter()
            .flatten()
            .find(|(_, v)| !v.is_string())
        {
            causes.push(Cause {
                reason: "FieldValueInvalid",
                message: format!("Invalid value: {}: must be a string", bad.1),
                field: format!("metadata.{map}.{}", bad.0),
            });
        }
    }
    match kind.plural {
        "deployments" | "daemonsets" => workload(object, kind.plural == "deployments", &mut causes),
        "services" => service(object, &mut causes),
        _ => super::rbac::check(kind, object, &mut causes),
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(kind, name, causes))
    }
}

fn workload(object: &Value, replicated: bool, causes: &mut Vec<Cause>) {
    let spec = &object["spec"];
    if replicated
        && let Some(replicas) = spec["replicas"].as_i64()
        && replicas < 0
    {
        causes.push(Cause {
            reason: "FieldValueInvalid",
            message: format!("Invalid value: {replicas}: must be greater than or equal to 0"),
            field: "spec.replicas".into(),
        });
    }
    let selector = &spec["selector"];
    if !selector.is_object()
        || (selector["matchLabels"].is_null() && selector["matchExpressions"].is_null())
    {
        causes.push(Cause {
            reason: "FieldValueRequired",
            message: "Required value".into(),
            field: "spec.selector".into(),
        });
        return;
    }
    let labels = &spec["template"]["metadata"]["labels"];
    if !LabelSelector::from_object(selector).matches(labels) {
        causes.push(Cause {
            reason: "FieldValueInvalid",
            message: format!(
                "Invalid value: {}: `selector` does not match template `labels`",
                labels
            ),
            field: "spec.template.metadata.labels".into(),
        });
    }
    let containers = spec["template"]["spec"]["containers"].as_array();
    if containers.is_none_or(|c| c.is_empty()) {
        causes.push(Cause {
            reason: "FieldValueRequired",
            message: "Required value".into(),
            field: "spec.template.spec.containers".into(),
        });
    }
    for (index, container) in containers.into_iter().flatten().enumerate() {
        if container["image"].as_str().is_none_or(str::is_empty) {
            causes.push(Cause {
                reason: "FieldValueRequired",
                message: "Required value".into(),
                field: format!("spec.template.spec.containers[{index}].image"),
            });
        }
    }
}

fn service(object: &Value, causes: &mut Vec<Cause>) {
    let spec = &object["spec"];
    let headless = spec["clusterIP"] == "None";
    let external = spec["type"] == "ExternalName";
    if !headless && !external && spec["ports"].as_array().is_none_or(|p| p.is_empty()) {
        causes.push(Cause {
            reason: "FieldValueRequired",
            message: "Required value".into(),
            field: "spec.ports".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubernetes::kinds::find;
    use serde_json::json;

    #[test]
    fn names_follow_rfc_1123() {
        assert!(is_dns_label("ml-serving"));
        assert!(!is_dns_label("ML"));
        assert!(!is_dns_label("-a"));
        assert!(is_dns_subdomain("a.b-c"));
        let namespaces = find("", "v1", "namespaces").unwrap();
        let error = check(namespaces, &json!({"metadata": {"name": "a.b"}})).unwrap_err();
        assert_eq!(error.reason, "Invalid");
        assert_eq!(error.details.causes[0].field, "metadata.name");
    }

    #[test]
    fn a_deployment_selector_must_match_its_template() {
        let deployments = find("apps", "v1", "deployments").unwrap();
        let error = check(
            deployments,
            &json!({"metadata": {"name": "web"}, "spec": {
                "replicas": -1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "other"}}, "spec": {"containers": [{"name": "c"}]}}
            }}),
        )
        .unwrap_err();
        let fields: Vec<&str> = error
            .details
            .causes
            .iter()
            .map(|c| c.field.as_str())
            .collect();
        assert_eq!(
            fields,
            [
                "spec.replicas",
                "spec.template.metadata.labels",
                "spec.template.spec.containers[0].image"
            ]
        );
        assert!(
            error
                .message
                .starts_with("Deployment.apps \"web\" is invalid: ["),
            "{}",
            error.message
        );
    }
}
