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

/// A byte that makes a line unreadable; `column` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum ByteProblem {
    #[error("control character 0x{byte:02X} at column {column}")]
    ControlCharacter { byte: u8, column: usize },
    #[error("non-ASCII byte 0x{byte:02X} at column {column} (a CCM is ASCII)")]
    NonAscii { byte: u8, column: usize },
}

/// Byte-level problems that make a line unreadable: non-ASCII and control characters.
fn line_bytes_problem(text: &[u8]) -> Option<ByteProblem> {
    let (col, &byte) = text
        .iter()
        .enumerate()
        .find(|&(_, &b)| !b.is_ascii() || (b.is_ascii_control() && b != b'\t'))?;
    let column = col + 1;
    Some(if byte.is_ascii() {
        ByteProblem::ControlCharacter { byte, column }
    } else {
        ByteProblem::NonAscii { byte, column }
    })
}

/// Parse the source form, collecting every problem. The policy holds whatever entries were
/// valid.
fn analyse(source: &[u8]) -> (Policy, Vec<Problem>) {
    let mut entries = BTreeMap::new();
    let mut problems = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();

    for (n, text, _cr) in split_lines(source) {
        if let Some(p) = line_bytes_problem(text) {
            problems.push(problem(Some(n), None, p.to_string()));
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

/// What is wrong with one line of a would-be canonical policy, on its own.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum LineShape {
    #[error(transparent)]
    Bytes(ByteProblem),
    #[error("CR before LF (canonical lines end with LF alone)")]
    CrBeforeLf,
    #[error("blank line")]
    Blank,
    #[error("comment line")]
    Comment,
    #[error("expected key=value")]
    NoEquals,
    #[error("spaces around the key or value")]
    Padded,
}

/// Why bytes are not in canonical form; `line` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum NotCanonical {
    #[error("not canonical: empty")]
    Empty,
    #[error("line {line}: not canonical: {shape}")]
    Line { line: usize, shape: LineShape },
    #[error("line {line}: {key}: duplicate key")]
    DuplicateKey { line: usize, key: String },
    #[error(
        "line {line}: not canonical: {key} sorts before the previous key {previous} \
         (canonical lines are sorted bytewise by key)"
    )]
    OutOfOrder {
        line: usize,
        key: String,
        previous: String,
    },
    #[error("line {line}: not canonical: the last line has no LF")]
    NoFinalLf { line: usize },
}

/// Why `bytes` is not in canonical form, or `None` if its lines are. Schema problems are left
/// to `analyse`.
pub(super) fn canonical_syntax_problem(bytes: &[u8]) -> Option<NotCanonical> {
    if bytes.is_empty() {
        return Some(NotCanonical::Empty);
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
        let shape = if let Some(p) = line_bytes_problem(text) {
            Some(LineShape::Bytes(p))
        } else if cr {
            Some(LineShape::CrBeforeLf)
        } else if text.is_empty() {
            Some(LineShape::Blank)
        } else if text.first() == Some(&b'#') {
            Some(LineShape::Comment)
        } else if eq.is_none() {
            Some(LineShape::NoEquals)
        } else if padded(key) || padded(value) {
            Some(LineShape::Padded)
        } else {
            None
        };
        if let Some(shape) = shape {
            return Some(NotCanonical::Line { line: n, shape });
        }
        if let Some(prev) = previous {
            let k = String::from_utf8_lossy(key).into_owned();
            if key == prev {
                return Some(NotCanonical::DuplicateKey { line: n, key: k });
            }
            if key < prev {
                return Some(NotCanonical::OutOfOrder {
                    line: n,
                    key: k,
                    previous: String::from_utf8_lossy(prev).into_owned(),
                });
            }
        }
        previous = Some(key);
    }
    if bytes.last() != Some(&b'\n') {
        let line = split_lines(bytes).count();
        return Some(NotCanonical::NoFinalLf { line });
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
            return Err(Error::format(why.to_string()));
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

    /// `ccm.version`: the policy's revision under its `ccm.id` (required, so 0 only for a policy
    /// that was never checked).
    pub fn version(&self) -> u32 {
        match self.get("ccm.version") {
            Some(Value::Version(v)) => *v,
            _ => 0,
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
