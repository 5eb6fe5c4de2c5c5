//! Logs in the form Terraform parses from a provider's stderr: one JSON object per line
//! with `@level`, `@message`, `@module` and `@timestamp` plus the event's fields. The
//! level comes from `TF_LOG_PROVIDER`, else `TF_LOG`; unset means no logs.

use std::io::Write;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};

/// The level Terraform asked for, from `TF_LOG_PROVIDER` or `TF_LOG`.
pub fn level_from_env(provider_var: Option<&str>, global_var: Option<&str>) -> Option<Level> {
    let raw = provider_var.or(global_var)?.trim().to_ascii_uppercase();
    match raw.as_str() {
        "TRACE" | "JSON" => Some(Level::TRACE),
        "DEBUG" => Some(Level::DEBUG),
        "INFO" => Some(Level::INFO),
        "WARN" => Some(Level::WARN),
        "ERROR" => Some(Level::ERROR),
        // "OFF", empty, or anything Terraform itself would not accept.
        _ => None,
    }
}

/// Installs the JSON-lines logger on stderr for `module` (e.g. "provider.mlcloud"),
/// capping `quiet` targets (see [`JsonLines::quiet`]) at warn like the transport crates.
/// Does nothing when no level is set or a global subscriber already exists.
pub fn init(module: &str, quiet: &[&str]) {
    let provider = std::env::var("TF_LOG_PROVIDER").ok();
    let global = std::env::var("TF_LOG").ok();
    let Some(level) = level_from_env(provider.as_deref(), global.as_deref()) else {
        return;
    };
    let layer = JsonLines::new(module, level, || Box::new(std::io::stderr())).quiet(quiet);
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer));
}

/// A tracing layer writing Terraform's JSON log lines.
pub struct JsonLines {
    module: String,
    max: Level,
    quiet: Vec<String>,
    out: Box<dyn Fn() -> Box<dyn Write> + Send + Sync>,
}

impl JsonLines {
    /// A layer writing to whatever `out` returns (tests capture into a buffer).
    pub fn new(
        module: &str,
        max: Level,
        out: impl Fn() -> Box<dyn Write> + Send + Sync + 'static,
    ) -> Self {
        JsonLines {
            module: module.to_owned(),
            max,
            quiet: Vec::new(),
            out: Box::new(out),
        }
    }

    /// Also caps these targets at warn, whatever level Terraform asked for: a
    /// provider's cloud SDKs, whose debug and trace events carry request headers and
    /// bodies (signatures, tokens, credentials a user never meant to log). Each entry
    /// names a crate (`aws_config` matches `aws_config` and `aws_config::...`) or, ending
    /// in `_`, a family of crates (`aws_sdk_` matches `aws_sdk_kms::...`).
    pub fn quiet(mut self, targets: &[&str]) -> Self {
        self.quiet.extend(targets.iter().map(|t| t.to_string()));
        self
    }
}

/// Transport crates log every frame at debug/trace, headers included; only their
/// warnings help a user, and the rest can leak what a request carried. Same matching
/// as [`JsonLines::quiet`].
const NOISY_TARGETS: &[&str] = &[
    "h2",
    "hyper",
    "hyper_util",
    "hyper_rustls",
    "hyper_tls",
    "reqwest",
    "tower",
    "tower_http",
    "tonic",
    "rustls",
    "tokio_rustls",
    "tokio_util",
];

/// Whether `target` (a module path) belongs to the crate or crate family `name`.
fn in_crate(target: &str, name: &str) -> bool {
    if name.ends_with('_') {
        return target.starts_with(name);
    }
    target
        .strip_prefix(name)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

impl JsonLines {
    fn max_for(&self, target: &str) -> Level {
        let noisy = NOISY_TARGETS.iter().any(|n| in_crate(target, n))
            || self.quiet.iter().any(|n| in_crate(target, n));
        if noisy {
            self.max.min(Level::WARN)
        } else {
            self.max
        }
    }
}

#[derive(Default)]
struct Fields(serde_json::Map<String, serde_json::Value>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), format!("{value:?}").into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), value.into());
    }
}

