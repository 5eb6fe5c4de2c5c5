//! GKE versions: the ones this emulator offers, the aliases GKE accepts (`1.32`
//! picks that minor's newest patch, `latest` / `-` the default), and GKE's rules: a
//! control plane moves up one minor version at a time and never down, and nodes are
//! never newer than their control plane.

use crate::gcp::errors::{ApiError, ApiResult};

/// Offered versions, oldest first (one patch per minor is enough for the contract).
pub const OFFERED: &[&str] = &[
    "1.29.15-gke.1291000",
    "1.30.11-gke.1157000",
    "1.31.6-gke.1020000",
    "1.32.2-gke.1182003",
    "1.33.1-gke.1107000",
];

/// The version new clusters and pools get.
pub const DEFAULT_VERSION: &str = "1.31.6-gke.1020000";

/// `MAJOR.MINOR` of a version.
pub fn minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.split(['.', '-']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// The offered version `asked` names (exactly, or as a `1.X` / `1.X.Y` alias);
/// `what` is "Master" or "Node" for the message.
pub fn resolve(asked: &str, what: &str) -> ApiResult<String> {
    if asked.is_empty() || asked == "latest" || asked == "-" {
        return Ok(DEFAULT_VERSION.to_string());
    }
    OFFERED
        .iter()
        .rev()
        .find(|v| {
            **v == asked
                || v.starts_with(&format!("{asked}."))
                || v.starts_with(&format!("{asked}-"))
        })
        .map(|v| v.to_string())
        .ok_or_else(|| {
            ApiError::invalid_argument(format!("{what} version \"{asked}\" is unsupported."))
        })
}

/// Whether the control plane may go from `current` to `target` in one upgrade.
pub fn check_master_upgrade(current: &str, target: &str) -> ApiResult<()> {
    let (Some(from), Some(to)) = (minor(current), minor(target)) else {
        return Ok(());
    };
    if to < from {
        return Err(ApiError::invalid_argument(format!(
            "Master cannot be downgraded from \"{current}\" to \"{target}\"."
        )));
    }
    if to.0 != from.0 || to.1 > from.1 + 1 {
        return Err(ApiError::invalid_argument(format!(
            "Master cannot be upgraded from \"{current}\" to \"{target}\": the control plane can only be upgraded one minor version at a time."
        )));
    }
    Ok(())
}

/// Nodes may not run a newer minor version than the control plane.
pub fn check_node_version(node: &str, master: &str) -> ApiResult<()> {
    if let (Some(n), Some(m)) = (minor(node), minor(master))
        && n > m
    {
        return Err(ApiError::invalid_argument(format!(
            "Node version \"{node}\" must not be newer than the master version \"{master}\"."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_pick_the_newest_patch_of_their_minor() {
        assert_eq!(resolve("1.32", "Master").unwrap(), "1.32.2-gke.1182003");
        assert_eq!(resolve("latest", "Master").unwrap(), DEFAULT_VERSION);
        assert_eq!(
            resolve("1.31.6-gke.1020000", "Node").unwrap(),
            DEFAULT_VERSION
        );
        let unknown = resolve("1.99", "Master").unwrap_err();
        assert_eq!(unknown.status, "INVALID_ARGUMENT");
    }

    #[test]
    fn one_minor_up_and_nodes_never_ahead() {
        assert!(check_master_upgrade("1.31.6-gke.1020000", "1.32.2-gke.1182003").is_ok());
        assert!(check_master_upgrade("1.31.6-gke.1020000", "1.33.1-gke.1107000").is_err());
        assert!(check_master_upgrade("1.31.6-gke.1020000", "1.30.11-gke.1157000").is_err());
        assert!(check_node_version("1.31.6-gke.1020000", "1.32.2-gke.1182003").is_ok());
        assert!(check_node_version("1.32.2-gke.1182003", "1.31.6-gke.1020000").is_err());
    }
}
