//! The msgpack codec of `DynamicValue`s, as Terraform (cty) writes them.
//!
//! Values are encoded against their schema type: objects become maps keyed by
//! attribute name, lists/sets/tuples arrays, unknown the extension type 0, and a value
//! of type `dynamic` a two-element array of its JSON type and the value itself.

use super::{Number, Type, Value};
use rmp::Marker;
use std::collections::BTreeMap;

/// The bytes did not hold a value of the expected type.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MsgpackError {
    #[error("unexpected end of msgpack data")]
    Eof,
    #[error("expected {expected} for type {ty}, found msgpack marker {found}")]
    Mismatch {
        expected: &'static str,
        ty: String,
        found: String,
    },
    #[error("invalid UTF-8 in a string")]
    Utf8,
    #[error("object attribute {0:?} is not in the type")]
    UnknownAttribute(String),
    #[error("invalid dynamic value type: {0}")]
    DynamicType(String),
    #[error("{0} trailing bytes after the value")]
    Trailing(usize),
    #[error("value does not match type {ty}: {reason}")]
    Encode { ty: String, reason: String },
}

const UNKNOWN_EXT: i8 = 0;
const REFINED_UNKNOWN_EXT: i8 = 12;

/// Encodes `value` as msgpack for type `ty`.
pub fn to_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, MsgpackError> {
    let mut out = Vec::with_capacity(64);
    encode(&mut out, value, ty)?;
    Ok(out)
}

/// Decodes msgpack bytes holding a value of type `ty`.
pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, MsgpackError> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let v = r.value(ty)?;
    match bytes.len() - r.pos {
        0 => Ok(v),
        n => Err(MsgpackError::Trailing(n)),
    }
}

fn enc_err(ty: &Type, reason: impl Into<String>) -> MsgpackError {
    MsgpackError::Encode {
        ty: ty.to_json().to_string(),
        reason: reason.into(),
    }
}

// Writes to a Vec never fail, so rmp's io errors are unreachable and discarded.
fn encode(out: &mut Vec<u8>, value: &Value, ty: &Type) -> Result<(), MsgpackError> {
    match (value, ty) {
        (Value::Unknown, _) => {
            let _ = rmp::encode::write_ext_meta(out, 1, UNKNOWN_EXT);
            out.push(0);
        }
        (Value::Null, _) => {
            let _ = rmp::encode::write_nil(out);
        }
        (v, Type::Dynamic) => {
            let inferred = v.infer_type();
            let _ = rmp::encode::write_array_len(out, 2);
            let ty_json = inferred.to_json_bytes();
            let _ = rmp::encode::write_bin(out, &ty_json);
            encode(out, v, &inferred)?;
        }
        (Value::Bool(b), Type::Bool) => {
            let _ = rmp::encode::write_bool(out, *b);
        }
        (Value::Number(n), Type::Number) => encode_number(out, n),
        (Value::String(s), Type::String) => {
            let _ = rmp::encode::write_str(out, s);
        }
        (Value::List(v), Type::List(t)) | (Value::Set(v), Type::Set(t)) => {
            let _ = rmp::encode::write_array_len(out, v.len() as u32);
            for e in v {
                encode(out, e, t)?;
            }
        }
        (Value::Tuple(v), Type::Tuple(ts)) => {
            if v.len() != ts.len() {
                return Err(enc_err(ty, "tuple length differs"));
            }
            let _ = rmp::encode::write_array_len(out, v.len() as u32);
            for (e, t) in v.iter().zip(ts) {
                encode(out, e, t)?;
            }
        }
        (Value::Map(m), Type::Map(t)) => {
            let _ = rmp::encode::write_map_len(out, m.len() as u32);
            for (k, e) in m {
                let _ = rmp::encode::write_str(out, k);
                encode(out, e, t)?;
            }
        }
        (Value::Object(m), Type::Object(attrs)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(enc_err(
                    ty,
                    format!("attribute {extra:?} is not in the type"),
                ));
            }
            // Every attribute of the type is written; missing ones are null.
            let _ = rmp::encode::write_map_len(out, attrs.len() as u32);
            for (k, t) in attrs {
                let _ = rmp::encode::write_str(out, k);
                encode(out, m.get(k).unwrap_or(&Value::Null), t)?;
            }
        }
        (v, t) => return Err(enc_err(t, format!("cannot encode {v:?}"))),
    }
    Ok(())
}

