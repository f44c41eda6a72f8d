//! The ceremony record: an append-only file of JSON lines, each carrying the SHA-256 of the line
//! before it, so an edited, deleted or reordered line breaks the chain; the hash of the last line
//! (the head), written on paper during the ceremony, also detects a cut or rewritten tail.

use std::io::{Read, Write};
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
    /// `cmc respond`: what the escrow agent decided (absent on every other command's line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentDecision>,
}

/// One escrow-agent decision, as `kmi cmc respond --log` records it: who asked for what and
/// what was answered, by digests and fingerprints only (never key material).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AgentDecision {
    /// SHA-256 of the request bytes as read.
    pub request_sha256: String,
    /// "archive", "recovery", "keygen", or null when the request could not be read that far.
    pub kind: Option<String>,
    /// The identity the request named (id-cmc-identification, else as the agent derived it).
    pub identity: Option<String>,
    /// SHA-256 of the SubjectPublicKeyInfo DER of each signer whose signature verified.
    pub signers: Vec<String>,
    /// "granted", "refused", or "not answered" (an agent setup error: no response was written).
    pub decision: String,
    /// The CMCFailInfo or archive error code of a refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_info: Option<String>,
    /// Why, in the agent's words (for a refusal the client may have been told less).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The keys archived, returned or generated.
    pub keys: Vec<KeyRecord>,
    /// The head of the key store's decision history once this decision was recorded in it
    /// (`kmi cmc store verify --head` checks a store against it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_head: Option<String>,
}

/// A key an agent decision handled.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyRecord {
    /// SHA-256 of the key's SubjectPublicKeyInfo DER.
    pub fingerprint: String,
    /// "stored", "already held", "returned", "generated", "generated and stored".
    pub action: String,
}

/// A ceremony record larger than this is refused (read stops there): a line is a few hundred bytes,
/// so this is millions of operations, and `--log /dev/zero` must not fill memory.
pub const MAX_LOG_BYTES: u64 = crate::io::input::MAX_INPUT_BYTES;

/// SHA-256 of a file's bytes as hex, or None when it cannot be read or is not a regular file
/// (a failed command may name `/dev/zero`; its record must not read it forever).
pub fn file_digest(path: &Path) -> Option<FileDigest> {
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let mut file = std::fs::File::open(path)
        .ok()?
        .take(crate::io::input::MAX_INPUT_BYTES);
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).ok()?;
    Some(FileDigest {
        file: path.display().to_string(),
        sha256: hex::encode(hasher.finalize()),
    })
}

fn line_hash(line: &str) -> String {
    hex::encode(Sha256::digest(line.as_bytes()))
}

/// Read an open record up to [`MAX_LOG_BYTES`]; more is refused.
fn read_record(file: &mut dyn Read, path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    file.take(MAX_LOG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > MAX_LOG_BYTES {
        return Err(Error::malformed(
            path.to_path_buf(),
            format!(
                "larger than {} MiB: not a ceremony record",
                MAX_LOG_BYTES >> 20
            ),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| Error::malformed(path.to_path_buf(), "not UTF-8: not a ceremony record"))
}

/// A ceremony record open for appending, locked (flock, exclusive) while this value lives: two kmi
/// runs naming the same record wait for each other instead of both chaining to the same line. A
/// new record is created 0600 whatever the umask: it names every file of the ceremony.
pub struct RecordFile {
    path: PathBuf,
    _lock: crate::io::lock::Flock,
    file: std::fs::File,
}

impl RecordFile {
    /// Open (or create) and lock the record at `path`; `on_wait` is called once if another
    /// process holds the lock and this call is about to wait for it. Refuses anything but a
    /// regular file (`--log /dev/zero`) before any work is done.
    pub fn open(path: &Path, on_wait: &dyn Fn()) -> Result<RecordFile> {
        let write_err = |e: std::io::Error| Error::Write {
            path: path.to_path_buf(),
            what: e.to_string(),
        };
        let not_regular = || {
            Error::invalid(format!(
                "{}: a ceremony record must be a regular file",
                path.display()
            ))
        };
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(not_regular());
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(write_err)?;
        if !file.metadata().map_err(write_err)?.is_file() {
            return Err(not_regular());
        }
        let lock = match crate::io::lock::Flock::try_exclusive(&file).map_err(write_err)? {
            Some(lock) => lock,
            None => {
                on_wait();
                crate::io::lock::Flock::exclusive(&file).map_err(write_err)?
            }
        };
        Ok(RecordFile {
            path: path.to_path_buf(),
            _lock: lock,
            file,
        })
    }

    /// Append `entry` (its `prev` is filled in here), fsync, and return the new head.
    pub fn append(&mut self, mut entry: LogEntry) -> Result<String> {
        let path = &self.path;
        let write_err = |e: std::io::Error| Error::Write {
            path: path.clone(),
            what: e.to_string(),
        };
        use std::io::Seek;
        self.file
            .seek(std::io::SeekFrom::Start(0))
            .map_err(write_err)?;
        let text = read_record(&mut self.file, path)?;
        let last = text.lines().rev().find(|l| !l.is_empty());
        entry.prev = last.map(line_hash).unwrap_or_else(|| GENESIS.to_string());
        let line = serde_json::to_string(&entry).map_err(|e| Error::internal(e.to_string()))?;
        self.file
            .write_all(format!("{line}\n").as_bytes())
            .map_err(write_err)?;
        self.file.sync_all().map_err(write_err)?;
        Ok(line_hash(&line))
    }
}

/// Open, lock and append one entry: [`RecordFile::open`] then [`RecordFile::append`].
pub fn append(path: &Path, entry: LogEntry) -> Result<String> {
    RecordFile::open(path, &|| {})?.append(entry)
}

/// What a verified record holds.
#[derive(Debug, Serialize)]
pub struct LogSummary {
    pub entries: usize,
    pub head: String,
}

/// Check the chain line by line, and the head if given.
pub fn verify(path: &Path, expected_head: Option<&str>) -> Result<LogSummary> {
    if let Some(head) = expected_head {
        let head = head.trim();
        if head.len() != 64 || !head.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid(format!(
                "--head {head:?} is not a head: want the 64 hex digits kmi printed"
            )));
        }
    }
    // `-` is standard input (`kmi log verify - < ceremony.log`, or a record from a pipe).
    let stdin = path == Path::new("-");
    let shown = if stdin {
        PathBuf::from("<stdin>")
    } else {
        path.to_path_buf()
    };
    let text = if stdin {
        read_record(&mut std::io::stdin().lock(), &shown)?
    } else {
        let mut file = std::fs::File::open(path).map_err(|e| Error::Read {
            path: path.to_path_buf(),
            source: e,
        })?;
        read_record(&mut file, path)?
    };
    let name = shown.display();
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
            agent: None,
        }
    }
}

pub fn now_rfc3339() -> String {
    let t = der::asn1::GeneralizedTime::from_system_time(crate::clock::now())
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
