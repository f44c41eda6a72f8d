//! CCM policy: source and canonical forms, schema, queries (formats.md section 5).
//!
//! The canonical form is what gets signed, so there is exactly one byte string per policy:
//! `Policy::canonical_bytes` produces it and `Policy::parse_canonical` accepts nothing else.
//! The source form is for people: comments, blank lines, spaces around `=`, CRLF, and country
//! lists in any order.
//!
//! Decisions made here where formats.md is silent:
//! - `ccm.id` is a token of 1 to 64 characters from `A-Z a-z 0-9 . _ -`.
//! - `smime.<ALG>` and `capi.<ALG>` know the algorithms in [`ALGORITHMS`], written upper case
//!   as in the spec's `smime.RSA.max_bits`; a lower-case name is an error, not an alias, so
//!   that one policy has one spelling.
//! - Bits are a key size as the application states it (3DES is 168, not its effective 112).
//! - A country must be an assigned ISO 3166-1 alpha-2 code; lists may not repeat a code or mix
//!   `*` with codes.
//! - `enforce.country_check=true` without `countries.allow` is an error (write `*` to allow
//!   every country not denied), so "absent" never has to mean "nobody" or "everybody".
//! - An absent bool is false, except `enforce.fail_closed`, which is true when absent: when a
//!   query leaves out a fact a check needs (a country under `country_check`, a key size where
//!   a finite limit applies) the query is denied, unless the policy says `fail_closed=false`,
//!   in which case that check is skipped and the reason says so.
//! - ssl: an absent suite key is false and an absent `ssl.rsa`/`ssl.dh.max_bits` is 0.
//!   ECDHE and TLS 1.3 suites have no size key in the schema, so the suite key alone decides
//!   them (their curves are not export-controlled by key size in this model).
//! - smime/capi follow the spec's formula literally: limit = max_bits (absent = 0), and with
//!   recovery, max(max_bits, recovery.max_bits). `enforce.recovery_agent_required` states that
//!   rule; it does not change the arithmetic, but it is named in the reasons and deciding keys
//!   when a size above max_bits was allowed or refused because of recovery.
//! - A query naming an unknown suite or algorithm is a usage error, not a denial: the question
//!   itself is wrong.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::ccm::suites;
use crate::{Error, Result};

/// The algorithm names `smime.<ALG>.*` and `capi.<ALG>.*` keys may use.
pub const ALGORITHMS: &[&str] = &[
    "RSA", "DH", "ELGAMAL", "DSA", "EC", "AES", "DES", "3DES", "RC2", "RC4",
];

/// Officially assigned ISO 3166-1 alpha-2 codes (249), checked against Debian's iso-codes
/// `iso_3166-1.json` and tzdata's `iso3166.tab`.
const ISO_3166_ALPHA2: &str = "\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS \
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE \
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM \
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC \
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA \
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO \
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

pub fn is_assigned_country(code: [u8; 2]) -> bool {
    ISO_3166_ALPHA2.as_bytes().chunks(3).any(|c| c[..2] == code)
}

/// A country code as typed on a command line: two upper-case letters of an assigned code.
pub fn parse_country(s: &str) -> Result<[u8; 2]> {
    check_country(s).map_err(Error::usage)
}

fn check_country(s: &str) -> std::result::Result<[u8; 2], String> {
    let b = s.as_bytes();
    if b.len() != 2 || !b.iter().all(u8::is_ascii_alphabetic) {
        return Err(format!("{s}: not a two-letter ISO 3166 country code"));
    }
    if !b.iter().all(u8::is_ascii_uppercase) {
        return Err(format!(
            "{s}: country codes are upper case ({})",
            s.to_ascii_uppercase()
        ));
    }
    let code = [b[0], b[1]];
    if !is_assigned_country(code) {
        return Err(format!("{s}: not an assigned ISO 3166-1 alpha-2 code"));
    }
    Ok(code)
}

fn country_str(c: [u8; 2]) -> String {
    String::from_utf8_lossy(&c).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Dates

/// A proleptic Gregorian calendar date, years 1 to 9999: enough for `ccm.expires` without a
/// date crate. Field order makes the derived ordering chronological.
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

// ---------------------------------------------------------------------------------------------
// Values

/// A key size limit. The derived order puts every `Limited` below `Unlimited`, so the larger of
/// two limits is `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bits {
    /// 0 means "not allowed at any size".
    Limited(u16),
    Unlimited,
}

impl Bits {
    pub fn allows(self, bits: u32) -> bool {
        match self {
            Bits::Limited(0) => false,
            Bits::Limited(max) => bits <= u32::from(max),
            Bits::Unlimited => true,
        }
    }
}

impl fmt::Display for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bits::Limited(n) => write!(f, "{n}"),
            Bits::Unlimited => f.write_str("unlimited"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Countries {
    Any,
    /// Sorted, no repeats.
    Only(Vec<[u8; 2]>),
}

impl Countries {
    pub fn contains(&self, code: [u8; 2]) -> bool {
        match self {
            Countries::Any => true,
            Countries::Only(list) => list.binary_search(&code).is_ok(),
        }
    }
}

impl fmt::Display for Countries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Countries::Any => f.write_str("*"),
            Countries::Only(list) => {
                let names: Vec<String> = list.iter().map(|&c| country_str(c)).collect();
                f.write_str(&names.join(","))
            }
        }
    }
}

