//! The Google Cloud backend of the mlcloud provider through the real terraform CLI,
//! against `mlcloud-emulator`'s gcp part (GKE, Cloud KMS, IAM, Resource Manager and
//! Cloud Storage over plain http, with the emulator's service-account key).
//! Terraform 1.15.

mod admins_and_upgrades;
mod disk_keys;
mod feature_support;
mod model_store_grants;
