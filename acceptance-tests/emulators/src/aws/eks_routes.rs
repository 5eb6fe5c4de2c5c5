//! The EKS REST routes (method + path) and the API operation each one is, following
//! the EKS API reference. One table serves both the operation names of the request
//! log and fault rules, and the dispatch of the routes the emulator answers itself.

use http::Method;

use super::encoding::percent_decode;

/// An EKS operation with the names its path carries (decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EksRoute {
    CreateCluster,
    ListClusters,
    DescribeCluster {
        cluster: String,
    },
    DeleteCluster {
        cluster: String,
    },
    UpdateClusterConfig {
        cluster: String,
    },
    UpdateClusterVersion {
        cluster: String,
    },
    ListUpdates {
        cluster: String,
    },
    DescribeUpdate {
        cluster: String,
        update_id: String,
    },
    CreateNodegroup {
        cluster: String,
    },
    ListNodegroups {
        cluster: String,
    },
    DescribeNodegroup {
        cluster: String,
        nodegroup: String,
    },
    DeleteNodegroup {
        cluster: String,
        nodegroup: String,
    },
    UpdateNodegroupConfig {
        cluster: String,
        nodegroup: String,
    },
    UpdateNodegroupVersion {
        cluster: String,
        nodegroup: String,
    },
    CreateAccessEntry {
        cluster: String,
    },
    ListAccessEntries {
        cluster: String,
    },
    DescribeAccessEntry {
        cluster: String,
        principal: String,
    },
    UpdateAccessEntry {
        cluster: String,
        principal: String,
    },
    DeleteAccessEntry {
        cluster: String,
        principal: String,
    },
    AssociateAccessPolicy {
        cluster: String,
        principal: String,
    },
    ListAssociatedAccessPolicies {
        cluster: String,
        principal: String,
    },
    DisassociateAccessPolicy {
        cluster: String,
        principal: String,
        policy: String,
    },
    ListAccessPolicies,
    CreatePodIdentityAssociation {
        cluster: String,
    },
    ListPodIdentityAssociations {
        cluster: String,
    },
    DescribePodIdentityAssociation {
        cluster: String,
        association: String,
    },
    DeletePodIdentityAssociation {
        cluster: String,
        association: String,
    },
    /// Fargate profiles, add-ons and tags: moto's (or nobody's), named only.
    /// TagResource, UntagResource and ListTagsForResource of a node group's ARN
    /// (moto tags clusters only); a cluster's go to moto.
    TagNodegroup {
        cluster: String,
        nodegroup: String,
    },
    UntagNodegroup {
        cluster: String,
        nodegroup: String,
    },
    ListNodegroupTags {
        cluster: String,
        nodegroup: String,
    },
    Other(&'static str),
}