/// A typed value; `Display` writes its canonical text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Version(u32),
    Token(String),
    Date(Date),
    Countries(Countries),
    Bool(bool),
    Bits(Bits),
    /// An `x-<vendor>.*` value: kept (it is signed) but never interpreted.
    Vendor(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Version(v) => write!(f, "{v}"),
            Value::Token(s) | Value::Vendor(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{d}"),
            Value::Countries(c) => write!(f, "{c}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Bits(b) => write!(f, "{b}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Version,
    Token,
    Date,
    Countries,
    Bool,
    Bits,
    Vendor,
}

/// `seg 1*("." seg)`, `seg = 1*(ALPHA / DIGIT / "_" / "-")`.
fn is_key(key: &str) -> bool {
    let mut segs = 0;
    for seg in key.split('.') {
        let ok = !seg.is_empty()
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return false;
        }
        segs += 1;
    }
    segs >= 2
}

/// What type of value a key takes, or why the schema has no such key. `key` is well-formed.
fn classify(key: &str) -> std::result::Result<Kind, String> {
    let segs: Vec<&str> = key.split('.').collect();
    match segs.as_slice() {
        ["ccm", "version"] => Ok(Kind::Version),
        ["ccm", "id"] => Ok(Kind::Token),
        ["ccm", "expires"] => Ok(Kind::Date),
        ["ccm", ..] => Err("unknown ccm key (ccm.version, ccm.id, ccm.expires)".into()),
        ["countries", "allow" | "deny"] => Ok(Kind::Countries),
        ["countries", ..] => Err("unknown key (countries.allow, countries.deny)".into()),
        ["enforce", "fail_closed" | "country_check" | "recovery_agent_required"] => Ok(Kind::Bool),
        ["enforce", ..] => Err(
            "unknown enforce key (enforce.fail_closed, enforce.country_check, \
             enforce.recovery_agent_required)"
                .into(),
        ),
        ["ssl", "suite", name] => match suites::by_name(name) {
            Some(_) => Ok(Kind::Bool),
            None => match suites::by_name_ignore_case(name) {
                Some(s) => Err(format!("unknown cipher suite (did you mean {}?)", s.name)),
                None => Err("unknown cipher suite".into()),
            },
        },
        ["ssl", "rsa" | "dh", "max_bits"] => Ok(Kind::Bits),
        ["ssl", ..] => {
            Err("unknown ssl key (ssl.suite.<IANA name>, ssl.rsa.max_bits, ssl.dh.max_bits)".into())
        }
        [app @ ("smime" | "capi"), alg, rest @ ..] => {
            let shape_ok = matches!(rest, ["max_bits"] | ["recovery", "max_bits"]);
            if !shape_ok {
                return Err(format!(
                    "unknown {app} key ({app}.<ALG>.max_bits, {app}.<ALG>.recovery.max_bits)"
                ));
            }
            if ALGORITHMS.contains(alg) {
                Ok(Kind::Bits)
            } else if ALGORITHMS.iter().any(|a| a.eq_ignore_ascii_case(alg)) {
                Err(format!(
                    "algorithm names are upper case ({})",
                    alg.to_ascii_uppercase()
                ))
            } else {
                Err(format!(
                    "unknown algorithm {alg} (known: {})",
                    ALGORITHMS.join(", ")
                ))
            }
        }
        [vendor, ..] if vendor.len() > 2 && vendor.starts_with("x-") => Ok(Kind::Vendor),
        _ => Err("unknown key".into()),
    }
}

fn parse_value(kind: Kind, s: &str) -> std::result::Result<Value, String> {
    if s.is_empty() && kind != Kind::Vendor {
        return Err("missing value".into());
    }
    match kind {
        Kind::Version => match s {
            "1" => Ok(Value::Version(1)),
            _ => Err(format!("unsupported version {s} (kmi reads version 1)")),
        },
        Kind::Token => {
            let ok = s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
            if ok {
                Ok(Value::Token(s.to_string()))
            } else {
                Err("expected 1 to 64 characters from A-Z a-z 0-9 . _ -".into())
            }
        }
        Kind::Date => match Date::parse(s) {
            Some(d) => Ok(Value::Date(d)),
            None if s.len() == 10 && s.bytes().filter(|&b| b == b'-').count() == 2 => {
                Err(format!("{s} is not a calendar date"))
            }
            None => Err("expected a date YYYY-MM-DD".into()),
        },
        Kind::Countries => parse_countries(s).map(Value::Countries),
        Kind::Bool => match s {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("expected true or false".into()),
        },
        Kind::Bits => parse_bits(s).map(Value::Bits),
        Kind::Vendor => Ok(Value::Vendor(s.to_string())),
    }
}

fn parse_bits(s: &str) -> std::result::Result<Bits, String> {
    const EXPECTED: &str = "expected 0, a number 1 to 65535 without leading zeros, or unlimited";
    if s == "unlimited" {
        return Ok(Bits::Unlimited);
    }
    if s == "0" {
        return Ok(Bits::Limited(0));
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') {
        return Err(EXPECTED.into());
    }
    match s.parse::<u16>() {
        Ok(n) => Ok(Bits::Limited(n)),
        Err(_) => Err(format!("{s} is above 65535 (write unlimited for no limit)")),
    }
}

fn parse_countries(s: &str) -> std::result::Result<Countries, String> {
    let items: Vec<&str> = s.split(',').map(|i| i.trim_matches([' ', '\t'])).collect();
    if items == ["*"] {
        return Ok(Countries::Any);
    }
    let mut list = Vec::with_capacity(items.len());
    for item in items {
        if item == "*" {
            return Err("* stands alone: it cannot be listed with country codes".into());
        }
        if item.is_empty() {
            return Err("empty entry in the country list".into());
        }
        list.push(check_country(item)?);
    }
    list.sort_unstable();
    if let Some(w) = list.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("{} is listed twice", country_str(w[0])));
    }
    Ok(Countries::Only(list))
}

// ---------------------------------------------------------------------------------------------
// Problems and parsing

/// One thing wrong with a policy. `line` is 1-based; `None` for whole-policy problems such as
/// a missing required key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

fn problem(line: Option<usize>, key: Option<&str>, message: impl Into<String>) -> Problem {
    Problem {
        line,
        key: key.map(str::to_string),
        message: message.into(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub value: Value,
    /// Where the key was written (1-based), for messages about it.
    pub line: usize,
}

/// A policy that passed the schema. Keys sort bytewise (`String` order), which is the
/// canonical line order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    entries: BTreeMap<String, Entry>,
}

/// The lines of `bytes` split at LF, with a CR before the LF removed and recorded. A final
/// line without LF counts; the empty piece after a final LF does not.
fn split_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8], bool)> + '_ {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let pieces = if bytes.is_empty() {
        None
    } else {
        Some(body.split(|&b| b == b'\n'))
    };
    pieces.into_iter().flatten().enumerate().map(|(i, l)| {
        let (text, cr) = match l.strip_suffix(b"\r") {
            Some(t) => (t, true),
            None => (l, false),
        };
        (i + 1, text, cr)
    })
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// Byte-level problems that make a line unreadable: non-ASCII and control characters.
fn line_bytes_problem(text: &[u8]) -> Option<String> {
    let (col, &b) = text
        .iter()
        .enumerate()
        .find(|&(_, &b)| !b.is_ascii() || (b.is_ascii_control() && b != b'\t'))?;
    let col = col + 1;
    Some(if b.is_ascii() {
        format!("control character 0x{b:02X} at column {col}")
    } else {
        format!("non-ASCII byte 0x{b:02X} at column {col} (a CCM is ASCII)")
    })
}

/// Parse the source form, collecting every problem. The policy holds whatever entries were
/// valid.
fn analyse(source: &[u8]) -> (Policy, Vec<Problem>) {
    let mut entries = BTreeMap::new();
    let mut problems = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();

    for (n, text, _cr) in split_lines(source) {
        if let Some(msg) = line_bytes_problem(text) {
            problems.push(problem(Some(n), None, msg));
            continue;
        }
        // ASCII by the check above.
        let text = std::str::from_utf8(text).unwrap_or_default();
        let line = trim(text);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            problems.push(problem(
                Some(n),
                None,
                format!("expected key = value, not `{line}`"),
            ));
            continue;
        };
        let (key, value) = (trim(key), trim(value));
        if key.is_empty() {
            problems.push(problem(Some(n), None, "missing key before `=`"));
            continue;
        }
        if !is_key(key) {
            let msg = "not a key (two or more segments of letters, digits, _ and - joined by dots)";
            problems.push(problem(Some(n), Some(key), msg));
            continue;
        }
        if let Some(&first) = first_seen.get(key) {
            let msg = format!("duplicate key (first on line {first})");
            problems.push(problem(Some(n), Some(key), msg));
            continue;
        }
        first_seen.insert(key.to_string(), n);
        match classify(key).and_then(|kind| parse_value(kind, value)) {
            Ok(value) => {
                entries.insert(key.to_string(), Entry { value, line: n });
            }
            Err(msg) => problems.push(problem(Some(n), Some(key), msg)),
        }
    }

    for key in ["ccm.version", "ccm.id"] {
        if !first_seen.contains_key(key) {
            problems.push(problem(None, Some(key), "required key missing"));
        }
    }
    let policy = Policy { entries };
    if policy.flag("enforce.country_check") && !first_seen.contains_key("countries.allow") {
        let line = policy.line_of("enforce.country_check");
        problems.push(problem(
            line,
            Some("enforce.country_check"),
            "country_check needs countries.allow (write * to allow every country not denied)",
        ));
    }
    problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    (policy, problems)
}

