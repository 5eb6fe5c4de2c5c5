//! The validation the API server gives `rbac.authorization.k8s.io/v1` objects: each
//! rule of a Role or ClusterRole names verbs and, unless it is about non-resource
//! URLs, API groups and resources; a binding's `roleRef` names a Role or ClusterRole
//! of the RBAC group and never changes once made (a different role means a new
//! binding: the API server answers 422 `Invalid` "cannot change roleRef"); subjects
//! are ServiceAccounts (with a namespace on a ClusterRoleBinding), Users or Groups.

use serde_json::Value;

use super::kinds::Kind;
use super::status::{ApiError, ApiResult, Cause};

const GROUP: &str = "rbac.authorization.k8s.io";

fn required(field: String, detail: &str) -> Cause {
    Cause {
        reason: "FieldValueRequired",
        message: if detail.is_empty() {
            "Required value".into()
        } else {
            format!("Required value: {detail}")
        },
        field,
    }
}

fn not_supported(field: String, value: &Value, supported: &[&str]) -> Cause {
    let supported: Vec<String> = supported.iter().map(|s| format!("\"{s}\"")).collect();
    Cause {
        reason: "FieldValueNotSupported",
        message: format!(
            "Unsupported value: {}: supported values: {}",
            value_text(value),
            supported.join(", ")
        ),
        field,
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "\"\"".into(),
        other => other.to_string(),
    }
}

fn non_empty_list(value: &Value) -> bool {
    value.as_array().is_some_and(|a| !a.is_empty())
}

/// The causes of an invalid RBAC object of `kind` (none for other kinds).
pub fn check(kind: &Kind, object: &Value, causes: &mut Vec<Cause>) {
    match kind.plural {
        "roles" | "clusterroles" => rules(object, kind.namespaced, causes),
        "rolebindings" | "clusterrolebindings" => binding(object, kind.namespaced, causes),
        _ => {}
    }
}

fn rules(object: &Value, namespaced: bool, causes: &mut Vec<Cause>) {
    let rules = &object["rules"];
    if !(rules.is_null() || rules.is_array()) {
        causes.push(Cause {
            reason: "FieldValueInvalid",
            message: "Invalid value: expected a list of rules".into(),
            field: "rules".into(),
        });
        return;
    }
    for (index, rule) in rules.as_array().into_iter().flatten().enumerate() {
        let at = |field: &str| format!("rules[{index}].{field}");
        if !non_empty_list(&rule["verbs"]) {
            causes.push(required(
                at("verbs"),
                "verbs must contain at least one value",
            ));
        }
        if non_empty_list(&rule["nonResourceURLs"]) {
            if namespaced {
                causes.push(Cause {
                    reason: "FieldValueInvalid",
                    message: format!(
                        "Invalid value: {}: namespaced rules cannot apply to non-resource URLs",
                        rule["nonResourceURLs"]
                    ),
                    field: at("nonResourceURLs"),
                });
            }
            let resources = ["apiGroups", "resources", "resourceNames"]
                .iter()
                .any(|f| non_empty_list(&rule[*f]));
            if resources {
                causes.push(Cause {
                    reason: "FieldValueInvalid",
                    message: format!(
                        "Invalid value: {}: rules cannot apply to both regular resources and non-resource URLs",
                        rule["nonResourceURLs"]
                    ),
                    field: at("nonResourceURLs"),
                });
            }
            continue;
        }
        if !non_empty_list(&rule["apiGroups"]) {
            causes.push(required(
                at("apiGroups"),
                "resource rules must supply at least one api group",
            ));
        }
        if !non_empty_list(&rule["resources"]) {
            causes.push(required(
                at("resources"),
                "resource rules must supply at least one resource",
            ));
        }
    }
}