impl EksRoute {
    /// The route of a request, if EKS has one there.
    pub fn parse(method: &Method, path: &str) -> Option<EksRoute> {
        let segments: Vec<String> = path
            .trim_matches('/')
            .split('/')
            .map(percent_decode)
            .collect();
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let m = method.as_str();
        use EksRoute::*;
        let own = |name: &str| name.to_string();
        Some(match (m, s.as_slice()) {
            ("POST", ["clusters"]) => CreateCluster,
            ("GET", ["clusters"]) => ListClusters,
            ("GET", ["clusters", c]) => DescribeCluster { cluster: own(c) },
            ("DELETE", ["clusters", c]) => DeleteCluster { cluster: own(c) },
            ("POST", ["clusters", c, "update-config"]) => UpdateClusterConfig { cluster: own(c) },
            ("POST", ["clusters", c, "updates"]) => UpdateClusterVersion { cluster: own(c) },
            ("GET", ["clusters", c, "updates"]) => ListUpdates { cluster: own(c) },
            ("GET", ["clusters", c, "updates", u]) => DescribeUpdate {
                cluster: own(c),
                update_id: own(u),
            },
            ("POST", ["clusters", c, "node-groups"]) => CreateNodegroup { cluster: own(c) },
            ("GET", ["clusters", c, "node-groups"]) => ListNodegroups { cluster: own(c) },
            ("GET", ["clusters", c, "node-groups", g]) => DescribeNodegroup {
                cluster: own(c),
                nodegroup: own(g),
            },
            ("DELETE", ["clusters", c, "node-groups", g]) => DeleteNodegroup {
                cluster: own(c),
                nodegroup: own(g),
            },
            ("POST", ["clusters", c, "node-groups", g, "update-config"]) => UpdateNodegroupConfig {
                cluster: own(c),
                nodegroup: own(g),
            },
            ("POST", ["clusters", c, "node-groups", g, "update-version"]) => {
                UpdateNodegroupVersion {
                    cluster: own(c),
                    nodegroup: own(g),
                }
            }
            ("POST", ["clusters", c, "access-entries"]) => CreateAccessEntry { cluster: own(c) },
            ("GET", ["clusters", c, "access-entries"]) => ListAccessEntries { cluster: own(c) },
            ("GET", ["clusters", c, "access-entries", p]) => DescribeAccessEntry {
                cluster: own(c),
                principal: own(p),
            },
            ("POST", ["clusters", c, "access-entries", p]) => UpdateAccessEntry {
                cluster: own(c),
                principal: own(p),
            },
            ("DELETE", ["clusters", c, "access-entries", p]) => DeleteAccessEntry {
                cluster: own(c),
                principal: own(p),
            },
            ("POST", ["clusters", c, "access-entries", p, "access-policies"]) => {
                AssociateAccessPolicy {
                    cluster: own(c),
                    principal: own(p),
                }
            }
            ("GET", ["clusters", c, "access-entries", p, "access-policies"]) => {
                ListAssociatedAccessPolicies {
                    cluster: own(c),
                    principal: own(p),
                }
            }
            ("DELETE", ["clusters", c, "access-entries", p, "access-policies", a]) => {
                DisassociateAccessPolicy {
                    cluster: own(c),
                    principal: own(p),
                    policy: own(a),
                }
            }
            ("GET", ["access-policies"]) => ListAccessPolicies,
            ("POST", ["clusters", c, "pod-identity-associations"]) => {
                CreatePodIdentityAssociation { cluster: own(c) }
            }
            ("GET", ["clusters", c, "pod-identity-associations"]) => {
                ListPodIdentityAssociations { cluster: own(c) }
            }
            ("GET", ["clusters", c, "pod-identity-associations", a]) => {
                DescribePodIdentityAssociation {
                    cluster: own(c),
                    association: own(a),
                }
            }
            ("DELETE", ["clusters", c, "pod-identity-associations", a]) => {
                DeletePodIdentityAssociation {
                    cluster: own(c),
                    association: own(a),
                }
            }
            ("POST", ["clusters", _, "fargate-profiles"]) => Other("CreateFargateProfile"),
            ("GET", ["clusters", _, "fargate-profiles"]) => Other("ListFargateProfiles"),
            ("GET", ["clusters", _, "fargate-profiles", _]) => Other("DescribeFargateProfile"),
            ("DELETE", ["clusters", _, "fargate-profiles", _]) => Other("DeleteFargateProfile"),
            ("POST" | "DELETE" | "GET", ["tags", arn @ ..]) => {
                let node_group = nodegroup_of(&arn.join("/"));
                match (m, node_group) {
                    ("POST", Some((cluster, nodegroup))) => TagNodegroup { cluster, nodegroup },
                    ("DELETE", Some((cluster, nodegroup))) => UntagNodegroup { cluster, nodegroup },
                    ("GET", Some((cluster, nodegroup))) => ListNodegroupTags { cluster, nodegroup },
                    ("POST", None) => Other("TagResource"),
                    ("DELETE", None) => Other("UntagResource"),
                    _ => Other("ListTagsForResource"),
                }
            }
            _ => return None,
        })
    }

