//! Reading the line a plugin prints on stdout to say where it listens.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use tfplug::transport::{CORE_PROTOCOL_VERSION, PROTOCOL_VERSION};

use super::error::BenchError;

/// The parts of `CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT` the client needs.
#[derive(Debug)]
pub struct Handshake {
    /// Path of the unix socket.
    pub socket: String,
    /// DER of the plugin's certificate, the only one the client trusts.
    pub server_cert: Vec<u8>,
}

/// Parses the line as go-plugin's client does, and refuses anything Terraform
/// would refuse or could not use for this benchmark (no TLS, TCP, netrpc).
pub fn parse_handshake(line: &str) -> Result<Handshake, BenchError> {
    let bad = |reason: String| BenchError::BadHandshake {
        line: line.to_string(),
        reason,
    };
    let body = line
        .strip_suffix('\n')
        .ok_or_else(|| bad("it does not end with a newline".into()))?;
    let fields: Vec<&str> = body.split('|').collect();
    let [core, app, network, address, protocol, cert] = fields[..] else {
        return Err(bad(format!("{} fields, not 6", fields.len())));
    };
    let expect = |what: &str, got: &str, want: &str| {
        if got == want {
            Ok(())
        } else {
            Err(bad(format!("{what} is {got:?}, expected {want:?}")))
        }
    };
    expect(
        "core protocol version",
        core,
        &CORE_PROTOCOL_VERSION.to_string(),
    )?;
    expect(
        "plugin protocol version",
        app,
        &PROTOCOL_VERSION.to_string(),
    )?;
    expect("network", network, "unix")?;
    expect("protocol", protocol, "grpc")?;
    if cert.is_empty() {
        return Err(bad("no server certificate, so no mTLS".into()));
    }
    let server_cert = STANDARD_NO_PAD
        .decode(cert)
        .map_err(|e| bad(format!("certificate is not unpadded base64: {e}")))?;
    Ok(Handshake {
        socket: address.to_string(),
        server_cert,
    })
}
