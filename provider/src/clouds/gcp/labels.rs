//! Tags as Google Cloud labels. Labels are stricter than tags elsewhere: keys and
//! values are lowercase letters, digits, `_` and `-` (international letters too, which
//! mlcloud does not write), at most 63 characters, keys start with a letter, at most
//! 64 per resource. A tag that cannot be a label is a plan-time error naming it
//! ([`check_label`]); mlcloud's markers are legal labels by construction
//! (`clouds::markers`).

use crate::clouds::markers;
use crate::clouds::model::Tags;
use std::collections::HashMap;

/// Most labels one resource may carry.
pub const MAX_LABELS: usize = 64;

fn legal_chars(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Why `key = value` cannot be a label, if it cannot.
pub fn check_label(key: &str, value: &str) -> Result<(), String> {
    if key.is_empty() || key.len() > markers::MAX_LEN {
        return Err(format!(
            "Google Cloud label keys are 1 to {} characters",
            markers::MAX_LEN
        ));
    }
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("Google Cloud label keys start with a lowercase letter".into());
    }
    if !legal_chars(key) {
        return Err(
            "Google Cloud label keys hold only lowercase letters, digits, '_' and '-'".into(),
        );
    }
    if value.len() > markers::MAX_LEN {
        return Err(format!(
            "Google Cloud label values are at most {} characters",
            markers::MAX_LEN
        ));
    }
    if !legal_chars(value) {
        return Err(
            "Google Cloud label values hold only lowercase letters, digits, '_' and '-'".into(),
        );
    }
    Ok(())
}

/// The labels an object called `name` carries: the user's tags (already checked at
/// plan time) and mlcloud's markers.
pub fn expand_labels(tags: &Tags, name: &str) -> HashMap<String, String> {
    markers::with_markers(tags, name).into_iter().collect()
}

/// The user's part of the labels read from the cloud.
pub fn flatten_labels(labels: &HashMap<String, String>) -> Tags {
    markers::visible(labels.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Whether the labels mark the object as mlcloud's `name` (a create that found the
/// name taken adopts only its own object).
pub fn is_ours(labels: &HashMap<String, String>, name: &str) -> bool {
    let tags: Tags = labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    markers::marks(&tags, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_google_cloud_refuses_and_says_why() {
        assert!(check_label("team", "ml-platform_1").is_ok());
        assert!(check_label("cost-center", "").is_ok());
        assert!(
            check_label("Team", "ml")
                .unwrap_err()
                .contains("lowercase letter")
        );
        assert!(check_label("1team", "ml").unwrap_err().contains("start"));
        assert!(check_label("team", "ML").unwrap_err().contains("values"));
        assert!(check_label("owner", "a@b.com").is_err());
        assert!(
            check_label(&"k".repeat(64), "v")
                .unwrap_err()
                .contains("1 to 63")
        );
        assert!(
            check_label("k", &"v".repeat(64))
                .unwrap_err()
                .contains("at most 63")
        );
    }

    #[test]
    fn markers_are_added_on_write_and_hidden_on_read() {
        let tags = Tags::from([("team".to_string(), "ml".to_string())]);
        let labels = expand_labels(&tags, "Etcd Key");
        assert_eq!(
            labels.get("mlcloud-name").map(String::as_str),
            Some("etcd-key")
        );
        for (k, v) in &labels {
            assert!(check_label(k, v).is_ok(), "{k}={v}");
        }
        assert!(is_ours(&labels, "Etcd Key"));
        assert!(!is_ours(&labels, "other"));
        assert_eq!(flatten_labels(&labels), tags);
    }
}
