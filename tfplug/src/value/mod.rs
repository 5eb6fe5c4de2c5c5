//! Terraform values: known, unknown or null, of any Terraform type, with lossless
//! msgpack and JSON codecs and typed conversion to and from serde structs.

mod json;
mod msgpack;
mod number;
mod path;
mod serde_bridge;
mod types;

pub use json::{JsonError, from_json, to_json};
pub use msgpack::{MsgpackError, from_msgpack, to_msgpack};
pub use number::Number;
pub use path::{AttributePath, PathStep};
pub use serde_bridge::{DecodeError, decode, encode};
pub use types::{Type, TypeError};

use std::collections::BTreeMap;

/// One Terraform value. Collections hold values of the same kind; objects map attribute
/// names to values. `Unknown` is a value Terraform will only learn after apply; a refined
/// unknown (with prefix or bounds) decodes to plain `Unknown`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    Unknown,
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Known at this level (it may still contain unknowns deeper down).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// Elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// Attributes of an object or entries of a map.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// An attribute of an object (None for null/unknown objects or missing names).
    pub fn attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(name),
            _ => None,
        }
    }

    /// Mutable access to an attribute of an object.
    pub fn attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => m.get_mut(name),
            _ => None,
        }
    }

    /// The value at `path`, if every step exists.
    pub fn at(&self, path: &AttributePath) -> Option<&Value> {
        path.steps()
            .iter()
            .try_fold(self, |v, step| match (step, v) {
                (PathStep::Attribute(n), Value::Object(m)) => m.get(n),
                (PathStep::Key(k), Value::Map(m)) => m.get(k),
                (PathStep::Index(i), Value::List(l) | Value::Tuple(l) | Value::Set(l)) => {
                    usize::try_from(*i).ok().and_then(|i| l.get(i))
                }
                _ => None,
            })
    }

    /// An object value from `(name, value)` pairs.
    pub fn object<I, S>(attrs: I) -> Value
    where
        I: IntoIterator<Item = (S, Value)>,
        S: Into<String>,
    {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The type this value most plausibly has. Used to encode values under `dynamic`,
    /// where the concrete type travels with the value; collections' element types come
    /// from their first element (an empty collection is a collection of `dynamic`).
    pub fn infer_type(&self) -> Type {
        fn elem(v: &[Value]) -> Type {
            v.iter()
                .find(|e| !e.is_null() && e.is_known())
                .map(Value::infer_type)
                .unwrap_or(Type::Dynamic)
        }
        match self {
            Value::Unknown | Value::Null => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(v) => Type::list(elem(v)),
            Value::Set(v) => Type::set(elem(v)),
            Value::Tuple(v) => Type::Tuple(v.iter().map(Value::infer_type).collect()),
            Value::Map(m) => Type::map(elem(&m.values().cloned().collect::<Vec<_>>())),
            Value::Object(m) => {
                Type::Object(m.iter().map(|(k, v)| (k.clone(), v.infer_type())).collect())
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Number::Int(n))
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(Number::from(n))
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}