impl<S: Subscriber> Layer<S> for JsonLines {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: LayerContext<'_, S>) -> bool {
        *meta.level() <= self.max_for(meta.target())
    }

    fn on_event(&self, event: &Event<'_>, _: LayerContext<'_, S>) {
        if *event.metadata().level() > self.max_for(event.metadata().target()) {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut line = serde_json::Map::new();
        let level = match *event.metadata().level() {
            Level::TRACE => "trace",
            Level::DEBUG => "debug",
            Level::INFO => "info",
            Level::WARN => "warn",
            Level::ERROR => "error",
        };
        line.insert("@level".into(), level.into());
        // go-plugin's log parser requires a string here; events without a message
        // (hyper's, h2's) would otherwise send null and crash Terraform's logger.
        let message = fields.0.remove("message").unwrap_or_else(|| "".into());
        line.insert("@message".into(), message);
        line.insert("@module".into(), self.module.clone().into());
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        line.insert("@timestamp".into(), now.into());
        line.extend(fields.0);
        let mut text = serde_json::Value::Object(line).to_string();
        text.push('\n');
        let _ = (self.out)().write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn level_precedence() {
        assert_eq!(
            level_from_env(Some("debug"), Some("TRACE")),
            Some(Level::DEBUG)
        );
        assert_eq!(level_from_env(None, Some("trace")), Some(Level::TRACE));
        assert_eq!(level_from_env(Some("off"), Some("TRACE")), None);
        assert_eq!(level_from_env(None, None), None);
    }

    #[test]
    fn writes_terraform_json_lines_at_or_above_level() {
        let buf = Buf::default();
        let sink = buf.clone();
        let layer = JsonLines::new("provider.test", Level::INFO, move || Box::new(sink.clone()));
        let sub = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(sub, || {
            tracing::info!(type_name = "x_item", attempt = 2, "planning");
            tracing::debug!("hidden");
            tracing::info!(target: "h2::codec", frame = 1);
            tracing::warn!(target: "h2::proto", "connection reset");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["@level"], "info");
        assert_eq!(v["@message"], "planning");
        assert_eq!(v["@module"], "provider.test");
        assert_eq!(v["type_name"], "x_item");
        assert_eq!(v["attempt"], 2);
        assert!(v["@timestamp"].as_str().unwrap().ends_with('Z'));
        let noisy: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(noisy["@message"], "connection reset");
    }

    #[test]
    fn events_without_a_message_still_carry_a_string_message() {
        let buf = Buf::default();
        let sink = buf.clone();
        let layer = JsonLines::new("provider.test", Level::TRACE, move || {
            Box::new(sink.clone())
        });
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            tracing::info!(count = 3);
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["@message"], "");
    }

    #[test]
    fn transport_and_quiet_sdk_targets_stay_at_warn_under_trace() {
        let buf = Buf::default();
        let sink = buf.clone();
        let layer = JsonLines::new("provider.test", Level::TRACE, move || {
            Box::new(sink.clone())
        })
        .quiet(&["aws_sdk_", "aws_config"]);
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            tracing::trace!(target: "aws_sdk_kms::client", "body=SECRET");
            tracing::debug!(target: "aws_config::sts", "header=SECRET");
            tracing::trace!(target: "hyper_rustls::connector", "SECRET");
            tracing::trace!(target: "reqwest::connect", "SECRET");
            tracing::warn!(target: "aws_sdk_kms::client", "throttled");
            // Not a member of either crate: the provider's own `aws_config_x` module.
            tracing::trace!(target: "aws_configx", "kept");
            tracing::trace!(target: "mlcloud_provider::clouds", "kept");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("throttled"), "{text}");
        assert_eq!(text.matches("kept").count(), 2, "{text}");
    }
}
