//! Keeping what a plugin writes to stderr, to show under an error.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinHandle;

use super::error::StderrTail;

/// After the plugin has exited or been killed, how long to wait for the last
/// of its output. A process it started may hold the pipe open far longer.
const FINAL_OUTPUT_WAIT: Duration = Duration::from_millis(200);

/// Reads the plugin's stderr in the background; Terraform reads it too, and a
/// plugin that fills an unread pipe would stall.
pub struct StderrCapture {
    text: Arc<Mutex<Vec<u8>>>,
    reader: JoinHandle<()>,
}

impl StderrCapture {
    pub fn start(mut pipe: impl AsyncRead + Unpin + Send + 'static) -> Self {
        let text = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&text);
        let reader = tokio::spawn(async move {
            let mut chunk = [0u8; 4096];
            // A read error ends the pipe as surely as EOF does.
            while let Ok(read @ 1..) = pipe.read(&mut chunk).await {
                sink.lock()
                    .expect("not poisoned")
                    .extend_from_slice(&chunk[..read]);
            }
        });
        Self { text, reader }
    }

    /// What the plugin wrote, once it has had a moment to finish writing.
    pub async fn finish(self) -> StderrTail {
        let _ = tokio::time::timeout(FINAL_OUTPUT_WAIT, self.reader).await;
        let bytes = self.text.lock().expect("not poisoned");
        StderrTail(String::from_utf8_lossy(&bytes).into_owned())
    }
}
