//! The mlcloud provider (`registry.terraform.io/mlcloud/mlcloud`) through the real
//! terraform CLI, on Terraform 1.15 and 1.0.3.

mod config;

mod accelerators_example;
mod catalog;
mod machine_type_function;
mod schema_and_docs;
