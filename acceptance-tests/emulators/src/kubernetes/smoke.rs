//! Real `mlcloud-smoke` processes behind Services: while a Service selects a Ready
//! pod of the bundled smoke image, one process runs for it on a free 127.0.0.1 port
//! (with the container's `MODEL_NAME` and other plain `env` values), and the service
//! proxy forwards there; when no such pod is Ready any more, it stops.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use super::kinds;
use super::selectors::LabelSelector;
use super::settings::SMOKE_IMAGE;
use super::store::Store;
use super::workloads::is_ready;

/// The smoke binary: `--smoke-binary`, else `mlcloud-smoke` next to this executable
/// (or one directory up, where cargo puts binaries beside test executables).
pub fn find_binary(given: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = given {
        return Some(path.to_path_buf());
    }
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [
        dir.join("mlcloud-smoke"),
        dir.parent()?.join("mlcloud-smoke"),
    ]
    .into_iter()
    .find(|candidate| candidate.is_file())
}

type ServiceKey = (String, String);
type Env = Vec<(String, String)>;

struct Running {
    child: Child,
    port: u16,
    env: Vec<(String, String)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Default)]
pub struct Smokes {
    binary: Option<PathBuf>,
    /// By (namespace, service).
    running: BTreeMap<(String, String), Running>,
    /// Why the last start failed, by (namespace, service), for the proxy's answer.
    failures: BTreeMap<(String, String), String>,
}

/// Where a Service's requests go, or why nowhere.
pub enum Backend {
    Port(u16),
    NoEndpoints,
    NotServable(String),
}

impl Smokes {
    pub fn new(binary: Option<PathBuf>) -> Self {
        Self {
            binary,
            ..Default::default()
        }
    }

    pub fn stop_all(&mut self) {
        self.running.clear();
    }

    pub fn backend(&self, namespace: &str, service: &str) -> Backend {
        let key = (namespace.to_string(), service.to_string());
        if let Some(running) = self.running.get(&key) {
            return Backend::Port(running.port);
        }
        match self.failures.get(&key) {
            Some(why) => Backend::NotServable(why.clone()),
            None => Backend::NoEndpoints,
        }
    }

    /// Starts and stops processes to match the Ready smoke pods behind each Service.
    pub fn sync(&mut self, store: &Store) {
        let services = kinds::find("", "v1", "services").expect("served");
        let pods = kinds::find("", "v1", "pods").expect("served");
        // By (namespace, service): the smoke container's env, or None when the
        // Ready pods run another image.
        let mut wanted: BTreeMap<ServiceKey, Option<Env>> = BTreeMap::new();
        for service in store.all(services, None) {
            let namespace = service["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let name = service["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if !service["spec"]["selector"].is_object() {
                continue;
            }
            let selector = LabelSelector::from_map(&service["spec"]["selector"]);
            let ready: Vec<&Value> = store
                .all(pods, Some(&namespace))
                .filter(|pod| selector.matches(&pod["metadata"]["labels"]) && is_ready(pod))
                .collect();
            if ready.is_empty() {
                continue;
            }
            let smoke = ready.iter().find_map(|pod| {
                pod["spec"]["containers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|c| c["image"].as_str().is_some_and(is_smoke_image))
                    .cloned()
            });
            wanted.insert(
                (namespace, name),
                smoke.map(|container| plain_env(&container)),
            );
        }
        self.running.retain(|key, running| {
            matches!(wanted.get(key), Some(Some(env)) if *env == running.env && running.child.try_wait().ok().flatten().is_none())
        });
        self.failures.retain(|key, _| wanted.contains_key(key));
        for (key, env) in wanted {
            if self.running.contains_key(&key) {
                continue;
            }
            let Some(env) = env else {
                self.failures.insert(
                    key,
                    format!("the emulator runs only the bundled smoke image ({SMOKE_IMAGE}) behind a service proxy"),
                );
                continue;
            };
            match self.start(&env) {
                Ok(running) => {
                    self.failures.remove(&key);
                    self.running.insert(key, running);
                }
                Err(why) => {
                    self.failures.insert(key, why);
                }
            }
        }
    }

    fn start(&self, env: &[(String, String)]) -> Result<Running, String> {
        let binary = self.binary.clone().ok_or_else(|| {
            "the mlcloud-smoke binary was not found next to the emulator; build it (cargo build -p mlcloud-smoke) or pass --smoke-binary PATH".to_string()
        })?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())
            .map_err(|error| format!("no free port for the smoke server: {error}"))?;
        let mut command = Command::new(&binary);
        command
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = command
            .spawn()
            .map_err(|error| format!("starting {}: {error}", binary.display()))?;
        Ok(Running {
            child,
            port,
            env: env.to_vec(),
        })
    }
}

/// Whether `image` is the bundled smoke image (any tag or digest).
pub fn is_smoke_image(image: &str) -> bool {
    let repository = image.split('@').next().unwrap_or_default();
    let repository = match repository.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => repository,
    };
    repository == SMOKE_IMAGE
}

/// A container's `env` entries with a plain `value` (those from secrets and the
/// downward API have no meaning here), but never `PORT`: the emulator picks it.
fn plain_env(container: &Value) -> Vec<(String, String)> {
    container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.to_string(),
            ))
        })
        .filter(|(name, _)| name != "PORT")
        .collect()
}
