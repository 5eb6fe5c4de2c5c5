//! Typed access: decode a `Value` into a serde struct and encode one back, guided by the
//! schema type (so lists, sets, maps and objects come back as what the schema says).

use super::json::from_json_value;
use super::{Type, Value};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value as Json;

/// A value could not be turned into the requested Rust type, or back.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("decoding into {target}: {message}")]
    Decode {
        target: &'static str,
        message: String,
    },
    #[error("encoding: {0}")]
    Encode(String),
}

/// Decodes a value into `T`. Unknown values decode as null (so an `Option` field is
/// `None`): plan-time code that must tell unknown from null reads the `Value` directly.
pub fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, DecodeError> {
    serde_json::from_value(to_loose_json(value)).map_err(|e| DecodeError::Decode {
        target: std::any::type_name::<T>(),
        message: e.to_string(),
    })
}

/// Encodes `T` as a value of type `ty`: fields the type lacks are dropped, attributes
/// the struct lacks are null.
pub fn encode<T: Serialize>(item: &T, ty: &Type) -> Result<Value, DecodeError> {
    let json = serde_json::to_value(item).map_err(|e| DecodeError::Encode(e.to_string()))?;
    from_json_value(&json, ty, "").map_err(|e| DecodeError::Encode(e.to_string()))
}

fn to_loose_json(value: &Value) -> Json {
    match value {
        Value::Unknown | Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => n.to_json(),
        Value::String(s) => Json::String(s.clone()),
        Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
            Json::Array(v.iter().map(to_loose_json).collect())
        }
        Value::Map(m) | Value::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), to_loose_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Item {
        id: Option<String>,
        name: String,
        size: i64,
        tags: Option<BTreeMap<String, String>>,
    }

    fn ty() -> Type {
        Type::object([
            ("id", Type::String),
            ("name", Type::String),
            ("size", Type::Number),
            ("tags", Type::map(Type::String)),
            ("extra", Type::set(Type::String)),
        ])
    }

    #[test]
    fn typed_round_trip() {
        let item = Item {
            id: None,
            name: "a".into(),
            size: 2,
            tags: Some([("k".to_string(), "v".to_string())].into()),
        };
        let v = encode(&item, &ty()).unwrap();
        assert_eq!(v.attr("extra"), Some(&Value::Null));
        assert!(matches!(v.attr("tags"), Some(Value::Map(_))));
        assert_eq!(decode::<Item>(&v).unwrap(), item);
    }

    #[test]
    fn unknown_decodes_as_none_and_wrong_shapes_fail() {
        let v = Value::object([
            ("id", Value::Unknown),
            ("name", "n".into()),
            ("size", 1i64.into()),
        ]);
        assert_eq!(decode::<Item>(&v).unwrap().id, None);
        let bad = Value::object([("name", 5i64.into())]);
        let err = decode::<Item>(&bad).unwrap_err().to_string();
        assert!(err.contains("Item"), "{err}");
    }
}
