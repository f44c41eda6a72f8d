//! The typed values of a policy (key sizes, country lists, ...) and the schema: which keys
//! exist and what type of value each takes.

use std::fmt;

use super::countries::{check_country, country_str, CountryProblem};
use super::ALGORITHMS;
use crate::ccm::suites;
use crate::date::Date;

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
pub(super) enum Kind {
    Version,
    Token,
    Date,
    Countries,
    Bool,
    Bits,
    Vendor,
}

/// `seg 1*("." seg)`, `seg = 1*(ALPHA / DIGIT / "_" / "-")`.
pub(super) fn is_key(key: &str) -> bool {
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

/// Why the schema has no such key. Display is the message a policy problem gives after
/// `line N: key: `.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum KeyProblem {
    #[error("unknown ccm key (ccm.version, ccm.id, ccm.expires)")]
    UnknownCcmKey,
    #[error("unknown key (countries.allow, countries.deny)")]
    UnknownCountriesKey,
    #[error(
        "unknown enforce key (enforce.fail_closed, enforce.country_check, \
         enforce.recovery_agent_required)"
    )]
    UnknownEnforceKey,
    /// `ssl.suite.<name>` for a name that is not an IANA suite name; `suggestion` is the name
    /// it matches when case is ignored.
    #[error("unknown cipher suite{}", did_you_mean(.suggestion))]
    UnknownSuite { suggestion: Option<String> },
    #[error("unknown ssl key (ssl.suite.<IANA name>, ssl.rsa.max_bits, ssl.dh.max_bits)")]
    UnknownSslKey,
    /// An `smime.*` or `capi.*` key of the wrong shape; `app` is `smime` or `capi`.
    #[error("unknown {app} key ({app}.<ALG>.max_bits, {app}.<ALG>.recovery.max_bits)")]
    UnknownAppKey { app: String },
    /// A known algorithm written in another case; `upper` is its spelling.
    #[error("algorithm names are upper case ({upper})")]
    AlgorithmCase { upper: String },
    #[error("unknown algorithm {name} (known: {})", ALGORITHMS.join(", "))]
    UnknownAlgorithm { name: String },
    #[error("unknown key")]
    UnknownKey,
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(name) => format!(" (did you mean {name}?)"),
        None => String::new(),
    }
}

/// Why a value is not of its key's type. Display is the message a policy problem gives after
/// `line N: key: `.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum ValueProblem {
    #[error("missing value")]
    MissingValue,
    #[error("{0} is not a version (a number 1 to 4294967295 without leading zeros)")]
    UnsupportedVersion(String),
    #[error("expected 1 to 64 characters from A-Z a-z 0-9 . _ -")]
    NotAToken,
    /// Shaped like `YYYY-MM-DD` but no such day.
    #[error("{0} is not a calendar date")]
    NotACalendarDate(String),
    #[error("expected a date YYYY-MM-DD")]
    NotADate,
    #[error("expected true or false")]
    NotABool,
    #[error("expected 0, a number 1 to 65535 without leading zeros, or unlimited")]
    NotBits,
    #[error("{0} is above 65535 (write unlimited for no limit)")]
    BitsAboveMax(String),
    #[error("* stands alone: it cannot be listed with country codes")]
    StarNotAlone,
    #[error("empty entry in the country list")]
    EmptyCountry,
    #[error(transparent)]
    Country(#[from] CountryProblem),
    #[error("{0} is listed twice")]
    CountryListedTwice(String),
}

