//! Validators: values attached to attributes that check a known, non-null value and say
//! what would be right. They run at plan time (ValidateResourceConfig and friends).

use crate::diag::{Diagnostic, Diagnostics};
use crate::value::{AttributePath, Value};

/// Checks one attribute's value. Only called for known, non-null values.
pub trait Validator: Send + Sync {
    /// One sentence for the docs: "must be one of `a`, `b`".
    fn description(&self) -> String;
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics);
}

fn invalid(path: &AttributePath, detail: String) -> Diagnostic {
    Diagnostic::error("Invalid attribute value", detail).at(path.clone())
}

fn list_quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The string must be one of `allowed`.
pub fn one_of(allowed: &[&str]) -> OneOf {
    OneOf(allowed.iter().map(|s| s.to_string()).collect())
}

pub struct OneOf(Vec<String>);

impl Validator for OneOf {
    fn description(&self) -> String {
        format!("must be one of {}", list_quoted(&self.0))
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && !self.0.iter().any(|a| a == s)
        {
            diags.push(invalid(
                path,
                format!(
                    "{path} must be one of {}, got \"{s}\".",
                    list_quoted(&self.0)
                ),
            ));
        }
    }
}

/// The string's length (in characters) must be within `min..=max`.
pub fn length_between(min: usize, max: usize) -> LengthBetween {
    LengthBetween(min, max)
}

pub struct LengthBetween(usize, usize);

impl Validator for LengthBetween {
    fn description(&self) -> String {
        format!("must be {} to {} characters long", self.0, self.1)
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str() {
            let n = s.chars().count();
            if n < self.0 || n > self.1 {
                diags.push(invalid(
                    path,
                    format!(
                        "{path} must be {} to {} characters long, got {n} (\"{s}\").",
                        self.0, self.1
                    ),
                ));
            }
        }
    }
}

/// The number must be a whole number within `min..=max`.
pub fn int_between(min: i64, max: i64) -> IntBetween {
    IntBetween(min, max)
}

pub struct IntBetween(i64, i64);

impl Validator for IntBetween {
    fn description(&self) -> String {
        format!("must be a whole number between {} and {}", self.0, self.1)
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(n) = value.as_number() {
            match n.as_i64() {
                Some(i) if (self.0..=self.1).contains(&i) => {}
                _ => diags.push(invalid(
                    path,
                    format!(
                        "{path} must be a whole number between {} and {}, got {n}.",
                        self.0, self.1
                    ),
                )),
            }
        }
    }
}

/// The string must match a regular expression; `explain` says in words what that means.
pub fn matches(pattern: &str, explain: &str) -> Matches {
    Matches {
        re: regex_lite::Regex::new(pattern).expect("validator pattern must compile"),
        explain: explain.to_owned(),
    }
}

pub struct Matches {
    re: regex_lite::Regex,
    explain: String,
}

impl Validator for Matches {
    fn description(&self) -> String {
        self.explain.clone()
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && !self.re.is_match(s)
        {
            diags.push(invalid(
                path,
                format!("{path} {}, got \"{s}\".", self.explain),
            ));
        }
    }
}

/// The string must be an IPv4 or IPv6 CIDR block such as `10.0.0.0/16`.
pub fn cidr() -> Cidr {
    Cidr
}

pub struct Cidr;

impl Validator for Cidr {
    fn description(&self) -> String {
        "must be a CIDR block such as `10.0.0.0/16`".into()
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && !is_cidr(s)
        {
            diags.push(invalid(
                path,
                format!("{path} must be a CIDR block such as \"10.0.0.0/16\", got \"{s}\"."),
            ));
        }
    }
}

fn is_cidr(s: &str) -> bool {
    let Some((addr, len)) = s.split_once('/') else {
        return false;
    };
    let Ok(len) = len.parse::<u8>() else {
        return false;
    };
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => len <= 32,
        Ok(std::net::IpAddr::V6(_)) => len <= 128,
        Err(_) => false,
    }
}

