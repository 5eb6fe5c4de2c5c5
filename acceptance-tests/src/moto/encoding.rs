//! The encodings AWS wraps documents in: IAM hands policy documents back
//! percent-encoded, and query-protocol requests are form-encoded.

use serde_json::Value;

use super::error::MotoError;

/// `%7B%22a%22%3A+1%7D` → `{"a": 1}`. `+` is a space, as in form encoding; a `%` not
/// followed by two hex digits is kept as it is.
pub fn percent_decode(encoded: &str) -> String {
    let bytes = encoded.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => match (hex(bytes.get(index + 1)), hex(bytes.get(index + 2))) {
                (Some(high), Some(low)) => {
                    decoded.push(high << 4 | low);
                    index += 3;
                    continue;
                }
                _ => decoded.push(b'%'),
            },
            b'+' => decoded.push(b' '),
            byte => decoded.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    char::from(*byte?).to_digit(16).map(|digit| digit as u8)
}

/// An IAM policy document as IAM returns it (trust policy, inline policy): decoded
/// and parsed. Plain JSON is accepted too.
pub fn policy_document(encoded: &str) -> Result<Value, MotoError> {
    let text = if encoded.trim_start().starts_with('{') {
        encoded.to_owned()
    } else {
        percent_decode(encoded)
    };
    serde_json::from_str(&text).map_err(|error| MotoError::PolicyDocument {
        document: text.clone(),
        detail: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_percent_escapes_and_plus() {
        assert_eq!(percent_decode("%7B%22a%22%3A+1%7D"), r#"{"a": 1}"#);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
    }

    #[test]
    fn parses_encoded_and_plain_policy_documents() {
        let expected = json!({ "Version": "2012-10-17" });
        assert_eq!(
            policy_document("%7B%22Version%22%3A+%222012-10-17%22%7D").unwrap(),
            expected
        );
        assert_eq!(
            policy_document(r#"{"Version": "2012-10-17"}"#).unwrap(),
            expected
        );
        assert!(policy_document("not json").is_err());
    }
}