/// Every problem in a source-form policy, in line order; empty if it parses.
pub fn lint(source: &[u8]) -> Vec<Problem> {
    analyse(source).1
}

/// Why `bytes` is not in canonical form, or `None` if its lines are. Schema problems are left
/// to `analyse`.
fn canonical_syntax_problem(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return Some("not canonical: empty".into());
    }
    let mut previous: Option<&[u8]> = None;
    for (n, text, cr) in split_lines(bytes) {
        let eq = text.iter().position(|&b| b == b'=');
        let (key, value) = match eq {
            Some(i) => (&text[..i], &text[i + 1..]),
            None => (text, &text[text.len()..]),
        };
        // Only the first `=` separates: a vendor value may itself hold `= x`.
        let padded = |s: &[u8]| {
            s.first().copied().is_some_and(is_blank) || s.last().copied().is_some_and(is_blank)
        };
        let why = if let Some(msg) = line_bytes_problem(text) {
            Some(msg)
        } else if cr {
            Some("CR before LF (canonical lines end with LF alone)".into())
        } else if text.is_empty() {
            Some("blank line".into())
        } else if text.first() == Some(&b'#') {
            Some("comment line".into())
        } else if eq.is_none() {
            Some("expected key=value".into())
        } else if padded(key) || padded(value) {
            Some("spaces around the key or value".into())
        } else {
            None
        };
        if let Some(why) = why {
            return Some(format!("line {n}: not canonical: {why}"));
        }
        if let Some(prev) = previous {
            let k = String::from_utf8_lossy(key);
            if key == prev {
                return Some(format!("line {n}: {k}: duplicate key"));
            }
            if key < prev {
                let p = String::from_utf8_lossy(prev);
                return Some(format!(
                    "line {n}: not canonical: {k} sorts before the previous key {p} \
                     (canonical lines are sorted bytewise by key)"
                ));
            }
        }
        previous = Some(key);
    }
    if bytes.last() != Some(&b'\n') {
        let lines = split_lines(bytes).count();
        return Some(format!(
            "line {lines}: not canonical: the last line has no LF"
        ));
    }
    None
}

impl Policy {
    /// Parse the source form; fails with the first problem `lint` would report.
    pub fn parse_source(source: &[u8]) -> Result<Policy> {
        let (policy, problems) = analyse(source);
        match problems.first() {
            Some(p) => Err(Error::format(p.to_string())),
            None => Ok(policy),
        }
    }

    /// Parse signed content, which must already be canonical byte for byte: a signature over
    /// any other spelling of the same policy is refused rather than reinterpreted.
    pub fn parse_canonical(bytes: &[u8]) -> Result<Policy> {
        if let Some(why) = canonical_syntax_problem(bytes) {
            return Err(Error::format(why));
        }
        let policy = Policy::parse_source(bytes)?;
        let lines: Vec<&[u8]> = split_lines(bytes).map(|(_, text, _)| text).collect();
        for (key, entry) in &policy.entries {
            let canonical = format!("{key}={}", entry.value);
            if lines.get(entry.line - 1) != Some(&canonical.as_bytes()) {
                return Err(Error::format(format!(
                    "line {}: {key}: not canonical: the value is written `{canonical}` in \
                     canonical form",
                    entry.line
                )));
            }
        }
        if policy.canonical_bytes() != bytes {
            return Err(Error::format("not canonical"));
        }
        Ok(policy)
    }

