//! The framework's own logic between the protocol and a resource: validating a
//! configuration against its schema and computing a plan (defaults, unknown computed
//! values, plan modifiers, replacement). Pure functions over values; no I/O.

mod plan;
mod validate;
mod write_only;

pub use plan::{PlanOutcome, plan_attributes};
pub use validate::validate_config;
pub use write_only::null_write_only;
