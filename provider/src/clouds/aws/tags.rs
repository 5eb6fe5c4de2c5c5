//! Tags on AWS objects: what users asked for, plus mlcloud's own (the markers every
//! managed object carries, see `clouds::markers`, and a few keys of this backend's
//! bookkeeping, all under the reserved `mlcloud-` prefix). mlcloud's keys are never
//! reported back (they would show as drift in `tags_all`), and an update rewrites keys
//! of the earlier `mlcloud:` scheme into the current one.

use crate::clouds::markers;
use crate::clouds::model::Tags;
use std::collections::HashMap;

pub use crate::clouds::markers::visible;

/// On a role: the identity's purpose (cluster, node or workload).
pub const PURPOSE: &str = "mlcloud-purpose";
/// On a workload role: the cluster ARN whose service account it trusts.
pub const WORKLOAD_CLUSTER: &str = "mlcloud-workload-cluster";
/// On an IAM OIDC provider: `mlcloud-cluster-<name>` for each cluster relying on it.
pub const OIDC_CLUSTER_PREFIX: &str = "mlcloud-cluster-";

/// The key the earlier scheme used for `key`, read so that objects made by earlier
/// versions are still recognised.
fn legacy(key: &str) -> Option<&'static str> {
    match key {
        PURPOSE => Some("mlcloud:purpose"),
        WORKLOAD_CLUSTER => Some("mlcloud:workload-cluster"),
        _ => None,
    }
}

/// A bookkeeping tag's value under its current or earlier key.
pub fn get<'a>(tags: &'a Tags, key: &str) -> Option<&'a String> {
    tags.get(key)
        .or_else(|| legacy(key).and_then(|old| tags.get(old)))
}

/// Same, from the `HashMap` EKS returns.
/// The cluster autoscaler's discovery tags (see `autoscaler_tags`) are mlcloud's
/// bookkeeping on a node group, hidden like the markers.
pub fn visible_map(tags: Option<&HashMap<String, String>>) -> Tags {
    visible(
        tags.into_iter()
            .flatten()
            .filter(|(k, _)| !super::autoscaler_tags::is_autoscaler_tag(k))
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// The calls that turn `actual` into `desired`. Keys of the earlier `mlcloud:` scheme
/// are removed (their current form is in `desired`); other `mlcloud-` keys that
/// `desired` does not name belong to other bookkeeping and stay.
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
                .filter(|k| !desired.contains_key(*k) && !k.starts_with(markers::PREFIX))
                .cloned()
                .collect(),
        }
    }
}

/// The changes from an object's user-visible tags (`prior`, as a state holds them) to
/// the spec's; when anything changes, the markers are written along with it (objects
/// made before the marker scheme get them then).
pub fn user_changes(prior: &Tags, wanted: &Tags, name: &str) -> TagChanges {
    let mut changes = TagChanges::between(prior, wanted);
    if !changes.set.is_empty() || !changes.remove.is_empty() {
        changes.set.extend(markers::markers(name));
    }
    changes
}

/// Applies `changes` to an EKS cluster or node group.
pub async fn apply_to_eks(
    eks: &aws_sdk_eks::Client,
    arn: &str,
    changes: TagChanges,
) -> Result<(), crate::clouds::CloudError> {
    use super::errors::{SdkResultExt, Service};
    if !changes.set.is_empty() {
        eks.tag_resource()
            .resource_arn(arn)
            .set_tags(Some(to_map(&changes.set)))
            .send()
            .await
            .or_api(Service::Eks, "TagResource")?;
    }
    if !changes.remove.is_empty() {
        eks.untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(changes.remove))
            .send()
            .await
            .or_api(Service::Eks, "UntagResource")?;
    }
    Ok(())
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
    fn changes_set_what_differs_and_migrate_the_earlier_scheme() {
        let actual = tags(&[
            ("a", "1"),
            ("b", "2"),
            ("mlcloud:name", "k"),
            ("mlcloud-cluster-other", "x"),
        ]);
        let want = markers::with_markers(&tags(&[("a", "1"), ("b", "3"), ("c", "4")]), "k");
        let changes = TagChanges::between(&actual, &want);
        assert_eq!(
            changes.set,
            tags(&[
                ("b", "3"),
                ("c", "4"),
                ("mlcloud-managed", "true"),
                ("mlcloud-name", "k")
            ])
        );
        assert_eq!(changes.remove, vec!["mlcloud:name".to_string()]);
        assert_eq!(TagChanges::between(&want, &want), TagChanges::default());
    }

    #[test]
    fn bookkeeping_reads_both_schemes() {
        let old = tags(&[("mlcloud:purpose", "node")]);
        assert_eq!(get(&old, PURPOSE).map(String::as_str), Some("node"));
        let new = tags(&[(PURPOSE, "cluster")]);
        assert_eq!(get(&new, PURPOSE).map(String::as_str), Some("cluster"));
    }
}
