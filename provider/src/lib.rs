//! terraform-provider-mlcloud: ML infrastructure on AWS, Azure and Google Cloud, one
//! vocabulary for all three.
//!
//! - [`provider`]: the provider and what it offers;
//! - [`config`]: the `provider "mlcloud"` block;
//! - [`resources`]: cloud-neutral resources, data sources and functions;
//! - [`kube`]: connecting to a cluster's API server;
//! - [`catalog`]: accelerator facts per cloud.

pub mod catalog;
mod cloud;
pub mod clouds;
pub mod config;
pub mod kube;
pub mod provider;
pub mod resources;
pub mod serving;

pub use cloud::{Cloud, UnknownCloud};
