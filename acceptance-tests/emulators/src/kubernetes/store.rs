//! One cluster's objects, apart from HTTP: every write gets a new `resourceVersion`;
//! objects get a `uid`, a `creationTimestamp` and a `generation` that follows their
//! spec; server-side apply tracks which field manager owns which fields.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::defaults;
use super::kinds::{self, Kind};
use super::patch;
use super::selectors::{FieldSelector, LabelSelector};
use super::status::{self, ApiError, ApiResult};
use super::validate;

/// Where an object lives: its type, namespace (`""` for cluster-scoped) and name.
pub type Key = (&'static str, String, String);

/// How a write is made, for `managedFields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Apply,
    Update,
}

#[derive(Debug, Clone)]
struct Manager {
    operation: Operation,
    time: String,
    fields: BTreeSet<Vec<String>>,
}

#[derive(Debug, Clone)]
struct Stored {
    object: Value,
    managers: BTreeMap<String, Manager>,
}

/// A change to an object.
#[derive(Debug, Clone)]
pub enum Change {
    /// `PUT`: the whole object.
    Replace(Value),
    /// `application/merge-patch+json` (and strategic merge, lists replaced whole).
    Merge(Value),
    /// `application/json-patch+json`.
    Json(Value),
    /// `application/apply-patch+yaml` with a JSON body.
    Apply { object: Value, force: bool },
}

/// Which part of the object a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Main,
    Status,
}

#[derive(Debug, Default)]
pub struct Store {
    objects: BTreeMap<Key, Stored>,
    revision: u64,
}

/// Fields the server owns; never part of a manager's set.
const SERVER_FIELDS: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "deletionTimestamp",
    "selfLink",
];

impl Store {
    fn next_revision(&mut self) -> String {
        self.revision += 1;
        self.revision.to_string()
    }

    /// The list's `resourceVersion`: the newest write.
    pub fn revision(&self) -> String {
        self.revision.to_string()
    }

    pub fn get(&self, kind: &Kind, namespace: &str, name: &str) -> ApiResult<Value> {
        self.find(kind, namespace, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(kind, name))
    }

    pub fn find(&self, kind: &Kind, namespace: &str, name: &str) -> Option<&Value> {
        self.objects
            .get(&(kind.plural, namespace.to_string(), name.to_string()))
            .map(|stored| &stored.object)
    }

