//! Reading a policy: problems with their lines, the source form (`lint`, `parse_source`), the
//! canonical form that is signed, and the accessors of a parsed [`Policy`].

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;

use super::values::{classify, is_key, parse_value, Bits, Countries, Value};
use crate::date::Date;
use crate::{Error, Result};

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
        let parsed = classify(key)
            .map_err(|p| p.to_string())
            .and_then(|kind| parse_value(kind, value).map_err(|p| p.to_string()));
        match parsed {
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
