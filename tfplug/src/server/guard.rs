//! Runs provider code so that a panic becomes an error diagnostic instead of killing the
//! process (which Terraform would report as "plugin crashed" and lose the apply).

use crate::diag::Diagnostic;
use futures::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;

/// Awaits `fut`, turning a panic into an error diagnostic that names `what`.
pub async fn guarded<T>(what: &str, fut: impl Future<Output = T>) -> Result<T, Diagnostic> {
    AssertUnwindSafe(fut).catch_unwind().await.map_err(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        tracing::error!(operation = what, panic = %msg, "provider panicked");
        Diagnostic::error(
            "Provider error",
            format!("The provider hit an internal error during {what}: {msg}. This is a bug in the provider; please report it."),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn panics_become_diagnostics() {
        let ok = guarded("read", async { 5 }).await;
        assert_eq!(ok.unwrap(), 5);
        let err = guarded("create", async { panic!("boom") })
            .await
            .unwrap_err();
        assert!(err.detail.contains("boom") && err.detail.contains("create"));
    }
}
