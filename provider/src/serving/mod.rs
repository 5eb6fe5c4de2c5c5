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

use std::sync::OnceLock;

/// The server-side apply field manager: the fields mlcloud sets are owned under this
/// name, so other controllers (an HPA owning `replicas`, a mutating webhook) keep theirs.
pub const FIELD_MANAGER: &str = "mlcloud";

/// The label on everything mlcloud puts in a cluster (and on a namespace only when
/// mlcloud created it, so destroy knows whether the namespace is its to remove).
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";

/// The bundled smoke-test image of this provider version; the default `image`.
pub const SMOKE_IMAGE_REPOSITORY: &str = "ghcr.io/mlcloud/mlcloud-smoke";

/// The manifest digest a release binary pins the bundled image to (see
/// [`pin_bundled_smoke_image`]); unset in development builds.
static PINNED_SMOKE_IMAGE_DIGEST: OnceLock<&'static str> = OnceLock::new();

/// A digest that is not an OCI manifest digest as scripts/build-image prints it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmokeImagePinError {
    #[error(
        "`{0}` is not an image manifest digest: expected `sha256:` and 64 lowercase hex digits"
    )]
    NotADigest(String),
    #[error("the bundled smoke image is already pinned to {0}")]
    AlreadyPinned(&'static str),
}

/// Whether `digest` is `sha256:` followed by 64 lowercase hex digits, the only form
/// scripts/build-image prints. A `const fn`, so the binary checks the digest it was
/// built with at compile time.
pub const fn is_manifest_digest(digest: &str) -> bool {
    const PREFIX: &[u8] = b"sha256:";
    let bytes = digest.as_bytes();
    if bytes.len() != PREFIX.len() + 64 {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let ok = if i < PREFIX.len() {
            bytes[i] == PREFIX[i]
        } else {
            bytes[i].is_ascii_digit() || (bytes[i] >= b'a' && bytes[i] <= b'f')
        };
        if !ok {
            return false;
        }
        i += 1;
    }
    true
}

/// Pins the default image to the manifest digest of the image built with this
/// release. Called once, by the binary's `main`, before the provider serves: the
/// digest is compiled into the binary target only (scripts/release sets
/// `MLCLOUD_SMOKE_IMAGE_DIGEST`), so packaging a build with a digest relinks the
/// binary without recompiling this library.
pub fn pin_bundled_smoke_image(digest: &'static str) -> Result<(), SmokeImagePinError> {
    pin_digest(&PINNED_SMOKE_IMAGE_DIGEST, digest)
}

fn pin_digest(
    cell: &OnceLock<&'static str>,
    digest: &'static str,
) -> Result<(), SmokeImagePinError> {
    if !is_manifest_digest(digest) {
        return Err(SmokeImagePinError::NotADigest(digest.to_string()));
    }
    match cell.set(digest) {
        Ok(()) => Ok(()),
        Err(_) if cell.get() == Some(&digest) => Ok(()),
        Err(_) => Err(SmokeImagePinError::AlreadyPinned(
            cell.get().copied().unwrap_or_default(),
        )),
    }
}

/// The default `image`: `SMOKE_IMAGE_REPOSITORY` tagged with this provider's version,
/// so a provider release always deploys the server it was tested with; in a release
/// build also pinned by digest (`...:0.1.0@sha256:...`), so a re-pushed tag cannot
/// change what runs.
pub fn bundled_smoke_image() -> String {
    smoke_image_reference(PINNED_SMOKE_IMAGE_DIGEST.get().copied())
}

/// The bundled image's reference with or without a pinned digest.
pub fn smoke_image_reference(digest: Option<&str>) -> String {
    let tagged = format!("{SMOKE_IMAGE_REPOSITORY}:{}", env!("CARGO_PKG_VERSION"));
    match digest {
        Some(digest) => format!("{tagged}@{digest}"),
        None => tagged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn the_bundled_image_carries_the_provider_version() {
        assert_eq!(
            smoke_image_reference(None),
            format!(
                "ghcr.io/mlcloud/mlcloud-smoke:{}",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    #[test]
    fn a_pinned_image_keeps_the_tag_and_adds_the_digest() {
        assert_eq!(
            smoke_image_reference(Some(DIGEST)),
            format!(
                "ghcr.io/mlcloud/mlcloud-smoke:{}@{DIGEST}",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    #[test]
    fn only_sha256_manifest_digests_are_accepted() {
        assert!(is_manifest_digest(DIGEST));
        for bad in [
            "",
            "sha256:",
            &DIGEST[..DIGEST.len() - 1],
            &format!("{DIGEST}0"),
            &DIGEST.replace("sha256:", "sha512:"),
            &DIGEST.to_uppercase().replace("SHA256", "sha256"),
            &DIGEST.replace('0', "g"),
            &DIGEST.replace("sha256:", "sha256-"),
        ] {
            assert!(!is_manifest_digest(bad), "{bad:?} must be refused");
        }
    }

    #[test]
    fn pinning_refuses_a_malformed_digest_and_a_second_digest() {
        // A cell of its own: the process-wide pin stays untouched, whatever runs next.
        let cell = OnceLock::new();
        assert_eq!(
            pin_digest(&cell, "latest"),
            Err(SmokeImagePinError::NotADigest("latest".into()))
        );
        assert_eq!(cell.get(), None);
        pin_digest(&cell, DIGEST).expect("a well-formed digest pins");
        pin_digest(&cell, DIGEST).expect("pinning the same digest again is harmless");
        let other = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        assert_eq!(
            pin_digest(&cell, other),
            Err(SmokeImagePinError::AlreadyPinned(DIGEST))
        );
        assert_eq!(cell.get(), Some(&DIGEST));
    }
}
