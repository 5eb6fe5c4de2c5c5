//! The example's "cloud": a directory of JSON files, one per item.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;

/// One stored item, as the "cloud" records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub id: String,
    pub name: String,
    pub value: Option<String>,
    pub size: i64,
    pub tags: Option<BTreeMap<String, String>>,
    pub secret: Option<String>,
    pub created_at: String,
}

pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn open(dir: &str) -> io::Result<Self> {
        if dir.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "state_dir is empty",
            ));
        }
        std::fs::create_dir_all(dir)?;
        Ok(Store { dir: dir.into() })
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    pub fn get(&self, id: &str) -> io::Result<Option<Record>> {
        match std::fs::read(self.path(id)) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(io::Error::other),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn put(&self, r: &Record) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(r).map_err(io::Error::other)?;
        std::fs::write(self.path(&r.id), bytes)
    }

    /// Every stored item, by id.
    pub fn list(&self) -> io::Result<Vec<Record>> {
        let mut records = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let path = entry?.path();
            let id = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if let Some(id) = id.strip_suffix(".json") {
                records.extend(self.get(id)?);
            }
        }
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(records)
    }

    /// Appends `line` to the outbox, where `example_notify` "sends" its messages.
    pub fn send(&self, line: &str) -> io::Result<()> {
        use std::io::Write;
        let mut outbox = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("outbox.log"))?;
        writeln!(outbox, "{line}")
    }

    pub fn delete(&self, id: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(id)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
