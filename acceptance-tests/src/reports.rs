//! The JSON documents terraform prints, as the scenarios read them.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// `terraform validate -json`.
#[derive(Clone, Debug, Deserialize)]
pub struct ValidateReport {
    pub valid: bool,
    pub error_count: u32,
    pub diagnostics: Vec<Diagnostic>,
}

/// One diagnostic of `validate -json`.
#[derive(Clone, Debug, Deserialize)]
pub struct Diagnostic {
    /// `"error"` or `"warning"`.
    pub severity: String,
    pub summary: String,
    #[serde(default)]
    pub detail: String,
    /// The configuration the diagnostic points at, when it has a source location.
    pub snippet: Option<Snippet>,
}

/// The source lines of a diagnostic's location.
#[derive(Clone, Debug, Deserialize)]
pub struct Snippet {
    /// The lines of configuration, e.g. `  size = 500`.
    pub code: String,
}

impl Diagnostic {
    /// Whether the summary and detail, taken together, contain every one of `texts`.
    pub fn says_all(&self, texts: &[&str]) -> bool {
        let text = format!("{} {}", self.summary, self.detail);
        texts.iter().all(|needle| text.contains(needle))
    }

    /// The configuration it points at, trimmed and with each run of whitespace as
    /// one space (so the alignment `terraform fmt` adds does not matter); `None`
    /// without a source location.
    pub fn pointed_code(&self) -> Option<String> {
        self.snippet.as_ref().map(|s| squeeze(&s.code))
    }
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Finds the error among `diagnostics` (from `plan -json`, `validate -json`, ...)
/// whose summary and detail name every one of `says`, and checks that it points at
/// the configuration line `points_at` (compared as [`Diagnostic::pointed_code`] does:
/// trimmed, runs of whitespace as one space). Panics naming `what` and listing every
/// diagnostic when no error says it, or when it points elsewhere; returns the error
/// for further checks.
///
/// ```ignore
/// let diagnostics = workdir.failed_plan_diagnostics()?;
/// assert_error_points_at(&diagnostics, "alias prefix", &["aws/"], r#"name = "aws/etcd""#);
/// ```
#[track_caller]
pub fn assert_error_points_at<'a>(
    diagnostics: &'a [Diagnostic],
    what: &str,
    says: &[&str],
    points_at: &str,
) -> &'a Diagnostic {
    let error = diagnostics
        .iter()
        .filter(|d| d.severity == "error")
        .find(|d| d.says_all(says))
        .unwrap_or_else(|| panic!("{what}: no error saying {says:?}: {diagnostics:#?}"));
    assert_eq!(
        error.pointed_code().as_deref(),
        Some(squeeze(points_at).as_str()),
        "{what}: the error should point at the attribute: {error:#?}"
    );
    error
}

impl ValidateReport {
    /// The errors whose summary or detail mentions `text`.
    pub fn errors_mentioning(&self, text: &str) -> Vec<&Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == "error")
            .filter(|diagnostic| {
                diagnostic.summary.contains(text) || diagnostic.detail.contains(text)
            })
            .collect()
    }
}

/// `terraform show -json` of the current state.
#[derive(Clone, Debug)]
pub struct State(pub Value);

impl State {
    /// The addresses of the root module's resources and data sources, e.g.
    /// `example_item.a`, `data.example_lookup.a`.
    pub fn addresses(&self) -> Vec<&str> {
        self.root_resources()
            .filter_map(|resource| resource["address"].as_str())
            .collect()
    }

    /// The attribute values of the resource at `address` (root module), if present.
    pub fn resource(&self, address: &str) -> Option<&Value> {
        self.root_resources()
            .find(|resource| resource["address"] == address)
            .map(|resource| &resource["values"])
    }

    fn root_resources(&self) -> impl Iterator<Item = &Value> {
        // An empty state has no `values` at all.
        self.0["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
    }
}

/// `terraform output -json`: each output's value by name.
#[derive(Clone, Debug, Deserialize)]
pub struct Outputs(BTreeMap<String, OutputJson>);

#[derive(Clone, Debug, Deserialize)]
struct OutputJson {
    value: Value,
}

impl Outputs {
    /// The value of output `name`; panics naming the outputs there are when it is missing.
    #[track_caller]
    pub fn value(&self, name: &str) -> &Value {
        match self.0.get(name) {
            Some(output) => &output.value,
            None => panic!(
                "no output named {name:?}; outputs: {:?}",
                self.0.keys().collect::<Vec<_>>()
            ),
        }
    }

    /// The value of output `name` as a string; panics when it is not one.
    #[track_caller]
    pub fn string(&self, name: &str) -> &str {
        let value = self.value(name);
        value
            .as_str()
            .unwrap_or_else(|| panic!("output {name:?} is not a string: {value}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diagnostic(severity: &str, summary: &str, code: &str) -> Diagnostic {
        Diagnostic {
            severity: severity.into(),
            summary: summary.into(),
            detail: "the detail".into(),
            snippet: Some(Snippet { code: code.into() }),
        }
    }

    #[test]
    fn the_error_naming_the_texts_is_found_and_its_line_compared_without_alignment() {
        let diagnostics = [
            diagnostic("warning", "bad name", r#"  name = "x""#),
            diagnostic("error", "bad name", r#"  name    = "x""#),
        ];
        let error =
            assert_error_points_at(&diagnostics, "name", &["bad", "detail"], r#"name = "x""#);
        assert_eq!(error.severity, "error");
    }

    #[test]
    #[should_panic(expected = "should point at the attribute")]
    fn an_error_on_another_line_fails() {
        let diagnostics = [diagnostic("error", "bad name", r#"tags = {}"#)];
        assert_error_points_at(&diagnostics, "name", &["bad"], r#"name = "x""#);
    }

    #[test]
    #[should_panic(expected = "no error saying")]
    fn no_error_saying_the_texts_fails() {
        let diagnostics = [diagnostic("warning", "bad name", r#"name = "x""#)];
        assert_error_points_at(&diagnostics, "name", &["bad"], r#"name = "x""#);
    }

    #[test]
    fn state_finds_root_resources_by_address() {
        let state = State(json!({
            "values": { "root_module": { "resources": [
                { "address": "example_item.a", "values": { "id": "item-a" } },
                { "address": "data.example_lookup.a", "values": { "id": "item-a" } }
            ] } }
        }));
        assert_eq!(
            state.addresses(),
            ["example_item.a", "data.example_lookup.a"]
        );
        assert_eq!(state.resource("example_item.a").unwrap()["id"], "item-a");
        assert!(state.resource("example_item.b").is_none());
    }

    #[test]
    fn an_empty_state_has_no_resources() {
        let state = State(json!({ "format_version": "0.2" }));
        assert!(state.addresses().is_empty());
    }

    #[test]
    fn validate_report_selects_errors_by_text() {
        let report: ValidateReport = serde_json::from_value(json!({
            "valid": false, "error_count": 1, "warning_count": 1,
            "diagnostics": [
                { "severity": "warning", "summary": "size is deprecated", "detail": "" },
                { "severity": "error", "summary": "Invalid size",
                  "detail": "must be between 1 and 100, got 500",
                  "snippet": { "code": "  size = 500", "start_line": 3 } }
            ]
        }))
        .unwrap();
        let errors = report.errors_mentioning("size");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].snippet.as_ref().unwrap().code, "  size = 500");
    }

    #[test]
    fn outputs_read_values() {
        let outputs: Outputs = serde_json::from_value(json!({
            "id": { "sensitive": false, "type": "string", "value": "item-a" }
        }))
        .unwrap();
        assert_eq!(outputs.string("id"), "item-a");
    }
}
