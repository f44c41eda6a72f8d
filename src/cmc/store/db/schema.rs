//! The database store's schema (see the table in `db`), how its rows are read and written, and
//! how SQLite's errors become kmi's.

use std::path::Path;

use der::Decode;
use rusqlite::{params, Connection, ErrorCode};
use spki::SubjectPublicKeyInfoRef;

use super::{BUSY_WAIT, MAX_VALUE_BYTES};
use crate::cmc::store::audit::{line_hash, sha256_hex, DecisionLine, RowImage};
use crate::cmc::store::{SplitMeta, StoredMeta, META_VERSION};
use crate::Error;

pub(super) const SCHEMA: &str = "
CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE keys (
    fingerprint TEXT PRIMARY KEY NOT NULL,
    algorithm TEXT NOT NULL,
    bits INTEGER NOT NULL,
    identity TEXT NOT NULL,
    selection BLOB,
    subject TEXT,
    archived TEXT NOT NULL,
    source TEXT NOT NULL,
    signer_spki BLOB NOT NULL,
    signer_fingerprint TEXT NOT NULL,
    proved_identity TEXT,
    certificate_id BLOB,
    sealed_key BLOB,
    split_threshold INTEGER,
    split_total INTEGER,
    set_id TEXT,
    set_pem TEXT,
    decision_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX keys_by_identity ON keys (identity, selection);
CREATE INDEX keys_by_signer ON keys (signer_fingerprint);
CREATE TABLE shares (
    fingerprint TEXT NOT NULL REFERENCES keys (fingerprint),
    idx INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (fingerprint, idx)
) WITHOUT ROWID;
CREATE TABLE signers (
    spki BLOB PRIMARY KEY NOT NULL,
    key_id BLOB NOT NULL,
    fingerprint TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX signers_by_key_id ON signers (key_id);
CREATE TABLE decisions (seq INTEGER PRIMARY KEY, line TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE decision_keys (
    fingerprint TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, seq)
) WITHOUT ROWID;
CREATE TRIGGER decisions_are_append_only BEFORE UPDATE ON decisions
    BEGIN SELECT RAISE(ABORT, 'the decision history is append-only'); END;
CREATE TRIGGER decisions_are_kept BEFORE DELETE ON decisions
    BEGIN SELECT RAISE(ABORT, 'the decision history is append-only'); END;
CREATE TRIGGER keys_are_kept BEFORE DELETE ON keys
    BEGIN SELECT RAISE(ABORT, 'entries are never removed'); END;
CREATE TRIGGER keys_are_not_edited BEFORE UPDATE ON keys
    BEGIN SELECT RAISE(ABORT, 'entries are never edited'); END;
CREATE TRIGGER signers_are_kept BEFORE DELETE ON signers
    BEGIN SELECT RAISE(ABORT, 'signers are never removed'); END;
CREATE TRIGGER signers_are_not_edited BEFORE UPDATE ON signers
    BEGIN SELECT RAISE(ABORT, 'signers are never edited'); END;
";

/// The key identifier (SHA-1 of the subjectPublicKey bits) of an SPKI DER, if it parses.
pub fn spki_key_id(spki_der: &[u8]) -> Option<Vec<u8>> {
    SubjectPublicKeyInfoRef::from_der(spki_der)
        .ok()
        .map(|s| crate::cms::ktri::key_identifier(&s))
}

/// A SQLite error as kmi's: a busy store, a full disk, a file that is not a store.
pub(crate) fn db_err(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::Write {
            path: path.to_path_buf(),
            what: format!(
                "the key store is in use by another agent (waited {} s); nothing was changed, try again",
                BUSY_WAIT.as_secs()
            ),
        },
        Some(ErrorCode::DiskFull | ErrorCode::SystemIoFailure | ErrorCode::CannotOpen | ErrorCode::ReadOnly) => {
            Error::Write {
                path: path.to_path_buf(),
                what: e.to_string(),
            }
        }
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            Error::malformed(path.to_path_buf(), "not a kmi key store (not an SQLite database, or a damaged one)")
        }
        Some(ErrorCode::TooBig) => Error::malformed(
            path.to_path_buf(),
            format!("holds a value larger than {MAX_VALUE_BYTES} bytes"),
        ),
        _ => Error::malformed(path.to_path_buf(), format!("the key store: {e}")),
    }
}

/// The columns [`read_meta`] reads, in its order.
pub(crate) const COLUMNS: &str = "fingerprint, algorithm, bits, identity, selection, subject, archived, source, \
     signer_spki, signer_fingerprint, proved_identity, certificate_id, split_threshold, split_total, set_id";

pub(crate) fn read_meta(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMeta> {
    let selection: Option<Vec<u8>> = r.get(4)?;
    let signer: Vec<u8> = r.get(8)?;
    let certificate_id: Option<Vec<u8>> = r.get(11)?;
    let threshold: Option<i64> = r.get(12)?;
    let total: Option<i64> = r.get(13)?;
    let set_id: Option<String> = r.get(14)?;
    let split = match (threshold, total) {
        (Some(k), Some(n)) => Some(SplitMeta {
            // Out-of-range values become 0, which the split check refuses.
            threshold: u32::try_from(k).unwrap_or(0),
            total: u32::try_from(n).unwrap_or(0),
            set_id: set_id.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(StoredMeta {
        version: META_VERSION,
        fingerprint: r.get(0)?,
        algorithm: r.get(1)?,
        bits: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        identity: r.get(3)?,
        selection: selection
            .as_ref()
            .and_then(|s| std::str::from_utf8(s).ok().map(str::to_string)),
        selection_hex: selection.as_ref().map(hex::encode),
        subject: r.get(5)?,
        archived: r.get(6)?,
        source: r.get(7)?,
        signer_spki: hex::encode(&signer),
        signer_spki_sha256: r.get(9)?,
        proved_identity: r.get(10)?,
        split,
        certificate_id: certificate_id.as_ref().map(hex::encode),
    })
}

/// An entry row about to be inserted.
pub(crate) struct Row {
    pub meta: StoredMeta,
    pub sealed_key: Option<Vec<u8>>,
    pub set_pem: Option<String>,
    pub shares: Vec<Vec<u8>>,
}

impl Row {
    pub fn image(&self, decision_seq: u64) -> RowImage<'_> {
        let m = &self.meta;
        RowImage {
            fingerprint: &m.fingerprint,
            algorithm: &m.algorithm,
            bits: m.bits,
            identity: &m.identity,
            selection: m.selection_hex.clone(),
            subject: m.subject.as_deref(),
            archived: &m.archived,
            source: &m.source,
            signer_spki: m.signer_spki.clone(),
            proved_identity: m.proved_identity.as_deref(),
            certificate_id: m.certificate_id.clone(),
            sealed_key: self.sealed_key.as_ref().map(|s| sha256_hex(s)),
            split: m
                .split
                .as_ref()
                .map(|s| (s.threshold, s.total, s.set_id.as_str())),
            set_pem: self.set_pem.as_deref(),
            shares: self.shares.iter().map(|s| sha256_hex(s)).collect(),
            decision_seq,
        }
    }
}

/// Insert a decision line; its hash.
pub(super) fn insert_line(conn: &Connection, line: &DecisionLine) -> rusqlite::Result<String> {
    // A line of strings, numbers and lists of them always serializes.
    let text = serde_json::to_string(line).unwrap_or_default();
    let hash = line_hash(&text);
    conn.execute(
        "INSERT INTO decisions (seq, line, hash) VALUES (?1, ?2, ?3)",
        params![line.seq as i64, text, hash],
    )?;
    Ok(hash)
}
