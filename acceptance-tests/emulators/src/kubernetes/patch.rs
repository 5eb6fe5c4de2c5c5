//! The patch formats the API server takes: JSON merge patch (RFC 7386, also used for
//! `strategic-merge-patch+json`, whose list-merge keys this emulator does not know:
//! lists are replaced whole) and JSON patch (RFC 6902).

use serde_json::Value;

use super::status::{ApiError, ApiResult};

/// RFC 7386: objects merge key by key, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let object = target.as_object_mut().expect("made an object above");
    for (key, value) in patch {
        if value.is_null() {
            object.remove(key);
        } else {
            merge_patch(object.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// RFC 6902 `add`, `remove`, `replace`, `test` (what clients send for scale and
/// finalizer edits).
pub fn json_patch(target: &mut Value, operations: &Value) -> ApiResult<()> {
    let operations = operations.as_array().ok_or_else(|| {
        ApiError::bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    })?;
    for operation in operations {
        let path = operation["path"].as_str().unwrap_or_default();
        let op = operation["op"].as_str().unwrap_or_default();
        let value = operation.get("value").cloned().unwrap_or(Value::Null);
        let bad = |why: &str| {
            ApiError::bad_request(format!(
                "the server rejected our request due to an error in our request: {op} {path}: {why}"
            ))
        };
        match op {
            "test" => {
                if target.pointer(path) != Some(&value) {
                    return Err(ApiError::new_unprocessable(format!(
                        "the server rejected our request due to an error in our request: testing value {path} failed"
                    )));
                }
            }
            "replace" => {
                let at = target
                    .pointer_mut(path)
                    .ok_or_else(|| bad("replace operation does not apply: doc is missing key"))?;
                *at = value;
            }
            "add" | "remove" => {
                let (parent, last) = path.rsplit_once('/').ok_or_else(|| bad("bad path"))?;
                let last = last.replace("~1", "/").replace("~0", "~");
                let parent = target
                    .pointer_mut(parent)
                    .ok_or_else(|| bad("doc is missing path"))?;
                match (parent, op) {
                    (Value::Object(map), "add") => {
                        map.insert(last, value);
                    }
                    (Value::Object(map), _) => {
                        map.remove(&last).ok_or_else(|| {
                            bad("remove operation does not apply: doc is missing key")
                        })?;
                    }
                    (Value::Array(items), "add") => {
                        let index = if last == "-" {
                            items.len()
                        } else {
                            last.parse().map_err(|_| bad("bad index"))?
                        };
                        if index > items.len() {
                            return Err(bad("index out of range"));
                        }
                        items.insert(index, value);
                    }
                    (Value::Array(items), _) => {
                        let index: usize = last.parse().map_err(|_| bad("bad index"))?;
                        if index >= items.len() {
                            return Err(bad("index out of range"));
                        }
                        items.remove(index);
                    }
                    _ => return Err(bad("parent is not a container")),
                }
            }
            _ => return Err(bad("unsupported operation")),
        }
    }
    Ok(())
}

/// The leaves of an object as paths of keys; lists are leaves (server-side apply
/// here treats every list as atomic, see the README).
pub fn leaves(value: &Value) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    collect(value, &mut Vec::new(), &mut out);
    out
}

fn collect(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                path.push(key.clone());
                collect(child, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

pub fn get<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(value, |at, key| at.get(key))
}

/// Sets `path` in `value`, making the objects on the way.
pub fn set(value: &mut Value, path: &[String], leaf: Value) {
    let mut at = value;
    for key in path {
        if !at.is_object() {
            *at = Value::Object(Default::default());
        }
        at = at
            .as_object_mut()
            .expect("made an object above")
            .entry(key.clone())
            .or_insert(Value::Null);
    }
    *at = leaf;
}

/// Removes `path` and the objects it leaves empty.
pub fn remove(value: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    if let Some(Value::Object(map)) = parents
        .iter()
        .try_fold(&mut *value, |at, key| at.get_mut(key))
    {
        map.remove(last);
        if map.is_empty() && !parents.is_empty() {
            remove(value, parents);
        }
    }
}

/// `.spec.replicas` as apply conflicts name a field.
pub fn dotted(path: &[String]) -> String {
    path.iter().map(|key| format!(".{key}")).collect()
}

impl ApiError {
    fn new_unprocessable(message: String) -> Self {
        let mut error = ApiError::bad_request(message);
        error.code = 422;
        error.reason = "Invalid";
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_merges_objects_and_removes_nulls() {
        let mut target = json!({"a": {"b": 1, "c": 2}, "l": [1, 2]});
        merge_patch(&mut target, &json!({"a": {"b": null, "d": 3}, "l": [3]}));
        assert_eq!(target, json!({"a": {"c": 2, "d": 3}, "l": [3]}));
    }

    #[test]
    fn json_patch_add_replace_remove_test() {
        let mut target = json!({"spec": {"replicas": 1, "list": [1]}});
        json_patch(
            &mut target,
            &json!([
                {"op": "test", "path": "/spec/replicas", "value": 1},
                {"op": "replace", "path": "/spec/replicas", "value": 3},
                {"op": "add", "path": "/spec/list/-", "value": 2},
                {"op": "remove", "path": "/spec/list/0"}
            ]),
        )
        .unwrap();
        assert_eq!(target, json!({"spec": {"replicas": 3, "list": [2]}}));
        let error = json_patch(
            &mut target,
            &json!([{"op": "test", "path": "/spec/replicas", "value": 1}]),
        )
        .unwrap_err();
        assert_eq!(error.code, 422);
    }

    #[test]
    fn leaves_stop_at_lists_and_scalars() {
        let value = json!({"spec": {"replicas": 2, "ports": [{"port": 80}]}, "empty": {}});
        let mut found: Vec<String> = leaves(&value).iter().map(|p| dotted(p)).collect();
        found.sort();
        assert_eq!(found, vec![".empty", ".spec.ports", ".spec.replicas"]);
        let mut value = value;
        remove(&mut value, &["spec".into(), "ports".into()]);
        remove(&mut value, &["spec".into(), "replicas".into()]);
        assert_eq!(value, json!({"empty": {}}));
    }
}
