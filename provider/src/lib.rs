//! terraform-provider-mlcloud: ML infrastructure on AWS, Azure and Google Cloud.

pub mod catalog;
