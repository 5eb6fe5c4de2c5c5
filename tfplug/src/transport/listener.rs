//! Where the plugin listens: a unix socket (go-plugin's default on Linux and
//! macOS) or a TCP port on 127.0.0.1.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
#[cfg(unix)]
use std::path::{Path, PathBuf};

use tokio::net::TcpListener;
#[cfg(unix)]
use tokio::net::UnixListener;

use super::connection::PluginConnection;
use super::env::{MAX_PORT_KEY, MIN_PORT_KEY, PluginEnv, TRANSPORT_KEY};
use super::error::TransportError;

/// go-plugin's default TCP port range.
const DEFAULT_MIN_PORT: u16 = 10_000;
const DEFAULT_MAX_PORT: u16 = 25_000;

/// The address Terraform dials, as announced in the handshake line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenAddr {
    /// A unix socket at this path.
    #[cfg(unix)]
    Unix(PathBuf),
    /// A TCP socket (always on 127.0.0.1).
    Tcp(SocketAddr),
}

impl ListenAddr {
    /// The go-plugin network name: `unix` or `tcp`.
    pub fn network(&self) -> &'static str {
        match self {
            #[cfg(unix)]
            Self::Unix(_) => "unix",
            Self::Tcp(_) => "tcp",
        }
    }
}

/// The address as go-plugin writes it: the socket path or `ip:port`.
impl fmt::Display for ListenAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            #[cfg(unix)]
            Self::Unix(path) => write!(f, "{}", path.display()),
            Self::Tcp(address) => write!(f, "{address}"),
        }
    }
}

/// A bound listener. A unix socket's file is removed when this is dropped.
pub(crate) struct PluginListener {
    socket: BoundSocket,
    address: ListenAddr,
}

enum BoundSocket {
    #[cfg(unix)]
    Unix {
        listener: UnixListener,
        /// Held only for its `Drop`.
        _file: SocketFile,
    },
    Tcp(TcpListener),
}

impl PluginListener {
    /// Binds where `env` asks: a unix socket unless `PLUGIN_TRANSPORT=tcp`
    /// (or the platform has no unix sockets).
    pub(crate) async fn bind(env: &PluginEnv) -> Result<Self, TransportError> {
        match env.transport.as_deref() {
            None | Some("unix") => Self::bind_default(env).await,
            Some("tcp") => Self::bind_tcp(env).await,
            Some(other) => Err(TransportError::InvalidSetting {
                name: TRANSPORT_KEY,
                value: other.to_string(),
                reason: "expected \"unix\" or \"tcp\"".to_string(),
            }),
        }
    }

    #[cfg(unix)]
    async fn bind_default(env: &PluginEnv) -> Result<Self, TransportError> {
        Self::bind_unix(&socket_dir(env))
    }

    #[cfg(not(unix))]
    async fn bind_default(env: &PluginEnv) -> Result<Self, TransportError> {
        Self::bind_tcp(env).await
    }

    #[cfg(unix)]
    fn bind_unix(dir: &Path) -> Result<Self, TransportError> {
        // A name that is already taken fails to bind rather than being
        // reused, so a few attempts with fresh names settle any collision.
        const ATTEMPTS: u32 = 8;
        let mut last_error = None;
        for attempt in 0..ATTEMPTS {
            let path = dir.join(socket_file_name(attempt));
            match UnixListener::bind(&path) {
                Ok(listener) => {
                    let file = SocketFile(path.clone());
                    restrict_to_owner(&path).map_err(|source| TransportError::Bind {
                        address: path.display().to_string(),
                        source,
                    })?;
                    return Ok(Self {
                        socket: BoundSocket::Unix {
                            listener,
                            _file: file,
                        },
                        address: ListenAddr::Unix(path),
                    });
                }
                Err(error) if error.kind() == io::ErrorKind::AddrInUse => {
                    last_error = Some((path, error))
                }
                Err(source) => {
                    return Err(TransportError::Bind {
                        address: path.display().to_string(),
                        source,
                    });
                }
            }
        }
        let (path, source) = last_error.expect("at least one attempt was made");
        Err(TransportError::Bind {
            address: path.display().to_string(),
            source,
        })
    }

    async fn bind_tcp(env: &PluginEnv) -> Result<Self, TransportError> {
        let min = port_setting(MIN_PORT_KEY, env.min_port.as_deref(), DEFAULT_MIN_PORT)?;
        let max = port_setting(MAX_PORT_KEY, env.max_port.as_deref(), DEFAULT_MAX_PORT)?;
        if min > max {
            return Err(TransportError::InvalidSetting {
                name: MIN_PORT_KEY,
                value: min.to_string(),
                reason: format!("it is above {MAX_PORT_KEY} ({max})"),
            });
        }
        // Like go-plugin: the first free port from the bottom of the range.
        for port in min..=max {
            let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            if let Ok(listener) = TcpListener::bind(address).await {
                return Ok(Self {
                    socket: BoundSocket::Tcp(listener),
                    address: ListenAddr::Tcp(address),
                });
            }
        }
        Err(TransportError::NoFreePort { min, max })
    }

    /// Where Terraform should dial.
    pub(crate) fn address(&self) -> &ListenAddr {
        &self.address
    }

    /// Waits for the next connection.
    pub(crate) async fn accept(&self) -> io::Result<PluginConnection> {
        match &self.socket {
            #[cfg(unix)]
            BoundSocket::Unix { listener, .. } => {
                let (stream, _) = listener.accept().await?;
                Ok(PluginConnection::new(stream))
            }
            BoundSocket::Tcp(listener) => {
                let (stream, _) = listener.accept().await?;
                // gRPC sends many small frames; Nagle would delay them.
                stream.set_nodelay(true)?;
                Ok(PluginConnection::new(stream))
            }
        }
    }
}

