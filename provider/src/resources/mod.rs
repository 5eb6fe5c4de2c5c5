//! Resources, data sources and functions: cloud-neutral schemas and plan logic. Cloud
//! work goes through the backend traits in `crate::clouds`; the create / read / update
//! / delete every cloud resource shares is in `lifecycle`.

pub mod accelerators;
pub mod cluster;
mod cluster_autoscaler;
pub mod cluster_credentials;
pub mod cluster_data_source;
pub mod common;
mod gpu_device_plugin;
pub mod identity;
pub mod kms_key;
pub mod kubernetes;
pub mod lifecycle;
pub mod listing;
pub mod machine_type;
mod machines;
pub mod managed;
pub mod node_pool;
pub mod serving_config;
pub mod serving_endpoint;
pub mod smoke_test_action;
pub mod versions;
