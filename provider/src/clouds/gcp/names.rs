//! Google Cloud resource names, the ids of every mlcloud object on gcp:
//!
//! | object | id |
//! |---|---|
//! | key | `projects/P/locations/L/keyRings/R/cryptoKeys/K` (also its `key_ref`) |
//! | identity | `projects/P/serviceAccounts/NAME@P.iam.gserviceaccount.com` |
//! | cluster | `projects/P/locations/L/clusters/C` |
//! | node pool | `projects/P/locations/L/clusters/C/nodePools/N` |

/// The `(collection, id)` pairs of a resource name whose collections are exactly
/// `collections`, in order; `None` for any other shape or an empty id.
fn segments<'a>(name: &'a str, collections: &[&str]) -> Option<Vec<&'a str>> {
    let parts: Vec<&str> = name.split('/').collect();
    if parts.len() != collections.len() * 2 {
        return None;
    }
    let mut ids = Vec::with_capacity(collections.len());
    for (pair, wanted) in parts.chunks(2).zip(collections) {
        if pair[0] != *wanted || pair[1].is_empty() {
            return None;
        }
        ids.push(pair[1]);
    }
    Some(ids)
}

/// A Cloud KMS crypto key's name, apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyName {
    pub project: String,
    pub location: String,
    pub key_ring: String,
    pub key: String,
}

impl KeyName {
    pub fn parse(name: &str) -> Option<KeyName> {
        let ids = segments(name, &["projects", "locations", "keyRings", "cryptoKeys"])?;
        Some(KeyName {
            project: ids[0].into(),
            location: ids[1].into(),
            key_ring: ids[2].into(),
            key: ids[3].into(),
        })
    }

    /// `projects/P/locations/L` (where key rings are created).
    pub fn location_name(&self) -> String {
        format!("projects/{}/locations/{}", self.project, self.location)
    }

    pub fn key_ring_name(&self) -> String {
        format!("{}/keyRings/{}", self.location_name(), self.key_ring)
    }

    pub fn name(&self) -> String {
        format!("{}/cryptoKeys/{}", self.key_ring_name(), self.key)
    }
}

/// A service account's name, apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountName {
    pub project: String,
    pub account_id: String,
}

impl ServiceAccountName {
    pub fn new(project: &str, account_id: &str) -> Self {
        ServiceAccountName {
            project: project.into(),
            account_id: account_id.into(),
        }
    }

    /// `projects/P/serviceAccounts/EMAIL`; the project in the email must match.
    pub fn parse(name: &str) -> Option<ServiceAccountName> {
        let ids = segments(name, &["projects", "serviceAccounts"])?;
        let (account_id, domain) = ids[1].split_once('@')?;
        let project = domain.strip_suffix(".iam.gserviceaccount.com")?;
        (project == ids[0] && !account_id.is_empty())
            .then(|| ServiceAccountName::new(project, account_id))
    }

    pub fn email(&self) -> String {
        format!(
            "{}@{}.iam.gserviceaccount.com",
            self.account_id, self.project
        )
    }

    pub fn name(&self) -> String {
        format!("projects/{}/serviceAccounts/{}", self.project, self.email())
    }

    /// How IAM policies name it.
    pub fn member(&self) -> String {
        format!("serviceAccount:{}", self.email())
    }
}

/// A GKE cluster's name, apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterName {
    pub project: String,
    pub location: String,
    pub cluster: String,
}

impl ClusterName {
    pub fn parse(name: &str) -> Option<ClusterName> {
        let ids = segments(name, &["projects", "locations", "clusters"])?;
        Some(ClusterName {
            project: ids[0].into(),
            location: ids[1].into(),
            cluster: ids[2].into(),
        })
    }

    pub fn parent(&self) -> String {
        format!("projects/{}/locations/{}", self.project, self.location)
    }

    pub fn name(&self) -> String {
        format!("{}/clusters/{}", self.parent(), self.cluster)
    }

    /// The Workload Identity pool of the cluster's project.
    pub fn workload_pool(&self) -> String {
        format!("{}.svc.id.goog", self.project)
    }
}

/// A GKE node pool's name, apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodePoolName {
    pub cluster: ClusterName,
    pub pool: String,
}

impl NodePoolName {
    pub fn parse(name: &str) -> Option<NodePoolName> {
        let ids = segments(name, &["projects", "locations", "clusters", "nodePools"])?;
        Some(NodePoolName {
            cluster: ClusterName {
                project: ids[0].into(),
                location: ids[1].into(),
                cluster: ids[2].into(),
            },
            pool: ids[3].into(),
        })
    }

    pub fn name(&self) -> String {
        format!("{}/nodePools/{}", self.cluster.name(), self.pool)
    }
}

/// The location a resource name carries (`locations/L`), if any.
pub fn location_of(name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split('/').collect();
    parts
        .windows(2)
        .find(|w| w[0] == "locations" && !w[1].is_empty())
        .map(|w| w[1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_round_trips_and_nothing_else_parses() {
        let key = "projects/p1/locations/us-central1/keyRings/ring/cryptoKeys/etcd";
        assert_eq!(KeyName::parse(key).unwrap().name(), key);
        assert_eq!(
            KeyName::parse(key).unwrap().key_ring_name(),
            "projects/p1/locations/us-central1/keyRings/ring"
        );
        assert!(KeyName::parse("projects/p1/locations/us-central1/keyRings/ring").is_none());
        assert!(KeyName::parse(&format!("{key}/cryptoKeyVersions/1")).is_none());

        let sa = "projects/p1/serviceAccounts/ml-node@p1.iam.gserviceaccount.com";
        let parsed = ServiceAccountName::parse(sa).unwrap();
        assert_eq!(parsed.account_id, "ml-node");
        assert_eq!(parsed.name(), sa);
        assert_eq!(
            parsed.member(),
            "serviceAccount:ml-node@p1.iam.gserviceaccount.com"
        );
        assert!(
            ServiceAccountName::parse(
                "projects/p2/serviceAccounts/ml-node@p1.iam.gserviceaccount.com"
            )
            .is_none(),
            "the project in the email must be the project in the path"
        );

        let pool = "projects/p1/locations/us-central1-a/clusters/ml/nodePools/gpu";
        let parsed = NodePoolName::parse(pool).unwrap();
        assert_eq!(parsed.name(), pool);
        assert_eq!(
            parsed.cluster.name(),
            "projects/p1/locations/us-central1-a/clusters/ml"
        );
        assert!(ClusterName::parse(pool).is_none());
        assert_eq!(
            ClusterName::parse("projects/p1/locations/l/clusters/ml")
                .unwrap()
                .workload_pool(),
            "p1.svc.id.goog"
        );
    }

    #[test]
    fn finds_the_location_in_a_name() {
        assert_eq!(
            location_of("projects/p/locations/europe-west4/clusters/c").as_deref(),
            Some("europe-west4")
        );
        assert_eq!(
            location_of("projects/p/serviceAccounts/a@p.iam.gserviceaccount.com"),
            None
        );
    }
}
