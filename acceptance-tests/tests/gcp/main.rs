//! The Google Cloud backend of the mlcloud provider through the real terraform CLI,
//! against `mlcloud-emulator`'s gcp part (GKE, Cloud KMS, IAM, Resource Manager and
//! the OAuth token endpoint). Terraform 1.15.

mod cluster_data_source;
