//! Structured logs: one JSON object per line on stdout, which every log collector
//! (Cloud Logging, CloudWatch, Azure Monitor, Loki) parses without configuration.
//!
//! Deliberately tiny instead of `tracing`: the server logs a handful of lifecycle
//! events, and the image stays small.

use std::fmt;
use std::io::Write;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// Severity of a log line; a line is written when it is at most as verbose as the
/// configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error = 0,
    Warn = 1,
    Info = 2,
    Debug = 3,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.to_ascii_lowercase().as_str() {
            "error" => Ok(Level::Error),
            "warn" | "warning" => Ok(Level::Warn),
            "info" => Ok(Level::Info),
            "debug" | "trace" => Ok(Level::Debug),
            _ => Err("expected one of error, warn, info, debug".to_owned()),
        }
    }
}

static MAX_LEVEL: AtomicU8 = AtomicU8::new(Level::Info as u8);

/// Sets the most verbose level that is written from now on.
pub fn set_level(level: Level) {
    MAX_LEVEL.store(level as u8, Ordering::Relaxed);
}

/// Whether a line at `level` would be written; lets callers skip building fields.
pub fn enabled(level: Level) -> bool {
    level as u8 <= MAX_LEVEL.load(Ordering::Relaxed)
}

/// Writes `event` with `fields` (a JSON object; anything else is stored under `"fields"`).
pub fn log(level: Level, event: &str, fields: Value) {
    if !enabled(level) {
        return;
    }
    let line = format_line(SystemTime::now(), level, event, fields);
    // A closed stdout must not take the server down; the line is simply lost.
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

pub fn error(event: &str, fields: Value) {
    log(Level::Error, event, fields);
}

pub fn warn(event: &str, fields: Value) {
    log(Level::Warn, event, fields);
}

pub fn info(event: &str, fields: Value) {
    log(Level::Info, event, fields);
}

pub fn debug(event: &str, fields: Value) {
    log(Level::Debug, event, fields);
}

/// Renders one log line. `ts`, `level` and `event` come first so that the line reads
/// well even unparsed; caller fields cannot overwrite them.
pub fn format_line(at: SystemTime, level: Level, event: &str, fields: Value) -> String {
    let mut line = Map::new();
    line.insert("ts".into(), Value::String(rfc3339_utc(at)));
    line.insert("level".into(), Value::String(level.as_str().into()));
    line.insert("event".into(), Value::String(event.into()));
    match fields {
        Value::Object(extra) => {
            for (key, value) in extra {
                line.entry(key).or_insert(value);
            }
        }
        Value::Null => {}
        other => {
            line.insert("fields".into(), other);
        }
    }
    Value::Object(line).to_string()
}

/// `2024-05-01T12:34:56.789Z`, computed by hand to avoid a date crate for one format.
pub fn rfc3339_utc(at: SystemTime) -> String {
    let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    let second_of_day = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
        since_epoch.subsec_millis()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), after Howard
/// Hinnant's public-domain `civil_from_days` algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        // 2024-02-29T23:59:59.250Z: a leap day, to exercise the calendar arithmetic.
        let leap_day = UNIX_EPOCH + Duration::from_millis(1_709_251_199_250);
        assert_eq!(rfc3339_utc(leap_day), "2024-02-29T23:59:59.250Z");
        let new_year = UNIX_EPOCH + Duration::from_secs(1_735_689_600);
        assert_eq!(rfc3339_utc(new_year), "2025-01-01T00:00:00.000Z");
    }

    #[test]
    fn a_line_is_one_json_object_with_fixed_keys_first() {
        let line = format_line(
            UNIX_EPOCH,
            Level::Warn,
            "listening",
            json!({"addr": "[::]:8080", "event": "ignored"}),
        );
        assert!(!line.contains('\n'));
        assert!(
            line.starts_with(
                r#"{"ts":"1970-01-01T00:00:00.000Z","level":"warn","event":"listening""#
            )
        );
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["addr"], "[::]:8080");
        assert_eq!(parsed["event"], "listening");
    }

    #[test]
    fn non_object_fields_are_kept() {
        let line = format_line(UNIX_EPOCH, Level::Info, "x", json!([1, 2]));
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["fields"], json!([1, 2]));
    }

    #[test]
    fn levels_parse_and_order() {
        assert_eq!("WARNING".parse::<Level>(), Ok(Level::Warn));
        assert!("verbose".parse::<Level>().is_err());
        assert!(Level::Error < Level::Debug);
    }
}
