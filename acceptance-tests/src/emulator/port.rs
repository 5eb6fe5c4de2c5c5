//! The free 127.0.0.1 port an HTTP-probed emulator is told to listen on.
//!
//! The kernel picks a port nobody listens on and the socket is closed at once, so the
//! emulator can bind it. Between the two another process may take it: the emulator then
//! exits (or someone else answers, which the owner check in `owner.rs` notices), and
//! [`EmulatorCommand::start`](super::EmulatorCommand::start) tries another port.

use std::io;
use std::net::{Ipv4Addr, TcpListener};

/// Written in an argument or environment value (`-p {port}`, `127.0.0.1:{port}`), it is
/// replaced by the free port picked for this start.
pub const PORT: &str = "{port}";

/// How many ports are tried before a start fails.
pub const ATTEMPTS: usize = 3;

/// A port nobody listens on right now (the kernel's pick, released at once).
pub fn free_port() -> io::Result<u16> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
}

/// Whether `text` asks for the port.
pub fn mentions_port(text: &str) -> bool {
    text.contains(PORT)
}

/// `text` with every [`PORT`] replaced by `port`, if there is one.
pub fn fill_in(text: &str, port: Option<u16>) -> String {
    match port {
        Some(port) => text.replace(PORT, &port.to_string()),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_placeholder_is_replaced_wherever_it_appears() {
        assert_eq!(fill_in("{port}", Some(4566)), "4566");
        assert_eq!(fill_in("127.0.0.1:{port}", Some(4566)), "127.0.0.1:4566");
        assert_eq!(fill_in("--listen", Some(4566)), "--listen");
        assert_eq!(fill_in("{port}", None), "{port}");
        assert!(mentions_port("http://127.0.0.1:{port}/"));
        assert!(!mentions_port("127.0.0.1:0"));
    }

    #[test]
    fn a_free_port_is_not_zero() {
        assert_ne!(free_port().unwrap(), 0);
    }
}
