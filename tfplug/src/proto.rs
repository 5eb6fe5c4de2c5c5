//! The wire types and gRPC stubs generated from `tfplug/proto/`.
//!
//! Provider authors never need these: the rest of tfplug translates between
//! them and its own types. They are public for the test kit and for code that
//! has to speak the raw protocol.

/// Terraform's plugin protocol 6 (`package tfplugin6`), as of Terraform 1.15:
/// the `Provider` service with its server
/// ([`provider_server`](tfplugin6::provider_server)) and client
/// ([`provider_client`](tfplugin6::provider_client)), and every message.
#[allow(
    clippy::all,
    clippy::pedantic,
    missing_docs,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's own services (`package plugin`): `GRPCController` (shutdown),
/// `GRPCStdio` (output forwarding) and `GRPCBroker` (extra connections).
///
/// gRPC routes by `/plugin.<Service>/<Method>`, so the package name is part of
/// the contract with Terraform.
#[allow(
    clippy::all,
    clippy::pedantic,
    missing_docs,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
pub mod goplugin {
    tonic::include_proto!("plugin");
}
