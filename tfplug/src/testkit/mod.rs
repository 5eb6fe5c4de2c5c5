//! A test kit: drive a provider through the protocol in-process, without Terraform.
//!
//! [`TestClient`] sends the same protobuf messages Terraform sends (values msgpack
//! encoded) to the provider's gRPC service implementation, and computes the proposed
//! new state the way Terraform does, so plan and apply behave as under the CLI.
//!
//! ```no_run
//! # async fn demo(provider: impl tfplug::Provider) {
//! use tfplug::{Value, testkit::TestClient};
//! let client = TestClient::new(provider);
//! client.configure(Value::object([("state_dir", "/tmp/x".into())])).await.unwrap();
//! let state = client
//!     .create("example_item", Value::object([("name", "a".into())]))
//!     .await
//!     .unwrap();
//! assert_eq!(state.attr("id"), Some(&Value::from("item-a")));
//! # }
//! ```

mod client;
mod convert;
mod instances;
mod proposed;
mod streams;

pub use client::{Applied, Instance, PlannedChange, TestClient};
pub use proposed::proposed_new_state;
pub use streams::{Invocation, Listed, Listing};