/// The directory for the unix socket: `PLUGIN_UNIX_SOCKET_DIR`, else the
/// system temp directory (which honours `TMPDIR`).
#[cfg(unix)]
pub(crate) fn socket_dir(env: &PluginEnv) -> PathBuf {
    env.unix_socket_dir
        .clone()
        .unwrap_or_else(std::env::temp_dir)
}

/// A name unique to this process and moment, short enough to keep the
/// socket path within the ~100 bytes unix sockets allow.
#[cfg(unix)]
fn socket_file_name(attempt: u32) -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    format!("tfplug-{}-{nanos:x}-{attempt}.sock", std::process::id())
}

/// Only the user running Terraform may connect, whatever the umask.
#[cfg(unix)]
fn restrict_to_owner(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

fn port_setting(
    name: &'static str,
    value: Option<&str>,
    default: u16,
) -> Result<u16, TransportError> {
    let Some(value) = value else {
        return Ok(default);
    };
    value
        .trim()
        .parse::<u16>()
        .map_err(|_| TransportError::InvalidSetting {
            name,
            value: value.to_string(),
            reason: "expected a port number between 0 and 65535".to_string(),
        })
}

/// Removes the socket file when the listener goes away, so no stale socket
/// is left in the temp directory.
#[cfg(unix)]
struct SocketFile(PathBuf);

#[cfg(unix)]
impl Drop for SocketFile {
    fn drop(&mut self) {
        // Nothing useful can be done about a failure while shutting down.
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};

    fn env_with_dir(dir: &Path) -> PluginEnv {
        PluginEnv {
            unix_socket_dir: Some(dir.to_path_buf()),
            ..PluginEnv::default()
        }
    }

    #[test]
    fn socket_goes_to_plugin_unix_socket_dir_when_set() {
        let env = env_with_dir(Path::new("/run/user/1000/tf"));
        assert_eq!(socket_dir(&env), PathBuf::from("/run/user/1000/tf"));
    }

    #[test]
    fn socket_goes_to_the_temp_dir_otherwise() {
        assert_eq!(socket_dir(&PluginEnv::default()), std::env::temp_dir());
    }

    #[test]
    fn socket_names_are_unique_per_attempt_and_short() {
        let first = socket_file_name(0);
        let second = socket_file_name(1);
        assert_ne!(first, second);
        assert!(first.starts_with(&format!("tfplug-{}-", std::process::id())));
        assert!(first.ends_with(".sock"));
        assert!(first.len() < 48, "{first}");
    }

    #[tokio::test]
    async fn unix_socket_is_private_and_removed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let listener = PluginListener::bind(&env_with_dir(dir.path()))
            .await
            .unwrap();
        let ListenAddr::Unix(path) = listener.address().clone() else {
            panic!("expected a unix socket, got {:?}", listener.address());
        };
        assert_eq!(path.parent(), Some(dir.path()));
        let metadata = std::fs::metadata(&path).unwrap();
        assert!(metadata.file_type().is_socket());
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
        assert_eq!(listener.address().network(), "unix");
        assert_eq!(listener.address().to_string(), path.display().to_string());

        drop(listener);
        assert!(!path.exists(), "{} was left behind", path.display());
    }

    #[tokio::test]
    async fn tcp_takes_the_first_free_port_of_the_range() {
        let taken = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        let next_port = port
            .checked_add(1)
            .expect("ephemeral ports are below 65535");
        let env = PluginEnv {
            transport: Some("tcp".into()),
            min_port: Some(port.to_string()),
            max_port: Some(next_port.to_string()),
            ..PluginEnv::default()
        };
        match PluginListener::bind(&env).await {
            Ok(listener) => {
                assert_eq!(
                    listener.address(),
                    &ListenAddr::Tcp(SocketAddr::from((Ipv4Addr::LOCALHOST, next_port)))
                );
                assert_eq!(listener.address().network(), "tcp");
            }
            // Another process may hold the neighbouring port too.
            Err(TransportError::NoFreePort { min, max }) => {
                assert_eq!((min, max), (port, next_port))
            }
            Err(other) => panic!("unexpected error: {other}"),
        }
    }

    #[tokio::test]
    async fn tcp_reports_a_full_range() {
        let taken = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = taken.local_addr().unwrap().port().to_string();
        let env = PluginEnv {
            transport: Some("tcp".into()),
            min_port: Some(port.clone()),
            max_port: Some(port),
            ..PluginEnv::default()
        };
        assert!(matches!(
            PluginListener::bind(&env).await,
            Err(TransportError::NoFreePort { .. })
        ));
    }

    #[tokio::test]
    async fn rejects_bad_settings_by_name() {
        let bad_transport = PluginEnv {
            transport: Some("quic".into()),
            ..PluginEnv::default()
        };
        let Err(error) = PluginListener::bind(&bad_transport).await else {
            panic!("quic was accepted");
        };
        assert!(error.to_string().contains("PLUGIN_TRANSPORT"), "{error}");

        let bad_port = PluginEnv {
            transport: Some("tcp".into()),
            min_port: Some("ten".into()),
            ..PluginEnv::default()
        };
        let Err(error) = PluginListener::bind(&bad_port).await else {
            panic!("a port of \"ten\" was accepted");
        };
        assert!(error.to_string().contains("PLUGIN_MIN_PORT"), "{error}");

        let inverted = PluginEnv {
            transport: Some("tcp".into()),
            min_port: Some("20000".into()),
            max_port: Some("10000".into()),
            ..PluginEnv::default()
        };
        assert!(matches!(
            PluginListener::bind(&inverted).await,
            Err(TransportError::InvalidSetting {
                name: "PLUGIN_MIN_PORT",
                ..
            })
        ));
    }
}
