//! Resources, data sources and functions: cloud-neutral schemas and plan logic. Cloud
//! work goes through the backends in `crate::clouds` (added with the first resource
//! that calls a cloud).

pub mod accelerators;
pub mod cluster;
pub mod common;
pub mod identity;
pub mod kms_key;
pub mod lifecycle;
pub mod machine_type;
pub mod node_pool;
