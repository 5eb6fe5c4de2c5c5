//! The environment go-plugin hands a plugin, read once into a plain struct so
//! that tests (and embedders) can describe it without touching the process
//! environment.

use std::ffi::OsString;
use std::path::PathBuf;

/// Environment variable carrying the magic cookie.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Environment variable listing the protocol versions Terraform offers.
pub const PROTOCOL_VERSIONS_KEY: &str = "PLUGIN_PROTOCOL_VERSIONS";
/// Environment variable carrying Terraform's client certificate (AutoMTLS).
pub const CLIENT_CERT_KEY: &str = "PLUGIN_CLIENT_CERT";
/// Environment variable naming the directory for the unix socket.
pub const UNIX_SOCKET_DIR_KEY: &str = "PLUGIN_UNIX_SOCKET_DIR";
/// Environment variable with the lowest TCP port the plugin may use.
pub const MIN_PORT_KEY: &str = "PLUGIN_MIN_PORT";
/// Environment variable with the highest TCP port the plugin may use.
pub const MAX_PORT_KEY: &str = "PLUGIN_MAX_PORT";
/// tfplug's own switch: `tcp` listens on 127.0.0.1 instead of a unix socket.
/// go-plugin has no such variable; Terraform never sets it.
pub const TRANSPORT_KEY: &str = "PLUGIN_TRANSPORT";

/// What Terraform (through go-plugin) tells a plugin it starts.
///
/// Every field holds the raw value of one environment variable, `None` when
/// it is unset or empty; the transport validates them when it binds.
///
/// ```
/// use tfplug::transport::PluginEnv;
///
/// let env = PluginEnv {
///     protocol_versions: Some("5,6".into()),
///     transport: Some("tcp".into()),
///     ..PluginEnv::default()
/// };
/// assert!(env.client_cert_pem.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginEnv {
    /// `TF_PLUGIN_MAGIC_COOKIE`.
    pub magic_cookie: Option<String>,
    /// `PLUGIN_PROTOCOL_VERSIONS`, e.g. `"5,6"`.
    pub protocol_versions: Option<String>,
    /// `PLUGIN_CLIENT_CERT`: Terraform's PEM client certificate; its presence
    /// turns on mutual TLS.
    pub client_cert_pem: Option<String>,
    /// `PLUGIN_UNIX_SOCKET_DIR`; the system temp directory when unset.
    pub unix_socket_dir: Option<PathBuf>,
    /// `PLUGIN_MIN_PORT`, for tcp (default 10000).
    pub min_port: Option<String>,
    /// `PLUGIN_MAX_PORT`, for tcp (default 25000).
    pub max_port: Option<String>,
    /// `PLUGIN_TRANSPORT`: `unix` (default where available) or `tcp`.
    pub transport: Option<String>,
}

impl PluginEnv {
    /// Reads the variables from the process environment.
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    /// Reads the variables through `lookup`, which maps a variable name to its
    /// value.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Self {
        // go-plugin treats an empty variable like a missing one.
        let raw = |name: &str| lookup(name).filter(|value| !value.is_empty());
        let text = |name: &str| raw(name).map(|value| value.to_string_lossy().into_owned());
        Self {
            magic_cookie: text(MAGIC_COOKIE_KEY),
            protocol_versions: text(PROTOCOL_VERSIONS_KEY),
            client_cert_pem: text(CLIENT_CERT_KEY),
            unix_socket_dir: raw(UNIX_SOCKET_DIR_KEY).map(PathBuf::from),
            min_port: text(MIN_PORT_KEY),
            max_port: text(MAX_PORT_KEY),
            transport: text(TRANSPORT_KEY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> PluginEnv {
        let vars: HashMap<String, OsString> = pairs
            .iter()
            .map(|(name, value)| (name.to_string(), OsString::from(value)))
            .collect();
        PluginEnv::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn reads_every_variable_by_its_go_plugin_name() {
        let env = env_of(&[
            ("TF_PLUGIN_MAGIC_COOKIE", "cookie"),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            ("PLUGIN_CLIENT_CERT", "pem"),
            ("PLUGIN_UNIX_SOCKET_DIR", "/run/sockets"),
            ("PLUGIN_MIN_PORT", "10000"),
            ("PLUGIN_MAX_PORT", "10010"),
            ("PLUGIN_TRANSPORT", "tcp"),
        ]);
        assert_eq!(
            env,
            PluginEnv {
                magic_cookie: Some("cookie".into()),
                protocol_versions: Some("5,6".into()),
                client_cert_pem: Some("pem".into()),
                unix_socket_dir: Some(PathBuf::from("/run/sockets")),
                min_port: Some("10000".into()),
                max_port: Some("10010".into()),
                transport: Some("tcp".into()),
            }
        );
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let env = env_of(&[("PLUGIN_CLIENT_CERT", ""), ("PLUGIN_UNIX_SOCKET_DIR", "")]);
        assert_eq!(env, PluginEnv::default());
    }
}
