//! Ephemeral resources (Terraform ≥ 1.10): values that exist only during one run and
//! never reach plan or state, such as short-lived credentials.

use crate::context::Context;
use crate::diag::Diagnostics;
use crate::schema::Schema;
use crate::value::Value;
use std::time::SystemTime;

/// What `open` returns.
pub struct Opened {
    pub result: Value,
    /// Handed back to `renew` and `close`.
    pub private: Vec<u8>,
    /// When Terraform should call `renew`, if ever.
    pub renew_at: Option<SystemTime>,
}

#[async_trait::async_trait]
pub trait EphemeralResource: Send + Sync {
    fn type_name(&self) -> String;

    fn schema(&self) -> Schema;

    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn open(&self, ctx: &Context, config: Value) -> Result<Opened, Diagnostics>;

    /// Extends the value's life; returns new private data and the next renewal time.
    async fn renew(
        &self,
        _ctx: &Context,
        private: Vec<u8>,
    ) -> Result<(Vec<u8>, Option<SystemTime>), Diagnostics> {
        Ok((private, None))
    }

    async fn close(&self, _ctx: &Context, _private: Vec<u8>) -> Diagnostics {
        Diagnostics::new()
    }
}