    /// Objects of one type (in one namespace, or all when `None`), by name.
    pub fn all<'a>(
        &'a self,
        kind: &'a Kind,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects
            .iter()
            .filter(move |((plural, ns, _), _)| {
                *plural == kind.plural && namespace.is_none_or(|n| n == ns)
            })
            .map(|(_, stored)| &stored.object)
    }

    /// Every object, for records.
    pub fn everything(&self) -> impl Iterator<Item = (&Key, &Value)> {
        self.objects
            .iter()
            .map(|(key, stored)| (key, &stored.object))
    }

    pub fn list(
        &self,
        kind: &Kind,
        namespace: Option<&str>,
        labels: &LabelSelector,
        fields: &FieldSelector,
    ) -> Value {
        let items: Vec<Value> = self
            .all(kind, namespace)
            .filter(|object| {
                labels.matches(&object["metadata"]["labels"]) && fields.matches(object)
            })
            .map(|object| {
                // Items of a typed list carry no kind/apiVersion, as the API server writes them.
                let mut item = object.clone();
                if let Some(map) = item.as_object_mut() {
                    map.remove("kind");
                    map.remove("apiVersion");
                }
                item
            })
            .collect();
        json!({
            "kind": kind.list_kind(),
            "apiVersion": kind.api_version(),
            "metadata": {"resourceVersion": self.revision()},
            "items": items,
        })
    }

    /// A client's create.
    pub fn create(
        &mut self,
        kind: &'static Kind,
        namespace: &str,
        mut object: Value,
        manager: &str,
    ) -> ApiResult<Value> {
        check_type(kind, &object)?;
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = if name.is_empty() {
            match object["metadata"]["generateName"].as_str() {
                Some(prefix) => format!("{prefix}{}", random_suffix()),
                None => name,
            }
        } else {
            name
        };
        if !object["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
        {
            return Err(ApiError::bad_request(
                "resourceVersion should not be set on objects to be created",
            ));
        }
        self.check_namespace(kind, namespace, &object)?;
        if self.find(kind, namespace, &name).is_some() {
            return Err(ApiError::already_exists(kind, &name));
        }
        object["metadata"]["name"] = json!(name);
        if kind.namespaced {
            object["metadata"]["namespace"] = json!(namespace);
        }
        // Status is the server's on create, except a Node's: kubelets register with it.
        if kind.has_status
            && kind.plural != "nodes"
            && let Some(map) = object.as_object_mut()
        {
            map.remove("status");
        }
        defaults::apply(kind, &mut object);
        validate::check(kind, &object)?;
        let fields = owned_leaves(&object, Part::Main);
        let mut managers = BTreeMap::new();
        managers.insert(
            manager.to_string(),
            Manager {
                operation: Operation::Update,
                time: now(),
                fields: fields.into_iter().collect(),
            },
        );
        self.insert_new(kind, namespace, object, managers)
    }

    fn insert_new(
        &mut self,
        kind: &'static Kind,
        namespace: &str,
        mut object: Value,
        managers: BTreeMap<String, Manager>,
    ) -> ApiResult<Value> {
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        object["apiVersion"] = json!(kind.api_version());
        object["kind"] = json!(kind.kind);
        let metadata = &mut object["metadata"];
        metadata["uid"] = json!(uuid::Uuid::new_v4().to_string());
        metadata["creationTimestamp"] = json!(now());
        metadata["resourceVersion"] = json!(self.next_revision());
        if kind.has_spec {
            metadata["generation"] = json!(1);
        }
        let mut stored = Stored { object, managers };
        render_managers(&mut stored, kind);
        let object = stored.object.clone();
        self.objects
            .insert((kind.plural, namespace.to_string(), name), stored);
        Ok(object)
    }

    /// A client's replace, merge patch, JSON patch or apply.
    pub fn change(
        &mut self,
        kind: &'static Kind,
        namespace: &str,
        name: &str,
        change: Change,
        part: Part,
        manager: &str,
    ) -> ApiResult<Value> {
        let key = (kind.plural, namespace.to_string(), name.to_string());
        let Some(stored) = self.objects.get(&key).cloned() else {
            if let Change::Apply { object, .. } = change
                && part == Part::Main
            {
                return self.apply_create(kind, namespace, name, object, manager);
            }
            return Err(ApiError::not_found(kind, name));
        };
        let old = stored.object.clone();
        let mut managers = stored.managers.clone();
        let is_apply = matches!(change, Change::Apply { .. });
        let (mut new, precondition) = match change {
            Change::Replace(object) => {
                check_type(kind, &object)?;
                let body_name = object["metadata"]["name"].as_str().unwrap_or_default();
                if body_name != name {
                    return Err(ApiError::bad_request(format!(
                        "the name of the object ({body_name}) does not match the name on the URL ({name})"
                    )));
                }
                let version = object["metadata"]["resourceVersion"]
                    .as_str()
                    .map(str::to_string);
                (object, version)
            }
            Change::Merge(body) => {
                let version = body["metadata"]["resourceVersion"]
                    .as_str()
                    .map(str::to_string);
                let mut new = old.clone();
                patch::merge_patch(&mut new, &body);
                (new, version)
            }
            Change::Json(body) => {
                let mut new = old.clone();
                patch::json_patch(&mut new, &body)?;
                (new, None)
            }
            Change::Apply { object, force } => {
                check_type(kind, &object)?;
                let version = object["metadata"]["resourceVersion"]
                    .as_str()
                    .map(str::to_string);
                check_version(kind, name, &old, version.as_deref())?;
                let new = apply(
                    kind,
                    name,
                    &old,
                    &object,
                    part,
                    manager,
                    force,
                    &mut managers,
                )?;
                (new, None)
            }
        };
        check_version(kind, name, &old, precondition.as_deref())?;
        // The part a write may not touch keeps its old value.
        keep_other_part(kind, part, &old, &mut new);
        // The server's metadata stays the server's.
        for field in [
            "uid",
            "creationTimestamp",
            "generation",
            "deletionTimestamp",
            "managedFields",
            "name",
        ] {
            match old["metadata"].get(field) {
                Some(value) => new["metadata"][field] = value.clone(),
                None => {
                    if let Some(map) = new["metadata"].as_object_mut() {
                        map.remove(field);
                    }
                }
            }
        }
        if kind.namespaced {
            new["metadata"]["namespace"] = json!(namespace);
        }
        new["apiVersion"] = json!(kind.api_version());
        new["kind"] = json!(kind.kind);
        defaults::apply(kind, &mut new);
        validate::check(kind, &new)?;
        super::rbac::check_update(kind, &old, &new)?;
        if !is_apply {
            record_update(&old, &new, part, manager, &mut managers);
        }
        new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"].clone();
        if new == old {
            // A no-op write keeps the resourceVersion, as the API server does.
            return Ok(old);
        }
        if kind.has_spec && spec_of(&new) != spec_of(&old) {
            let generation = old["metadata"]["generation"].as_i64().unwrap_or(1);
            new["metadata"]["generation"] = json!(generation + 1);
        }
        new["metadata"]["resourceVersion"] = json!(self.next_revision());
        let mut stored = Stored {
            object: new,
            managers,
        };
        render_managers(&mut stored, kind);
        let object = stored.object.clone();
        self.objects.insert(key, stored);
        Ok(object)
    }

    fn apply_create(
        &mut self,
        kind: &'static Kind,
        namespace: &str,
        name: &str,
        mut object: Value,
        manager: &str,
    ) -> ApiResult<Value> {
        check_type(kind, &object)?;
        let body_name = object["metadata"]["name"].as_str().unwrap_or_default();
        if body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        self.check_namespace(kind, namespace, &object)?;
        if kind.namespaced {
            object["metadata"]["namespace"] = json!(namespace);
        }
        let fields = owned_leaves(&object, Part::Main);
        if kind.has_status
            && kind.plural != "nodes"
            && let Some(map) = object.as_object_mut()
        {
            map.remove("status");
        }
        defaults::apply(kind, &mut object);
        validate::check(kind, &object)?;
        let mut managers = BTreeMap::new();
        managers.insert(
            manager.to_string(),
            Manager {
                operation: Operation::Apply,
                time: now(),
                fields: fields.into_iter().collect(),
            },
        );
        self.insert_new(kind, namespace, object, managers)
    }

    /// A client's delete: a namespace goes `Terminating` (and is answered as such);
    /// anything else goes at once (answered with a `Success` Status).
    pub fn delete(&mut self, kind: &'static Kind, namespace: &str, name: &str) -> ApiResult<Value> {
        let key = (kind.plural, namespace.to_string(), name.to_string());
        let Some(stored) = self.objects.get_mut(&key) else {
            return Err(ApiError::not_found(kind, name));
        };
        if kind.plural == "namespaces" {
            if stored.object["metadata"]["deletionTimestamp"].is_null() {
                stored.object["metadata"]["deletionTimestamp"] = json!(now());
                stored.object["status"]["phase"] = json!("Terminating");
                self.revision += 1;
                let revision = self.revision.to_string();
                let stored = self.objects.get_mut(&key).expect("found above");
                stored.object["metadata"]["resourceVersion"] = json!(revision);
            }
            return Ok(self.objects[&key].object.clone());
        }
        let removed = self.objects.remove(&key).expect("found above");
        self.revision += 1;
        let uid = removed.object["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Ok(status::deleted(kind, name, &uid))
    }

    /// Removes an object without a client asking (garbage collection, finalized
    /// namespaces, pods the controllers replace).
    pub fn remove(&mut self, key: &Key) -> Option<Value> {
        let removed = self.objects.remove(key).map(|stored| stored.object);
        if removed.is_some() {
            self.revision += 1;
        }
        removed
    }

    /// Writes an object as the emulator's own controllers do (pods, events, status):
    /// no validation, a new resourceVersion, server metadata made when missing.
    pub fn put_system(&mut self, kind: &'static Kind, namespace: &str, mut object: Value) -> Value {
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let key = (kind.plural, namespace.to_string(), name.clone());
        object["apiVersion"] = json!(kind.api_version());
        object["kind"] = json!(kind.kind);
        if kind.namespaced {
            object["metadata"]["namespace"] = json!(namespace);
        }
        if let Some(old) = self.objects.get(&key) {
            if old.object == object {
                return object;
            }
            let managers = old.managers.clone();
            object["metadata"]["resourceVersion"] = json!(self.next_revision());
            let mut stored = Stored { object, managers };
            render_managers(&mut stored, kind);
            let object = stored.object.clone();
            self.objects.insert(key, stored);
            return object;
        }
        self.insert_new(kind, namespace, object, BTreeMap::new())
            .expect("system writes are valid")
    }

    /// Namespaces being deleted lose their objects, then go.
    pub fn finalize_namespaces(&mut self) {
        let terminating: Vec<String> = self
            .objects
            .iter()
            .filter(|((plural, _, _), stored)| {
                *plural == "namespaces" && !stored.object["metadata"]["deletionTimestamp"].is_null()
            })
            .map(|((_, _, name), _)| name.clone())
            .collect();
        for namespace in terminating {
            let inside: Vec<Key> = self
                .objects
                .keys()
                .filter(|(_, ns, _)| *ns == namespace)
                .cloned()
                .collect();
            for key in inside {
                self.remove(&key);
            }
            self.remove(&("namespaces", String::new(), namespace));
        }
    }

    /// Objects whose owners are all gone go too, as the garbage collector does.
    pub fn collect_garbage(&mut self) {
        let uids: BTreeSet<String> = self
            .objects
            .values()
            .filter_map(|stored| {
                stored.object["metadata"]["uid"]
                    .as_str()
                    .map(str::to_string)
            })
            .collect();
        let orphans: Vec<Key> = self
            .objects
            .iter()
            .filter(|(_, stored)| {
                stored.object["metadata"]["ownerReferences"]
                    .as_array()
                    .is_some_and(|owners| {
                        !owners.is_empty()
                            && owners
                                .iter()
                                .all(|o| !o["uid"].as_str().is_some_and(|u| uids.contains(u)))
                    })
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in orphans {
            self.remove(&key);
        }
    }

    fn check_namespace(&self, kind: &Kind, namespace: &str, object: &Value) -> ApiResult<()> {
        if !kind.namespaced {
            return Ok(());
        }
        if let Some(body) = object["metadata"]["namespace"].as_str()
            && !body.is_empty()
            && body != namespace
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        let namespaces = kinds::find("", "v1", "namespaces").expect("namespaces are served");
        match self.find(namespaces, "", namespace) {
            None => Err(ApiError::not_found(namespaces, namespace)),
            Some(ns) if !ns["metadata"]["deletionTimestamp"].is_null() => {
                Err(ApiError::forbidden_on(
                    kind,
                    object["metadata"]["name"].as_str().unwrap_or_default(),
                    &format!(
                        "unable to create new content in namespace {namespace} because it is being terminated"
                    ),
                ))
            }
            Some(_) => Ok(()),
        }
    }
}

/// Server-side apply: the applied fields merge in; fields this manager applied
/// before and no longer does go (unless another manager owns them); a field another
/// manager owns with another value is a conflict unless `force`.
#[allow(clippy::too_many_arguments)]
fn apply(
    kind: &Kind,
    name: &str,
    old: &Value,
    applied: &Value,
    part: Part,
    manager: &str,
    force: bool,
    managers: &mut BTreeMap<String, Manager>,
) -> ApiResult<Value> {
    let fields: BTreeSet<Vec<String>> = owned_leaves(applied, part).into_iter().collect();
    let mut conflicts = Vec::new();
    for (other, owned) in managers.iter_mut().filter(|(m, _)| m.as_str() != manager) {
        let contested: Vec<Vec<String>> = owned
            .fields
            .iter()
            .filter(|field| {
                fields.contains(*field) && patch::get(old, field) != patch::get(applied, field)
            })
            .cloned()
            .collect();
        for field in contested {
            if force {
                owned.fields.remove(&field);
            } else {
                conflicts.push((other.clone(), patch::dotted(&field)));
            }
        }
    }
    if !conflicts.is_empty() {
        return Err(ApiError::apply_conflict(kind, name, conflicts));
    }
    let mut new = old.clone();
    let previous = managers
        .get(manager)
        .map(|m| m.fields.clone())
        .unwrap_or_default();
    for dropped in previous.difference(&fields) {
        let shared = managers
            .iter()
            .any(|(m, owned)| m != manager && owned.fields.contains(dropped));
        if !shared {
            patch::remove(&mut new, dropped);
        }
    }
    for field in &fields {
        if let Some(value) = patch::get(applied, field) {
            patch::set(&mut new, field, value.clone());
        }
    }
    managers.retain(|_, owned| !owned.fields.is_empty());
    managers.insert(
        manager.to_string(),
        Manager {
            operation: Operation::Apply,
            time: now(),
            fields,
        },
    );
    Ok(new)
}

/// A non-apply write: the fields it changed become the writer's.
fn record_update(
    old: &Value,
    new: &Value,
    part: Part,
    manager: &str,
    managers: &mut BTreeMap<String, Manager>,
) {
    let before: BTreeSet<Vec<String>> = owned_leaves(old, part).into_iter().collect();
    let after: BTreeSet<Vec<String>> = owned_leaves(new, part).into_iter().collect();
    let changed: BTreeSet<Vec<String>> = after
        .iter()
        .filter(|field| {
            !before.contains(*field) || patch::get(old, field) != patch::get(new, field)
        })
        .cloned()
        .collect();
    let gone: BTreeSet<Vec<String>> = before.difference(&after).cloned().collect();
    if changed.is_empty() && gone.is_empty() {
        return;
    }
    for owned in managers.values_mut() {
        owned
            .fields
            .retain(|field| !changed.contains(field) && !gone.contains(field));
    }
    let entry = managers.entry(manager.to_string()).or_insert(Manager {
        operation: Operation::Update,
        time: now(),
        fields: BTreeSet::new(),
    });
    entry.fields.extend(changed);
    entry.time = now();
    managers.retain(|_, owned| !owned.fields.is_empty());
}

/// The leaves a manager can own in the part of the object a write addresses.
fn owned_leaves(object: &Value, part: Part) -> Vec<Vec<String>> {
    patch::leaves(object)
        .into_iter()
        .filter(|path| match path.first().map(String::as_str) {
            Some("apiVersion" | "kind") | None => false,
            Some("metadata") => {
                part == Part::Main
                    && !path
                        .get(1)
                        .is_some_and(|f| SERVER_FIELDS.contains(&f.as_str()))
            }
            Some("status") => part == Part::Status,
            Some(_) => part == Part::Main,
        })
        .collect()
}

/// Renders the managers as `metadata.managedFields` (FieldsV1).
fn render_managers(stored: &mut Stored, kind: &Kind) {
    let entries: Vec<Value> = stored
        .managers
        .iter()
        .map(|(name, manager)| {
            let mut fields = Value::Object(Map::new());
            for path in &manager.fields {
                let keyed: Vec<String> = path.iter().map(|key| format!("f:{key}")).collect();
                patch::set(&mut fields, &keyed, json!({}));
            }
            json!({
                "manager": name,
                "operation": match manager.operation { Operation::Apply => "Apply", Operation::Update => "Update" },
                "apiVersion": kind.api_version(),
                "time": manager.time,
                "fieldsType": "FieldsV1",
                "fieldsV1": fields,
            })
        })
        .collect();
    if entries.is_empty() {
        if let Some(map) = stored.object["metadata"].as_object_mut() {
            map.remove("managedFields");
        }
    } else {
        stored.object["metadata"]["managedFields"] = Value::Array(entries);
    }
}

fn check_type(kind: &Kind, object: &Value) -> ApiResult<()> {
    if !object.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request must be a JSON object",
        ));
    }
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    let object_kind = object["kind"].as_str().unwrap_or_default();
    if (!api_version.is_empty() && api_version != kind.api_version())
        || (!object_kind.is_empty() && object_kind != kind.kind)
    {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({}), or the kind ({object_kind}) is not {}",
            kind.api_version(),
            kind.kind
        )));
    }
    Ok(())
}

