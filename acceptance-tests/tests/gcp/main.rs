//! The Google Cloud backend of the mlcloud provider through the real terraform CLI,
//! against `mlcloud-emulator`'s gcp part (GKE, Cloud KMS, IAM, Resource Manager and
//! Cloud Storage over plain http, with the emulator's generated service-account key).
//! Terraform 1.15 unless a story says otherwise.

mod feature_support;
mod stack;

mod admins_and_upgrades;
mod bad_input;
mod cluster_data_source;
mod disk_keys;
mod drift;
mod examples;
mod explicit_defaults;
mod import;
mod lost_create_responses;
mod model_store_grants;
mod parallel_grants;
mod query;
mod replacement;
mod resize;
mod serving;
mod serving_drift;
mod stack_lifecycle;
mod tpu_slice_size;
