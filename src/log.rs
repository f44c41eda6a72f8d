//! The ceremony record: an append-only file of JSON lines, each carrying the SHA-256 of the line
//! before it, so an edited, deleted or reordered line breaks the chain; the hash of the last line
//! (the head), written on paper during the ceremony, also detects a cut or rewritten tail.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileDigest {
    pub file: String,
    pub sha256: String,
}

/// One operation of the ceremony. Field order is the order in the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LogEntry {
    pub prev: String,
    pub time: String,
    pub command: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_id: Option<String>,
    pub shares: Vec<u32>,
    pub inputs: Vec<FileDigest>,
    pub outputs: Vec<FileDigest>,
    pub outcome: String,
}

/// SHA-256 of a file's bytes as hex, or None when it cannot be read.
pub fn file_digest(path: &Path) -> Option<FileDigest> {
    let bytes = std::fs::read(path).ok()?;
    Some(FileDigest {
        file: path.display().to_string(),
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

fn line_hash(line: &str) -> String {
    hex::encode(Sha256::digest(line.as_bytes()))
}

/// Append `entry` (its `prev` is filled in here) and return the new head.
pub fn append(path: &Path, mut entry: LogEntry) -> Result<String> {
    let write_err = |e: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        what: e.to_string(),
    };
    let last = match std::fs::File::open(path) {
        Ok(f) => std::io::BufReader::new(f)
            .lines()
            .map_while(|l| l.ok())
            .filter(|l| !l.is_empty())
            .last(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source: e,
            })
        }
    };
    entry.prev = last
        .as_deref()
        .map(line_hash)
        .unwrap_or_else(|| GENESIS.to_string());
    let line = serde_json::to_string(&entry).map_err(|e| Error::internal(e.to_string()))?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(write_err)?;
    f.write_all(format!("{line}\n").as_bytes())
        .map_err(write_err)?;
    f.sync_all().map_err(write_err)?;
    Ok(line_hash(&line))
}

/// What a verified record holds.
#[derive(Debug, Serialize)]
pub struct LogSummary {
    pub entries: usize,
    pub head: String,
}

/// Check the chain line by line, and the head if given.
pub fn verify(path: &Path, expected_head: Option<&str>) -> Result<LogSummary> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    let name = path.display();
    let mut prev = GENESIS.to_string();
    let mut entries = 0;
    for (n, line) in text.lines().enumerate() {
        let number = n + 1;
        if line.is_empty() {
            return Err(Error::check(format!("{name}: line {number} is empty")));
        }
        let entry: LogEntry = serde_json::from_str(line).map_err(|e| {
            Error::check(format!("{name}: line {number} is not a record entry: {e}"))
        })?;
        if entry.prev != prev {
            return Err(Error::check(format!(
                "{name}: line {number} does not follow line {}: a line was edited, deleted or reordered",
                number - 1
            )));
        }
        prev = line_hash(line);
        entries += 1;
    }
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(Error::check(format!("{name}: the last line is incomplete")));
    }
    if let Some(head) = expected_head {
        if !prev.eq_ignore_ascii_case(head.trim()) {
            return Err(Error::check(format!(
                "{name}: the head is {prev}, not {head}: the record was cut or its tail rewritten"
            )));
        }
    }
    Ok(LogSummary {
        entries,
        head: prev,
    })
}

/// Collects what one command read and wrote, for its log line.
#[derive(Debug, Default)]
pub struct Record {
    pub set_id: Option<String>,
    pub shares: Vec<u32>,
    pub inputs: Vec<PathBuf>,
    pub outputs: Vec<PathBuf>,
}

impl Record {
    pub fn entry(&self, command: &str, outcome: &str) -> LogEntry {
        let digests = |paths: &[PathBuf]| paths.iter().filter_map(|p| file_digest(p)).collect();
        LogEntry {
            prev: String::new(),
            time: now_rfc3339(),
            command: command.to_string(),
            set_id: self.set_id.clone(),
            shares: self.shares.clone(),
            inputs: digests(&self.inputs),
            outputs: digests(&self.outputs),
            outcome: outcome.to_string(),
        }
    }
}

fn now_rfc3339() -> String {
    let t = der::asn1::GeneralizedTime::from_system_time(std::time::SystemTime::now())
        .map(|g| g.to_date_time())
        .ok();
    match t {
        Some(dt) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minutes(),
            dt.seconds()
        ),
        None => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(cmd: &str) -> LogEntry {
        Record::default().entry(cmd, "ok")
    }

    #[test]
    fn chain_detects_edits_deletions_reordering_and_cuts() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ceremony.log");
        append(&p, entry("share split")).unwrap();
        append(&p, entry("share verify")).unwrap();
        let head = append(&p, entry("share reconstruct")).unwrap();
        assert_eq!(verify(&p, Some(&head)).unwrap().entries, 3);
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();

        let edited = text.replace("share verify", "share VERIFY");
        std::fs::write(&p, &edited).unwrap();
        assert!(verify(&p, None)
            .unwrap_err()
            .to_string()
            .contains("line 3 does not follow"));

        std::fs::write(&p, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
        assert!(verify(&p, None).is_err());

        std::fs::write(&p, format!("{}\n{}\n{}\n", lines[1], lines[0], lines[2])).unwrap();
        assert!(verify(&p, None).is_err());

        // Cutting the last line keeps a valid chain; only the head shows it.
        std::fs::write(&p, format!("{}\n{}\n", lines[0], lines[1])).unwrap();
        assert!(verify(&p, None).is_ok());
        assert!(verify(&p, Some(&head))
            .unwrap_err()
            .to_string()
            .contains("cut"));
    }
}
