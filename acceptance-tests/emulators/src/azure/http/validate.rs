//! Property checks the resource providers make, with their error answers.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Value, json};

use crate::azure::errors::ArmError;

/// An enum property: matched without regard to case, as the resource providers
/// deserialize them, and stored in its canonical spelling; anything else is AKS's
/// `InvalidParameter` naming the allowed values.
pub fn enum_value(
    body: &mut Value,
    pointer: &str,
    target: &str,
    allowed: &[&str],
) -> Result<(), ArmError> {
    let Some(value) = body.pointer_mut(pointer) else {
        return Ok(());
    };
    if value.is_null() {
        return Ok(());
    }
    let given = value.as_str().unwrap_or_default().to_string();
    match allowed
        .iter()
        .find(|candidate| candidate.eq_ignore_ascii_case(&given))
    {
        Some(canonical) => {
            *value = json!(canonical);
            Ok(())
        }
        None => Err(ArmError::invalid_parameter(
            target,
            &format!(
                "'{given}' is not a valid value; allowed values are {}",
                allowed.join(", ")
            ),
        )),
    }
}

/// The resource's `location`, required on create.
pub fn location(body: &Value) -> Result<String, ArmError> {
    match body["location"].as_str() {
        Some(location) if !location.is_empty() => Ok(normalize_location(location)),
        _ => Err(ArmError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        )),
    }
}

/// `East US` and `eastus` are the same region; ARM answers the short form.
pub fn normalize_location(location: &str) -> String {
    location.replace(' ', "").to_ascii_lowercase()
}

/// A write to an existing resource may not move it.
pub fn same_location(
    existing: &Value,
    location: &str,
    id: &str,
    group: &str,
) -> Result<(), ArmError> {
    let current = existing["location"].as_str().unwrap_or_default();
    if !current.is_empty() && current != location {
        return Err(ArmError::conflict(
            "InvalidResourceLocation",
            format!(
                "The resource '{}' already exists in location '{current}' in resource group '{group}'. A resource with the same name cannot be created in location '{location}'. Please select a new resource name.",
                id.rsplit('/').next().unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// A property that cannot change once set.
pub fn unchanged(existing: &Value, new: &Value, pointer: &str, name: &str) -> Result<(), ArmError> {
    let (old, new) = (existing.pointer(pointer), new.pointer(pointer));
    match (old, new) {
        (Some(old), Some(new)) if !new.is_null() && old != new => Err(ArmError::bad_request(
            "PropertyChangeNotAllowed",
            format!("Changing property '{name}' is not allowed."),
        )
        .with_target(name)),
        _ => Ok(()),
    }
}

/// Tags: at most 50, names up to 512 characters, values up to 256.
pub fn tags(body: &Value) -> Result<Value, ArmError> {
    let tags = body.get("tags").cloned().unwrap_or_else(|| json!({}));
    let Some(map) = tags.as_object() else {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: 'tags must be an object'.",
        ));
    };
    if map.len() > 50 {
        return Err(ArmError::bad_request(
            "InvalidTagCount",
            "The number of tags exceeds the limit of 50.",
        ));
    }
    for (name, value) in map {
        if name.len() > 512 || value.as_str().is_some_and(|v| v.len() > 256) {
            return Err(ArmError::bad_request(
                "InvalidTagNameCharacters",
                format!(
                    "The tag name '{name}' or its value is too long: names are limited to 512 characters, values to 256."
                ),
            ));
        }
    }
    Ok(tags)
}

fn pattern(cell: &'static OnceLock<Regex>, source: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(source).expect("a valid pattern"))
}

pub fn cluster_name_ok(name: &str) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    pattern(
        &CELL,
        r"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$",
    )
    .is_match(name)
}

pub fn agent_pool_name_ok(name: &str) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    pattern(&CELL, r"^[a-z][a-z0-9]{0,11}$").is_match(name)
}

/// Vaults: 3-24 characters, alphanumerics and hyphens, starting with a letter, ending
/// with a letter or digit, no consecutive hyphens.
pub fn vault_name_ok(name: &str) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    pattern(&CELL, r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$").is_match(name)
        && !name.contains("--")
}

pub fn key_name_ok(name: &str) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    pattern(&CELL, r"^[a-zA-Z0-9-]{1,127}$").is_match(name)
}

/// User-assigned identities and federated credentials: 3-128 characters, starting
/// with a letter or digit, then letters, digits, hyphens and underscores.
pub fn identity_name_ok(name: &str) -> bool {
    static CELL: OnceLock<Regex> = OnceLock::new();
    pattern(&CELL, r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$").is_match(name)
}

pub fn guid_ok(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok() && text.len() == 36
}

/// ISO 8601 durations as Key Vault's rotation policies write them (`P90D`, `P1Y`,
/// `P2Y6M`, `PT12H`): their length in days, roughly (a month is 30 days).
pub fn iso_duration_days(text: &str) -> Option<f64> {
    static CELL: OnceLock<Regex> = OnceLock::new();
    let re = pattern(
        &CELL,
        r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$",
    );
    if text == "P" || text.ends_with('T') {
        return None;
    }
    let captures = re.captures(text)?;
    let number = |index: usize| {
        captures
            .get(index)
            .and_then(|m| m.as_str().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    Some(
        number(1) * 365.0
            + number(2) * 30.0
            + number(3) * 7.0
            + number(4)
            + number(5) / 24.0
            + number(6) / 1440.0
            + number(7) / 86_400.0,
    )
}
