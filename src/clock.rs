//! The one clock for every time kmi writes into a file (certificate validity, CMC/PKI response
//! times, share-set creation times, ceremony-log entries): `--time`, else `SOURCE_DATE_EPOCH`,
//! else the system clock. Fixed times make fixture sets byte-reproducible; checks that judge a
//! certificate or a policy against "now" elsewhere keep their own `--at`/`--date` options.
//!
//! `--time` takes RFC 3339 (`2026-01-02T03:04:05Z`, an offset such as `+01:00`, fractions of a
//! second dropped) or `@UNIX_SECONDS`; `SOURCE_DATE_EPOCH` is unix seconds (the
//! reproducible-builds.org convention). `--time` wins over the environment.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{Error, Result};

/// The `--time` of this process, set once by [`set_time`].
static PINNED: OnceLock<SystemTime> = OnceLock::new();

/// Parse a `--time` value: `@UNIX_SECONDS` or an RFC 3339 date-time.
pub fn parse_time(s: &str) -> Result<SystemTime> {
    let bad = || {
        Error::invalid(format!(
            "--time {s:?}: give an RFC 3339 time (2026-01-02T03:04:05Z) or @UNIX_SECONDS"
        ))
    };
    if let Some(secs) = s.strip_prefix('@') {
        let secs: u64 = secs.parse().map_err(|_| bad())?;
        return Ok(UNIX_EPOCH + Duration::from_secs(secs));
    }
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<u16> {
        let part = s.get(r).ok_or_else(bad)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse().map_err(|_| bad())
    };
    let small = |r| num(r).and_then(|v| u8::try_from(v).map_err(|_| bad()));
    let dt = der::DateTime::new(
        num(0..4)?,
        small(5..7)?,
        small(8..10)?,
        small(11..13)?,
        small(14..16)?,
        small(17..19)?,
    )
    .map_err(|_| bad())?;
    // Fractions of a second are dropped: every time kmi writes is in whole seconds.
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        rest = &frac[digits..];
    }
    let utc = dt.unix_duration().as_secs();
    let secs = match rest {
        "Z" | "z" => utc,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || !matches!(rb[0], b'+' | b'-') || rb[3] != b':' {
                return Err(bad());
            }
            let at = s.len() - 6;
            let (h, m) = (
                u64::from(small(at + 1..at + 3)?),
                u64::from(small(at + 4..at + 6)?),
            );
            if h > 23 || m > 59 {
                return Err(bad());
            }
            let offset = h * 3600 + m * 60;
            // Local time = UTC + offset, so UTC = local - offset.
            if rb[0] == b'+' {
                utc.checked_sub(offset).ok_or_else(bad)?
            } else {
                utc + offset
            }
        }
    };
    Ok(UNIX_EPOCH + Duration::from_secs(secs))
}

/// The time `SOURCE_DATE_EPOCH` names, if it is set; an error if it is set but not unix seconds.
fn source_date_epoch() -> Result<Option<SystemTime>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .map(|s| Some(UNIX_EPOCH + Duration::from_secs(s)))
            .map_err(|_| {
                Error::invalid(format!(
                    "SOURCE_DATE_EPOCH={v:?} is not a number of seconds since 1970"
                ))
            }),
        Err(_) => Ok(None),
    }
}

/// Check `SOURCE_DATE_EPOCH` before any work: set but not unix seconds is an error (exit 2),
/// as reproducible-builds.org asks, rather than a silently moving clock.
pub fn check_env() -> Result<()> {
    source_date_epoch().map(|_| ())
}

/// Pin the clock to a command's `--time` (if given). The first pinned time stays.
pub fn set_time(time: Option<&str>) -> Result<()> {
    if let Some(t) = time {
        let _ = PINNED.set(parse_time(t)?);
    }
    Ok(())
}

/// The pinned time (`--time`, else `SOURCE_DATE_EPOCH`), if any.
fn pinned() -> Option<SystemTime> {
    PINNED
        .get()
        .copied()
        .or_else(|| source_date_epoch().ok().flatten())
}

/// Whether the clock is pinned (`--time` or `SOURCE_DATE_EPOCH`).
pub fn is_pinned() -> bool {
    pinned().is_some()
}

/// The time to write into a file, in whole seconds: the pinned time, or the system clock.
pub fn now() -> SystemTime {
    let t = pinned().unwrap_or_else(SystemTime::now);
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> u64 {
        parse_time(s)
            .unwrap()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn both_syntaxes() {
        assert_eq!(secs("@0"), 0);
        assert_eq!(secs("@1700000000"), 1_700_000_000);
        assert_eq!(secs("2023-11-14T22:13:20Z"), 1_700_000_000);
        assert_eq!(secs("2023-11-14t22:13:20.999z"), 1_700_000_000);
        assert_eq!(secs("2023-11-14T23:13:20+01:00"), 1_700_000_000);
        assert_eq!(secs("2023-11-14T21:13:20-01:00"), 1_700_000_000);
    }

    #[test]
    fn bad_times_are_refused() {
        for s in [
            "",
            "@",
            "@-1",
            "@1.5",
            "2023-11-14",
            "2023-11-14T22:13:20",
            "2023-02-30T00:00:00Z",
            "2023-11-14T24:00:00Z",
            "2023-11-14T22:13:20+1:00",
            "2023-11-14T22:13:20.Z",
            "yesterday",
        ] {
            assert!(parse_time(s).is_err(), "{s:?} accepted");
        }
    }
}
