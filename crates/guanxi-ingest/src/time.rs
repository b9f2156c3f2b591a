//! Publication time: epoch lines, RFC 3339 front matter, in-body datelines, publisher zones.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use guanxi_core::{LocalDate, Published};
use regex::Regex;

/// A dateline found at the top of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dateline {
    /// Wall-clock time in the publisher's zone (`28/02/2024 - 11:37`).
    Local(NaiveDateTime),
    /// An instant (`Fri, 28 Feb 2025 16:12:43 GMT`).
    Instant(i64),
}

static DMY_HM: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2})/(\d{1,2})/(\d{4})\s*-\s*(\d{1,2}):(\d{2})$").ok());
static YMD_HM: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?\s+(\d{1,2}):(\d{2})(?::\d{2})?$").ok()
});

/// Parses an RFC 3339 timestamp to epoch milliseconds.
pub(crate) fn parse_rfc3339_millis(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.timestamp_millis())
        .or_else(|| {
            NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S %z")
                .ok()
                .map(|d| d.and_utc().timestamp_millis())
        })
        .or_else(|| {
            DateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S %z")
                .ok()
                .map(|d| d.timestamp_millis())
        })
}

/// Reads a publication time as metadata states it: RFC 3339, RFC 2822 (feeds), epoch seconds
/// or milliseconds, or a wall-clock time without offset (`2024-02-28 11:37`, `2024/2/28`,
/// `2024年2月28日 11:37`), which is read later in the publisher's zone.
pub(crate) fn parse_when(s: &str) -> Option<Dateline> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        return epoch_to_millis(n).map(Dateline::Instant);
    }
    if let Some(ms) = parse_rfc3339_millis(s) {
        return Some(Dateline::Instant(ms));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(Dateline::Instant(d.timestamp_millis()));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(Dateline::Instant(d.timestamp_millis()));
        }
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Some(Dateline::Local(d));
        }
    }
    if let Some(d) = parse_dateline(s) {
        return Some(d);
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return d.and_hms_opt(12, 0, 0).map(Dateline::Local);
        }
    }
    None
}

/// Epoch seconds or milliseconds (told apart by size) to milliseconds.
pub(crate) fn epoch_to_millis(n: i64) -> Option<i64> {
    match n {
        1..=99_999_999_999 => n.checked_mul(1000),
        100_000_000_000..=9_999_999_999_999 => Some(n),
        _ => None,
    }
}

/// Recognises a block that is only a dateline.
pub(crate) fn parse_dateline(block: &str) -> Option<Dateline> {
    let s = block.trim();
    if s.len() > 48 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(Dateline::Instant(d.timestamp_millis()));
    }
    for re in [DMY_HM.as_ref(), YMD_HM.as_ref()].into_iter().flatten() {
        if let Some(c) = re.captures(s) {
            let n = |i: usize| c[i].parse::<u32>().ok();
            let (y, m, d) = if c[1].len() == 4 {
                (c[1].parse::<i32>().ok()?, n(2)?, n(3)?)
            } else {
                (c[3].parse::<i32>().ok()?, n(2)?, n(1)?)
            };
            let dt = NaiveDate::from_ymd_opt(y, m, d)?.and_hms_opt(n(4)?, n(5)?, 0)?;
            return Some(Dateline::Local(dt));
        }
    }
    None
}

fn zone(tz: &str) -> Tz {
    tz.parse::<Tz>().unwrap_or(Tz::UTC)
}

/// The publication instant `ms` read in zone `tz`.
pub(crate) fn published_from_millis(ms: i64, tz: &str) -> Option<Published> {
    let utc = Utc.timestamp_millis_opt(ms).single()?;
    let local = utc.with_timezone(&zone(tz));
    Some(published(local))
}

/// The publication time given by a dateline, read in zone `tz`.
pub(crate) fn published_from_dateline(d: &Dateline, tz: &str) -> Option<Published> {
    match d {
        Dateline::Instant(ms) => published_from_millis(*ms, tz),
        Dateline::Local(naive) => {
            let local = zone(tz).from_local_datetime(naive).earliest()?;
            Some(published(local))
        }
    }
}

fn published(local: DateTime<Tz>) -> Published {
    let offset_seconds = local.offset().fix().local_minus_utc();
    Published {
        epoch_millis: local.timestamp_millis(),
        offset_seconds,
        local_date: LocalDate {
            year: local.year(),
            month: local.month(),
            day: local.day(),
        },
        date_time: local
            .fixed_offset()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
            .replace("+00:00", "Z"),
    }
}