fn check_version(kind: &Kind, name: &str, old: &Value, version: Option<&str>) -> ApiResult<()> {
    match version {
        Some(version)
            if !version.is_empty()
                && Some(version) != old["metadata"]["resourceVersion"].as_str() =>
        {
            Err(ApiError::conflict(kind, name))
        }
        _ => Ok(()),
    }
}

fn keep_other_part(kind: &Kind, part: Part, old: &Value, new: &mut Value) {
    if !kind.has_status {
        return;
    }
    match part {
        Part::Main => match old.get("status") {
            Some(status) => new["status"] = status.clone(),
            None => {
                if let Some(map) = new.as_object_mut() {
                    map.remove("status");
                }
            }
        },
        Part::Status => {
            let status = new.get("status").cloned();
            *new = old.clone();
            match status {
                Some(status) => new["status"] = status,
                None => {
                    if let Some(map) = new.as_object_mut() {
                        map.remove("status");
                    }
                }
            }
        }
    }
}

/// Everything but metadata and status: what `generation` follows.
fn spec_of(object: &Value) -> Value {
    let mut spec = object.clone();
    if let Some(map) = spec.as_object_mut() {
        map.remove("metadata");
        map.remove("status");
    }
    spec
}

/// RFC 3339 to the second, as the API server writes timestamps.
pub fn now() -> String {
    let precise = crate::gcp::clock::now_rfc3339();
    format!("{}Z", &precise[..19])
}

/// Five characters as `generateName` and pod names end with.
pub fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .take(5)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}
