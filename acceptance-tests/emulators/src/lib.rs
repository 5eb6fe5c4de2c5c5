//! `mlcloud-emulator`: local, faithful emulators of the cloud APIs mlcloud calls, for
//! the project's tests and for users testing their own modules offline (README).
//!
//! One process serves every part on its own 127.0.0.1 port, plus an admin port for
//! scripted faults, the request log and the parts' records. When everything listens
//! it prints one JSON line, the *ready line*:
//!
//! ```json
//! {"admin": "http://127.0.0.1:P", "ca_file": "/tmp/.../ca.pem", "azure": {...}, "gcp": {...}}
//! ```
//!
//! Layout: [`options`] (the command line), [`server`] (HTTP/1.1 + TLS, buffered
//! requests, dropped responses), [`part`] (the seam a cloud implements),
//! [`part_service`] (faults and the log around a part), [`admin`], [`faults`],
//! [`requests`], [`tls`] (the test CA), [`parts`] (the list of clouds).

pub mod admin;
pub mod aws;
pub mod azure;
pub mod faults;
pub mod gcp;
pub mod kubernetes;
pub mod options;
pub mod part;
pub mod part_service;
pub mod parts;
pub mod requests;
pub mod server;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Map, Value};
use tempfile::TempDir;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use admin::{Admin, Shared};
use options::Options;
use part::{PartContext, PartError, PartFactory};
use part_service::PartService;
use tls::{TestCa, TlsError};

#[derive(Debug, Error)]
pub enum EmulatorError {
    #[error("listening on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Part(#[from] PartError),
}

/// A running emulator; dropping it stops every server.
pub struct Emulator {
    ready: Value,
    tasks: Vec<JoinHandle<()>>,
    _data_dir: Option<TempDir>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Emulator {
    /// Starts every part of [`parts::all`] that `options` enable.
    pub async fn start(options: Options) -> Result<Self, EmulatorError> {
        Self::start_with(options, parts::all()).await
    }

    /// Starts the given parts (tests of the framework bring their own).
    pub async fn start_with(
        options: Options,
        factories: Vec<Box<dyn PartFactory>>,
    ) -> Result<Self, EmulatorError> {
        let (data_dir, temporary) = match &options.data_dir {
            Some(path) => {
                std::fs::create_dir_all(path).map_err(|source| EmulatorError::DataDir {
                    path: path.clone(),
                    source,
                })?;
                (path.clone(), None)
            }
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("mlcloud-emulator-")
                    .tempdir()
                    .map_err(|source| EmulatorError::DataDir {
                        path: std::env::temp_dir(),
                        source,
                    })?;
                (dir.path().to_path_buf(), Some(dir))
            }
        };
        let ca = Arc::new(TestCa::create(&data_dir)?);
        let shared = Arc::new(Shared::default());
        let clusters = Arc::new(
            kubernetes::clusters::Clusters::new(ca.clone(), shared.clone()).with_smoke_binary(
                kubernetes::smoke::find_binary(options.smoke_binary.as_deref()),
            ),
        );
        let mut ports = Ports::from(options.listen);
        let mut ready = Map::new();
        let mut tasks = Vec::new();

        let admin_listener = ports.bind().await?;
        ready.insert(
            "admin".into(),
            Value::String(format!("http://{}", local_address(&admin_listener)?)),
        );
        ready.insert(
            "ca_file".into(),
            Value::String(ca.file().display().to_string()),
        );
        tasks.push(tokio::spawn(server::serve(
            admin_listener,
            None,
            Arc::new(Admin {
                shared: shared.clone(),
            }),
        )));

        for factory in factories.iter().filter(|factory| factory.enabled(&options)) {
            let listener = ports.bind().await?;
            let address = local_address(&listener)?;
            let (scheme, tls) = if factory.https() {
                let identity = ca.issue(&[&address.ip().to_string(), "localhost"])?;
                ("https", Some(identity.server_config(&ca)?))
            } else {
                ("http", None)
            };
            let part = factory
                .build(PartContext {
                    url: format!("{scheme}://{address}"),
                    options: options.clone(),
                    data_dir: data_dir.clone(),
                    ca: ca.clone(),
                    clusters: clusters.clone(),
                })
                .await?;
            ready.insert(part.name().to_string(), part.ready());
            shared.parts.write().expect("parts").push(part.clone());
            tasks.push(tokio::spawn(server::serve(
                listener,
                tls,
                Arc::new(PartService {
                    part,
                    shared: shared.clone(),
                }),
            )));
        }
        Ok(Self {
            ready: Value::Object(ready),
            tasks,
            _data_dir: temporary,
        })
    }

    /// The ready line's content.
    pub fn ready(&self) -> &Value {
        &self.ready
    }
}

fn local_address(listener: &TcpListener) -> Result<SocketAddr, EmulatorError> {
    listener
        .local_addr()
        .map_err(|source| EmulatorError::Listen {
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            source,
        })
}

/// Free ports when asked for port 0, consecutive ones from a fixed port otherwise.
struct Ports {
    next: SocketAddr,
}

impl From<SocketAddr> for Ports {
    fn from(next: SocketAddr) -> Self {
        Self { next }
    }
}

impl Ports {
    async fn bind(&mut self) -> Result<TcpListener, EmulatorError> {
        let address = self.next;
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| EmulatorError::Listen { address, source })?;
        if address.port() != 0 {
            self.next.set_port(address.port() + 1);
        }
        Ok(listener)
    }
}

#[cfg(test)]
mod tests;
