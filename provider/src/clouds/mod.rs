//! The backend seam. Resources are cloud-neutral: they build a spec from the plan and
//! call the backend of the resource's cloud through one generic trait,
//! [`ObjectBackend`]; a backend only translates to one cloud's API (expand / flatten /
//! find / wait, as in hashicorp/terraform-provider-aws).
//!
//! Nothing here imports a backend. The provider's entry point builds each cloud's
//! [`CloudPlugin`] (how to connect, which backends, which plan rules) and hands them to
//! [`Clouds`], which answers `backend::<Spec, State>(cloud)`.
//!
//! | file | job |
//! |---|---|
//! | `model/` | the neutral specs and states, per-cloud settings as [`model::PerCloud`] |
//! | `backends.rs` | [`ObjectBackend`] and the set of them one cloud serves |
//! | `cluster_access.rs` | [`ClusterAccess`]: a cluster token per cloud; the connection to a cluster |
//! | `registry.rs` | [`Clouds`]: configured clouds, lazily connected |
//! | `rules.rs` | [`CloudRules`]: a cloud's plan rules, asked by the resources |
//! | `markers.rs` | the tags/labels marking what mlcloud manages, legal on every cloud |
//! | `wait.rs` | waiter, backoff with jitter, deadlines, transient retries |
//! | `error.rs` | the typed error set backends map their services' errors into |
//! | `aws/` | the AWS backend and its rules |
//! | `azure/` | the Azure backend and its rules |
//! | `gcp/` | the Google Cloud backend and its rules |

pub mod aws;
pub mod azure;
mod backends;
mod caller;
pub(crate) mod cluster_access;
mod error;
pub mod gcp;
pub mod markers;
pub mod model;
mod registry;
pub mod rules;
pub mod wait;

pub use backends::{Backends, ObjectBackend};
pub use caller::Caller;
pub use cluster_access::{ClusterAccess, ClusterToken, konnectivity_agents};
pub use error::{CloudError, Outcome, PartialFailure};
pub use registry::{CloudPlugin, Clouds, Connect};
pub use rules::{CloudRules, ObjectKind, RuleBook};
