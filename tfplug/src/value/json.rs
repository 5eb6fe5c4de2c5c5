//! The JSON codec: `DynamicValue.json` and the raw state Terraform hands to
//! UpgradeResourceState. JSON cannot express unknown, so only known values encode.

use super::{Number, Type, Value};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The JSON did not hold a value of the expected type.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum JsonError {
    #[error("at {path}: expected {expected}, found {found}")]
    Mismatch {
        path: String,
        expected: String,
        found: String,
    },
    #[error("at {path}: unknown values cannot be written as JSON")]
    Unknown { path: String },
    #[error("invalid JSON: {0}")]
    Syntax(String),
}

/// Decodes JSON text into a value of type `ty`. Object attributes missing from the JSON
/// are null; attributes the type does not know are dropped (an older state may still
/// carry attributes a newer schema removed, and that is for the upgrader to handle).
pub fn from_json(bytes: &[u8], ty: &Type) -> Result<Value, JsonError> {
    let json: Json = serde_json::from_slice(bytes).map_err(|e| JsonError::Syntax(e.to_string()))?;
    from_json_value(&json, ty, "")
}

/// Encodes a wholly known value as JSON, in the shape `from_json` reads back.
pub fn to_json(value: &Value, ty: &Type) -> Result<Json, JsonError> {
    to_json_at(value, ty, "")
}

fn mismatch(path: &str, expected: impl Into<String>, found: &Json) -> JsonError {
    let mut shown = found.to_string();
    shown.truncate(60);
    JsonError::Mismatch {
        path: if path.is_empty() {
            "(root)".into()
        } else {
            path.into()
        },
        expected: expected.into(),
        found: shown,
    }
}

