//! ARM tags: the user's tags plus mlcloud's markers on write; only the user's on read.

use crate::clouds::markers;
use crate::clouds::model::Tags;
use serde_json::{Map, Value};

/// What an object called `name` carries, as ARM's `tags` object.
pub fn expand(tags: &Tags, name: &str, extra: &[(&str, &str)]) -> Value {
    let mut all = markers::with_markers(tags, name);
    for (k, v) in extra {
        all.insert(k.to_string(), v.to_string());
    }
    Value::Object(
        all.into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect::<Map<_, _>>(),
    )
}

/// Every tag on an ARM body.
pub fn all(body: &Value) -> Tags {
    body.get("tags")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The user's tags on an ARM body (mlcloud's own hidden).
pub fn flatten(body: &Value) -> Tags {
    let all = all(body);
    markers::visible(all.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}
