//! Local wall-clock times as `i64` seconds: the store's time unit.
//!
//! Chat exports write local times without a zone (`2024-05-12 14:03:21`),
//! so the store keeps them as they are written — seconds since
//! 1970-01-01 00:00:00 *local* time — and days are local days.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Seconds of a local date-time written `YYYY-MM-DDTHH:MM:SS`,
/// `YYYY-MM-DD HH:MM:SS`, `YYYY/MM/DD HH:MM[:SS]` or `YYYY-MM-DD`.
/// `None` for anything else (a bare `HH:MM` has no date).
pub fn parse_local(text: &str) -> Option<i64> {
    let text = text.trim();
    const FORMATS: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ];
    for format in FORMATS {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc().timestamp());
        }
    }
    for format in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(text, format) {
            return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
        }
    }
    None
}

fn naive(seconds: i64) -> NaiveDateTime {
    DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .naive_utc()
}

/// `YYYY-MM-DD HH:MM:SS`.
pub fn format_local(seconds: i64) -> String {
    naive(seconds).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `YYYY-MM-DD` of a day number (seconds / 86400).
pub fn format_day(day: i64) -> String {
    naive(day * 86_400).format("%Y-%m-%d").to_string()
}

/// ISO week `YYYY-Www` of a day number.
pub fn format_week(day: i64) -> String {
    naive(day * 86_400).format("%G-W%V").to_string()
}

/// `YYYYMMDD-HHMMSS`, sortable, for file names.
pub fn format_compact(seconds: i64) -> String {
    naive(seconds).format("%Y%m%d-%H%M%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Written local times round-trip through seconds unchanged.
    #[test]
    fn local_times_round_trip() {
        let t = parse_local("2024-09-16 19:01:31").unwrap();
        assert_eq!(format_local(t), "2024-09-16 19:01:31");
        assert_eq!(parse_local("2024-09-16T19:01:31"), Some(t));
        assert_eq!(format_day(t / 86_400), "2024-09-16");
        assert_eq!(format_week(t / 86_400), "2024-W38");
        assert_eq!(
            parse_local("19:01"),
            None,
            "a time without a date is not a point in time"
        );
        assert_eq!(format_compact(t), "20240916-190131");
    }
}
