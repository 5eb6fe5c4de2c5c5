//! The command line, which is part of the project's interface: users start the
//! emulator to test their own modules offline (see this crate's README).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

pub const USAGE: &str = "usage: mlcloud-emulator [--listen 127.0.0.1:0] [--operation-delay-ms N] \
[--moto http://127.0.0.1:PORT] [--data-dir DIR] [--smoke-binary PATH]";

/// What the emulator was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Where to listen. Each part (and the admin route) gets its own port: with port 0
    /// every listener takes a free one; with port P they take P, P+1, ... in the order
    /// of the ready line (admin first, then the parts in [`crate::parts`] order).
    pub listen: SocketAddr,
    /// How long a long-running cloud operation takes before it succeeds (or fails).
    pub operation_delay: Duration,
    /// moto's base URL; the `aws` part runs only when it is given.
    pub moto: Option<String>,
    /// Where generated files (the test CA, credential files) go; a temporary
    /// directory, removed on a clean exit, when not given.
    pub data_dir: Option<PathBuf>,
    /// The `mlcloud-smoke` binary the Kubernetes service proxies run; found next to
    /// the emulator's own executable when not given.
    pub smoke_binary: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            operation_delay: Duration::ZERO,
            moto: None,
            data_dir: None,
            smoke_binary: None,
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum OptionsError {
    #[error("{flag} needs a value\n{USAGE}")]
    MissingValue { flag: String },
    #[error("{flag} {value:?}: {reason}\n{USAGE}")]
    BadValue {
        flag: String,
        value: String,
        reason: String,
    },
    #[error("unknown argument {0:?}\n{USAGE}")]
    Unknown(String),
    #[error("{USAGE}")]
    Help,
}

impl Options {
    /// Parses the arguments after the program name.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, OptionsError> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            // Both `--flag value` and `--flag=value`.
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_string(), Some(value.to_string()))
                }
                _ => (arg.clone(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| OptionsError::MissingValue { flag: flag.clone() })
            };
            match flag.as_str() {
                "--listen" => {
                    let text = value()?;
                    options.listen = text.parse().map_err(|_| OptionsError::BadValue {
                        flag: flag.clone(),
                        value: text.clone(),
                        reason: "expected IP:PORT, e.g. 127.0.0.1:0".into(),
                    })?;
                }
                "--operation-delay-ms" => {
                    let text = value()?;
                    let ms: u64 = text.parse().map_err(|_| OptionsError::BadValue {
                        flag: flag.clone(),
                        value: text.clone(),
                        reason: "expected a whole number of milliseconds".into(),
                    })?;
                    options.operation_delay = Duration::from_millis(ms);
                }
                "--moto" => {
                    let text = value()?;
                    if !(text.starts_with("http://") || text.starts_with("https://")) {
                        return Err(OptionsError::BadValue {
                            flag: flag.clone(),
                            value: text,
                            reason: "expected moto's base URL, e.g. http://127.0.0.1:5000".into(),
                        });
                    }
                    options.moto = Some(text.trim_end_matches('/').to_string());
                }
                "--data-dir" => options.data_dir = Some(PathBuf::from(value()?)),
                "--smoke-binary" => options.smoke_binary = Some(PathBuf::from(value()?)),
                "-h" | "--help" => return Err(OptionsError::Help),
                _ => return Err(OptionsError::Unknown(arg)),
            }
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, OptionsError> {
        Options::parse(args.iter().map(|arg| arg.to_string()))
    }

    #[test]
    fn defaults_listen_on_free_loopback_ports_with_no_delay() {
        let options = parse(&[]).unwrap();
        assert_eq!(options, Options::default());
        assert_eq!(options.listen.to_string(), "127.0.0.1:0");
    }

    #[test]
    fn every_flag_in_both_spellings() {
        let options = parse(&[
            "--listen",
            "127.0.0.1:7000",
            "--operation-delay-ms=2500",
            "--moto",
            "http://127.0.0.1:5000/",
            "--data-dir=/tmp/x",
        ])
        .unwrap();
        assert_eq!(options.listen.port(), 7000);
        assert_eq!(options.operation_delay, Duration::from_millis(2500));
        assert_eq!(options.moto.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(options.data_dir, Some(PathBuf::from("/tmp/x")));
    }

    #[test]
    fn bad_input_names_the_flag_and_what_would_be_right() {
        let error = parse(&["--operation-delay-ms", "soon"]).unwrap_err();
        assert!(error.to_string().contains("whole number"), "{error}");
        let error = parse(&["--moto", "127.0.0.1:5000"]).unwrap_err();
        assert!(
            error.to_string().contains("http://127.0.0.1:5000"),
            "{error}"
        );
        assert_eq!(
            parse(&["--listen"]).unwrap_err(),
            OptionsError::MissingValue {
                flag: "--listen".into()
            }
        );
        assert!(matches!(
            parse(&["--verbose"]),
            Err(OptionsError::Unknown(_))
        ));
    }
}
