//! One value per cloud: the settings of the `aws {}`, `azure {}` or `gcp {}` block that
//! matches the resource's `cloud`, and nothing for the other two.

use crate::Cloud;

/// Settings that exist on one cloud only. Every spec and state holds one of these, so a
/// backend can never be handed another cloud's settings and a resource never branches
/// on the cloud to find them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PerCloud<A, Z, G> {
    Aws(A),
    Azure(Z),
    Gcp(G),
}

impl<A, Z, G> PerCloud<A, Z, G> {
    pub fn cloud(&self) -> Cloud {
        match self {
            PerCloud::Aws(_) => Cloud::Aws,
            PerCloud::Azure(_) => Cloud::Azure,
            PerCloud::Gcp(_) => Cloud::Gcp,
        }
    }

    /// The AWS settings, `None` on the other clouds.
    pub fn aws(&self) -> Option<&A> {
        match self {
            PerCloud::Aws(a) => Some(a),
            _ => None,
        }
    }

    pub fn azure(&self) -> Option<&Z> {
        match self {
            PerCloud::Azure(z) => Some(z),
            _ => None,
        }
    }

    pub fn gcp(&self) -> Option<&G> {
        match self {
            PerCloud::Gcp(g) => Some(g),
            _ => None,
        }
    }
}

impl<A: Default, Z: Default, G: Default> PerCloud<A, Z, G> {
    /// The settings for `cloud`, taken from the matching block (an absent block is that
    /// cloud's defaults); the other clouds' blocks are ignored (validation refuses them).
    pub fn pick(cloud: Cloud, aws: Option<A>, azure: Option<Z>, gcp: Option<G>) -> Self {
        match cloud {
            Cloud::Aws => PerCloud::Aws(aws.unwrap_or_default()),
            Cloud::Azure => PerCloud::Azure(azure.unwrap_or_default()),
            Cloud::Gcp => PerCloud::Gcp(gcp.unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_block_of_the_cloud_and_defaults_an_absent_one() {
        let picked: PerCloud<u8, u16, u32> = PerCloud::pick(Cloud::Azure, Some(1), None, Some(3));
        assert_eq!(picked, PerCloud::Azure(0));
        assert_eq!(picked.cloud(), Cloud::Azure);
        let picked: PerCloud<u8, u16, u32> = PerCloud::pick(Cloud::Gcp, Some(1), None, Some(3));
        assert_eq!(picked.gcp(), Some(&3));
        assert_eq!(picked.aws(), None);
    }
}
