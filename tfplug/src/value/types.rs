//! Terraform's type system (cty types) and their JSON wire form.

use serde_json::Value as Json;
use std::collections::BTreeMap;

/// A Terraform type, as it travels in schemas (`type` bytes) and in dynamic values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    String,
    Number,
    Bool,
    /// Any type: the concrete type travels with the value.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// A type's JSON did not describe a Terraform type.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("invalid type JSON {json}: {reason}")]
pub struct TypeError {
    pub json: String,
    pub reason: &'static str,
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
    /// An object type from `(name, type)` pairs.
    pub fn object<I, S>(attrs: I) -> Type
    where
        I: IntoIterator<Item = (S, Type)>,
        S: Into<String>,
    {
        Type::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The type in Terraform's JSON notation: `"string"`, `["list","string"]`, ...
    pub fn to_json(&self) -> Json {
        match self {
            Type::String => Json::from("string"),
            Type::Number => Json::from("number"),
            Type::Bool => Json::from("bool"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(t) => Json::Array(vec!["list".into(), t.to_json()]),
            Type::Set(t) => Json::Array(vec!["set".into(), t.to_json()]),
            Type::Map(t) => Json::Array(vec!["map".into(), t.to_json()]),
            Type::Object(attrs) => {
                let m = attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect();
                Json::Array(vec!["object".into(), Json::Object(m)])
            }
            Type::Tuple(ts) => Json::Array(vec![
                "tuple".into(),
                Json::Array(ts.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    /// The JSON notation as bytes, as schemas carry it.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.to_json()).expect("a type always serialises")
    }

    /// Parses Terraform's JSON notation of a type.
    pub fn from_json(json: &Json) -> Result<Type, TypeError> {
        let err = |reason| TypeError {
            json: json.to_string(),
            reason,
        };
        match json {
            Json::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(err("unknown primitive type")),
            },
            Json::Array(parts) if parts.len() == 2 => {
                let kind = parts[0]
                    .as_str()
                    .ok_or_else(|| err("kind is not a string"))?;
                let arg = &parts[1];
                match kind {
                    "list" => Ok(Type::list(Type::from_json(arg)?)),
                    "set" => Ok(Type::set(Type::from_json(arg)?)),
                    "map" => Ok(Type::map(Type::from_json(arg)?)),
                    "object" => {
                        let attrs = arg.as_object().ok_or_else(|| err("object attributes"))?;
                        let mut out = BTreeMap::new();
                        for (k, v) in attrs {
                            out.insert(k.clone(), Type::from_json(v)?);
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" => {
                        let elems = arg.as_array().ok_or_else(|| err("tuple elements"))?;
                        Ok(Type::Tuple(
                            elems
                                .iter()
                                .map(Type::from_json)
                                .collect::<Result<_, _>>()?,
                        ))
                    }
                    _ => Err(err("unknown collection kind")),
                }
            }
            // Object types may carry a third element listing optional attributes.
            Json::Array(parts) if parts.len() == 3 && parts[0] == "object" => {
                Type::from_json(&Json::Array(parts[..2].to_vec()))
            }
            _ => Err(err("expected a string or a two-element array")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_of_every_kind() {
        let t = Type::object([
            ("a", Type::String),
            ("b", Type::list(Type::Number)),
            ("c", Type::set(Type::Bool)),
            ("d", Type::map(Type::Dynamic)),
            ("e", Type::Tuple(vec![Type::String, Type::Number])),
        ]);
        let json = t.to_json();
        assert_eq!(
            json.to_string(),
            r#"["object",{"a":"string","b":["list","number"],"c":["set","bool"],"d":["map","dynamic"],"e":["tuple",["string","number"]]}]"#
        );
        assert_eq!(Type::from_json(&json).unwrap(), t);
    }

    #[test]
    fn rejects_garbage() {
        assert!(Type::from_json(&serde_json::json!("strin")).is_err());
        assert!(Type::from_json(&serde_json::json!(["lst", "string"])).is_err());
        assert!(Type::from_json(&serde_json::json!(5)).is_err());
    }
}
