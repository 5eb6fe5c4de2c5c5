//! The Azure backend of the mlcloud provider through the real terraform CLI, against
//! `mlcloud-emulator`'s azure part (Azure Resource Manager, Key Vault and Entra ID over
//! https with the emulator's test CA). Terraform 1.15; the import-by-id, drift and
//! bad-input stories also on 1.0.3, the oldest protocol-6 client.

mod arm;
mod cluster_api;
mod stack;

mod admins_and_upgrades;
mod arm_errors;
mod bad_input;
mod cluster_data_source;
mod drift;
mod examples;
mod gpu_device_plugin;
mod gpu_driver;
mod import_by_id;
mod import_by_identity;
mod key_rotation;
mod lost_create_responses;
mod parallel_workload_identities;
mod query;
mod replacement;
mod serving;
mod stack_lifecycle;
