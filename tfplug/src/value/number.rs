//! Terraform numbers: arbitrary precision on Terraform's side; here stored losslessly
//! in the representation they arrived in.

use std::cmp::Ordering;
use std::fmt;

/// A number as it travelled on the wire. Integers stay integers; numbers too large or
/// too precise for 64 bits stay in their decimal text (msgpack carries them as strings).
#[derive(Debug, Clone)]
pub enum Number {
    Int(i64),
    UInt(u64),
    Float(f64),
    /// Decimal text of a number that does not fit the other forms.
    Big(String),
}

impl Number {
    /// The value as f64 (lossy for very large or precise numbers).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::UInt(u) => *u as f64,
            Number::Float(f) => *f,
            Number::Big(s) => s.parse().unwrap_or(f64::NAN),
        }
    }

    /// The value as i64 when it is a whole number in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::UInt(u) => i64::try_from(*u).ok(),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Big(s) => s.parse().ok(),
        }
    }

    /// Normalises a whole float into an integer so equal numbers compare and encode alike.
    pub fn normalized(self) -> Number {
        match self {
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Number::Int(f as i64),
            Number::UInt(u) if u <= i64::MAX as u64 => Number::Int(u as i64),
            other => other,
        }
    }

    /// JSON form: a JSON number when representable, else the decimal text parsed as a number.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Number::Int(i) => (*i).into(),
            Number::UInt(u) => (*u).into(),
            Number::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Number::Big(s) => serde_json::from_str(s).unwrap_or_else(|_| s.clone().into()),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Number::Big(a), Number::Big(b)) => a == b,
            (a, b) => match (a.as_i64(), b.as_i64()) {
                (Some(x), Some(y)) => x == y,
                _ => a.as_f64().partial_cmp(&b.as_f64()) == Some(Ordering::Equal),
            },
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::UInt(u) => write!(f, "{u}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Self {
        Number::Int(v)
    }
}
impl From<f64> for Number {
    fn from(v: f64) -> Self {
        Number::Float(v).normalized()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_is_numeric() {
        assert_eq!(Number::Int(3), Number::Float(3.0));
        assert_eq!(Number::UInt(7), Number::Int(7));
        assert_ne!(Number::Int(3), Number::Float(3.5));
        assert_eq!(Number::Float(0.5), Number::Float(0.5));
    }

    #[test]
    fn whole_floats_normalise_to_ints() {
        assert!(matches!(Number::from(42.0), Number::Int(42)));
        assert!(matches!(Number::from(0.25), Number::Float(_)));
        assert_eq!(Number::Int(9).as_i64(), Some(9));
        assert_eq!(Number::Float(1.5).as_i64(), None);
    }
}
