//! What every provider call gets besides its request: cancellation, the configured
//! provider's data, and what the Terraform client can do.

use crate::diag::Diagnostic;
use std::any::Any;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What the connected Terraform supports, as it told us.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// Terraform ≥ 1.9 accepts deferred changes.
    pub deferral_allowed: bool,
    /// Terraform ≥ 1.11 keeps write-only attributes out of state.
    pub write_only_attributes_allowed: bool,
}

/// Per-call context.
#[derive(Clone)]
pub struct Context {
    cancel: CancellationToken,
    provider_data: Option<Arc<dyn Any + Send + Sync>>,
    client: ClientCapabilities,
}

impl Context {
    pub(crate) fn new(
        cancel: CancellationToken,
        provider_data: Option<Arc<dyn Any + Send + Sync>>,
        client: ClientCapabilities,
    ) -> Self {
        Context {
            cancel,
            provider_data,
            client,
        }
    }

    /// A context for unit tests of resource code: never cancelled, with `data` as the
    /// configured provider's data.
    pub fn for_tests(data: Option<Arc<dyn Any + Send + Sync>>) -> Self {
        Self::new(
            CancellationToken::new(),
            data,
            ClientCapabilities::default(),
        )
    }

    /// Completes when Terraform asks the provider to stop (StopProvider) or it shuts
    /// down. Long waits should `select!` on it and return a diagnostic.
    pub async fn cancelled(&self) {
        self.cancel.cancelled().await
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The cancellation token, for handing to lower layers.
    pub fn cancellation(&self) -> CancellationToken {
        self.cancel.clone()
    }

    pub fn client(&self) -> &ClientCapabilities {
        &self.client
    }

    /// The value the provider's `configure` returned, as `T`. An error diagnostic when
    /// the provider is not configured yet (e.g. during validation) or `T` is wrong.
    pub fn provider_data<T: Any + Send + Sync>(&self) -> Result<Arc<T>, Diagnostic> {
        let data = self.provider_data.clone().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "This operation needs the provider's configuration, which Terraform has not sent yet.",
            )
        })?;
        data.downcast::<T>().map_err(|_| {
            Diagnostic::error(
                "Provider data has an unexpected type",
                format!(
                    "Expected {}; this is a bug in the provider.",
                    std::any::type_name::<T>()
                ),
            )
        })
    }
}
