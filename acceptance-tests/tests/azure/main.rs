//! The Azure backend of the mlcloud provider through the real terraform CLI, against
//! `mlcloud-emulator`'s azure part (Azure Resource Manager, Key Vault and Entra ID over
//! https with the emulator's test CA). Terraform 1.15.

mod admins_and_upgrades;
mod bad_input;
mod gpu_driver;
mod key_rotation;
mod cluster_data_source;
mod stack_lifecycle;
