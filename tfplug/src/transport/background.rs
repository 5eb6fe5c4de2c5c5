//! A background task that lives exactly as long as its handle.

use tokio::task::JoinHandle;

/// Aborts the task when dropped, so a watcher never outlives the server it
/// watches for.
pub(crate) struct AbortOnDrop(pub(crate) JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
