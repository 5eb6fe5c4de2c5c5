//! Starting a provider binary exactly as Terraform does and waiting for its
//! handshake line.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tfplug::transport::{
    CLIENT_CERT_KEY, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, MAX_PORT_KEY, MIN_PORT_KEY,
    PROTOCOL_VERSIONS_KEY, UNIX_SOCKET_DIR_KEY,
};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::error::{BenchError, StderrTail};
use super::handshake::{Handshake, parse_handshake};
use super::identity::ClientIdentity;
use super::stderr::StderrCapture;

/// go-plugin's default start timeout is a minute; a provider that needs more
/// than a few seconds is broken for this benchmark's purposes.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A provider process that has printed a valid handshake line.
pub struct LaunchedPlugin {
    child: Child,
    pub handshake: Handshake,
    /// From just before the spawn to the complete handshake line.
    pub time_to_handshake: Duration,
    stderr: StderrCapture,
}

/// Starts `binary` with the environment Terraform 1.x gives a plugin and
/// reads its handshake line.
pub async fn launch(
    binary: &Path,
    identity: &ClientIdentity,
    socket_dir: &Path,
) -> Result<LaunchedPlugin, BenchError> {
    let mut command = Command::new(binary);
    command
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env(PROTOCOL_VERSIONS_KEY, "5,6")
        .env(CLIENT_CERT_KEY, &identity.pem)
        .env(UNIX_SOCKET_DIR_KEY, socket_dir)
        // go-plugin always sends its port range too, even for unix sockets.
        .env(MIN_PORT_KEY, "10000")
        .env(MAX_PORT_KEY, "25000")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // An error anywhere below must not leave a provider running.
        .kill_on_drop(true);

    let started = Instant::now();
    let mut child = command.spawn().map_err(|source| BenchError::Spawn {
        binary: binary.to_path_buf(),
        source,
    })?;
    let stderr = StderrCapture::start(child.stderr.take().expect("stderr is piped"));
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut line = String::new();
    let read = tokio::time::timeout(HANDSHAKE_TIMEOUT, stdout.read_line(&mut line)).await;
    let time_to_handshake = started.elapsed();

    match read {
        Err(_elapsed) => {
            let stderr = kill_and_collect(&mut child, stderr).await;
            Err(BenchError::HandshakeTimeout {
                waited: HANDSHAKE_TIMEOUT,
                stderr,
            })
        }
        Ok(Err(io)) => Err(BenchError::Stdout(io)),
        Ok(Ok(0)) => {
            let status = child.wait().await.map_err(BenchError::Wait)?;
            let stderr = stderr.finish().await;
            Err(BenchError::ExitedBeforeHandshake { status, stderr })
        }
        Ok(Ok(_)) => {
            let handshake = parse_handshake(&line)?;
            // Terraform keeps reading a plugin's stdout; a plugin that writes
            // more must not stall on a full pipe.
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut stdout, &mut tokio::io::sink()).await;
            });
            Ok(LaunchedPlugin {
                child,
                handshake,
                time_to_handshake,
                stderr,
            })
        }
    }
}

impl LaunchedPlugin {
    pub fn pid(&self) -> u32 {
        self.child
            .id()
            .expect("the plugin has not been waited for yet")
    }

    /// Waits up to `limit` for the process to end on its own, and insists
    /// that it ends successfully.
    pub async fn wait_for_clean_exit(mut self, limit: Duration) -> Result<(), BenchError> {
        let status = match tokio::time::timeout(limit, self.child.wait()).await {
            Ok(status) => status.map_err(BenchError::Wait)?,
            Err(_elapsed) => {
                let stderr = kill_and_collect(&mut self.child, self.stderr).await;
                return Err(BenchError::ShutdownTimeout {
                    waited: limit,
                    stderr,
                });
            }
        };
        if status.success() {
            return Ok(());
        }
        Err(BenchError::ExitAfterShutdown {
            status,
            stderr: self.stderr.finish().await,
        })
    }
}

/// Kills a misbehaving plugin and returns what it had said on stderr.
async fn kill_and_collect(child: &mut Child, stderr: StderrCapture) -> StderrTail {
    // Already gone is fine: all that is wanted is that it is not running.
    let _ = child.kill().await;
    stderr.finish().await
}
