//! Helpers shared by the transport integration tests: reading the handshake
//! the way go-plugin does, a health check, and an echo service for big
//! messages.

#![allow(dead_code)] // each test binary uses a different subset

pub mod echo;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use tfplug::transport::TransportConfig;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// The six fields of a go-plugin handshake line.
#[derive(Debug)]
pub struct Handshake {
    pub core_version: String,
    pub protocol_version: String,
    pub network: String,
    pub address: String,
    pub protocol: String,
    /// The server certificate's DER; `None` when the field is empty.
    pub server_cert: Option<Vec<u8>>,
}

/// Parses the line as go-plugin's client does, insisting on the exact shape.
pub fn parse_handshake(line: &str) -> Handshake {
    let body = line
        .strip_suffix('\n')
        .expect("the handshake line ends with a newline");
    assert!(!body.contains('\n'), "one line only: {line:?}");
    let fields: Vec<&str> = body.split('|').collect();
    assert_eq!(fields.len(), 6, "six fields: {line:?}");
    let server_cert = match fields[5] {
        "" => None,
        encoded => Some(
            STANDARD_NO_PAD
                .decode(encoded)
                .expect("the certificate is standard base64 without padding"),
        ),
    };
    Handshake {
        core_version: fields[0].to_string(),
        protocol_version: fields[1].to_string(),
        network: fields[2].to_string(),
        address: fields[3].to_string(),
        protocol: fields[4].to_string(),
        server_cert,
    }
}

pub fn test_config() -> TransportConfig {
    TransportConfig {
        provider_address: "registry.terraform.io/mlcloud/mlcloud".to_string(),
        debug: false,
    }
}

/// What go-plugin asks before it uses a plugin.
pub async fn health_status(
    channel: Channel,
    service: &str,
) -> Result<ServingStatus, tonic::Status> {
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: service.to_string(),
        })
        .await?;
    Ok(response.into_inner().status())
}
