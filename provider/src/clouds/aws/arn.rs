//! ARNs: the ids mlcloud resources hold on AWS, taken apart and put together.

use crate::clouds::CloudError;

/// `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let arn = Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        };
        (!arn.partition.is_empty() && !arn.service.is_empty() && !arn.resource.is_empty())
            .then_some(arn)
    }

    /// Parses an ARN of `service` whose resource starts with `kind/`, returning the ARN
    /// and the rest of the resource.
    pub fn expect(
        text: &'a str,
        service: &str,
        kind: &str,
    ) -> Result<(Arn<'a>, &'a str), CloudError> {
        Arn::parse(text)
            .filter(|a| a.service == service)
            .and_then(|a| {
                a.resource
                    .strip_prefix(kind)
                    .and_then(|r| r.strip_prefix('/'))
                    .filter(|r| !r.is_empty())
                    .map(|rest| (a, rest))
            })
            .ok_or_else(|| {
                CloudError::Invalid(format!(
                    "{text:?} is not an ARN of an AWS {service} {kind} \
                     (expected arn:aws:{service}:...:{kind}/...)"
                ))
            })
    }
}

/// An EKS cluster ARN's region and cluster name.
pub fn cluster_name(cluster_arn: &str) -> Result<(Arn<'_>, &str), CloudError> {
    let (arn, name) = Arn::expect(cluster_arn, "eks", "cluster")?;
    if name.contains('/') {
        return Err(CloudError::Invalid(format!(
            "{cluster_arn:?} is not an EKS cluster ARN"
        )));
    }
    Ok((arn, name))
}

/// An EKS node group ARN's parts: (arn, cluster name, node group name).
pub fn nodegroup_names(nodegroup_arn: &str) -> Result<(Arn<'_>, &str, &str), CloudError> {
    let (arn, rest) = Arn::expect(nodegroup_arn, "eks", "nodegroup")?;
    let mut parts = rest.split('/');
    match (parts.next(), parts.next()) {
        (Some(cluster), Some(group)) if !cluster.is_empty() && !group.is_empty() => {
            Ok((arn, cluster, group))
        }
        _ => Err(CloudError::Invalid(format!(
            "{nodegroup_arn:?} is not an EKS node group ARN (expected .../nodegroup/<cluster>/<name>/<id>)"
        ))),
    }
}

/// An IAM role ARN's role name (the last path segment).
pub fn role_name(role_arn: &str) -> Result<&str, CloudError> {
    let (_, rest) = Arn::expect(role_arn, "iam", "role")?;
    Ok(rest.rsplit('/').next().unwrap_or(rest))
}

pub fn cluster_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:eks:{region}:{account}:cluster/{name}")
}

/// The issuer as IAM names it: the URL without its scheme.
pub fn issuer_host_path(issuer_url: &str) -> &str {
    issuer_url
        .strip_prefix("https://")
        .or_else(|| issuer_url.strip_prefix("http://"))
        .unwrap_or(issuer_url)
        .trim_end_matches('/')
}

pub fn oidc_provider_arn(partition: &str, account: &str, issuer_url: &str) -> String {
    format!(
        "arn:{partition}:iam::{account}:oidc-provider/{}",
        issuer_host_path(issuer_url)
    )
}

/// An AWS-managed IAM policy in the role's partition.
pub fn managed_policy_arn(partition: &str, name: &str) -> String {
    format!("arn:{partition}:iam::aws:policy/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_cluster_and_node_group_arns_apart() {
        let (arn, name) =
            cluster_name("arn:aws:eks:us-east-1:123456789012:cluster/ml-main").unwrap();
        assert_eq!(
            (arn.region, arn.account, name),
            ("us-east-1", "123456789012", "ml-main")
        );
        let (arn, cluster, group) =
            nodegroup_names("arn:aws:eks:eu-west-1:123456789012:nodegroup/ml-main/gpu-l4/0ac5-11")
                .unwrap();
        assert_eq!(
            (arn.region, cluster, group),
            ("eu-west-1", "ml-main", "gpu-l4")
        );
    }

    #[test]
    fn rejects_what_is_not_the_expected_arn() {
        assert!(cluster_name("ml-main").is_err());
        assert!(cluster_name("arn:aws:iam::123456789012:role/x").is_err());
        assert!(nodegroup_names("arn:aws:eks:us-east-1:1:cluster/ml").is_err());
        let err = role_name("arn:aws:iam::123456789012:user/bob")
            .unwrap_err()
            .to_string();
        assert!(err.contains("role"), "{err}");
    }

    #[test]
    fn role_names_drop_the_path() {
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/ml-node").unwrap(),
            "ml-node"
        );
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/team/a/ml-node").unwrap(),
            "ml-node"
        );
    }

    #[test]
    fn oidc_provider_arns_drop_the_scheme() {
        assert_eq!(
            oidc_provider_arn(
                "aws",
                "123456789012",
                "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
            ),
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
        );
    }
}
