//! Timestamps and durations as Google's JSON writes them: RFC 3339 UTC
//! (`2026-01-02T03:04:05.123456Z`) and seconds with an `s` suffix (`"7776000s"`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, RFC 3339 UTC with microseconds.
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

pub fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs();
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    let of_day = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60,
        since.subsec_micros()
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `text` looks like an RFC 3339 timestamp (`YYYY-MM-DDThh:mm:ss[.f](Z|±hh:mm)`).
pub fn is_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    bytes.len() >= 20
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && matches!(bytes[10], b'T' | b't')
        && digits(11..13)
        && bytes[13] == b':'
        && digits(14..16)
        && bytes[16] == b':'
        && digits(17..19)
        && (text.ends_with('Z') || text.ends_with('z') || text[19..].contains(['+', '-']))
}

/// A protobuf JSON duration (`"86400s"`, `"1.5s"`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let seconds: f64 = text.strip_suffix('s')?.parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

pub fn format_duration(duration: Duration) -> String {
    if duration.subsec_nanos() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}s", duration.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_durations_in_googles_json() {
        let time = UNIX_EPOCH + Duration::from_secs(1_780_000_000) + Duration::from_micros(5);
        assert_eq!(rfc3339(time), "2026-05-28T20:26:40.000005Z");
        assert!(is_rfc3339(&now_rfc3339()));
        assert!(is_rfc3339("2026-05-28T20:26:40+02:00"));
        assert!(!is_rfc3339("tomorrow"));
        assert_eq!(
            parse_duration("7776000s"),
            Some(Duration::from_secs(7_776_000))
        );
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("90d"), None);
        assert_eq!(format_duration(Duration::from_secs(86_400)), "86400s");
    }
}
