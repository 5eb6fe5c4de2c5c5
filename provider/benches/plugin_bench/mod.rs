//! The pieces of the plugin start-up benchmark: launching a provider binary the
//! way Terraform does, talking to it over mTLS, and summarising what was timed.

pub mod calls;
pub mod connect;
pub mod error;
pub mod handshake;
pub mod identity;
pub mod launch;
pub mod measure;
pub mod memory;
pub mod report;
pub mod stats;
pub mod stderr;
