//! `mlcloud-smoke`: the smoke-test inference server that `mlcloud_serving_endpoint`
//! deploys by default.
//!
//! It serves one real model (a softmax classifier trained on Fisher's Iris data, see
//! [`model`]) over the Open Inference Protocol v2 REST API, exposes Prometheus metrics,
//! and reports which NVIDIA GPUs the container can see, running a check on one when it
//! can (see [`accel`]). The binary in `src/main.rs` only wires these pieces to the
//! environment and to process signals; everything here is usable from tests.
//!
//! ```no_run
//! use smoke_image::{accel::AcceleratorProbe, config::Config, server, state::AppState};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::default();
//! let state = AppState::new(config.clone(), AcceleratorProbe::system())?;
//! let listener = server::bind(config.port).await?;
//! server::serve(listener, state, std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

pub mod accel;
pub mod api_error;
pub mod config;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod oip;
pub mod routes;
pub mod server;
pub mod smoke_check;
pub mod state;
pub mod training;
