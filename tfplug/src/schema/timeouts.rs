//! The conventional `timeouts { create = "30m" ... }` block and its parsing.

use super::{Attribute, Block, NestedBlock};
use crate::diag::Diagnostic;
use crate::value::{AttributePath, Value};
use std::time::Duration;

/// A `timeouts` block with one optional string attribute per operation.
pub fn block(operations: &[&str]) -> NestedBlock {
    let attrs = operations.iter().map(|op| {
        Attribute::string(*op).optional().describe(format!(
            "How long to wait for {op} to finish, as a duration like `30m` or `1h30m`."
        ))
    });
    NestedBlock::single(
        "timeouts",
        Block::new()
            .attrs(attrs)
            .describe("Operation timeouts; each defaults to the resource's documented value."),
    )
}

/// Parses a duration such as `90s`, `30m`, `1h30m` or `2h`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let mut total = 0u64;
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: u64 = digits.parse().ok()?;
        digits.clear();
        total += n * match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return None,
        };
    }
    if !digits.is_empty() || text.trim().is_empty() {
        return None;
    }
    Some(Duration::from_secs(total))
}

/// The timeout for `operation` from a resource value holding a `timeouts` block, or
/// `default` when unset. An unparsable value is an error diagnostic on its path.
pub fn get(resource: &Value, operation: &str, default: Duration) -> Result<Duration, Diagnostic> {
    let Some(text) = resource
        .attr("timeouts")
        .and_then(|t| t.attr(operation))
        .and_then(Value::as_str)
    else {
        return Ok(default);
    };
    parse_duration(text).ok_or_else(|| {
        Diagnostic::error(
            "Invalid timeout",
            format!("\"{text}\" is not a duration; write it like \"30m\", \"90s\" or \"1h30m\"."),
        )
        .at(AttributePath::attr("timeouts").push_attr(operation))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("5d"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn get_reads_the_block_or_defaults() {
        let v = Value::object([(
            "timeouts",
            Value::object([("create", "2m".into()), ("delete", Value::Null)]),
        )]);
        let d = Duration::from_secs(7);
        assert_eq!(get(&v, "create", d).unwrap(), Duration::from_secs(120));
        assert_eq!(get(&v, "delete", d).unwrap(), d);
        let bad = Value::object([("timeouts", Value::object([("create", "soon".into())]))]);
        let err = get(&bad, "create", d).unwrap_err();
        assert_eq!(err.attribute.unwrap().to_string(), "timeouts.create");
    }
}
