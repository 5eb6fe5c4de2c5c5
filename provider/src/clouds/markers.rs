//! How mlcloud marks what it manages: two tags (labels on Google Cloud) whose keys and
//! values are legal on all three clouds (lowercase letters, digits, `-` and `_`; at
//! most 63 characters), so one scheme finds our objects everywhere:
//!
//! - `mlcloud-managed = "true"`;
//! - `mlcloud-name = "<name>"`, the resource's name in label form.
//!
//! Keys starting with `mlcloud-` are reserved for these and for a backend's own
//! bookkeeping; so are keys starting with `mlcloud:` (the scheme before this one,
//! which Google Cloud labels cannot carry), recognised on read and replaced on the
//! next write.

use super::model::Tags;

pub const MANAGED: &str = "mlcloud-managed";
pub const NAME: &str = "mlcloud-name";
/// Keys with this prefix belong to mlcloud.
pub const PREFIX: &str = "mlcloud-";
/// The earlier prefix, legal on AWS only; read, never written.
pub const LEGACY_PREFIX: &str = "mlcloud:";
/// Longest key or value every cloud accepts (Google Cloud labels).
pub const MAX_LEN: usize = 63;

/// Whether a key is mlcloud's own (current or earlier scheme).
pub fn is_reserved(key: &str) -> bool {
    key.starts_with(PREFIX) || key.starts_with(LEGACY_PREFIX)
}

/// `text` as a label value legal on every cloud: lowercase, anything other than a
/// letter, digit, `-` or `_` becomes `-`, at most 63 characters.
pub fn label_value(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-' | '_') => c,
            _ => '-',
        })
        .take(MAX_LEN)
        .collect()
}

/// The two markers of an object called `name`.
pub fn markers(name: &str) -> Tags {
    Tags::from([
        (MANAGED.to_string(), "true".to_string()),
        (NAME.to_string(), label_value(name)),
    ])
}

/// `tags` plus the markers of `name`: what an object called `name` carries.
pub fn with_markers(tags: &Tags, name: &str) -> Tags {
    let mut all = tags.clone();
    all.extend(markers(name));
    all
}

/// Whether the tags on an object mark it as mlcloud's `name`: the current markers, or
/// the earlier `mlcloud:name` tag.
pub fn marks(tags: &Tags, name: &str) -> bool {
    tags.get(NAME).is_some_and(|v| *v == label_value(name))
        || tags.get("mlcloud:name").is_some_and(|v| v == name)
}

/// The user-visible part of the tags on an object: everything but mlcloud's own.
pub fn visible<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Tags {
    tags.into_iter()
        .filter(|(k, _)| !is_reserved(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legal_everywhere(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= MAX_LEN
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    }

    #[test]
    fn markers_are_legal_google_cloud_labels() {
        let name = "Team/ETCD.Key_with a very long name that goes past sixty-three characters";
        for (k, v) in markers(name) {
            assert!(legal_everywhere(&k), "{k}");
            assert!(legal_everywhere(&v), "{v}");
        }
        assert_eq!(label_value("ML/etcd.Key"), "ml-etcd-key");
    }

    #[test]
    fn recognises_current_and_earlier_markers() {
        assert!(marks(&markers("Etcd"), "Etcd"));
        let legacy = Tags::from([("mlcloud:name".to_string(), "Etcd".to_string())]);
        assert!(marks(&legacy, "Etcd"));
        assert!(!marks(&markers("other"), "Etcd"));
    }

    #[test]
    fn hides_both_schemes_from_users() {
        let shown = visible([
            ("team", "ml"),
            ("mlcloud-name", "x"),
            ("mlcloud:rotation-period-days", "90"),
        ]);
        assert_eq!(shown, Tags::from([("team".into(), "ml".into())]));
    }
}