fn binding(object: &Value, namespaced: bool, causes: &mut Vec<Cause>) {
    let role_ref = &object["roleRef"];
    if role_ref["apiGroup"].as_str() != Some(GROUP) {
        causes.push(not_supported(
            "roleRef.apiGroup".into(),
            &role_ref["apiGroup"],
            &[GROUP],
        ));
    }
    if !matches!(role_ref["kind"].as_str(), Some("Role" | "ClusterRole")) {
        causes.push(not_supported(
            "roleRef.kind".into(),
            &role_ref["kind"],
            &["Role", "ClusterRole"],
        ));
    }
    if role_ref["name"].as_str().is_none_or(str::is_empty) {
        causes.push(required("roleRef.name".into(), ""));
    }
    for (index, subject) in object["subjects"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = |field: &str| format!("subjects[{index}].{field}");
        if subject["name"].as_str().is_none_or(str::is_empty) {
            causes.push(required(at("name"), ""));
        }
        let api_group = subject["apiGroup"].as_str().unwrap_or_default();
        match subject["kind"].as_str() {
            Some("ServiceAccount") => {
                if !api_group.is_empty() {
                    causes.push(not_supported(at("apiGroup"), &subject["apiGroup"], &[""]));
                }
                if !namespaced && subject["namespace"].as_str().is_none_or(str::is_empty) {
                    causes.push(required(at("namespace"), ""));
                }
            }
            Some("User" | "Group") => {
                if api_group != GROUP {
                    causes.push(not_supported(
                        at("apiGroup"),
                        &subject["apiGroup"],
                        &[GROUP],
                    ));
                }
            }
            _ => causes.push(not_supported(
                at("kind"),
                &subject["kind"],
                &["ServiceAccount", "User", "Group"],
            )),
        }
    }
}

/// What an update may not do: change a binding's `roleRef`.
pub fn check_update(kind: &Kind, old: &Value, new: &Value) -> ApiResult<()> {
    if !matches!(kind.plural, "rolebindings" | "clusterrolebindings")
        || old["roleRef"] == new["roleRef"]
    {
        return Ok(());
    }
    let name = new["metadata"]["name"].as_str().unwrap_or_default();
    Err(ApiError::invalid(
        kind,
        name,
        vec![Cause {
            reason: "FieldValueInvalid",
            message: format!("Invalid value: {}: cannot change roleRef", new["roleRef"]),
            field: "roleRef".into(),
        }],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubernetes::kinds::find;
    use serde_json::json;

    fn causes(plural: &str, object: Value) -> Vec<(String, &'static str)> {
        let kind = find(GROUP, "v1", plural).unwrap();
        let mut causes = Vec::new();
        check(kind, &object, &mut causes);
        causes.into_iter().map(|c| (c.field, c.reason)).collect()
    }

    #[test]
    fn a_rule_needs_verbs_groups_and_resources() {
        let found = causes(
            "clusterroles",
            json!({"rules": [
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
                {"resources": ["nodes"]},
                {"nonResourceURLs": ["/healthz"], "verbs": ["get"]},
            ]}),
        );
        assert_eq!(
            found,
            [
                ("rules[1].verbs".into(), "FieldValueRequired"),
                ("rules[1].apiGroups".into(), "FieldValueRequired"),
            ]
        );
        let namespaced = causes(
            "roles",
            json!({"rules": [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]}),
        );
        assert_eq!(
            namespaced,
            [("rules[0].nonResourceURLs".into(), "FieldValueInvalid")]
        );
        assert!(causes("roles", json!({"rules": []})).is_empty());
    }

    #[test]
    fn a_binding_needs_a_role_ref_and_namespaced_service_accounts() {
        let found = causes(
            "clusterrolebindings",
            json!({"subjects": [{"kind": "ServiceAccount", "name": "a"}, {"kind": "Robot", "name": "b"}]}),
        );
        assert_eq!(
            found,
            [
                ("roleRef.apiGroup".into(), "FieldValueNotSupported"),
                ("roleRef.kind".into(), "FieldValueNotSupported"),
                ("roleRef.name".into(), "FieldValueRequired"),
                ("subjects[0].namespace".into(), "FieldValueRequired"),
                ("subjects[1].kind".into(), "FieldValueNotSupported"),
            ]
        );
        let ok = causes(
            "rolebindings",
            json!({"roleRef": {"apiGroup": GROUP, "kind": "Role", "name": "r"},
                   "subjects": [{"kind": "ServiceAccount", "name": "a"}]}),
        );
        assert!(ok.is_empty(), "{ok:?}");
    }

    #[test]
    fn role_ref_never_changes() {
        let kind = find(GROUP, "v1", "rolebindings").unwrap();
        let old = json!({"metadata": {"name": "b"}, "roleRef": {"apiGroup": GROUP, "kind": "Role", "name": "r"}});
        let mut new = old.clone();
        assert!(check_update(kind, &old, &new).is_ok());
        new["roleRef"]["name"] = json!("other");
        let error = check_update(kind, &old, &new).unwrap_err();
        assert_eq!(error.reason, "Invalid");
        assert_eq!(error.details.causes[0].field, "roleRef");
        assert!(
            error.message.starts_with(
                "RoleBinding.rbac.authorization.k8s.io \"b\" is invalid: roleRef: Invalid value: "
            ),
            "{}",
            error.message
        );
        assert!(error.message.ends_with("cannot change roleRef"));
    }
}
