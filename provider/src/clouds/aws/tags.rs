//! Tags: what users asked for, plus a few `mlcloud:`-prefixed tags the backend keeps
//! for itself (e.g. `mlcloud:name` on a KMS key, so a retried create can recognise its
//! own key). Internal tags are never reported back (they would show as drift in
//! `tags_all`) and never removed by an update.

use crate::clouds::model::Tags;
use std::collections::HashMap;

/// Keys with this prefix belong to the backend.
pub const INTERNAL_PREFIX: &str = "mlcloud:";
/// On a KMS key: the `mlcloud_kms_key` name it was created for.
pub const KEY_NAME: &str = "mlcloud:name";
/// On a KMS key: the rotation period last asked for, reported only when the service
/// does not report one itself (moto ignores `RotationPeriodInDays`; KMS always returns it).
pub const ROTATION_PERIOD: &str = "mlcloud:rotation-period-days";
/// On a workload role: the cluster ARN whose service account it trusts.
pub const WORKLOAD_CLUSTER: &str = "mlcloud:workload-cluster";
/// On an IAM OIDC provider: the name of the EKS cluster it was created for.
pub const OIDC_CLUSTER: &str = "mlcloud:cluster";

pub fn is_internal(key: &str) -> bool {
    key.starts_with(INTERNAL_PREFIX)
}

/// The user-visible part of the tags on an object.
pub fn visible<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Tags {
    tags.into_iter()
        .filter(|(k, _)| !is_internal(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Same, from the `HashMap` EKS returns.
pub fn visible_map(tags: Option<&HashMap<String, String>>) -> Tags {
    visible(
        tags.into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// The calls that turn `actual` into `desired`, leaving internal tags alone.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TagChanges {
    /// Tags to add or overwrite.
    pub set: Tags,
    /// Keys to remove.
    pub remove: Vec<String>,
}

impl TagChanges {
    pub fn between(actual: &Tags, desired: &Tags) -> TagChanges {
        TagChanges {
            set: desired
                .iter()
                .filter(|(k, v)| actual.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            remove: actual
                .keys()
                .filter(|k| !desired.contains_key(*k) && !is_internal(k))
                .cloned()
                .collect(),
        }
    }
}

/// Tags as the `HashMap` the EKS API takes.
pub fn to_map(tags: &Tags) -> HashMap<String, String> {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn internal_tags_are_hidden() {
        let shown = visible([("team", "ml"), (KEY_NAME, "etcd")]);
        assert_eq!(shown, tags(&[("team", "ml")]));
    }

    #[test]
    fn changes_set_what_differs_and_remove_what_is_extra_but_not_internal() {
        let actual = tags(&[("a", "1"), ("b", "2"), (KEY_NAME, "k")]);
        let desired = tags(&[("a", "1"), ("b", "3"), ("c", "4")]);
        let changes = TagChanges::between(&actual, &desired);
        assert_eq!(changes.set, tags(&[("b", "3"), ("c", "4")]));
        assert!(changes.remove.is_empty());

        let changes = TagChanges::between(&actual, &tags(&[]));
        assert_eq!(changes.remove, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(
            TagChanges::between(&desired, &desired),
            TagChanges::default()
        );
    }
}
