//! The size of a GKE node pool, which GKE's own API does not show: a NodePool carries
//! only its `initialNodeCount`, while `setSize` and the autoscaler change its managed
//! instance groups. The pool lists one instance group manager per zone in
//! `instanceGroupUrls`; each one's `targetSize` (Compute Engine's
//! `instanceGroupManagers.get`, which Google's Rust crates do not cover) is the pool's
//! nodes in that zone. As the google provider does, a manager that is gone (404) is a
//! stale URL and skipped.

use super::errors::Service;
use super::json_api;
use crate::clouds::CloudError;
use crate::config::gcp::GcpConfig;
use google_cloud_auth::credentials::Credentials;

/// Compute Engine's API root (the URLs GKE lists use the older www.googleapis.com
/// host; only their path is used).
const COMPUTE: &str = "https://compute.googleapis.com";

#[derive(Clone, Debug)]
pub struct InstanceGroups {
    http: reqwest::Client,
    base: String,
    credentials: Credentials,
}

/// `projects/P/zones/Z/instanceGroupManagers/N` of a URL GKE lists.
pub fn manager_path(url: &str) -> Option<&str> {
    let start = url.find("/projects/")? + 1;
    let path = &url[start..];
    let parts: Vec<&str> = path.split('/').collect();
    let shaped = parts.len() == 6
        && parts[2] == "zones"
        && parts[4] == "instanceGroupManagers"
        && parts.iter().all(|p| !p.is_empty());
    shaped.then_some(path)
}

impl InstanceGroups {
    pub fn new(config: &GcpConfig, credentials: Credentials) -> Self {
        InstanceGroups {
            http: reqwest::Client::new(),
            base: config
                .endpoint("compute")
                .unwrap_or(COMPUTE)
                .trim_end_matches('/')
                .to_string(),
            credentials,
        }
    }

    /// The `targetSize` of the manager at `url`; `None` when it is gone.
    async fn target_size(&self, url: &str) -> Result<Option<u32>, CloudError> {
        let path = manager_path(url).ok_or_else(|| {
            CloudError::Transport(format!(
                "GKE listed {url:?} as an instance group, which is not an instance group manager URL"
            ))
        })?;
        let request = self.http.get(format!("{}/compute/v1/{path}", self.base));
        let what = format!("instance group manager {path:?}");
        let answer = json_api::send(
            &self.credentials,
            Service::Compute,
            "instanceGroupManagers.get",
            &what,
            request,
        )
        .await;
        match answer {
            Ok(body) => Ok(Some(
                body["targetSize"]
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(0),
            )),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Nodes per zone of a pool with these `instanceGroupUrls` (GKE's node count is per
    /// zone: `initialNodeCount` and `setSize` both are), from the managers that
    /// exist; `None` when none does (a pool still being made lists none).
    pub async fn nodes_per_zone(&self, urls: &[String]) -> Result<Option<u32>, CloudError> {
        let mut total = 0u32;
        let mut groups = 0u32;
        for url in urls {
            if let Some(size) = self.target_size(url).await? {
                total += size;
                groups += 1;
            }
        }
        Ok((groups > 0).then(|| total / groups))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manager_path_of_the_urls_gke_lists() {
        assert_eq!(
            manager_path(
                "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/instanceGroupManagers/gke-ml-gpu-1a2b3c4d-grp"
            ),
            Some("projects/p/zones/us-central1-a/instanceGroupManagers/gke-ml-gpu-1a2b3c4d-grp")
        );
        for not_a_manager in [
            "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/instanceGroups/x",
            "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/instanceGroupManagers/",
            "gke-ml-gpu-grp",
        ] {
            assert_eq!(manager_path(not_a_manager), None, "{not_a_manager}");
        }
    }
}
