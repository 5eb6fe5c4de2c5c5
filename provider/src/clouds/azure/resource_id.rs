//! ARM resource ids apart and together:
//! `/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}[/{type}/{name}]...`.
//! ARM compares ids case-insensitively; so do we.

use crate::clouds::CloudError;

/// A parsed ARM resource id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceId {
    pub subscription: String,
    pub resource_group: String,
    /// `Microsoft.ContainerService`.
    pub namespace: String,
    /// `(type, name)` from the top-level resource down, e.g.
    /// `[("managedClusters", "ml"), ("agentPools", "gpu")]`.
    pub segments: Vec<(String, String)>,
}

impl ResourceId {
    pub fn new(
        subscription: &str,
        resource_group: &str,
        namespace: &str,
        segments: &[(&str, &str)],
    ) -> Self {
        ResourceId {
            subscription: subscription.to_string(),
            resource_group: resource_group.to_string(),
            namespace: namespace.to_string(),
            segments: segments
                .iter()
                .map(|(t, n)| (t.to_string(), n.to_string()))
                .collect(),
        }
    }

    /// Parses `text`, requiring the resource types `types` (e.g. `["vaults", "keys"]`)
    /// under `namespace`, compared case-insensitively as ARM does.
    pub fn parse_kind(text: &str, namespace: &str, types: &[&str]) -> Result<Self, CloudError> {
        let id = Self::parse(text)?;
        let kinds_match = id.namespace.eq_ignore_ascii_case(namespace)
            && id.segments.len() == types.len()
            && id
                .segments
                .iter()
                .zip(types)
                .all(|((t, _), want)| t.eq_ignore_ascii_case(want));
        if !kinds_match {
            return Err(CloudError::Invalid(format!(
                "{text:?} is not the id of a {namespace}/{} resource",
                types.join("/")
            )));
        }
        Ok(id)
    }

    /// Parses any resource id below a resource group.
    pub fn parse(text: &str) -> Result<Self, CloudError> {
        let bad = || {
            CloudError::Invalid(format!(
                "{text:?} is not an Azure resource id (/subscriptions/SUB/resourceGroups/RG/providers/NAMESPACE/TYPE/NAME)"
            ))
        };
        let parts: Vec<&str> = text.strip_prefix('/').ok_or_else(bad)?.split('/').collect();
        if parts.len() < 8
            || !parts[0].eq_ignore_ascii_case("subscriptions")
            || !parts[2].eq_ignore_ascii_case("resourceGroups")
            || !parts[4].eq_ignore_ascii_case("providers")
            || !parts.len().is_multiple_of(2)
            || parts.iter().any(|p| p.is_empty())
        {
            return Err(bad());
        }
        Ok(ResourceId {
            subscription: parts[1].to_string(),
            resource_group: parts[3].to_string(),
            namespace: parts[5].to_string(),
            segments: parts[6..]
                .chunks(2)
                .map(|c| (c[0].to_string(), c[1].to_string()))
                .collect(),
        })
    }

    /// The last segment's name.
    pub fn name(&self) -> &str {
        self.segments.last().map_or("", |(_, n)| n)
    }

    /// The id of the resource this one belongs to (one segment up), if any.
    pub fn parent(&self) -> Option<ResourceId> {
        (self.segments.len() > 1).then(|| ResourceId {
            segments: self.segments[..self.segments.len() - 1].to_vec(),
            ..self.clone()
        })
    }

    /// A child of this resource.
    pub fn child(&self, kind: &str, name: &str) -> ResourceId {
        let mut id = self.clone();
        id.segments.push((kind.to_string(), name.to_string()));
        id
    }

    /// `/subscriptions/{sub}/resourceGroups/{rg}`.
    pub fn resource_group_id(&self) -> String {
        group_id(&self.subscription, &self.resource_group)
    }
}

/// `/subscriptions/{sub}/resourceGroups/{rg}`.
pub fn group_id(subscription: &str, resource_group: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{resource_group}")
}

impl std::fmt::Display for ResourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/providers/{}",
            self.resource_group_id(),
            self.namespace
        )?;
        for (t, n) in &self.segments {
            write!(f, "/{t}/{n}")?;
        }
        Ok(())
    }
}

/// Whether two ids name the same resource (ARM ids are case-insensitive).
pub fn same(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/ml/providers/Microsoft.ContainerService/managedClusters/main/agentPools/gpu";

    #[test]
    fn round_trips_and_walks_up() {
        let id = ResourceId::parse_kind(
            POOL,
            "Microsoft.ContainerService",
            &["managedClusters", "agentPools"],
        )
        .unwrap();
        assert_eq!(id.to_string(), POOL);
        assert_eq!(id.name(), "gpu");
        assert_eq!(id.resource_group, "ml");
        let cluster = id.parent().unwrap();
        assert_eq!(cluster.name(), "main");
        assert!(cluster.parent().is_none());
        assert_eq!(cluster.child("agentPools", "gpu"), id);
    }

    #[test]
    fn kinds_compare_case_insensitively_and_wrong_ones_are_refused() {
        let lower = POOL.to_ascii_lowercase();
        assert!(
            ResourceId::parse_kind(
                &lower,
                "Microsoft.ContainerService",
                &["managedClusters", "agentPools"]
            )
            .is_ok()
        );
        assert!(
            ResourceId::parse_kind(POOL, "Microsoft.ContainerService", &["managedClusters"])
                .is_err()
        );
        for bad in [
            "",
            "subscriptions/x",
            "/subscriptions/x/resourceGroups/y",
            "arn:aws:eks:us-east-1:1:cluster/x",
        ] {
            assert!(ResourceId::parse(bad).is_err(), "{bad}");
        }
        assert!(same(POOL, &lower));
    }
}
