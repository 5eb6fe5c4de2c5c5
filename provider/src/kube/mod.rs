//! What happens inside a cluster, through the Kubernetes API (the `kube` crate).
//!
//! A connection is made from what Terraform already knows — the cluster's endpoint and
//! CA, and a short-lived token from the cluster's cloud — never from a kubeconfig file,
//! an exec plugin or a cloud CLI on the runner.
//!
//! | file | job |
//! |---|---|
//! | `connection.rs` | [`ClusterConnection`]: server, CA, token, expiry, and whom to trust |
//! | `client.rs` | a `kube::Client` from a connection (rustls on aws-lc-rs) |
//! | `kubeconfig.rs` | a kubeconfig with the token inline, for `mlcloud_cluster_credentials` |
//! | `endpoint.rs` | a serving endpoint's objects: apply, wait for the rollout, observe, remove |
//! | `smoke_test.rs` | one real inference through the API server's service proxy |
//! | `objects.rs` | server-side apply, get, list, delete of JSON objects; raw requests (service proxy) |
//! | `error.rs` | [`KubeError`] |

mod client;
mod connection;
pub mod endpoint;
mod error;
mod kubeconfig;
pub mod objects;
pub mod smoke_test;

pub use client::client;
pub use connection::{ClusterConnection, ServerTrust};
pub use error::KubeError;
pub use kubeconfig::kubeconfig;
