//! Resource quantities (`100m`, `2`, `512Mi`, `1G`) as the scheduler compares them:
//! in thousandths of a unit, so CPUs in millicores and everything else in milli-units.

/// `text` in thousandths (`"100m"` → 100, `"2"` → 2000, `"1Ki"` → 1_024_000).
pub fn parse_milli(text: &str) -> Option<u128> {
    let text = text.trim();
    let suffixes: &[(&str, u128)] = &[
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
    ];
    if let Some(number) = text.strip_suffix('m') {
        return number.parse::<u128>().ok();
    }
    for (suffix, factor) in suffixes {
        if let Some(number) = text.strip_suffix(suffix) {
            return parse_decimal(number).map(|milli| milli * factor);
        }
    }
    parse_decimal(text)
}

/// A plain decimal number in thousandths (`"0.5"` → 500).
fn parse_decimal(text: &str) -> Option<u128> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut fraction: String = fraction.chars().take(3).collect();
    while fraction.len() < 3 {
        fraction.push('0');
    }
    Some(whole * 1000 + fraction.parse::<u128>().ok()?)
}

/// A JSON quantity (string or number) in thousandths.
pub fn of(value: &serde_json::Value) -> u128 {
    match value {
        serde_json::Value::String(text) => parse_milli(text).unwrap_or(0),
        serde_json::Value::Number(n) => n.as_f64().map(|f| (f * 1000.0) as u128).unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_in_thousandths() {
        assert_eq!(parse_milli("100m"), Some(100));
        assert_eq!(parse_milli("2"), Some(2000));
        assert_eq!(parse_milli("0.5"), Some(500));
        assert_eq!(parse_milli("1Ki"), Some(1_024_000));
        assert_eq!(parse_milli("1G"), Some(1_000_000_000_000));
        assert_eq!(parse_milli("x"), None);
    }
}
