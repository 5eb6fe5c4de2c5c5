//! tfplug's example provider (`registry.terraform.io/tfplug/example`) through the real
//! terraform CLI: the framework's whole resource life cycle, on Terraform 1.15 and 1.0.3.

mod config;
mod store;

mod actions;
mod functions;
mod identity;
mod import_and_drift;
mod lifecycle;
mod lookup_and_secrets;
mod module_example;
mod query;
mod validation;
