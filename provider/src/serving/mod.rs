//! What `mlcloud_serving_endpoint` puts into a cluster and how it judges the result,
//! as pure functions over Kubernetes JSON: no client, no cloud.
//!
//! - [`spec`]: the cloud-neutral description of one endpoint, with the per-cloud parts
//!   (how a service account is bound to a workload identity, which nodes a pool's pods
//!   go to) already resolved by the cloud's backend;
//! - [`manifests`]: the objects applied with server-side apply under [`FIELD_MANAGER`];
//! - [`rollout`]: whether a Deployment has rolled out, is still rolling, or has failed
//!   in a way waiting will not fix;
//! - [`inference`]: the one real request that proves the model answers.
//!
//! Keeping these apart from the Kubernetes client lets every rule be unit-tested on
//! plain JSON, and the resource stays a thin sequence of apply, wait, infer.

pub mod inference;
pub mod manifests;
pub mod rollout;
pub mod spec;

/// The server-side apply field manager: the fields mlcloud sets are owned under this
/// name, so other controllers (an HPA owning `replicas`, a mutating webhook) keep theirs.
pub const FIELD_MANAGER: &str = "mlcloud";

/// The label on everything mlcloud puts in a cluster (and on a namespace only when
/// mlcloud created it, so destroy knows whether the namespace is its to remove).
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";

/// The bundled smoke-test image of this provider version; the default `image`.
pub const SMOKE_IMAGE_REPOSITORY: &str = "ghcr.io/mlcloud/mlcloud-smoke";

/// `SMOKE_IMAGE_REPOSITORY` tagged with this provider's version, so a provider release
/// always deploys the server it was tested with.
pub fn bundled_smoke_image() -> String {
    format!("{SMOKE_IMAGE_REPOSITORY}:{}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_image_carries_the_provider_version() {
        assert_eq!(
            bundled_smoke_image(),
            format!(
                "ghcr.io/mlcloud/mlcloud-smoke:{}",
                env!("CARGO_PKG_VERSION")
            )
        );
    }
}
