//! The one civil (proleptic Gregorian, UTC) date type of kmi: a CCM policy's `ccm.expires` and
//! `--date`, and the days named in certificate messages.
//!
//! The day arithmetic is written out here rather than taken from `der::DateTime`, which kmi
//! already uses for ASN.1 times: `der::DateTime` covers only 1970-01-01 to 9999-12-31, while a
//! `Date` covers years 1 to 9999 and days before 1970 (a policy may be written with any of
//! them, and [`Date::days_since_epoch`] is negative before 1970). Where a time is already a
//! `der::DateTime` (an X.509 validity bound), `From` takes its calendar fields as they are.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A proleptic Gregorian calendar date, years 1 to 9999: enough for `ccm.expires` and for the
/// days in messages without a date crate. Field order makes the derived ordering chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub y: u16,
    pub m: u8,
    pub d: u8,
}

fn is_leap(y: u16) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    pub const MIN: Date = Date { y: 1, m: 1, d: 1 };
    pub const MAX: Date = Date {
        y: 9999,
        m: 12,
        d: 31,
    };

    /// `None` unless the date exists.
    pub fn new(y: u16, m: u8, d: u8) -> Option<Date> {
        let ok = (1..=9999).contains(&y) && (1..=12).contains(&m) && d >= 1;
        (ok && d <= days_in_month(y, m)).then_some(Date { y, m, d })
    }

    /// Exactly `YYYY-MM-DD`, and the date must exist.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Option<u16> {
            b[r].iter().try_fold(0u16, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
            })
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        Date::new(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?)
    }

    /// Today in UTC by the system clock.
    pub fn today_utc() -> Date {
        Date::from_system_time(SystemTime::now())
    }

    pub fn from_system_time(t: SystemTime) -> Date {
        const DAY: u64 = 86_400;
        let days = match t.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs() / DAY).unwrap_or(i64::MAX),
            // A partial day before the epoch still belongs to the day before.
            Err(e) => {
                let before = e.duration();
                let whole = before.as_secs() / DAY;
                let partial = before.as_secs() % DAY != 0 || before.subsec_nanos() != 0;
                -i64::try_from(whole + u64::from(partial)).unwrap_or(i64::MAX)
            }
        };
        Date::from_days_since_epoch(days)
    }

    /// Days since 1970-01-01 to a date (H. Hinnant's civil_from_days), clamped to
    /// [`Date::MIN`, `Date::MAX`].
    pub fn from_days_since_epoch(days: i64) -> Date {
        if days < Date::MIN.days_since_epoch() {
            return Date::MIN;
        }
        if days > Date::MAX.days_since_epoch() {
            return Date::MAX;
        }
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        // In range by the clamp above.
        Date {
            y: y as u16,
            m: m as u8,
            d: d as u8,
        }
    }

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil).
    pub fn days_since_epoch(self) -> i64 {
        let (m, d) = (i64::from(self.m), i64::from(self.d));
        let y = i64::from(self.y) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

impl From<der::DateTime> for Date {
    /// The day of an ASN.1 time. `der::DateTime` holds a valid date of 1970 to 9999, which is
    /// always a `Date`.
    fn from(t: der::DateTime) -> Date {
        Date {
            y: t.year(),
            m: t.month(),
            d: t.day(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn dates_validate_and_order() {
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2000-02-29").is_some());
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "0000-01-01",
            "2024-1-01",
            "2024/01/01",
            "20240101",
            "2024-01-01 ",
            "+024-01-01",
        ] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
        assert!(date("1999-12-31") < date("2000-01-01"));
        assert!(date("2000-01-31") < date("2000-02-01"));
        assert_eq!(date("2024-02-29").to_string(), "2024-02-29");
        assert_eq!(date("0001-01-01"), Date::MIN);
    }

    #[test]
    fn days_since_epoch_round_trip_and_known_values() {
        assert_eq!(date("1970-01-01").days_since_epoch(), 0);
        assert_eq!(date("1999-12-31").days_since_epoch(), 10_956);
        assert_eq!(date("2000-03-01").days_since_epoch(), 11_017);
        assert_eq!(date("2038-01-19").days_since_epoch(), 24_855);
        assert_eq!(date("1969-12-31").days_since_epoch(), -1);
        for days in (-719_162..2_932_897).step_by(997).chain(-2..3) {
            let d = Date::from_days_since_epoch(days);
            assert_eq!(d.days_since_epoch(), days);
            assert_eq!(Date::new(d.y, d.m, d.d), Some(d));
        }
        assert_eq!(Date::from_days_since_epoch(i64::MIN), Date::MIN);
        assert_eq!(Date::from_days_since_epoch(i64::MAX), Date::MAX);
    }

    #[test]
    fn system_time_to_utc_date() {
        use std::time::Duration;
        let at = |secs: u64| Date::from_system_time(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), date("1970-01-01"));
        assert_eq!(at(86_399), date("1970-01-01"));
        assert_eq!(at(86_400), date("1970-01-02"));
        assert_eq!(at(1_700_000_000), date("2023-11-14"));
        assert_eq!(at(951_782_400), date("2000-02-29"));
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(Date::from_system_time(before), date("1969-12-31"));
        let day_before = UNIX_EPOCH - Duration::from_secs(86_400);
        assert_eq!(Date::from_system_time(day_before), date("1969-12-31"));
        assert!(Date::today_utc() > date("2020-01-01"));
    }

    #[test]
    fn der_date_times_keep_their_day() {
        use std::time::Duration;
        for (secs, day) in [
            (0, "1970-01-01"),
            (951_782_400, "2000-02-29"),
            (1_795_996_799, "2026-11-29"),
            (253_402_300_799, "9999-12-31"),
        ] {
            let t = der::DateTime::from_unix_duration(Duration::from_secs(secs)).unwrap();
            assert_eq!(Date::from(t).to_string(), day);
            assert_eq!(Date::from(t), Date::from_system_time(t.to_system_time()));
        }
    }
}
