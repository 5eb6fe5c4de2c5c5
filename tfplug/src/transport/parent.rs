//! Ends a plugin whose Terraform is gone.
//!
//! Terraform normally calls Shutdown, but if it crashes or is killed the
//! plugin is orphaned and would serve an empty socket forever, still holding
//! whatever credentials it was configured with. A Go plugin usually dies of
//! SIGPIPE at its next log line; Rust ignores SIGPIPE, so the plugin watches
//! its parent process instead and shuts down when it changes.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::background::AbortOnDrop;

/// Checking twice a second costs nothing and bounds how long an orphan
/// lingers.
const CHECK_INTERVAL: Duration = Duration::from_millis(500);

/// Cancels `shutdown` once this process has been handed to a new parent.
/// Returns `None` when there is nothing to watch: the process is already
/// parented by init, so a change could not be seen.
#[cfg(unix)]
pub(crate) fn watch_parent(shutdown: CancellationToken) -> Option<AbortOnDrop> {
    watch_parent_with(std::os::unix::process::parent_id, CHECK_INTERVAL, shutdown)
}

/// Without unix process ids there is no cheap way to watch; Terraform's
/// Shutdown and signals still apply.
#[cfg(not(unix))]
pub(crate) fn watch_parent(_shutdown: CancellationToken) -> Option<AbortOnDrop> {
    None
}

#[cfg_attr(not(unix), allow(dead_code))]
fn watch_parent_with(
    parent_id: impl Fn() -> u32 + Send + 'static,
    interval: Duration,
    shutdown: CancellationToken,
) -> Option<AbortOnDrop> {
    const INIT: u32 = 1;
    let original = parent_id();
    if original == INIT {
        return None;
    }
    let task = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = ticks.tick() => {
                    if parent_id() != original {
                        tracing::warn!("Terraform went away without shutting the provider down; exiting");
                        shutdown.cancel();
                        break;
                    }
                }
            }
        }
    });
    Some(AbortOnDrop(task))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn shuts_down_when_the_parent_changes() {
        let parent = Arc::new(AtomicU32::new(4242));
        let shutdown = CancellationToken::new();
        let reader = Arc::clone(&parent);
        let _watch = watch_parent_with(
            move || reader.load(Ordering::SeqCst),
            Duration::from_millis(10),
            shutdown.clone(),
        )
        .expect("a real parent is watched");

        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!shutdown.is_cancelled(), "the parent is still there");

        parent.store(1, Ordering::SeqCst);
        tokio::time::timeout(Duration::from_secs(5), shutdown.cancelled())
            .await
            .expect("an orphaned plugin shuts down");
    }

    #[tokio::test]
    async fn does_not_watch_when_already_parented_by_init() {
        assert!(
            watch_parent_with(|| 1, Duration::from_millis(10), CancellationToken::new()).is_none()
        );
    }
}
