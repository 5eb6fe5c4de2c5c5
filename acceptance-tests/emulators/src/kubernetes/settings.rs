//! The part's test switches (`GET`/`PUT /settings/kubernetes` on the admin route),
//! shared by every API server it hosts.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The bundled smoke-test image's name: the one image every emulated node can
/// "pull" by default (any tag or digest). The provider's default image constant
/// names the same repository.
pub const SMOKE_IMAGE: &str = "ghcr.io/mlcloud/mlcloud-smoke";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// How long a placed pod takes to become Running and Ready.
    pub pod_ready_delay_ms: u64,
    /// Image repositories (without tag or digest) nodes can pull; any other image
    /// ends in `ErrImagePull` / `ImagePullBackOff`.
    pub pullable_images: Vec<String>,
    /// Whether a caller the token names must also be allowed on the cluster
    /// (403 otherwise); authentication (401) is always checked.
    pub authorization: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            pod_ready_delay_ms: 0,
            pullable_images: vec![SMOKE_IMAGE.to_string()],
            authorization: false,
        }
    }
}

impl Settings {
    pub fn pod_ready_delay(&self) -> Duration {
        Duration::from_millis(self.pod_ready_delay_ms)
    }

    /// Whether `image` (`repo[:tag][@digest]`) can be pulled.
    pub fn pullable(&self, image: &str) -> bool {
        let repository = image.split('@').next().unwrap_or_default();
        // A tag is after the last ':' that comes after the last '/' (a registry port is not a tag).
        let repository = match repository.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => name,
            _ => repository,
        };
        self.pullable_images
            .iter()
            .any(|allowed| allowed == repository)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smoke_image_pulls_by_tag_or_digest_and_others_do_not() {
        let settings = Settings::default();
        assert!(settings.pullable("ghcr.io/mlcloud/mlcloud-smoke:0.1.0"));
        assert!(settings.pullable("ghcr.io/mlcloud/mlcloud-smoke@sha256:abc"));
        assert!(settings.pullable("ghcr.io/mlcloud/mlcloud-smoke"));
        assert!(!settings.pullable("nginx:1.27"));
        assert!(!settings.pullable("ghcr.io/mlcloud/mlcloud-smoke-x:1"));
    }
}
