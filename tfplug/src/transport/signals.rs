//! How the plugin reacts to SIGTERM and SIGINT.
//!
//! SIGTERM always shuts the plugin down gracefully. SIGINT depends on who
//! started the plugin: when Terraform did, Ctrl-C in the terminal reaches the
//! whole process group, but it is Terraform's job to react (it asks providers
//! to stop in-flight work through StopProvider and finishes what it can). A
//! provider that died on that signal would lose the results of half-applied
//! changes, so go-plugin plugins ignore it, and so does this one. In debug
//! mode a person runs the plugin and Ctrl-C is how they stop it.

use tokio_util::sync::CancellationToken;

use super::background::AbortOnDrop;
use super::error::TransportError;

/// Installs the handlers, which watch until the returned handle is dropped;
/// a signal that means "stop" cancels `shutdown`. `interrupt_stops` is true
/// in debug mode.
#[cfg(unix)]
pub(crate) fn watch_signals(
    interrupt_stops: bool,
    shutdown: CancellationToken,
) -> Result<AbortOnDrop, TransportError> {
    use tokio::signal::unix::{SignalKind, signal};

    let mut terminate = signal(SignalKind::terminate()).map_err(TransportError::Signals)?;
    // Installing a handler is what keeps SIGINT from killing the process.
    let mut interrupt = signal(SignalKind::interrupt()).map_err(TransportError::Signals)?;
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = terminate.recv() => {
                    shutdown.cancel();
                    break;
                }
                _ = interrupt.recv() => {
                    if interrupt_stops {
                        shutdown.cancel();
                        break;
                    }
                    tracing::debug!("ignoring SIGINT: Terraform decides when its provider stops");
                }
            }
        }
    });
    Ok(AbortOnDrop(task))
}

/// Installs the handler for Ctrl-C, the only signal here; it follows the
/// SIGINT rules above.
#[cfg(not(unix))]
pub(crate) fn watch_signals(
    interrupt_stops: bool,
    shutdown: CancellationToken,
) -> Result<AbortOnDrop, TransportError> {
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                result = tokio::signal::ctrl_c() => match result {
                    Ok(()) if interrupt_stops => {
                        shutdown.cancel();
                        break;
                    }
                    Ok(()) => {}
                    // Ctrl-C cannot be watched; serve on without it.
                    Err(_) => break,
                },
            }
        }
    });
    Ok(AbortOnDrop(task))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Duration;

    fn send_to_self(signal: &str) {
        let status = std::process::Command::new("kill")
            .args([signal, &std::process::id().to_string()])
            .status()
            .expect("the kill command is available");
        assert!(status.success());
    }

    async fn cancelled_within(token: &CancellationToken, wait: Duration) -> bool {
        tokio::time::timeout(wait, token.cancelled()).await.is_ok()
    }

    // Signals reach every watcher in the process, so the three cases run in
    // one test, in an order where each signal's effect on the others is known.
    #[tokio::test]
    async fn sigint_stops_only_a_debug_plugin_and_sigterm_stops_any() {
        let managed = CancellationToken::new();
        let _managed_watch = watch_signals(false, managed.clone()).unwrap();
        send_to_self("-INT");
        assert!(
            !cancelled_within(&managed, Duration::from_millis(300)).await,
            "SIGINT stopped a plugin Terraform started"
        );

        let debug = CancellationToken::new();
        let _debug_watch = watch_signals(true, debug.clone()).unwrap();
        send_to_self("-INT");
        assert!(
            cancelled_within(&debug, Duration::from_secs(5)).await,
            "SIGINT did not stop a debug plugin"
        );
        assert!(!managed.is_cancelled());

        send_to_self("-TERM");
        assert!(
            cancelled_within(&managed, Duration::from_secs(5)).await,
            "SIGTERM did not stop the plugin"
        );
    }
}
