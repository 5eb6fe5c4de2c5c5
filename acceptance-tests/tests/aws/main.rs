//! The AWS backend of the mlcloud provider through the real terraform CLI, against
//! moto in server mode (one server per test): each story checks Terraform's state and
//! what moto holds, read back with the AWS SDK. Terraform 1.15; the lifecycle, import,
//! drift and bad-input stories also on 1.0.3, the oldest protocol-6 client.

mod adoption;
mod emulator_log;
mod expect;
mod records;
mod stack;
mod stack_checks;

mod bad_import_ids;
mod bad_input;
mod cluster_access;
mod cluster_autoscaler;
mod cluster_data_source;
mod cluster_role_trust;
mod destroy_leaves_nothing;
mod drift;
mod eks_nodes;
mod examples;
mod faults_are_retried;
mod gpu_device_plugin;
mod import_by_identity;
mod import_each;
mod in_place_updates;
mod interrupted_apply;
mod key_name_taken;
mod key_policy_drift;
mod kubernetes_versions;
mod launch_templates_per_pool;
mod lifecycle_on_1_0_3;
mod location_from_profile;
mod lost_create_responses;
mod node_group_recreated;
mod order_is_not_the_users;
mod policy_drift;
mod query;
mod secrets_stay_out_of_logs;
mod serving;
mod stack_lifecycle;
mod system_pool;
mod upgrades_and_admins;