pub(crate) fn from_json_value(json: &Json, ty: &Type, path: &str) -> Result<Value, JsonError> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    Ok(match ty {
        Type::String => match json {
            Json::String(s) => Value::String(s.clone()),
            // Terraform converts primitives to string on the fly; so do we.
            Json::Number(n) => Value::String(n.to_string()),
            Json::Bool(b) => Value::String(b.to_string()),
            _ => return Err(mismatch(path, "a string", json)),
        },
        Type::Number => match json {
            Json::Number(n) => Value::Number(json_number(n)),
            Json::String(s) => match serde_json::from_str::<serde_json::Number>(s) {
                Ok(n) => Value::Number(json_number(&n)),
                Err(_) => return Err(mismatch(path, "a number", json)),
            },
            _ => return Err(mismatch(path, "a number", json)),
        },
        Type::Bool => match json {
            Json::Bool(b) => Value::Bool(*b),
            Json::String(s) if s == "true" || s == "false" => Value::Bool(s == "true"),
            _ => return Err(mismatch(path, "a bool", json)),
        },
        Type::List(t) | Type::Set(t) => {
            let arr = json
                .as_array()
                .ok_or_else(|| mismatch(path, "an array", json))?;
            let items = arr
                .iter()
                .enumerate()
                .map(|(i, e)| from_json_value(e, t, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            if matches!(ty, Type::List(_)) {
                Value::List(items)
            } else {
                Value::Set(items)
            }
        }
        Type::Tuple(ts) => {
            let arr = json
                .as_array()
                .ok_or_else(|| mismatch(path, "an array", json))?;
            if arr.len() != ts.len() {
                return Err(mismatch(path, format!("{} elements", ts.len()), json));
            }
            Value::Tuple(
                arr.iter()
                    .zip(ts)
                    .enumerate()
                    .map(|(i, (e, t))| from_json_value(e, t, &format!("{path}[{i}]")))
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Map(t) => {
            let obj = json
                .as_object()
                .ok_or_else(|| mismatch(path, "an object", json))?;
            let mut out = BTreeMap::new();
            for (k, e) in obj {
                out.insert(
                    k.clone(),
                    from_json_value(e, t, &format!("{path}[\"{k}\"]"))?,
                );
            }
            Value::Map(out)
        }
        Type::Object(attrs) => {
            let obj = json
                .as_object()
                .ok_or_else(|| mismatch(path, "an object", json))?;
            let mut out = BTreeMap::new();
            for (k, t) in attrs {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let v = match obj.get(k) {
                    Some(e) => from_json_value(e, t, &sub)?,
                    None => Value::Null,
                };
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        // A dynamic value in JSON is {"value": ..., "type": ...}.
        Type::Dynamic => {
            let obj = json
                .as_object()
                .ok_or_else(|| mismatch(path, "{\"value\", \"type\"}", json))?;
            let inner_ty = obj
                .get("type")
                .and_then(|t| Type::from_json(t).ok())
                .ok_or_else(|| mismatch(path, "a \"type\" for a dynamic value", json))?;
            from_json_value(obj.get("value").unwrap_or(&Json::Null), &inner_ty, path)?
        }
    })
}

fn json_number(n: &serde_json::Number) -> Number {
    if let Some(i) = n.as_i64() {
        Number::Int(i)
    } else if let Some(u) = n.as_u64() {
        Number::UInt(u)
    } else {
        // serde_json keeps arbitrary precision text only with a feature; f64 otherwise.
        let f = n.as_f64().unwrap_or(f64::NAN);
        if f.to_string() == n.to_string() {
            Number::Float(f)
        } else {
            Number::Big(n.to_string())
        }
    }
}

fn to_json_at(value: &Value, ty: &Type, path: &str) -> Result<Json, JsonError> {
    let sub = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    Ok(match (value, ty) {
        (Value::Unknown, _) => {
            return Err(JsonError::Unknown {
                path: if path.is_empty() {
                    "(root)".into()
                } else {
                    path.into()
                },
            });
        }
        (Value::Null, _) => Json::Null,
        (v, Type::Dynamic) => {
            let t = v.infer_type();
            serde_json::json!({"value": to_json_at(v, &t, path)?, "type": t.to_json()})
        }
        (Value::String(s), _) => Json::String(s.clone()),
        (Value::Bool(b), _) => Json::Bool(*b),
        (Value::Number(n), _) => n.to_json(),
        (Value::List(v) | Value::Set(v), Type::List(t) | Type::Set(t)) => Json::Array(
            v.iter()
                .enumerate()
                .map(|(i, e)| to_json_at(e, t, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Tuple(v), Type::Tuple(ts)) => Json::Array(
            v.iter()
                .zip(ts)
                .enumerate()
                .map(|(i, (e, t))| to_json_at(e, t, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Map(m), Type::Map(t)) => Json::Object(
            m.iter()
                .map(|(k, e)| Ok((k.clone(), to_json_at(e, t, &sub(k))?)))
                .collect::<Result<_, JsonError>>()?,
        ),
        (Value::Object(m), Type::Object(attrs)) => Json::Object(
            attrs
                .iter()
                .map(|(k, t)| {
                    let e = m.get(k).unwrap_or(&Value::Null);
                    Ok((k.clone(), to_json_at(e, t, &sub(k))?))
                })
                .collect::<Result<_, JsonError>>()?,
        ),
        (v, t) => {
            return Err(JsonError::Mismatch {
                path: path.into(),
                expected: t.to_json().to_string(),
                found: format!("{v:?}"),
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_json_round_trips() {
        let t = Type::object([
            ("id", Type::String),
            ("size", Type::Number),
            ("tags", Type::map(Type::String)),
            ("zones", Type::set(Type::String)),
            ("nested", Type::list(Type::object([("k", Type::Bool)]))),
        ]);
        let text = br#"{"id":"x","size":3,"tags":{"a":"b"},"zones":["z1"],"nested":[{"k":true}],"removed_attr":1}"#;
        let v = from_json(text, &t).unwrap();
        assert_eq!(v.attr("size").unwrap().as_i64(), Some(3));
        assert_eq!(v.attr("zones").unwrap(), &Value::Set(vec!["z1".into()]));
        let back = to_json(&v, &t).unwrap();
        assert_eq!(from_json(back.to_string().as_bytes(), &t).unwrap(), v);
        assert!(back.get("removed_attr").is_none());
    }

    #[test]
    fn dynamic_json_carries_type() {
        let v = Value::List(vec!["a".into()]);
        let j = to_json(&v, &Type::Dynamic).unwrap();
        assert_eq!(
            j,
            serde_json::json!({"value": ["a"], "type": ["list", "string"]})
        );
        assert_eq!(
            from_json(j.to_string().as_bytes(), &Type::Dynamic).unwrap(),
            v
        );
    }

    #[test]
    fn unknown_and_mismatch_are_errors_with_paths() {
        let t = Type::object([("a", Type::list(Type::Number))]);
        let err = from_json(br#"{"a":[1,"x"]}"#, &t).unwrap_err();
        assert!(err.to_string().contains("a[1]"), "{err}");
        let err = to_json(&Value::object([("a", Value::Unknown)]), &t).unwrap_err();
        assert_eq!(err, JsonError::Unknown { path: "a".into() });
        assert!(from_json(b"{", &t).is_err());
    }

    #[test]
    fn large_numbers_keep_their_digits() {
        let v = from_json(b"18446744073709551615", &Type::Number).unwrap();
        assert_eq!(v, Value::Number(Number::UInt(u64::MAX)));
        assert_eq!(
            to_json(&v, &Type::Number).unwrap().to_string(),
            "18446744073709551615"
        );
    }
}
