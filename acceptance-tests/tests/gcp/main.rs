//! The Google Cloud backend of the mlcloud provider through the real terraform CLI,
//! against `mlcloud-emulator`'s gcp part (GKE, Cloud KMS, IAM and Resource Manager over
//! http, with the emulator's generated service-account key). Terraform 1.15 unless a
//! story says otherwise.

mod stack;

mod bad_input;
mod cluster_data_source;
mod drift;
mod examples;
mod import;
mod lost_create_responses;
mod parallel_grants;
mod query;
mod replacement;
mod stack_lifecycle;
