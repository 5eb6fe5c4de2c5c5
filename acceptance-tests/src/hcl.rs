//! Writing values into HCL text.

/// `value` as an HCL quoted string literal. HCL's escapes are JSON's, plus the
/// template introducers `${` and `%{`, which are doubled so they stay literal text.
pub fn hcl_string(value: &str) -> String {
    serde_json::Value::from(value)
        .to_string()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

#[cfg(test)]
mod tests {
    use super::hcl_string;

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(hcl_string("/tmp/x"), r#""/tmp/x""#);
        assert_eq!(hcl_string("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(hcl_string("${x} %{y}"), r#""$${x} %%{y}""#);
    }
}