    /// The operation's name in the EKS API reference.
    pub fn operation(&self) -> &'static str {
        use EksRoute::*;
        match self {
            CreateCluster => "CreateCluster",
            ListClusters => "ListClusters",
            DescribeCluster { .. } => "DescribeCluster",
            DeleteCluster { .. } => "DeleteCluster",
            UpdateClusterConfig { .. } => "UpdateClusterConfig",
            UpdateClusterVersion { .. } => "UpdateClusterVersion",
            ListUpdates { .. } => "ListUpdates",
            DescribeUpdate { .. } => "DescribeUpdate",
            CreateNodegroup { .. } => "CreateNodegroup",
            ListNodegroups { .. } => "ListNodegroups",
            DescribeNodegroup { .. } => "DescribeNodegroup",
            DeleteNodegroup { .. } => "DeleteNodegroup",
            UpdateNodegroupConfig { .. } => "UpdateNodegroupConfig",
            UpdateNodegroupVersion { .. } => "UpdateNodegroupVersion",
            CreateAccessEntry { .. } => "CreateAccessEntry",
            ListAccessEntries { .. } => "ListAccessEntries",
            DescribeAccessEntry { .. } => "DescribeAccessEntry",
            UpdateAccessEntry { .. } => "UpdateAccessEntry",
            DeleteAccessEntry { .. } => "DeleteAccessEntry",
            AssociateAccessPolicy { .. } => "AssociateAccessPolicy",
            ListAssociatedAccessPolicies { .. } => "ListAssociatedAccessPolicies",
            DisassociateAccessPolicy { .. } => "DisassociateAccessPolicy",
            ListAccessPolicies => "ListAccessPolicies",
            CreatePodIdentityAssociation { .. } => "CreatePodIdentityAssociation",
            ListPodIdentityAssociations { .. } => "ListPodIdentityAssociations",
            DescribePodIdentityAssociation { .. } => "DescribePodIdentityAssociation",
            DeletePodIdentityAssociation { .. } => "DeletePodIdentityAssociation",
            TagNodegroup { .. } => "TagResource",
            UntagNodegroup { .. } => "UntagResource",
            ListNodegroupTags { .. } => "ListTagsForResource",
            Other(name) => name,
        }
    }
}

/// The cluster and node group of a node group ARN,
/// `arn:PARTITION:eks:REGION:ACCOUNT:nodegroup/CLUSTER/NODEGROUP/ID`.
fn nodegroup_of(arn: &str) -> Option<(String, String)> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let mut parts = resource.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("nodegroup"), Some(cluster), Some(nodegroup)) => {
            Some((cluster.to_string(), nodegroup.to_string()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::EksRoute::*;
    use super::*;

    fn operation(method: Method, path: &str) -> Option<&'static str> {
        EksRoute::parse(&method, path).map(|route| route.operation())
    }

    #[test]
    fn names_each_route_as_the_eks_api_reference_does() {
        assert_eq!(operation(Method::POST, "/clusters"), Some("CreateCluster"));
        assert_eq!(
            operation(Method::POST, "/clusters/ml/node-groups"),
            Some("CreateNodegroup")
        );
        assert_eq!(
            operation(Method::POST, "/clusters/ml/updates"),
            Some("UpdateClusterVersion")
        );
        assert_eq!(
            operation(Method::GET, "/clusters/ml/updates/0a1b"),
            Some("DescribeUpdate")
        );
        assert_eq!(
            operation(
                Method::POST,
                "/clusters/ml/node-groups/system/update-version"
            ),
            Some("UpdateNodegroupVersion")
        );
        assert_eq!(
            operation(Method::GET, "/access-policies"),
            Some("ListAccessPolicies")
        );
        assert_eq!(
            operation(
                Method::POST,
                "/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A1%3Acluster%2Fml"
            ),
            Some("TagResource")
        );
        assert_eq!(operation(Method::PUT, "/clusters"), None);
    }

    #[test]
    fn a_node_groups_tags_are_served_here_and_a_clusters_go_to_moto() {
        let encoded = "/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A1%3Anodegroup%2Fml%2Fgpu%2F0a1b";
        let node_group = || TagNodegroup {
            cluster: "ml".into(),
            nodegroup: "gpu".into(),
        };
        assert_eq!(EksRoute::parse(&Method::POST, encoded), Some(node_group()));
        // The same ARN with its slashes left as they are.
        assert_eq!(
            EksRoute::parse(
                &Method::POST,
                "/tags/arn:aws:eks:us-east-1:1:nodegroup/ml/gpu/0a1b"
            ),
            Some(node_group())
        );
        assert_eq!(
            EksRoute::parse(&Method::DELETE, encoded).map(|r| r.operation()),
            Some("UntagResource")
        );
        assert!(matches!(
            EksRoute::parse(&Method::GET, encoded),
            Some(ListNodegroupTags { .. })
        ));
        assert_eq!(
            EksRoute::parse(
                &Method::DELETE,
                "/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A1%3Acluster%2Fml"
            ),
            Some(Other("UntagResource"))
        );
    }

    #[test]
    fn principal_arns_in_the_path_are_decoded() {
        let route = EksRoute::parse(
            &Method::POST,
            "/clusters/ml/access-entries/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fadmin/access-policies",
        );
        assert_eq!(
            route,
            Some(EksRoute::AssociateAccessPolicy {
                cluster: "ml".into(),
                principal: "arn:aws:iam::123456789012:role/admin".into(),
            })
        );
    }
}
