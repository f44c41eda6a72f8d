//! The store's decision history: an append-only table of JSON lines, each carrying the SHA-256
//! of the line before it, as the ceremony record does (`crate::log`). Every decision the agent
//! answers (archive, recovery, key generation; granted or refused), the store's creation and
//! every entry a migration imported is one line. A line names the entries its decision filed
//! with the SHA-256 of each entry's row ([`row_digest`]), so the chain covers the key entries
//! too: `kmi cmc store verify` finds an edited, deleted or added entry as well as an edited,
//! deleted or reordered decision, and the head (printed by `respond` and written into the
//! ceremony record) finds a rewritten tail.
//!
//! `kmi cmc store export-audit` prints the lines exactly as stored, one per line, so anyone can
//! check the chain with a SHA-256 tool: line n's `prev` is the SHA-256 (hex) of line n-1's
//! bytes, the first line's is 64 zeros.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::log::AgentDecision;

/// The `prev` of the first line.
pub use crate::log::GENESIS;

/// One line of the decision history. Field order is the order in the line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DecisionLine {
    /// SHA-256 (hex) of the previous line, or [`GENESIS`].
    pub prev: String,
    /// 1, 2, 3, ... with no gap.
    pub seq: u64,
    /// When it was recorded (RFC 3339, UTC).
    pub time: String,
    /// "created" (the store), "respond" (an agent decision), "migrate" (an imported entry).
    pub event: String,
    /// What the agent decided (for "respond").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentDecision>,
    /// The entries this line filed.
    pub filed: Vec<Filed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An entry a decision filed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Filed {
    pub fingerprint: String,
    /// SHA-256 (hex) of the entry's row ([`row_digest`]).
    pub row_sha256: String,
}

/// SHA-256 (hex) of a line's bytes: the next line's `prev`.
pub fn line_hash(line: &str) -> String {
    hex::encode(Sha256::digest(line.as_bytes()))
}

/// Everything an entry row holds, in a fixed order: what [`row_digest`] hashes.
#[derive(Serialize)]
pub struct RowImage<'a> {
    pub fingerprint: &'a str,
    pub algorithm: &'a str,
    pub bits: u64,
    pub identity: &'a str,
    pub selection: Option<String>,
    pub subject: Option<&'a str>,
    pub archived: &'a str,
    pub source: &'a str,
    pub signer_spki: String,
    pub proved_identity: Option<&'a str>,
    pub certificate_id: Option<String>,
    pub sealed_key: Option<String>,
    pub split: Option<(u32, u32, &'a str)>,
    pub set_pem: Option<&'a str>,
    /// SHA-256 of each share file, in order.
    pub shares: Vec<String>,
    pub decision_seq: u64,
}

/// SHA-256 (hex) of an entry row's image (its canonical JSON).
pub fn row_digest(image: &RowImage<'_>) -> String {
    // Serializing a struct of strings, numbers and options cannot fail; an empty image would
    // only make verification fail, never pass.
    let json = serde_json::to_vec(image).unwrap_or_default();
    hex::encode(Sha256::digest(json))
}

/// SHA-256 (hex) of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
