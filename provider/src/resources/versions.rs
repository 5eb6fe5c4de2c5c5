//! Kubernetes version rules every cloud shares: a control plane (and a node pool)
//! moves one minor version per upgrade and never back, and a node pool never runs a
//! newer version than its cluster (kubelet may not be newer than the API server).

use std::cmp::Ordering;
use std::fmt;

/// `MAJOR.MINOR` of a Kubernetes version, from `1.31`, `1.31.2`, `v1.31` or a cloud's
/// patch form such as `1.31.1-gke.1146000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Minor {
    major: u32,
    minor: u32,
}

impl Minor {
    pub fn parse(version: &str) -> Option<Minor> {
        let mut parts = version
            .trim()
            .trim_start_matches('v')
            .split(['.', '-', '+']);
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(Minor { major, minor })
    }

    /// The next minor version (`1.31` → `1.32`).
    fn next(self) -> Minor {
        Minor {
            major: self.major,
            minor: self.minor + 1,
        }
    }
}

impl fmt::Display for Minor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Whether `from` may be upgraded to `to` in one step; the error says what to do.
/// Versions that do not parse are left to the cloud to judge.
pub fn check_upgrade(what: &str, from: &str, to: &str) -> Result<(), String> {
    let (Some(old), Some(new)) = (Minor::parse(from), Minor::parse(to)) else {
        return Ok(());
    };
    match new.cmp(&old) {
        Ordering::Less => Err(format!(
            "{what} runs Kubernetes {old}; it cannot be downgraded to {new} (no cloud supports a downgrade). Keep {old}, or replace {what} to start over on {new}."
        )),
        Ordering::Equal => Ok(()),
        Ordering::Greater if new.major != old.major || new != old.next() => Err(format!(
            "{what} runs Kubernetes {old}; an upgrade moves one minor version at a time, so {new} is not reachable in one step. Set {}, apply, then continue.",
            old.next()
        )),
        Ordering::Greater => Ok(()),
    }
}

/// How a node pool's version compares with its cluster's.
#[derive(Debug, PartialEq, Eq)]
pub enum PoolVersion {
    /// At most the cluster's: fine.
    Supported,
    /// One minor newer than the cluster runs now: fine only if the cluster is
    /// upgraded first in the same apply.
    NeedsClusterUpgrade(String),
    /// Newer than the cluster can reach in one apply.
    Unreachable(String),
}

pub fn check_pool_version(pool: &str, cluster: &str) -> PoolVersion {
    let (Some(pool), Some(cluster)) = (Minor::parse(pool), Minor::parse(cluster)) else {
        return PoolVersion::Supported;
    };
    if pool <= cluster {
        PoolVersion::Supported
    } else if pool == cluster.next() {
        PoolVersion::NeedsClusterUpgrade(format!(
            "The cluster runs Kubernetes {cluster} and a node pool may not be newer than its cluster: this pool reaches {pool} only if the cluster is upgraded to {pool} first in the same apply. Write kubernetes_version = mlcloud_cluster.<name>.kubernetes_version so it follows the cluster."
        ))
    } else {
        PoolVersion::Unreachable(format!(
            "The cluster runs Kubernetes {cluster} and a node pool may not be newer than its cluster; {pool} is more than one upgrade away. Upgrade the cluster one minor version at a time, then the pool."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_minor_version_of_every_form_the_clouds_use() {
        for form in ["1.31", "1.31.2", "v1.31", "1.31.1-gke.1146000", "1.31-eks"] {
            assert_eq!(Minor::parse(form).unwrap().to_string(), "1.31", "{form}");
        }
        assert_eq!(Minor::parse("latest"), None);
        assert_eq!(Minor::parse(""), None);
    }

    #[test]
    fn one_minor_version_up_per_upgrade_and_never_down() {
        assert!(check_upgrade("the cluster", "1.30", "1.31").is_ok());
        assert!(check_upgrade("the cluster", "1.31", "1.31.4").is_ok());
        let skip = check_upgrade("the cluster", "1.29", "1.31").unwrap_err();
        assert!(skip.contains("Set 1.30, apply, then continue"), "{skip}");
        let down = check_upgrade("the node pool", "1.31", "1.30").unwrap_err();
        assert!(down.contains("cannot be downgraded"), "{down}");
        assert!(check_upgrade("the cluster", "1.31", "2.0").is_err());
        assert!(
            check_upgrade("the cluster", "1.31", "next").is_ok(),
            "left to the cloud"
        );
    }

    #[test]
    fn a_pool_is_never_newer_than_its_cluster() {
        assert_eq!(check_pool_version("1.30", "1.31"), PoolVersion::Supported);
        assert_eq!(check_pool_version("1.31", "1.31"), PoolVersion::Supported);
        assert!(matches!(
            check_pool_version("1.32", "1.31"),
            PoolVersion::NeedsClusterUpgrade(_)
        ));
        assert!(matches!(
            check_pool_version("1.33", "1.31"),
            PoolVersion::Unreachable(message) if message.contains("one minor version at a time")
        ));
    }
}
