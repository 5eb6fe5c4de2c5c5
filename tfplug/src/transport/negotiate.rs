//! The two checks go-plugin makes before a plugin starts listening: the magic
//! cookie and the protocol version.

use super::env::PluginEnv;
use super::error::TransportError;

/// The magic cookie value Terraform sets in `TF_PLUGIN_MAGIC_COOKIE`. It is
/// not a secret: it only tells a plugin that a go-plugin host started it.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's own handshake version, the first field of the handshake line.
pub const CORE_PROTOCOL_VERSION: u32 = 1;

/// The Terraform plugin protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 6;

/// True when `env` carries Terraform's magic cookie.
pub fn has_magic_cookie(env: &PluginEnv) -> bool {
    env.magic_cookie.as_deref() == Some(MAGIC_COOKIE_VALUE)
}

/// Picks the protocol version from what Terraform offers in
/// `PLUGIN_PROTOCOL_VERSIONS` (a comma-separated list such as `"5,6"`).
///
/// Without the variable go-plugin assumes the plugin's own version, so `None`
/// gives 6 as well. Entries that are not numbers are ignored, as go-plugin
/// does.
pub fn negotiate_protocol_version(offered: Option<&str>) -> Result<u32, TransportError> {
    let Some(offered) = offered else {
        return Ok(PROTOCOL_VERSION);
    };
    let speaks_ours = offered
        .split(',')
        .filter_map(|version| version.trim().parse::<u32>().ok())
        .any(|version| version == PROTOCOL_VERSION);
    if speaks_ours {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(TransportError::UnsupportedProtocolVersions {
            offered: offered.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_6_when_terraform_offers_5_and_6() {
        assert_eq!(negotiate_protocol_version(Some("5,6")).unwrap(), 6);
        assert_eq!(negotiate_protocol_version(Some(" 6 , 5 ")).unwrap(), 6);
        assert_eq!(negotiate_protocol_version(Some("6")).unwrap(), 6);
    }

    #[test]
    fn assumes_6_when_nothing_is_offered() {
        assert_eq!(negotiate_protocol_version(None).unwrap(), 6);
    }

    #[test]
    fn refuses_a_terraform_without_protocol_6_and_says_what_it_offered() {
        let error = negotiate_protocol_version(Some("4,5")).unwrap_err();
        assert!(matches!(
            &error,
            TransportError::UnsupportedProtocolVersions { offered } if offered == "4,5"
        ));
        let message = error.to_string();
        assert!(message.contains("4,5"), "{message}");
        assert!(message.contains("protocol 6"), "{message}");
        assert!(message.contains("Terraform 1.0"), "{message}");
    }

    #[test]
    fn ignores_entries_that_are_not_numbers() {
        assert_eq!(negotiate_protocol_version(Some("x,6")).unwrap(), 6);
        assert!(negotiate_protocol_version(Some("six")).is_err());
        assert!(negotiate_protocol_version(Some("60")).is_err());
    }

    #[test]
    fn accepts_only_the_exact_cookie() {
        let with = |cookie: Option<&str>| PluginEnv {
            magic_cookie: cookie.map(str::to_string),
            ..PluginEnv::default()
        };
        assert!(has_magic_cookie(&with(Some(MAGIC_COOKIE_VALUE))));
        assert!(!has_magic_cookie(&with(None)));
        assert!(!has_magic_cookie(&with(Some("d602bf8f"))));
        assert!(!has_magic_cookie(&with(Some(
            &MAGIC_COOKIE_VALUE.to_uppercase()
        ))));
    }
}
