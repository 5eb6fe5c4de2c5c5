//! Where the repository keeps what the tests use: tools, build outputs, examples.

use std::path::{Path, PathBuf};

/// The repository root (this crate sits one level below it).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the acceptance-tests crate lives inside the repository")
        .to_path_buf()
}

/// Where scripts/setup writes the terraform commands.
pub fn tools_bin() -> PathBuf {
    repo_root().join(".tools").join("bin")
}

/// A runnable root module under `examples/`.
pub fn example_module(name: &str) -> PathBuf {
    repo_root().join("examples").join(name)
}

/// Cargo target directories that may hold the providers' debug builds, in the order
/// they are searched: `$CARGO_TARGET_DIR` first (a relative one is taken from the
/// repository root, where the scripts run cargo), then the workspace's `target/`.
pub fn target_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
        dirs.push(repo_root().join(dir));
    }
    let workspace_target = repo_root().join("target");
    if !dirs.contains(&workspace_target) {
        dirs.push(workspace_target);
    }
    dirs
}
