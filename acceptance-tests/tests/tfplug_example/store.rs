//! The example provider's "cloud": one JSON file per item, `<state_dir>/<id>.json`.
//! Tests read it to check what the provider really did and edit it to simulate
//! changes made outside Terraform.

use std::path::{Path, PathBuf};

use acceptance_tests::{HarnessError, Workdir};
use serde_json::Value;

pub struct ItemStore {
    dir: PathBuf,
}

impl ItemStore {
    /// An empty store beside the workdir's module.
    pub fn new(workdir: &Workdir) -> Result<Self, HarnessError> {
        Ok(ItemStore {
            dir: workdir.scratch_dir("items")?,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The ids of the stored items, sorted.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::fs::read_dir(&self.dir)
            .expect("the item store is readable")
            .map(|entry| entry.expect("the item store is readable").file_name())
            .filter_map(|name| name.to_str()?.strip_suffix(".json").map(str::to_owned))
            .collect();
        ids.sort();
        ids
    }

    /// The stored record of item `id`; panics when there is none.
    #[track_caller]
    pub fn record(&self, id: &str) -> Value {
        let path = self.path(id);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "no record for {id} at {}: {error}; stored: {:?}",
                path.display(),
                self.ids()
            )
        });
        serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("{}: {error}\n{text}", path.display()))
    }

    /// Stores item `name` as something outside Terraform would (a console, a script),
    /// for Terraform to find and import.
    pub fn put_out_of_band(&self, name: &str, value: &str, size: i64) {
        let record = serde_json::json!({
            "id": format!("item-{name}"),
            "name": name,
            "value": value,
            "size": size,
            "tags": {"made-by": "console"},
            "secret": null,
            "created_at": "1700000000",
        });
        std::fs::write(self.path(&format!("item-{name}")), record.to_string())
            .expect("the item's record can be written");
    }

    /// The lines `example_notify` "sent", in order.
    pub fn outbox(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("outbox.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Deletes item `id` behind Terraform's back.
    pub fn delete_out_of_band(&self, id: &str) {
        std::fs::remove_file(self.path(id)).expect("the item's record can be deleted");
    }

    /// Changes item `id`'s `value` behind Terraform's back.
    pub fn set_value_out_of_band(&self, id: &str, value: &str) {
        let mut record = self.record(id);
        record["value"] = Value::from(value);
        std::fs::write(self.path(id), record.to_string())
            .expect("the item's record can be written");
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }
}
