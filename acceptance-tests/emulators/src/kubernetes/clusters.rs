//! The seam through which the cloud parts give each cluster they create its own API
//! server: [`Clusters::start`] serves a fresh [`ClusterApi`] on a free 127.0.0.1 port
//! (https, a certificate from the emulator's CA), [`Clusters::retain`] stops those
//! whose cluster is gone. Requests to them go through the same fault rules and
//! request log as the `kubernetes` part's own port.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::{Map, Value, json};
use tokio::task::JoinHandle;

use super::api::ClusterApi;
use super::gate::Gate;
use super::settings::Settings;
use crate::admin::Shared;
use crate::part_service::PartService;
use crate::tls::TestCa;

/// Which cloud made a cluster (its API's nodes and tokens follow that cloud).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Azure,
    Gcp,
}

struct Hosted {
    cloud: Cloud,
    api: Arc<ClusterApi>,
    address: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Hosted {
    fn drop(&mut self) {
        self.task.abort();
        self.api.runtime.lock().expect("runtime").stop_all();
    }
}

pub struct Clusters {
    ca: Arc<TestCa>,
    shared: Arc<Shared>,
    /// The `kubernetes` part's settings, shared by every API server.
    pub settings: Arc<RwLock<Settings>>,
    hosted: Mutex<BTreeMap<String, Hosted>>,
    /// The `mlcloud-smoke` binary the service proxies run.
    pub smoke_binary: Option<PathBuf>,
}

impl Clusters {
    pub fn new(ca: Arc<TestCa>, shared: Arc<Shared>) -> Self {
        Self {
            ca,
            shared,
            settings: Arc::new(RwLock::new(Settings::default())),
            hosted: Mutex::new(BTreeMap::new()),
            smoke_binary: None,
        }
    }

    /// Where the `mlcloud-smoke` binary is (`--smoke-binary`, or found next to the
    /// emulator).
    pub fn with_smoke_binary(mut self, binary: Option<PathBuf>) -> Self {
        self.smoke_binary = binary;
        self
    }

    /// Serves an API server for cluster `id` (once; later calls answer the same
    /// address) and answers where: `127.0.0.1:PORT`. `None` outside a tokio runtime
    /// (model unit tests) or when no port could be had; the cluster then has no API.
    pub fn start(&self, cloud: Cloud, id: &str, gate: Arc<dyn Gate>) -> Option<SocketAddr> {
        let mut hosted = self.hosted.lock().expect("clusters");
        if let Some(existing) = hosted.get(id) {
            return Some(existing.address);
        }
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
        listener.set_nonblocking(true).ok()?;
        let address = listener.local_addr().ok()?;
        let tls = self
            .ca
            .issue(&[&address.ip().to_string(), "localhost"])
            .and_then(|identity| identity.server_config(&self.ca))
            .ok()?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener).ok()?
        };
        let api = Arc::new(ClusterApi::new(
            id,
            self.settings.clone(),
            gate,
            self.smoke_binary.clone(),
        ));
        let service = Arc::new(PartService {
            part: api.clone(),
            shared: self.shared.clone(),
        });
        let task = runtime.spawn(crate::server::serve(listener, Some(tls), service));
        hosted.insert(
            id.to_string(),
            Hosted {
                cloud,
                api,
                address,
                task,
            },
        );
        Some(address)
    }

    /// Stops the API servers of `cloud`'s clusters for which `keep` is false.
    pub fn retain(&self, cloud: Cloud, keep: impl Fn(&str) -> bool) {
        self.hosted
            .lock()
            .expect("clusters")
            .retain(|id, hosted| hosted.cloud != cloud || keep(id));
    }

    /// The API server of cluster `id`, while it runs.
    pub fn api(&self, id: &str) -> Option<Arc<ClusterApi>> {
        self.hosted
            .lock()
            .expect("clusters")
            .get(id)
            .map(|hosted| hosted.api.clone())
    }

    /// Every cluster's API: endpoint, objects and nodes.
    pub fn records(&self) -> Value {
        let hosted: Vec<(String, SocketAddr, Arc<ClusterApi>)> = self
            .hosted
            .lock()
            .expect("clusters")
            .iter()
            .map(|(id, h)| (id.clone(), h.address, h.api.clone()))
            .collect();
        let mut records = Map::new();
        for (id, address, api) in hosted {
            let mut record = api.records();
            record["endpoint"] = json!(format!("https://{address}"));
            records.insert(id, record);
        }
        Value::Object(records)
    }

    /// Stops every cluster's API server.
    pub fn reset(&self) {
        self.hosted.lock().expect("clusters").clear();
    }
}
