//! The reusable HCL modules under `modules/`: each module's own `terraform test`
//! suite (`modules/NAME/tests/*.tftest.hcl`) run against `mlcloud-emulator` as a user
//! runs it, `terraform validate` of each module and its examples, a validation test
//! for every `validation` block, README tables that `scripts/module-docs` keeps
//! current, and the quickstarts as `scripts/try` (the README's first command) runs them.

mod module_tests;

mod aws_ml_platform;
mod azure_ml_platform;
mod docs_are_current;
mod every_validation_is_tested;
mod gcp_ml_platform;
mod ml_platform;
mod quickstarts;