fn encode_number(out: &mut Vec<u8>, n: &Number) {
    match n {
        Number::Int(i) => {
            let _ = rmp::encode::write_sint(out, *i);
        }
        Number::UInt(u) => {
            let _ = rmp::encode::write_uint(out, *u);
        }
        Number::Float(f) => {
            let _ = rmp::encode::write_f64(out, *f);
        }
        // cty writes numbers it cannot hold in 64 bits as their decimal string.
        Number::Big(s) => {
            let _ = rmp::encode::write_str(out, s);
        }
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], MsgpackError> {
        let end = self.pos.checked_add(n).ok_or(MsgpackError::Eof)?;
        let s = self.buf.get(self.pos..end).ok_or(MsgpackError::Eof)?;
        self.pos = end;
        Ok(s)
    }

    fn be(&mut self, n: usize) -> Result<u64, MsgpackError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn marker(&mut self) -> Result<Marker, MsgpackError> {
        Ok(Marker::from_u8(self.take(1)?[0]))
    }

    fn mismatch(expected: &'static str, ty: &Type, m: Marker) -> MsgpackError {
        MsgpackError::Mismatch {
            expected,
            ty: ty.to_json().to_string(),
            found: format!("{m:?}"),
        }
    }

    fn str_len(&mut self, m: Marker) -> Result<Option<usize>, MsgpackError> {
        Ok(Some(match m {
            Marker::FixStr(n) => n as usize,
            Marker::Str8 | Marker::Bin8 => self.be(1)? as usize,
            Marker::Str16 | Marker::Bin16 => self.be(2)? as usize,
            Marker::Str32 | Marker::Bin32 => self.be(4)? as usize,
            _ => return Ok(None),
        }))
    }

    fn string_body(&mut self, len: usize) -> Result<String, MsgpackError> {
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| MsgpackError::Utf8)
    }

    fn array_len(&mut self, m: Marker) -> Result<Option<usize>, MsgpackError> {
        Ok(Some(match m {
            Marker::FixArray(n) => n as usize,
            Marker::Array16 => self.be(2)? as usize,
            Marker::Array32 => self.be(4)? as usize,
            _ => return Ok(None),
        }))
    }

    fn map_len(&mut self, m: Marker) -> Result<Option<usize>, MsgpackError> {
        Ok(Some(match m {
            Marker::FixMap(n) => n as usize,
            Marker::Map16 => self.be(2)? as usize,
            Marker::Map32 => self.be(4)? as usize,
            _ => return Ok(None),
        }))
    }

    /// Skips an extension's payload, returning its type when `m` is an extension.
    fn ext(&mut self, m: Marker) -> Result<Option<i8>, MsgpackError> {
        let len = match m {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => self.be(1)? as usize,
            Marker::Ext16 => self.be(2)? as usize,
            Marker::Ext32 => self.be(4)? as usize,
            _ => return Ok(None),
        };
        let kind = self.take(1)?[0] as i8;
        self.take(len)?;
        Ok(Some(kind))
    }

    fn value(&mut self, ty: &Type) -> Result<Value, MsgpackError> {
        let m = self.marker()?;
        if m == Marker::Null {
            return Ok(Value::Null);
        }
        // Unknown (type 0) and refined unknown (type 12) are both plain unknowns here;
        // refinements are hints Terraform can recompute, so dropping them is safe.
        if let Some(kind) = self.ext(m)? {
            return match kind {
                UNKNOWN_EXT | REFINED_UNKNOWN_EXT => Ok(Value::Unknown),
                _ => Err(Self::mismatch("a value", ty, m)),
            };
        }
        match ty {
            Type::Bool => match m {
                Marker::True => Ok(Value::Bool(true)),
                Marker::False => Ok(Value::Bool(false)),
                _ => Err(Self::mismatch("a bool", ty, m)),
            },
            Type::Number => self.number(m, ty).map(Value::Number),
            Type::String => match self.str_len(m)? {
                Some(n) => Ok(Value::String(self.string_body(n)?)),
                None => Err(Self::mismatch("a string", ty, m)),
            },
            Type::List(t) | Type::Set(t) => {
                let n = self
                    .array_len(m)?
                    .ok_or_else(|| Self::mismatch("an array", ty, m))?;
                let items = (0..n)
                    .map(|_| self.value(t))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(match ty {
                    Type::List(_) => Value::List(items),
                    _ => Value::Set(items),
                })
            }
            Type::Tuple(ts) => {
                let n = self
                    .array_len(m)?
                    .ok_or_else(|| Self::mismatch("an array", ty, m))?;
                if n != ts.len() {
                    return Err(Self::mismatch("a tuple of the right length", ty, m));
                }
                Ok(Value::Tuple(
                    ts.iter().map(|t| self.value(t)).collect::<Result<_, _>>()?,
                ))
            }
            Type::Map(t) => {
                let n = self
                    .map_len(m)?
                    .ok_or_else(|| Self::mismatch("a map", ty, m))?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    out.insert(k, self.value(t)?);
                }
                Ok(Value::Map(out))
            }
            Type::Object(attrs) => {
                let n = self
                    .map_len(m)?
                    .ok_or_else(|| Self::mismatch("a map", ty, m))?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    let t = attrs
                        .get(&k)
                        .ok_or_else(|| MsgpackError::UnknownAttribute(k.clone()))?;
                    out.insert(k, self.value(t)?);
                }
                // Attributes absent on the wire are null.
                for k in attrs.keys() {
                    out.entry(k.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
            Type::Dynamic => {
                if self.array_len(m)? != Some(2) {
                    return Err(Self::mismatch("a [type, value] pair", ty, m));
                }
                let tm = self.marker()?;
                let len = self
                    .str_len(tm)?
                    .ok_or_else(|| Self::mismatch("type JSON", ty, tm))?;
                let raw = self.take(len)?;
                let json: serde_json::Value = serde_json::from_slice(raw)
                    .map_err(|e| MsgpackError::DynamicType(e.to_string()))?;
                let inner =
                    Type::from_json(&json).map_err(|e| MsgpackError::DynamicType(e.to_string()))?;
                self.value(&inner)
            }
        }
    }

    fn key(&mut self) -> Result<String, MsgpackError> {
        let m = self.marker()?;
        match self.str_len(m)? {
            Some(n) => self.string_body(n),
            None => Err(Self::mismatch("a string key", &Type::String, m)),
        }
    }

    fn number(&mut self, m: Marker, ty: &Type) -> Result<Number, MsgpackError> {
        Ok(match m {
            Marker::FixPos(n) => Number::Int(i64::from(n)),
            Marker::FixNeg(n) => Number::Int(i64::from(n)),
            Marker::U8 => Number::Int(self.be(1)? as i64),
            Marker::U16 => Number::Int(self.be(2)? as i64),
            Marker::U32 => Number::Int(self.be(4)? as i64),
            Marker::U64 => Number::UInt(self.be(8)?).normalized(),
            Marker::I8 => Number::Int(i64::from(self.be(1)? as u8 as i8)),
            Marker::I16 => Number::Int(i64::from(self.be(2)? as u16 as i16)),
            Marker::I32 => Number::Int(i64::from(self.be(4)? as u32 as i32)),
            Marker::I64 => Number::Int(self.be(8)? as i64),
            Marker::F32 => Number::Float(f64::from(f32::from_bits(self.be(4)? as u32))),
            Marker::F64 => Number::Float(f64::from_bits(self.be(8)?)),
            m => match self.str_len(m)? {
                Some(n) => {
                    let s = self.string_body(n)?;
                    match s.parse::<i64>() {
                        Ok(i) => Number::Int(i),
                        Err(_) => Number::Big(s),
                    }
                }
                None => return Err(Self::mismatch("a number", ty, m)),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(v: &Value, t: &Type) -> Value {
        from_msgpack(&to_msgpack(v, t).unwrap(), t).unwrap()
    }

    #[test]
    fn primitives_null_and_unknown_round_trip() {
        for (v, t) in [
            (Value::from("héllo"), Type::String),
            (Value::from(true), Type::Bool),
            (Value::from(-5i64), Type::Number),
            (Value::from(1.5f64), Type::Number),
            (Value::Number(Number::UInt(u64::MAX)), Type::Number),
            (Value::Number(Number::Big("1e400".into())), Type::Number),
            (Value::Null, Type::String),
            (Value::Unknown, Type::list(Type::String)),
        ] {
            assert_eq!(round_trip(&v, &t), v, "type {t:?}");
        }
    }

    #[test]
    fn unknown_is_terraforms_fixext1_type_zero() {
        assert_eq!(
            to_msgpack(&Value::Unknown, &Type::String).unwrap(),
            [0xd4, 0, 0]
        );
    }

    #[test]
    fn refined_unknown_decodes_as_unknown() {
        // ext8, length 3, type 12, payload: a msgpack map {1: true} (refinement "not null").
        let bytes = [0xc7, 3, 12, 0x81, 0x01, 0xc3];
        assert_eq!(from_msgpack(&bytes, &Type::String).unwrap(), Value::Unknown);
        // Inside an object too.
        let mut obj = vec![0x81, 0xa1, b'a'];
        obj.extend_from_slice(&bytes);
        let t = Type::object([("a", Type::Number)]);
        assert_eq!(
            from_msgpack(&obj, &t).unwrap(),
            Value::object([("a", Value::Unknown)])
        );
    }

    #[test]
    fn collections_and_objects_round_trip() {
        let t = Type::object([
            ("l", Type::list(Type::String)),
            ("s", Type::set(Type::Number)),
            ("m", Type::map(Type::Bool)),
            ("t", Type::Tuple(vec![Type::String, Type::Bool])),
            ("o", Type::object([("x", Type::String)])),
        ]);
        let v = Value::object([
            ("l", Value::List(vec!["a".into(), Value::Unknown])),
            ("s", Value::Set(vec![1i64.into(), 2i64.into()])),
            (
                "m",
                Value::Map([("k".to_string(), true.into())].into_iter().collect()),
            ),
            ("t", Value::Tuple(vec!["x".into(), false.into()])),
            ("o", Value::Null),
        ]);
        assert_eq!(round_trip(&v, &t), v);
    }

    #[test]
    fn missing_object_attributes_decode_as_null() {
        let t = Type::object([("a", Type::String), ("b", Type::String)]);
        let bytes = [0x81, 0xa1, b'a', 0xa1, b'x'];
        assert_eq!(
            from_msgpack(&bytes, &t).unwrap(),
            Value::object([("a", "x".into()), ("b", Value::Null)])
        );
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = Value::Tuple(vec!["a".into(), 3i64.into()]);
        let bytes = to_msgpack(&v, &Type::Dynamic).unwrap();
        // [ "[\"tuple\",[\"string\",\"number\"]]" , ["a", 3] ]
        assert_eq!(bytes[0], 0x92);
        assert_eq!(from_msgpack(&bytes, &Type::Dynamic).unwrap(), v);
        let obj = Value::object([("k", Value::List(vec!["v".into()]))]);
        assert_eq!(round_trip(&obj, &Type::Dynamic), obj);
    }

    #[test]
    fn type_mismatches_are_errors_not_panics() {
        assert!(from_msgpack(&[0xc3], &Type::String).is_err());
        assert!(from_msgpack(&[0x92, 0x01], &Type::list(Type::Number)).is_err());
        assert!(from_msgpack(&[], &Type::String).is_err());
        assert!(from_msgpack(&[0xa1, b'a', 0x00], &Type::String).is_err());
        let t = Type::object([("a", Type::String)]);
        assert!(from_msgpack(&[0x81, 0xa1, b'z', 0xc0], &t).is_err());
        assert!(to_msgpack(&Value::from("x"), &Type::Number).is_err());
    }
}