    /// The bytes that are signed: `key=value` LF per entry, sorted by key.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        for (key, entry) in &self.entries {
            out.push_str(key);
            out.push('=');
            out.push_str(&entry.value.to_string());
            out.push('\n');
        }
        out.into_bytes()
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.get(key).map(|e| &e.value)
    }

    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.entries.get(key).map(|e| e.line)
    }

    /// Entries in canonical order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(k, e)| (k.as_str(), e))
    }

    pub fn id(&self) -> &str {
        match self.get("ccm.id") {
            Some(Value::Token(t)) => t,
            _ => "",
        }
    }

    pub fn expires(&self) -> Option<Date> {
        match self.get("ccm.expires") {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }

    fn bool_or(&self, key: &str, absent: bool) -> bool {
        match self.get(key) {
            Some(Value::Bool(b)) => *b,
            _ => absent,
        }
    }

    /// A bool key; absent is false.
    pub fn flag(&self, key: &str) -> bool {
        self.bool_or(key, false)
    }

    pub fn fail_closed(&self) -> bool {
        self.bool_or("enforce.fail_closed", true)
    }

    /// A bits key; absent is 0 (not allowed).
    pub fn bits(&self, key: &str) -> Bits {
        match self.get(key) {
            Some(Value::Bits(b)) => *b,
            _ => Bits::Limited(0),
        }
    }

    pub fn countries(&self, key: &str) -> Option<&Countries> {
        match self.get(key) {
            Some(Value::Countries(c)) => Some(c),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Queries

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum App {
    Ssl,
    Smime,
    Capi,
}

impl App {
    pub fn key_prefix(self) -> &'static str {
        match self {
            App::Ssl => "ssl",
            App::Smime => "smime",
            App::Capi => "capi",
        }
    }
}

impl std::str::FromStr for App {
    type Err = Error;
    fn from_str(s: &str) -> Result<App> {
        match s.to_ascii_lowercase().as_str() {
            "ssl" | "tls" => Ok(App::Ssl),
            "smime" | "s/mime" => Ok(App::Smime),
            "capi" => Ok(App::Capi),
            _ => Err(Error::usage(format!(
                "{s}: unknown application (ssl, smime, capi)"
            ))),
        }
    }
}

/// "May `app` use `alg` with a `bits`-bit key, in `country`, today?" For ssl, `alg` is a
/// cipher suite name and `bits` the size of the RSA or DH key of its key exchange; for
/// smime/capi, `alg` is one of [`ALGORITHMS`] and `bits` its key size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub app: App,
    pub alg: String,
    pub bits: Option<u32>,
    pub country: Option<[u8; 2]>,
    /// The key is escrowed with a recovery agent.
    pub recovery: bool,
    pub today: Date,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    /// When denied, why; when allowed, what allowed it.
    pub reasons: Vec<String>,
    /// The policy keys behind the reasons (an absent key counts when its absence decided).
    pub deciding_keys: Vec<String>,
}

struct Check {
    passed: bool,
    reason: String,
    keys: Vec<String>,
}

fn pass(reason: String, keys: &[&str]) -> Check {
    Check {
        passed: true,
        reason,
        keys: keys.iter().map(|k| k.to_string()).collect(),
    }
}

fn fail(reason: String, keys: &[&str]) -> Check {
    Check {
        passed: false,
        ..pass(reason, keys)
    }
}

impl Policy {
    /// Decide a query on a policy whose signature and certificate were already checked.
    /// Every check runs, so a denial lists all its reasons. Errors only for a query that names
    /// an unknown suite or algorithm.
    pub fn decide(&self, q: &Query) -> Result<Decision> {
        let mut checks = Vec::new();
        if let Some(expires) = self.expires() {
            checks.push(if q.today > expires {
                fail(
                    format!("the policy expired on {expires} (today is {})", q.today),
                    &["ccm.expires"],
                )
            } else {
                pass(
                    format!("the policy is in force until {expires}"),
                    &["ccm.expires"],
                )
            });
        }
        if let Some(check) = self.country_check(q) {
            checks.push(check);
        }
        match q.app {
            App::Ssl => self.ssl_checks(q, &mut checks)?,
            App::Smime | App::Capi => self.algorithm_checks(q, &mut checks)?,
        }

        let allowed = checks.iter().all(|c| c.passed);
        let mut reasons = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for c in checks.into_iter().filter(|c| c.passed == allowed) {
            reasons.push(c.reason);
            for k in c.keys {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        Ok(Decision {
            allowed,
            reasons,
            deciding_keys: keys,
        })
    }

    fn country_check(&self, q: &Query) -> Option<Check> {
        const CHECK: &str = "enforce.country_check";
        if !self.flag(CHECK) {
            return None;
        }
        let Some(code) = q.country else {
            return Some(if self.fail_closed() {
                fail(
                    "no country given and enforce.country_check is on (fail closed)".into(),
                    &[CHECK, "enforce.fail_closed"],
                )
            } else {
                pass(
                    "no country given: country check skipped (enforce.fail_closed=false)".into(),
                    &[CHECK, "enforce.fail_closed"],
                )
            });
        };
        let c = country_str(code);
        if !is_assigned_country(code) {
            let msg = format!("{c} is not an assigned ISO 3166-1 alpha-2 code");
            return Some(fail(msg, &[CHECK]));
        }
        if self
            .countries("countries.deny")
            .is_some_and(|d| d.contains(code))
        {
            return Some(fail(
                format!("{c} is in countries.deny"),
                &["countries.deny"],
            ));
        }
        if !self
            .countries("countries.allow")
            .is_some_and(|a| a.contains(code))
        {
            return Some(fail(
                format!("{c} is not in countries.allow"),
                &["countries.allow"],
            ));
        }
        Some(pass(
            format!("{c} is in countries.allow and not in countries.deny"),
            &["countries.allow"],
        ))
    }

    /// Whether `bits` fits `limit`, read from `key` (or from the larger of two keys).
    fn size_check(&self, limit: Bits, bits: Option<u32>, what: &str, keys: &[&str]) -> Check {
        let named = keys.join(", ");
        match (limit, bits) {
            (Bits::Limited(0), _) => fail(
                format!("{what} is not allowed at any size ({named}: 0)"),
                keys,
            ),
            (Bits::Unlimited, Some(b)) => {
                pass(format!("{what} {b} bits: no size limit ({named})"), keys)
            }
            (Bits::Unlimited, None) => pass(format!("{what}: no size limit ({named})"), keys),
            (Bits::Limited(max), Some(b)) if b <= u32::from(max) => {
                pass(format!("{what} {b} bits is within {max} ({named})"), keys)
            }
            (Bits::Limited(max), Some(b)) => {
                fail(format!("{what} {b} bits is above {max} ({named})"), keys)
            }
            (Bits::Limited(max), None) => {
                let mut keys = keys.to_vec();
                keys.push("enforce.fail_closed");
                if self.fail_closed() {
                    let msg = format!("{what}: no key size given and {named} limits it to {max} bits (fail closed)");
                    fail(msg, &keys)
                } else {
                    let msg = format!("{what}: no key size given; allowed up to {max} bits (enforce.fail_closed=false)");
                    pass(msg, &keys)
                }
            }
        }
    }

    fn ssl_checks(&self, q: &Query, checks: &mut Vec<Check>) -> Result<()> {
        let suite = suites::by_name_ignore_case(&q.alg)
            .ok_or_else(|| Error::usage(format!("{}: unknown cipher suite", q.alg)))?;
        let key = format!("ssl.suite.{}", suite.name);
        checks.push(match self.get(&key) {
            Some(Value::Bool(true)) => pass(format!("{key} is true"), &[key.as_str()]),
            Some(_) => fail(format!("{key} is false"), &[key.as_str()]),
            None => fail(
                format!("{} is not enabled ({key} is absent)", suite.name),
                &[key.as_str()],
            ),
        });
        let what = format!("{} key exchange", suite.kx.name());
        checks.push(match suite.kx.limit_key() {
            Some(limit_key) => self.size_check(self.bits(limit_key), q.bits, &what, &[limit_key]),
            None => pass(
                format!("{what}: the schema has no size key for it; the suite key decides"),
                &[],
            ),
        });
        Ok(())
    }

    fn algorithm_checks(&self, q: &Query, checks: &mut Vec<Check>) -> Result<()> {
        let alg = ALGORITHMS
            .iter()
            .find(|a| a.eq_ignore_ascii_case(&q.alg))
            .ok_or_else(|| {
                Error::usage(format!(
                    "{}: unknown algorithm (known: {})",
                    q.alg,
                    ALGORITHMS.join(", ")
                ))
            })?;
        let app = q.app.key_prefix();
        let base_key = format!("{app}.{alg}.max_bits");
        let rec_key = format!("{app}.{alg}.recovery.max_bits");
        let base = self.bits(&base_key);
        let raised = base.max(self.bits(&rec_key));
        let required = self.flag("enforce.recovery_agent_required");
        let what = format!("{app} {alg}");

        let check = if q.recovery {
            let mut check = self.size_check(
                raised,
                q.bits,
                &what,
                &[base_key.as_str(), rec_key.as_str()],
            );
            check.reason.push_str(" with a recovery agent");
            if required && !q.bits.is_some_and(|b| base.allows(b)) && raised > base {
                check.keys.push("enforce.recovery_agent_required".into());
            }
            check
        } else {
            let mut check = self.size_check(base, q.bits, &what, &[base_key.as_str()]);
            let would_pass_with_recovery =
                raised > base && q.bits.map_or(true, |b| raised.allows(b));
            if !check.passed && would_pass_with_recovery {
                check.reason.push_str(&format!(
                    "; with a recovery agent it would be allowed up to {raised} bits ({rec_key})"
                ));
                if required {
                    check.keys.push("enforce.recovery_agent_required".into());
                }
            }
            check
        };
        checks.push(check);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Templates

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// A 1999-style export policy: export suites, 512-bit RSA for S/MIME unless a recovery
    /// agent holds the key, an embargo list.
    Export,
    /// A domestic policy: today's suites, no size limits, no country check.
    Domestic,
}

const TEMPLATE_HEADER: &str = "\
# CCM policy, source form. One `key = value` per line; `#` comment lines and blank
# lines are allowed. `kmi ccm fmt` writes the canonical form, which `kmi ccm sign` signs.
# Values: bits = 0 (not allowed) / 1..65535 / unlimited; bool = true / false;
# countries = ISO 3166 alpha-2 codes (upper case, comma-separated) or *.
# An absent bits key is 0, an absent suite is disabled, an absent bool is false
# (except enforce.fail_closed, which is true when absent).

ccm.version = 1
";

const EXPORT_BODY: &str = "\
ccm.id = export-1999
# Every query after this day (UTC) is denied. Set the day your policy ends.
ccm.expires = 2099-12-31

# Deny a query that leaves out a fact a check needs (its country, its key size).
enforce.fail_closed = true
# Every query must name a country that is in countries.allow and not in countries.deny.
enforce.country_check = true
# Keys larger than max_bits need a recovery agent (and are then allowed up to
# recovery.max_bits).
enforce.recovery_agent_required = true

countries.allow = *
# The embargoed destinations of 1999: Cuba, Iraq, Iran, North Korea, Libya, Sudan, Syria.
countries.deny = CU,IQ,IR,KP,LY,SD,SY

# SSL/TLS: export suites only (40- and 56-bit ciphers), key exchange keys up to 1024 bits.
ssl.suite.TLS_RSA_EXPORT_WITH_RC4_40_MD5 = true
ssl.suite.TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5 = true
ssl.suite.TLS_RSA_EXPORT_WITH_DES40_CBC_SHA = true
ssl.suite.TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA = true
ssl.suite.TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA = true
ssl.suite.TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA = true
ssl.suite.TLS_RSA_EXPORT1024_WITH_RC4_56_SHA = true
ssl.suite.TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA = true
# Full-strength suites, refused in so many words (an absent suite is refused too).
ssl.suite.TLS_DHE_DSS_WITH_RC4_128_SHA = false
ssl.suite.TLS_RSA_WITH_RC4_128_MD5 = false
ssl.suite.TLS_RSA_WITH_RC4_128_SHA = false
ssl.suite.TLS_RSA_WITH_3DES_EDE_CBC_SHA = false
ssl.rsa.max_bits = 1024
ssl.dh.max_bits = 1024

# S/MIME: 512-bit RSA key transport and 40-bit RC2; with a recovery agent, RSA up to 2048
# bits, RC2 up to 128 and DES.
smime.RSA.max_bits = 512
smime.RSA.recovery.max_bits = 2048
smime.RC2.max_bits = 40
smime.RC2.recovery.max_bits = 128
smime.DES.max_bits = 0
smime.DES.recovery.max_bits = 56
smime.3DES.max_bits = 0

# CryptoAPI: 512-bit key exchange, 56-bit symmetric ciphers.
capi.RSA.max_bits = 512
capi.RSA.recovery.max_bits = 1024
capi.DH.max_bits = 512
capi.DES.max_bits = 56
capi.RC2.max_bits = 56
capi.RC4.max_bits = 56
capi.3DES.max_bits = 0
";

const DOMESTIC_BODY: &str = "\
ccm.id = domestic
# Every query after this day (UTC) is denied. Set the day your policy ends.
ccm.expires = 2099-12-31

enforce.fail_closed = true
# No country check: countries.allow / countries.deny are not consulted.
enforce.country_check = false
enforce.recovery_agent_required = false

# SSL/TLS: TLS 1.3 and forward-secret AEAD suites of TLS 1.2.
ssl.suite.TLS_AES_128_GCM_SHA256 = true
ssl.suite.TLS_AES_256_GCM_SHA384 = true
ssl.suite.TLS_CHACHA20_POLY1305_SHA256 = true
ssl.suite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = true
ssl.suite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = true
ssl.suite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = true
ssl.suite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = true
ssl.suite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = true
ssl.suite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = true
ssl.suite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = true
ssl.suite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = true
# Broken or export-grade suites, refused in so many words.
ssl.suite.TLS_RSA_EXPORT_WITH_RC4_40_MD5 = false
ssl.suite.TLS_RSA_WITH_RC4_128_SHA = false
ssl.suite.TLS_RSA_WITH_DES_CBC_SHA = false
ssl.rsa.max_bits = unlimited
ssl.dh.max_bits = unlimited

# S/MIME and CryptoAPI: no size limits on today's algorithms.
smime.RSA.max_bits = unlimited
smime.EC.max_bits = unlimited
smime.AES.max_bits = 256
smime.3DES.max_bits = 168
capi.RSA.max_bits = unlimited
capi.DH.max_bits = unlimited
capi.EC.max_bits = unlimited
capi.AES.max_bits = 256
";

/// A commented source-form policy to start from (`kmi ccm template`).
pub fn template(kind: Template) -> String {
    let body = match kind {
        Template::Export => EXPORT_BODY,
        Template::Domestic => DOMESTIC_BODY,
    };
    format!("{TEMPLATE_HEADER}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    const IN_FORCE: &str = "2025-06-01";

    fn query(app: App, alg: &str, bits: Option<u32>, country: Option<&str>) -> Query {
        Query {
            app,
            alg: alg.into(),
            bits,
            country: country.map(|c| parse_country(c).unwrap()),
            recovery: false,
            today: date(IN_FORCE),
        }
    }

    fn export() -> Policy {
        Policy::parse_source(template(Template::Export).as_bytes()).unwrap()
    }

    fn domestic() -> Policy {
        Policy::parse_source(template(Template::Domestic).as_bytes()).unwrap()
    }

    fn minimal(extra: &str) -> Policy {
        let src = format!("ccm.version=1\nccm.id=t\n{extra}");
        Policy::parse_source(src.as_bytes()).unwrap()
    }

    fn first_problem(src: &str) -> String {
        Policy::parse_source(src.as_bytes())
            .unwrap_err()
            .to_string()
    }

    // Dates ----------------------------------------------------------------------------------

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

    // Templates and worked examples ------------------------------------------------------------

    #[test]
    fn templates_lint_clean_and_canonicalise() {
        for kind in [Template::Export, Template::Domestic] {
            let src = template(kind);
            assert_eq!(lint(src.as_bytes()), vec![], "{kind:?}");
            let p = Policy::parse_source(src.as_bytes()).unwrap();
            let canonical = p.canonical_bytes();
            assert_eq!(
                Policy::parse_canonical(&canonical)
                    .unwrap()
                    .canonical_bytes(),
                canonical
            );
        }
    }

    #[test]
    fn export_rsa_1024_for_smime_in_fr_needs_recovery() {
        let p = export();
        let mut q = query(App::Smime, "RSA", Some(1024), Some("FR"));
        let d = p.decide(&q).unwrap();
        assert!(!d.allowed, "{d:?}");
        assert!(d.deciding_keys.contains(&"smime.RSA.max_bits".to_string()));
        assert!(d
            .deciding_keys
            .contains(&"enforce.recovery_agent_required".to_string()));
        assert!(d.reasons[0].contains("above 512"), "{d:?}");
        assert!(d.reasons[0].contains("recovery agent"), "{d:?}");

        q.recovery = true;
        let d = p.decide(&q).unwrap();
        assert!(d.allowed, "{d:?}");
        assert!(d
            .deciding_keys
            .contains(&"smime.RSA.recovery.max_bits".to_string()));
        assert!(d.deciding_keys.contains(&"countries.allow".to_string()));

        q.bits = Some(4096);
        assert!(!p.decide(&q).unwrap().allowed);
        q.bits = Some(512);
        q.recovery = false;
        assert!(p.decide(&q).unwrap().allowed);
    }

    #[test]
    fn export_denies_rc4_128_suite() {
        let p = export();
        let q = query(
            App::Ssl,
            "TLS_DHE_DSS_WITH_RC4_128_SHA",
            Some(1024),
            Some("FR"),
        );
        let d = p.decide(&q).unwrap();
        assert!(!d.allowed);
        assert_eq!(d.deciding_keys, ["ssl.suite.TLS_DHE_DSS_WITH_RC4_128_SHA"]);

        let q = query(
            App::Ssl,
            "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA",
            Some(1024),
            Some("FR"),
        );
        let d = p.decide(&q).unwrap();
        assert!(d.allowed, "{d:?}");
        assert!(d.deciding_keys.contains(&"ssl.dh.max_bits".to_string()));
        let q = query(
            App::Ssl,
            "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA",
            Some(2048),
            Some("FR"),
        );
        let d = p.decide(&q).unwrap();
        assert!(!d.allowed);
        assert_eq!(d.deciding_keys, ["ssl.rsa.max_bits"]);
        // Absent suites are refused.
        let q = query(App::Ssl, "TLS_AES_128_GCM_SHA256", None, Some("FR"));
        assert!(!p.decide(&q).unwrap().allowed);
    }

    #[test]
    fn export_denies_every_query_from_a_denied_country() {
        let p = export();
        let queries = [
            query(
                App::Ssl,
                "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA",
                Some(512),
                Some("CU"),
            ),
            query(App::Smime, "RSA", Some(512), Some("IR")),
            query(App::Capi, "DES", Some(56), Some("KP")),
        ];
        for q in queries {
            let d = p.decide(&q).unwrap();
            assert!(!d.allowed, "{q:?}");
            assert_eq!(d.deciding_keys, ["countries.deny"]);
            let mut fr = q.clone();
            fr.country = Some(*b"FR");
            assert!(p.decide(&fr).unwrap().allowed, "{fr:?}");
        }
    }

    #[test]
    fn export_denies_after_expiry_but_not_on_the_day() {
        let p = export();
        let mut q = query(App::Smime, "RSA", Some(512), Some("FR"));
        q.today = date("2099-12-31");
        assert!(p.decide(&q).unwrap().allowed);
        q.today = date("2100-01-01");
        let d = p.decide(&q).unwrap();
        assert!(!d.allowed);
        assert_eq!(d.deciding_keys, ["ccm.expires"]);
        assert!(d.reasons[0].contains("expired on 2099-12-31"));
    }

    #[test]
    fn export_country_check_fails_closed_without_a_country() {
        let d = export()
            .decide(&query(App::Smime, "RSA", Some(512), None))
            .unwrap();
        assert!(!d.allowed);
        assert_eq!(
            d.deciding_keys,
            ["enforce.country_check", "enforce.fail_closed"]
        );
        let p = minimal(
            "enforce.country_check=true\nenforce.fail_closed=false\ncountries.allow=*\n\
             smime.RSA.max_bits=512\n",
        );
        assert!(
            p.decide(&query(App::Smime, "RSA", Some(512), None))
                .unwrap()
                .allowed
        );
    }

    #[test]
    fn domestic_template_decisions() {
        let p = domestic();
        let allowed = [
            query(App::Ssl, "TLS_AES_256_GCM_SHA384", None, None),
            query(
                App::Ssl,
                "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
                Some(4096),
                None,
            ),
            query(
                App::Ssl,
                "tls_ecdhe_rsa_with_aes_128_gcm_sha256",
                Some(256),
                Some("CU"),
            ),
            query(App::Smime, "RSA", Some(16384), Some("IR")),
            query(App::Smime, "aes", Some(256), None),
            query(App::Capi, "EC", Some(521), None),
        ];
        for q in allowed {
            assert!(p.decide(&q).unwrap().allowed, "{q:?}");
        }
        let denied = [
            query(App::Ssl, "TLS_RSA_WITH_RC4_128_SHA", Some(2048), None),
            query(App::Ssl, "TLS_DHE_DSS_WITH_RC4_128_SHA", Some(1024), None),
            query(App::Smime, "RC2", Some(40), None),
            query(App::Smime, "AES", Some(512), None),
        ];
        for q in denied {
            assert!(!p.decide(&q).unwrap().allowed, "{q:?}");
        }
    }

    // Query edge cases ----------------------------------------------------------------------------

    #[test]
    fn bits_zero_unlimited_and_missing() {
        let p = minimal(
            "smime.DES.max_bits=0\nsmime.RSA.max_bits=unlimited\nsmime.AES.max_bits=128\n\
             smime.RC2.recovery.max_bits=128\n",
        );
        let dec = |alg: &str, bits: Option<u32>, recovery: bool| {
            let mut q = query(App::Smime, alg, bits, None);
            q.recovery = recovery;
            p.decide(&q).unwrap()
        };
        assert!(!dec("DES", Some(1), false).allowed);
        assert!(!dec("DES", None, false).allowed);
        assert!(dec("RSA", Some(65535), false).allowed);
        assert!(dec("RSA", Some(1_000_000), false).allowed);
        assert!(dec("RSA", None, false).allowed);
        assert!(dec("AES", Some(128), false).allowed);
        assert!(!dec("AES", Some(256), false).allowed);
        // No size given under a finite limit: fail closed (the default).
        let d = dec("AES", None, false);
        assert!(!d.allowed);
        assert!(d.deciding_keys.contains(&"enforce.fail_closed".to_string()));
        // Absent max_bits is 0, even when only a recovery key exists.
        let d = dec("RC4", Some(40), false);
        assert!(!d.allowed);
        assert_eq!(d.deciding_keys, ["smime.RC4.max_bits"]);
        assert!(!dec("RC2", Some(40), false).allowed);
        assert!(dec("RC2", Some(128), true).allowed);
        // capi keys are separate from smime keys.
        let q = query(App::Capi, "RSA", Some(512), None);
        assert!(!p.decide(&q).unwrap().allowed);
    }

    #[test]
    fn ecdhe_and_tls13_are_decided_by_the_suite_key() {
        let p = minimal("ssl.suite.TLS_AES_128_GCM_SHA256=true\nssl.suite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256=true\n");
        for name in [
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ] {
            let d = p.decide(&query(App::Ssl, name, Some(384), None)).unwrap();
            assert!(d.allowed, "{d:?}");
            assert_eq!(d.deciding_keys, [format!("ssl.suite.{name}")]);
        }
        // RSA key exchange with no ssl.rsa.max_bits: 0, denied.
        let p = minimal("ssl.suite.TLS_RSA_WITH_AES_128_CBC_SHA=true\n");
        let d = p.decide(&query(
            App::Ssl,
            "TLS_RSA_WITH_AES_128_CBC_SHA",
            Some(2048),
            None,
        ));
        assert_eq!(d.unwrap().deciding_keys, ["ssl.rsa.max_bits"]);
    }

    #[test]
    fn unknown_country_and_allow_lists() {
        let p = minimal("enforce.country_check=true\ncountries.allow=DE,FR\n");
        let d = |c: [u8; 2]| {
            let mut q = query(App::Smime, "RSA", Some(512), None);
            q.country = Some(c);
            p.decide(&q).unwrap()
        };
        let zz = d(*b"ZZ");
        assert!(!zz.allowed);
        assert!(
            zz.reasons
                .iter()
                .any(|r| r.contains("ZZ is not an assigned")),
            "{zz:?}"
        );
        let us = d(*b"US");
        assert!(us
            .reasons
            .iter()
            .any(|r| r.contains("US is not in countries.allow")));
        assert!(us.deciding_keys.contains(&"countries.allow".to_string()));
        // The country passes; smime.RSA is absent, so the size check alone denies.
        assert_eq!(d(*b"FR").deciding_keys, ["smime.RSA.max_bits"]);
        // Without country_check, the country is not looked at.
        let p = minimal("countries.deny=*\nsmime.RSA.max_bits=512\n");
        let mut q = query(App::Smime, "RSA", Some(512), Some("CU"));
        assert!(p.decide(&q).unwrap().allowed);
        q.country = Some(*b"ZZ");
        assert!(p.decide(&q).unwrap().allowed);
        assert!(parse_country("ZZ").is_err());
        assert!(parse_country("fr").is_err());
        assert_eq!(parse_country("FR").unwrap(), *b"FR");
    }

    #[test]
    fn unknown_suite_or_algorithm_in_a_query_is_a_usage_error() {
        let p = export();
        let e = p
            .decide(&query(App::Ssl, "TLS_FOO", None, Some("FR")))
            .unwrap_err();
        assert_eq!(e.exit_code() as u8, 2);
        assert!(e.to_string().contains("unknown cipher suite"));
        let e = p
            .decide(&query(App::Smime, "ROT13", None, Some("FR")))
            .unwrap_err();
        assert!(e.to_string().contains("unknown algorithm"));
        assert_eq!("S/MIME".parse::<App>().unwrap(), App::Smime);
        assert!("ipsec".parse::<App>().is_err());
    }

    // Parsing, lint, canonical form ---------------------------------------------------------------

    #[test]
    fn source_form_is_forgiving_in_layout_only() {
        let src =
            "# comment\r\n\r\n  ccm.version = 1  \r\nccm.id=\tx-1\r\n   # indented comment\r\n\
                   countries.deny = SY, CU ,IR\r\nx-acme.colour = blue green\r\nx-acme.empty=\r\n\
                   smime.RSA.max_bits= 2048";
        let p = Policy::parse_source(src.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(p.canonical_bytes()).unwrap(),
            "ccm.id=x-1\nccm.version=1\ncountries.deny=CU,IR,SY\nsmime.RSA.max_bits=2048\n\
             x-acme.colour=blue green\nx-acme.empty=\n"
        );
        assert_eq!(p.line_of("countries.deny"), Some(6));
        assert_eq!(p.line_of("smime.RSA.max_bits"), Some(9));
        assert_eq!(p.id(), "x-1");
    }

    #[test]
    fn vendor_keys_are_kept_but_never_decide() {
        let p = minimal("x-acme.smime.RSA.max_bits=unlimited\nx-b.c=#not a comment\n");
        assert_eq!(
            p.get("x-b.c"),
            Some(&Value::Vendor("#not a comment".into()))
        );
        let d = p
            .decide(&query(App::Smime, "RSA", Some(512), None))
            .unwrap();
        assert!(!d.allowed);
        // A vendor value may itself hold `=` with spaces: its canonical form reads back.
        let eq = minimal("x-acme.rule=a = b\n");
        assert_eq!(eq.get("x-acme.rule"), Some(&Value::Vendor("a = b".into())));
        let canonical = eq.canonical_bytes();
        let again = Policy::parse_canonical(&canonical).unwrap();
        assert_eq!(again.canonical_bytes(), canonical);
        // A bare `x-` or a one-segment vendor key is not a vendor key.
        assert!(first_problem("ccm.version=1\nccm.id=t\nx-.a=1\n")
            .contains("line 3: x-.a: unknown key"));
        assert!(first_problem("ccm.version=1\nccm.id=t\nx-acme=1\n")
            .contains("line 3: x-acme: not a key"));
    }

    #[test]
    fn problems_name_line_and_key() {
        let cases: &[(&str, &str)] = &[
            (
                "ssl.suite.TLS_FOO=true",
                "line 3: ssl.suite.TLS_FOO: unknown cipher suite",
            ),
            (
                "ssl.suite.tls_rsa_with_rc4_128_sha=true",
                "did you mean TLS_RSA_WITH_RC4_128_SHA?",
            ),
            (
                "enforce.strict=true",
                "line 3: enforce.strict: unknown enforce key",
            ),
            (
                "enforce.fail_closed=yes",
                "line 3: enforce.fail_closed: expected true or false",
            ),
            ("enforce.fail_closed=TRUE", "expected true or false"),
            (
                "smime.RSA.max_bits=65536",
                "line 3: smime.RSA.max_bits: 65536 is above 65535",
            ),
            ("smime.RSA.max_bits=0128", "without leading zeros"),
            ("smime.RSA.max_bits=-1", "without leading zeros"),
            ("smime.RSA.max_bits=", "missing value"),
            ("smime.RSA.max_bits=Unlimited", "without leading zeros"),
            (
                "smime.rsa.max_bits=512",
                "algorithm names are upper case (RSA)",
            ),
            ("smime.IDEA.max_bits=128", "unknown algorithm IDEA"),
            ("smime.RSA.min_bits=128", "unknown smime key"),
            ("capi.RSA.recovery.min_bits=128", "unknown capi key"),
            ("ssl.ecdh.max_bits=256", "unknown ssl key"),
            (
                "ccm.expires=2023-02-29",
                "line 3: ccm.expires: 2023-02-29 is not a calendar date",
            ),
            ("ccm.expires=tomorrow", "expected a date YYYY-MM-DD"),
            ("ccm.owner=me", "unknown ccm key"),
            (
                "countries.allow=fr",
                "fr: country codes are upper case (FR)",
            ),
            (
                "countries.allow=UK",
                "UK: not an assigned ISO 3166-1 alpha-2 code",
            ),
            ("countries.allow=FRA", "not a two-letter"),
            ("countries.allow=FR,*", "* stands alone"),
            ("countries.allow=FR,,DE", "empty entry"),
            ("countries.allow=FR,DE,FR", "FR is listed twice"),
            ("countries.maybe=FR", "unknown key (countries.allow"),
            ("colour.x=blue", "line 3: colour.x: unknown key"),
            (
                "just words",
                "line 3: expected key = value, not `just words`",
            ),
            ("=1", "line 3: missing key before `=`"),
            ("a..b=1", "line 3: a..b: not a key"),
            ("a.b c=1", "not a key"),
            ("ssl=1", "line 3: ssl: not a key"),
            ("caf\u{e9}.x=1", "line 3: non-ASCII byte 0xC3 at column 4"),
            ("x-a.b=\u{1}", "line 3: control character 0x01 at column 7"),
            ("x-a.b=1\rx-a.c=2", "control character 0x0D"),
            (
                "ccm.id=has space",
                "line 3: ccm.id: duplicate key (first on line 2)",
            ),
        ];
        for (extra, want) in cases {
            let src = format!("ccm.version=1\nccm.id=t\n{extra}\n");
            let got = first_problem(&src);
            assert!(got.contains(want), "{extra}: got {got}, want {want}");
        }
        assert_eq!(
            first_problem("ccm.version=1\nccm.id=t\nccm.id=u\n"),
            "line 3: ccm.id: duplicate key (first on line 2)"
        );
        assert!(first_problem("ccm.version=2\nccm.id=t\n").contains("unsupported version 2"));
        assert!(first_problem("ccm.version=1\nccm.id=a b\n").contains("expected 1 to 64"));
        let long = "x".repeat(65);
        assert!(first_problem(&format!("ccm.version=1\nccm.id={long}\n")).contains("1 to 64"));
    }

    #[test]
    fn lint_reports_every_problem_in_line_order() {
        let src = "ccm.version=1\nenforce.strict=true\nssl.suite.TLS_FOO=true\n\
                   enforce.country_check=true\nenforce.strict=false\nsmime.RSA.max_bits=big\n";
        let problems = lint(src.as_bytes());
        let text: Vec<String> = problems.iter().map(Problem::to_string).collect();
        assert_eq!(
            text,
            [
                "line 2: enforce.strict: unknown enforce key (enforce.fail_closed, \
                 enforce.country_check, enforce.recovery_agent_required)",
                "line 3: ssl.suite.TLS_FOO: unknown cipher suite",
                "line 4: enforce.country_check: country_check needs countries.allow (write * \
                 to allow every country not denied)",
                "line 5: enforce.strict: duplicate key (first on line 2)",
                "line 6: smime.RSA.max_bits: expected 0, a number 1 to 65535 without leading \
                 zeros, or unlimited",
                "ccm.id: required key missing",
            ]
        );
        assert_eq!(problems[0].line, Some(2));
        assert_eq!(problems[5].line, None);
        let e = Policy::parse_source(src.as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), text[0]);
        assert_eq!(e.exit_code() as u8, 2);
        assert_eq!(lint(b"").len(), 2);
        assert_eq!(lint(b"\n\n# nothing\n").len(), 2);
    }

    #[test]
    fn canonical_round_trip() {
        let src = "ccm.version = 1\r\nccm.id = t\r\ncountries.allow = FR,DE\r\n\
                   ssl.suite.TLS_AES_128_GCM_SHA256 = true\r\nccm.expires = 2030-01-01\r\n";
        let p = Policy::parse_source(src.as_bytes()).unwrap();
        let c = p.canonical_bytes();
        assert_eq!(
            c,
            b"ccm.expires=2030-01-01\nccm.id=t\nccm.version=1\ncountries.allow=DE,FR\n\
              ssl.suite.TLS_AES_128_GCM_SHA256=true\n"
        );
        let again = Policy::parse_canonical(&c).unwrap();
        assert_eq!(again.canonical_bytes(), c);
        assert_eq!(again.get("countries.allow"), p.get("countries.allow"));
        // Canonical bytes are also valid source.
        assert_eq!(Policy::parse_source(&c).unwrap().canonical_bytes(), c);
    }

    #[test]
    fn vendor_values_with_equals_and_inner_blanks_round_trip() {
        // The round trip the ccm_policy fuzz target asserts: only the first `=` separates key
        // and value, so `= x` is a value, not padding.
        let src = "ccm.version=1\nccm.id=t\nx-a.b = = x\nx-a.c=p\tq = r\n";
        let p = Policy::parse_source(src.as_bytes()).unwrap();
        let c = p.canonical_bytes();
        assert_eq!(c, b"ccm.id=t\nccm.version=1\nx-a.b== x\nx-a.c=p\tq = r\n");
        assert_eq!(Policy::parse_canonical(&c).unwrap().canonical_bytes(), c);
    }

    #[test]
    fn parse_canonical_names_what_is_not_canonical() {
        let good = "ccm.id=t\nccm.version=1\ncountries.allow=DE,FR\nsmime.RSA.max_bits=512\n";
        assert!(Policy::parse_canonical(good.as_bytes()).is_ok());
        let cases: &[(&str, &str)] = &[
            ("", "not canonical: empty"),
            ("ccm.id=t\r\nccm.version=1\n", "line 1: not canonical: CR before LF"),
            ("ccm.id=t\n\nccm.version=1\n", "line 2: not canonical: blank line"),
            ("# c\nccm.id=t\nccm.version=1\n", "line 1: not canonical: comment line"),
            ("ccm.id = t\nccm.version=1\n", "line 1: not canonical: spaces around"),
            ("ccm.id=t\nccm.version=1 \n", "line 2: not canonical: spaces around"),
            (" ccm.id=t\nccm.version=1\n", "line 1: not canonical: spaces around"),
            ("ccm.version=1\nccm.id=t\n", "line 2: not canonical: ccm.id sorts before the previous key ccm.version"),
            ("ccm.id=t\nccm.id=t\nccm.version=1\n", "line 2: ccm.id: duplicate key"),
            ("ccm.id=t\nccm.version=1", "line 2: not canonical: the last line has no LF"),
            ("ccm.id=t\nccm.version=1\ncountries.allow=FR,DE\n", "line 3: countries.allow: not canonical: the value is written `countries.allow=DE,FR`"),
            ("ccm.id=t\nccm.version=1\ncountries.allow=DE, FR\n", "line 3: countries.allow: not canonical"),
            ("ccm.id=t\nccm.version=1\nx\n", "line 3: not canonical: expected key=value"),
            ("ccm.id=t\nccm.version=1\nx-a.b=\u{e9}\n", "line 3: not canonical: non-ASCII byte 0xC3"),
            ("ccm.id=t\nccm.version=1\nssl.suite.TLS_FOO=true\n", "line 3: ssl.suite.TLS_FOO: unknown cipher suite"),
            ("ccm.id=t\n", "ccm.version: required key missing"),
        ];
        for (input, want) in cases {
            let e = Policy::parse_canonical(input.as_bytes()).unwrap_err();
            assert!(
                e.to_string().contains(want),
                "{input:?}: got {e}, want {want}"
            );
            assert_eq!(e.exit_code() as u8, 2);
        }
    }

    #[test]
    fn bits_order_and_allows() {
        assert!(Bits::Unlimited > Bits::Limited(65535));
        assert_eq!(
            Bits::Limited(512).max(Bits::Limited(2048)),
            Bits::Limited(2048)
        );
        assert!(!Bits::Limited(0).allows(0));
        assert!(Bits::Limited(1).allows(1));
        assert!(!Bits::Limited(1).allows(2));
        assert!(Bits::Unlimited.allows(u32::MAX));
    }

    #[test]
    fn country_table_is_the_249_assigned_codes() {
        let codes: Vec<&str> = ISO_3166_ALPHA2.split(' ').collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        assert!(codes.iter().all(|c| c.len() == 2));
        assert!(is_assigned_country(*b"ZW") && is_assigned_country(*b"AD"));
        assert!(!is_assigned_country(*b"UK") && !is_assigned_country(*b"XK"));
    }
}
