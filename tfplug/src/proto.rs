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

/// The protocol facts most at risk from a careless edit of the `.proto`
/// files: routes, and field numbers that do not follow declaration order.
/// (The files as a whole were checked against Terraform 1.15's own
/// descriptors; see `proto/README.md`.)
#[cfg(test)]
mod tests {
    use super::goplugin::{self, StdioData, stdio_data};
    use super::tfplugin6::{self, ActionSchema, schema, write_state_bytes};
    use prost::Message;

    /// The field number of the only field set in `message`.
    fn field_number(message: &impl Message) -> u64 {
        let bytes = message.encode_to_vec();
        let key = prost::encoding::decode_varint(&mut bytes.as_slice()).expect("a field is set");
        key >> 3
    }

    #[test]
    fn routes_are_the_ones_terraform_calls() {
        assert_eq!(
            tfplugin6::provider_server::SERVICE_NAME,
            "tfplugin6.Provider"
        );
        assert_eq!(
            goplugin::grpc_controller_server::SERVICE_NAME,
            "plugin.GRPCController"
        );
        assert_eq!(
            goplugin::grpc_stdio_server::SERVICE_NAME,
            "plugin.GRPCStdio"
        );
        assert_eq!(
            goplugin::grpc_broker_server::SERVICE_NAME,
            "plugin.GRPCBroker"
        );
    }

    #[test]
    fn schema_fields_added_late_keep_their_numbers() {
        let attribute = |set: fn(&mut schema::Attribute)| {
            let mut attribute = schema::Attribute::default();
            set(&mut attribute);
            field_number(&attribute)
        };
        assert_eq!(attribute(|a| a.description = "d".into()), 3);
        assert_eq!(
            attribute(|a| a.nested_type = Some(schema::Object::default())),
            10
        );
        assert_eq!(attribute(|a| a.write_only = true), 11);
        assert_eq!(attribute(|a| a.deprecation_message = "m".into()), 12);

        let block = schema::Block {
            deprecation_message: "m".into(),
            ..Default::default()
        };
        assert_eq!(field_number(&block), 7);
        let object = schema::Object {
            nesting: schema::object::NestingMode::List.into(),
            ..Default::default()
        };
        assert_eq!(field_number(&object), 3);
    }

    #[test]
    fn response_fields_numbered_out_of_order_keep_their_numbers() {
        let schemas = tfplugin6::get_provider_schema::Response {
            action_schemas: [("a".to_string(), ActionSchema::default())].into(),
            ..Default::default()
        };
        assert_eq!(field_number(&schemas), 11);
        let functions = tfplugin6::get_provider_schema::Response {
            functions: [("f".to_string(), tfplugin6::Function::default())].into(),
            ..Default::default()
        };
        assert_eq!(field_number(&functions), 7);
        let validated = tfplugin6::validate_provider_config::Response {
            diagnostics: vec![tfplugin6::Diagnostic::default()],
        };
        assert_eq!(field_number(&validated), 2);
        let chunk = write_state_bytes::RequestChunk {
            total_length: 1,
            ..Default::default()
        };
        assert_eq!(field_number(&chunk), 3);
    }

    #[test]
    fn stdio_channels_match_go_plugin() {
        let data = StdioData {
            channel: stdio_data::Channel::Stderr.into(),
            data: Vec::new(),
        };
        assert_eq!(data.encode_to_vec(), vec![0x08, 2]);
    }
}