/// What type of value a key takes, or why the schema has no such key. `key` is well-formed.
pub(super) fn classify(key: &str) -> std::result::Result<Kind, KeyProblem> {
    let segs: Vec<&str> = key.split('.').collect();
    match segs.as_slice() {
        ["ccm", "version"] => Ok(Kind::Version),
        ["ccm", "id"] => Ok(Kind::Token),
        ["ccm", "expires"] => Ok(Kind::Date),
        ["ccm", ..] => Err(KeyProblem::UnknownCcmKey),
        ["countries", "allow" | "deny"] => Ok(Kind::Countries),
        ["countries", ..] => Err(KeyProblem::UnknownCountriesKey),
        ["enforce", "fail_closed" | "country_check" | "recovery_agent_required"] => Ok(Kind::Bool),
        ["enforce", ..] => Err(KeyProblem::UnknownEnforceKey),
        ["ssl", "suite", name] => match suites::by_name(name) {
            Some(_) => Ok(Kind::Bool),
            None => Err(KeyProblem::UnknownSuite {
                suggestion: suites::by_name_ignore_case(name).map(|s| s.name.to_string()),
            }),
        },
        ["ssl", "rsa" | "dh", "max_bits"] => Ok(Kind::Bits),
        ["ssl", ..] => Err(KeyProblem::UnknownSslKey),
        [app @ ("smime" | "capi"), alg, rest @ ..] => {
            let shape_ok = matches!(rest, ["max_bits"] | ["recovery", "max_bits"]);
            if !shape_ok {
                return Err(KeyProblem::UnknownAppKey {
                    app: app.to_string(),
                });
            }
            if ALGORITHMS.contains(alg) {
                Ok(Kind::Bits)
            } else if ALGORITHMS.iter().any(|a| a.eq_ignore_ascii_case(alg)) {
                Err(KeyProblem::AlgorithmCase {
                    upper: alg.to_ascii_uppercase(),
                })
            } else {
                Err(KeyProblem::UnknownAlgorithm {
                    name: alg.to_string(),
                })
            }
        }
        [vendor, ..] if vendor.len() > 2 && vendor.starts_with("x-") => Ok(Kind::Vendor),
        _ => Err(KeyProblem::UnknownKey),
    }
}

pub(super) fn parse_value(kind: Kind, s: &str) -> std::result::Result<Value, ValueProblem> {
    if s.is_empty() && kind != Kind::Vendor {
        return Err(ValueProblem::MissingValue);
    }
    match kind {
        // The policy's revision: each new policy under one ccm.id takes a higher number, and
        // `ccm check/verify --state` refuses one older than the highest it accepted.
        Kind::Version => match s.parse::<u32>() {
            Ok(v) if v >= 1 && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Value::Version(v))
            }
            _ => Err(ValueProblem::UnsupportedVersion(s.to_string())),
        },
        Kind::Token => {
            let ok = s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
            if ok {
                Ok(Value::Token(s.to_string()))
            } else {
                Err(ValueProblem::NotAToken)
            }
        }
        Kind::Date => match Date::parse(s) {
            Some(d) => Ok(Value::Date(d)),
            None if s.len() == 10 && s.bytes().filter(|&b| b == b'-').count() == 2 => {
                Err(ValueProblem::NotACalendarDate(s.to_string()))
            }
            None => Err(ValueProblem::NotADate),
        },
        Kind::Countries => parse_countries(s).map(Value::Countries),
        Kind::Bool => match s {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(ValueProblem::NotABool),
        },
        Kind::Bits => parse_bits(s).map(Value::Bits),
        Kind::Vendor => Ok(Value::Vendor(s.to_string())),
    }
}

fn parse_bits(s: &str) -> std::result::Result<Bits, ValueProblem> {
    if s == "unlimited" {
        return Ok(Bits::Unlimited);
    }
    if s == "0" {
        return Ok(Bits::Limited(0));
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') {
        return Err(ValueProblem::NotBits);
    }
    match s.parse::<u16>() {
        Ok(n) => Ok(Bits::Limited(n)),
        Err(_) => Err(ValueProblem::BitsAboveMax(s.to_string())),
    }
}

fn parse_countries(s: &str) -> std::result::Result<Countries, ValueProblem> {
    let items: Vec<&str> = s.split(',').map(|i| i.trim_matches([' ', '\t'])).collect();
    if items == ["*"] {
        return Ok(Countries::Any);
    }
    let mut list = Vec::with_capacity(items.len());
    for item in items {
        if item == "*" {
            return Err(ValueProblem::StarNotAlone);
        }
        if item.is_empty() {
            return Err(ValueProblem::EmptyCountry);
        }
        list.push(check_country(item)?);
    }
    list.sort_unstable();
    if let Some(w) = list.windows(2).find(|w| w[0] == w[1]) {
        return Err(ValueProblem::CountryListedTwice(country_str(w[0])));
    }
    Ok(Countries::Only(list))
}
