//! terraform-provider-mlcloud: started by Terraform, never by hand (except `--debug`).

use mlcloud_provider::provider::{ADDRESS, MlcloudProvider, QUIET_LOG_TARGETS};
use mlcloud_provider::serving;
use std::process::ExitCode;

/// The smoke image's manifest digest, set by scripts/release when it builds a release
/// (`MLCLOUD_SMOKE_IMAGE_DIGEST=sha256:...`); a development build has none and
/// deploys the image by tag. Read here rather than in the library so that a build
/// with a digest only recompiles and relinks this file.
const SMOKE_IMAGE_DIGEST: Option<&str> = option_env!("MLCLOUD_SMOKE_IMAGE_DIGEST");

// A malformed digest fails the build instead of every deployment.
const _: () = if let Some(digest) = SMOKE_IMAGE_DIGEST {
    assert!(
        serving::is_manifest_digest(digest),
        "MLCLOUD_SMOKE_IMAGE_DIGEST must be sha256: and 64 lowercase hex digits, as scripts/build-image prints it"
    );
};

fn main() -> ExitCode {
    if let Some(digest) = SMOKE_IMAGE_DIGEST {
        serving::pin_bundled_smoke_image(digest).expect("checked at compile time");
    }
    tfplug::serve(
        MlcloudProvider::new(),
        tfplug::ServeOptions::from_args(ADDRESS).quiet_log_targets(QUIET_LOG_TARGETS),
    )
}
