//! What the plugin prints on stdout once it listens: the go-plugin handshake
//! line for Terraform, or, in debug mode, instructions for a person.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde_json::json;

use super::listener::ListenAddr;
use super::negotiate::{CORE_PROTOCOL_VERSION, PROTOCOL_VERSION};

/// The line Terraform reads from the plugin's stdout:
/// `1|6|<network>|<address>|grpc|<server certificate>` and a newline.
///
/// The certificate is the DER of the server's TLS certificate in standard
/// base64 without padding, and empty when TLS is off.
pub fn handshake_line(address: &ListenAddr, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!(
        "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{network}|{address}|grpc|{cert}\n",
        network = address.network()
    )
}

/// The JSON value of `TF_REATTACH_PROVIDERS` that points Terraform at an
/// already running plugin instead of starting one.
///
/// `Test: true` tells Terraform the plugin is not its to stop.
pub fn reattach_config(provider_address: &str, address: &ListenAddr, pid: u32) -> String {
    json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": {
                "Network": address.network(),
                "String": address.to_string(),
            },
        }
    })
    .to_string()
}

/// What a debug-mode plugin prints for the person who started it.
pub fn debug_instructions(provider_address: &str, address: &ListenAddr, pid: u32) -> String {
    let reattach = shell_single_quote(&reattach_config(provider_address, address, pid));
    format!(
        "Provider {provider_address} started in debug mode and is listening on {address}.\n\
         To use it, set this variable in the shell you run Terraform from:\n\
         \n\
         \tTF_REATTACH_PROVIDERS={reattach}\n\
         \n\
         Terraform will then talk to this process instead of starting the provider itself.\n\
         Stop the provider with Ctrl-C.\n"
    )
}

/// Quotes `text` for a POSIX shell.
fn shell_single_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    #[cfg(unix)]
    use std::path::PathBuf;

    #[cfg(unix)]
    fn unix_addr() -> ListenAddr {
        ListenAddr::Unix(PathBuf::from("/tmp/tfplug-42-abc-0.sock"))
    }

    fn tcp_addr() -> ListenAddr {
        ListenAddr::Tcp("127.0.0.1:10042".parse::<SocketAddr>().unwrap())
    }

    #[cfg(unix)]
    #[test]
    fn unix_line_with_certificate() {
        let line = handshake_line(&unix_addr(), Some(&[0xde, 0xad, 0xbe, 0xef, 0x01]));
        // 5 bytes encode to 7 characters; padding would add a trailing '='.
        assert_eq!(line, "1|6|unix|/tmp/tfplug-42-abc-0.sock|grpc|3q2+7wE\n");
    }

    #[cfg(unix)]
    #[test]
    fn unix_line_without_certificate_ends_in_an_empty_field() {
        assert_eq!(
            handshake_line(&unix_addr(), None),
            "1|6|unix|/tmp/tfplug-42-abc-0.sock|grpc|\n"
        );
    }

    #[test]
    fn tcp_line_with_and_without_certificate() {
        assert_eq!(
            handshake_line(&tcp_addr(), None),
            "1|6|tcp|127.0.0.1:10042|grpc|\n"
        );
        assert_eq!(
            handshake_line(&tcp_addr(), Some(&[0xfb, 0xff])),
            "1|6|tcp|127.0.0.1:10042|grpc|+/8\n",
            "standard alphabet, not URL-safe"
        );
    }

    #[test]
    fn line_has_six_fields_and_one_newline() {
        let line = handshake_line(&tcp_addr(), Some(&[1, 2, 3]));
        assert_eq!(line.matches('\n').count(), 1);
        assert!(line.ends_with('\n'));
        assert_eq!(line.trim_end().split('|').count(), 6);
    }

    #[cfg(unix)]
    #[test]
    fn reattach_config_has_the_shape_terraform_reads() {
        let value: serde_json::Value = serde_json::from_str(&reattach_config(
            "registry.terraform.io/mlcloud/mlcloud",
            &unix_addr(),
            4242,
        ))
        .unwrap();
        assert_eq!(
            value,
            json!({
                "registry.terraform.io/mlcloud/mlcloud": {
                    "Protocol": "grpc",
                    "ProtocolVersion": 6,
                    "Pid": 4242,
                    "Test": true,
                    "Addr": { "Network": "unix", "String": "/tmp/tfplug-42-abc-0.sock" }
                }
            })
        );
    }

    #[test]
    fn debug_instructions_carry_a_shell_ready_reattach_line() {
        let text = debug_instructions("registry.terraform.io/mlcloud/mlcloud", &tcp_addr(), 7);
        let line = text
            .lines()
            .find_map(|line| line.trim().strip_prefix("TF_REATTACH_PROVIDERS="))
            .expect("the instructions contain the variable");
        let json = line
            .strip_prefix('\'')
            .and_then(|rest| rest.strip_suffix('\''))
            .unwrap();
        assert_eq!(
            json,
            reattach_config("registry.terraform.io/mlcloud/mlcloud", &tcp_addr(), 7)
        );
        assert!(text.contains("Ctrl-C"));
    }

    #[test]
    fn single_quotes_survive_shell_quoting() {
        assert_eq!(shell_single_quote("it's"), r"'it'\''s'");
    }
}
