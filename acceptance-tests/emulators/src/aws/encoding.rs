//! The little URL encoding the aws part needs: path labels (principal ARNs) and the
//! form bodies of the query protocol (`Action=CreateRole&...`).

/// Decodes `%XX` escapes (and nothing else: `+` is literal in a path).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// The value of `key` in a form (`a=1&b=2`) or query string, decoded (`+` is a space
/// there).
pub fn form_value(form: &str, key: &str) -> Option<String> {
    form.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| percent_decode(name) == key)
        .map(|(_, value)| percent_decode(&value.replace('+', " ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_encodes_arns() {
        let arn = "arn:aws:iam::123456789012:role/admin";
        assert_eq!(
            percent_encode(arn),
            "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fadmin"
        );
        assert_eq!(percent_decode(&percent_encode(arn)), arn);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%2"), "a%2");
    }

    #[test]
    fn reads_a_form_field() {
        let form = "Action=CreateRole&RoleName=ml%2Bcluster&Path=%2F&Description=a+role";
        assert_eq!(form_value(form, "Action").as_deref(), Some("CreateRole"));
        assert_eq!(form_value(form, "RoleName").as_deref(), Some("ml+cluster"));
        assert_eq!(form_value(form, "Description").as_deref(), Some("a role"));
        assert_eq!(form_value(form, "Version"), None);
    }
}
