//! tfplug: write Terraform providers in Rust.
//!
//! The crate speaks Terraform's plugin protocol 6 (go-plugin handshake, AutoMTLS,
//! gRPC) and hides it behind small typed traits: a [`Provider`] hands out
//! [`Resource`]s (optionally with an [`identity`]), [`DataSource`]s,
//! [`EphemeralResource`]s, [`Function`]s, [`ListResource`]s and [`Action`]s; values
//! travel as [`Value`]s that know about unknown and null; schemas are built with the
//! [`schema`] builders, which carry validators and plan modifiers.
//!
//! A provider's `main` is one call: [`serve`].

pub mod action;
pub mod context;
pub mod data_source;
pub mod diag;
pub mod engine;
pub mod ephemeral;
pub mod function;
pub mod identity;
pub mod list;
pub mod log;
pub mod proto;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod serve;
pub mod server;
pub mod testkit;
pub mod transport;
pub mod value;

pub use action::{Action, InvokeRequest};
pub use context::{ClientCapabilities, Context};
pub use data_source::DataSource;
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use ephemeral::{EphemeralResource, Opened};
pub use function::{Function, FunctionError, Parameter, Signature};
pub use identity::{IdentityAttribute, IdentitySchema};
pub use list::{ListItem, ListRequest, ListResource};
pub use provider::{Provider, ProviderData};
pub use resource::{
    ApplyResult, CreateRequest, DeleteRequest, ImportRequest, ImportResult, MoveSource,
    ReadRequest, ReadResult, Resource, ResourcePlan, UpdateRequest,
};
pub use serve::{ServeOptions, serve};
pub use value::{AttributePath, Type, Value};

/// Re-exported so providers implement the traits without naming the crate themselves.
pub use async_trait::async_trait;