/// The string must be an absolute `http://` or `https://` URL with a host, such as an
/// endpoint override.
pub fn url() -> Url {
    Url
}

pub struct Url;

impl Validator for Url {
    fn description(&self) -> String {
        "must be an http:// or https:// URL".into()
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && !is_url(s)
        {
            diags.push(invalid(
                path,
                format!("{path} must be an http:// or https:// URL such as \"https://kms.us-east-1.amazonaws.com\", got \"{s}\"."),
            ));
        }
    }
}

fn is_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !host.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Each element of a list, set or map must pass `inner`.
pub fn each<V: Validator>(inner: V) -> Each<V> {
    Each(inner)
}

pub struct Each<V>(V);

impl<V: Validator> Validator for Each<V> {
    fn description(&self) -> String {
        format!("each element {}", self.0.description())
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        let ok = |v: &Value| v.is_known() && !v.is_null();
        match value {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                for (i, e) in v.iter().enumerate().filter(|(_, e)| ok(e)) {
                    self.0.validate(e, &path.push_index(i as i64), diags);
                }
            }
            Value::Map(m) => {
                for (k, e) in m.iter().filter(|(_, e)| ok(e)) {
                    self.0.validate(e, &path.push_key(k), diags);
                }
            }
            _ => {}
        }
    }
}

/// A validator from a closure, for one-off rules.
pub fn from_fn<F>(description: &str, f: F) -> FromFn<F>
where
    F: Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync,
{
    FromFn(description.to_owned(), f)
}

pub struct FromFn<F>(String, F);

impl<F> Validator for FromFn<F>
where
    F: Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync,
{
    fn description(&self) -> String {
        self.0.clone()
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        (self.1)(value, path, diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: &dyn Validator, value: Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        v.validate(&value, &AttributePath::attr("x"), &mut d);
        d
    }

    #[test]
    fn one_of_lists_choices() {
        assert!(run(&one_of(&["aws", "gcp"]), "aws".into()).is_empty());
        let d = run(&one_of(&["aws", "gcp"]), "ibm".into());
        let msg = d.iter().next().unwrap();
        assert_eq!(msg.attribute, Some(AttributePath::attr("x")));
        assert!(msg.detail.contains(r#""aws", "gcp""#), "{}", msg.detail);
        assert!(msg.detail.contains(r#"got "ibm""#));
    }

    #[test]
    fn int_between_rejects_out_of_range_and_fractions() {
        assert!(run(&int_between(1, 100), 5i64.into()).is_empty());
        assert!(run(&int_between(1, 100), 500i64.into()).has_errors());
        assert!(run(&int_between(1, 100), 2.5f64.into()).has_errors());
    }

    #[test]
    fn urls() {
        assert!(run(&url(), "http://127.0.0.1:4566".into()).is_empty());
        assert!(run(&url(), "https://kms.us-east-1.amazonaws.com/".into()).is_empty());
        assert!(run(&url(), "kms.amazonaws.com".into()).has_errors());
        assert!(run(&url(), "https:///path".into()).has_errors());
    }

    #[test]
    fn cidr_and_matches_and_each() {
        assert!(run(&cidr(), "10.0.0.0/16".into()).is_empty());
        assert!(run(&cidr(), "fd00::/8".into()).is_empty());
        assert!(run(&cidr(), "10.0.0.0/33".into()).has_errors());
        assert!(run(&cidr(), "10.0.0.0".into()).has_errors());
        let m = matches("^[a-z]+$", "must be lowercase letters");
        assert!(run(&m, "abc".into()).is_empty());
        assert!(run(&m, "aBc".into()).has_errors());
        let d = run(
            &each(cidr()),
            Value::List(vec!["10.0.0.0/8".into(), "nope".into()]),
        );
        assert_eq!(
            d.iter().next().unwrap().attribute,
            Some(AttributePath::attr("x").push_index(1))
        );
    }
}
