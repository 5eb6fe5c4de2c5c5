//! Settings read from the environment, so that one image runs unchanged under
//! Kubernetes, plain Docker or any other serving platform.

use std::time::Duration;

use thiserror::Error;

use crate::logging::Level;

/// Port the server listens on when `PORT` is unset.
pub const DEFAULT_PORT: u16 = 8080;
/// Name the model is served under when `MODEL_NAME` is unset.
pub const DEFAULT_MODEL_NAME: &str = "iris";
/// Largest request body accepted when `MAX_BODY_BYTES` is unset (1 MiB, about 15,000 rows).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// How long in-flight requests may take to finish after SIGTERM when
/// `SHUTDOWN_TIMEOUT_SECONDS` is unset; below Kubernetes' default 30 s grace period so
/// that we exit on our own terms rather than being SIGKILLed.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(25);

/// Everything the server can be told from outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `PORT`: TCP port to listen on (all interfaces, IPv6 and IPv4). `0` lets the kernel
    /// pick a free port, reported in the `ready` log line; test harnesses use that to
    /// avoid port races.
    pub port: u16,
    /// `MODEL_NAME`: the `{name}` in `/v2/models/{name}`.
    pub model_name: String,
    /// `MAX_BODY_BYTES`: larger infer requests are answered 413.
    pub max_body_bytes: usize,
    /// `SHUTDOWN_TIMEOUT_SECONDS`: drain limit after SIGTERM.
    pub shutdown_timeout: Duration,
    /// `LOG_LEVEL`: `error`, `warn`, `info` or `debug` (`debug` logs every request).
    pub log_level: Level,
}

/// A variable that is set but cannot be used; the server refuses to start.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("environment variable {name}={value:?} is invalid: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub reason: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            model_name: DEFAULT_MODEL_NAME.to_owned(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            log_level: Level::Info,
        }
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        Ok(Self {
            port: parse_or("PORT", &lookup, defaults.port, parse_port)?,
            model_name: parse_or("MODEL_NAME", &lookup, defaults.model_name, parse_model_name)?,
            max_body_bytes: parse_or(
                "MAX_BODY_BYTES",
                &lookup,
                defaults.max_body_bytes,
                parse_body_limit,
            )?,
            shutdown_timeout: parse_or(
                "SHUTDOWN_TIMEOUT_SECONDS",
                &lookup,
                defaults.shutdown_timeout,
                |raw| {
                    raw.parse::<u64>()
                        .map(Duration::from_secs)
                        .map_err(|_| "expected a whole number of seconds".to_owned())
                },
            )?,
            log_level: parse_or("LOG_LEVEL", &lookup, defaults.log_level, |raw| {
                raw.parse::<Level>()
            })?,
        })
    }
}

/// Unset or empty means "use the default"; anything else must parse.
fn parse_or<T>(
    name: &'static str,
    lookup: &impl Fn(&str) -> Option<String>,
    default: T,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<T, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(raw) if raw.trim().is_empty() => Ok(default),
        Some(raw) => parse(raw.trim()).map_err(|reason| ConfigError {
            name,
            value: raw.clone(),
            reason,
        }),
    }
}

fn parse_port(raw: &str) -> Result<u16, String> {
    raw.parse::<u16>()
        .map_err(|_| "expected a TCP port between 0 (any free port) and 65535".to_owned())
}

/// The name ends up in URL paths and metric labels, so keep it to characters that need
/// no escaping in either.
fn parse_model_name(raw: &str) -> Result<String, String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if raw.len() > 128 || !raw.chars().all(allowed) || raw.starts_with('.') {
        return Err(
            "expected 1-128 characters from [A-Za-z0-9._-], not starting with '.'".to_owned(),
        );
    }
    Ok(raw.to_owned())
}

fn parse_body_limit(raw: &str) -> Result<usize, String> {
    match raw.parse::<usize>() {
        Ok(bytes) if bytes >= 1024 => Ok(bytes),
        _ => Err("expected a number of bytes, at least 1024".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn unset_environment_gives_documented_defaults() {
        let config = config_from(&[]).unwrap();
        assert_eq!(config.port, 8080);
        assert_eq!(config.model_name, "iris");
        assert_eq!(config.max_body_bytes, 1_048_576);
        assert_eq!(config.shutdown_timeout, Duration::from_secs(25));
        assert_eq!(config.log_level, Level::Info);
    }

    #[test]
    fn every_variable_is_read() {
        let config = config_from(&[
            ("PORT", "9000"),
            ("MODEL_NAME", "flowers-v2"),
            ("MAX_BODY_BYTES", "4096"),
            ("SHUTDOWN_TIMEOUT_SECONDS", "3"),
            ("LOG_LEVEL", "debug"),
        ])
        .unwrap();
        assert_eq!(
            config,
            Config {
                port: 9000,
                model_name: "flowers-v2".to_owned(),
                max_body_bytes: 4096,
                shutdown_timeout: Duration::from_secs(3),
                log_level: Level::Debug,
            }
        );
    }

    #[test]
    fn port_zero_asks_for_any_free_port() {
        assert_eq!(config_from(&[("PORT", "0")]).unwrap().port, 0);
    }

    #[test]
    fn empty_values_fall_back_to_defaults() {
        let config = config_from(&[("PORT", ""), ("MODEL_NAME", "  ")]).unwrap();
        assert_eq!(config.port, DEFAULT_PORT);
        assert_eq!(config.model_name, DEFAULT_MODEL_NAME);
    }

    #[test]
    fn invalid_values_name_the_variable() {
        let cases = [
            ("PORT", "http"),
            ("PORT", "-1"),
            ("PORT", "70000"),
            ("MODEL_NAME", "a/b"),
            ("MODEL_NAME", ".hidden"),
            ("MAX_BODY_BYTES", "12"),
            ("SHUTDOWN_TIMEOUT_SECONDS", "-1"),
            ("LOG_LEVEL", "loud"),
        ];
        for (name, value) in cases {
            let error = config_from(&[(name, value)]).unwrap_err();
            assert_eq!(error.name, name, "{value}");
            assert_eq!(error.value, value);
            assert!(error.to_string().contains(name), "{error}");
        }
    }
}
