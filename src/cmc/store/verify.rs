//! `kmi cmc store verify`: check a database store end to end. SQLite's own structure check
//! first; then the decision chain (`audit`): seq 1, 2, 3 ... without a gap, each line's `prev` the
//! SHA-256 of the line before and its stored hash its own; then every entry row against the line
//! that filed it (the row's digest as that line recorded it), and every filed entry present. So
//! an entry edited, added or removed, or a decision edited, removed or reordered, is found; a
//! rewritten tail is found by comparing the head with one recorded elsewhere (`--head`, the
//! ceremony record). The signers table (derived from the entries) must name exactly their
//! signers. With the storage key, every sealed key is also opened and checked against its
//! fingerprint.

use std::collections::HashMap;

use rusqlite::params;
use serde::Serialize;

use super::audit::{line_hash, row_digest, DecisionLine, GENESIS};
use super::db::{read_meta, spki_key_id, DbStore, Row, COLUMNS};
use super::{short_fp, spki_fingerprint};
use crate::{Error, Result};

/// What a verified store holds.
#[derive(Debug, Serialize)]
pub struct Report {
    pub entries: u64,
    pub decisions: u64,
    pub head: String,
    /// Sealed keys opened with the storage key and found to be the keys their rows name (0
    /// without the storage key).
    pub keys_opened: u64,
}

pub fn verify(store: &DbStore, expected_head: Option<&str>) -> Result<Report> {
    if let Some(head) = expected_head {
        let head = head.trim();
        if head.len() != 64 || !head.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid(format!(
                "--head {head:?} is not a head: want the 64 hex digits kmi printed"
            )));
        }
    }
    let name = store.path().display().to_string();
    let conn = store.conn();
    let q = |e: rusqlite::Error| Error::check(format!("{name}: {e}"));
    // One read transaction for every query below: in WAL mode a statement outside one sees the
    // database as of its own start, so an agent committing between the chain and the entries
    // would look like a key no decision filed. Dropped (rolled back: nothing was written) at
    // every return.
    let _snapshot = conn.unchecked_transaction().map_err(q)?;
    let quick: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(q)?;
    if quick != "ok" {
        return Err(Error::check(format!(
            "{name}: the database is damaged: {quick}"
        )));
    }

    // The chain.
    let mut filed: HashMap<String, (String, u64)> = HashMap::new();
    let mut prev = GENESIS.to_string();
    let mut decisions = 0u64;
    {
        let mut st = conn
            .prepare("SELECT seq, line, hash FROM decisions ORDER BY seq")
            .map_err(q)?;
        let mut rows = st.query([]).map_err(q)?;
        while let Some(r) = rows.next().map_err(q)? {
            let seq: i64 = r.get(0).map_err(q)?;
            let text: String = r.get(1).map_err(q)?;
            let hash: String = r.get(2).map_err(q)?;
            let n = decisions + 1;
            if seq != n as i64 {
                return Err(Error::check(format!(
                    "{name}: decision {n} is missing (the next is numbered {seq}): a decision was deleted"
                )));
            }
            let line: DecisionLine = serde_json::from_str(&text).map_err(|e| {
                Error::check(format!("{name}: decision {n} is not a decision line: {e}"))
            })?;
            if line.seq != n || line.prev != prev {
                return Err(Error::check(format!(
                    "{name}: decision {n} does not follow decision {}: a decision was edited, deleted or reordered",
                    n - 1
                )));
            }
            prev = line_hash(&text);
            if hash != prev {
                return Err(Error::check(format!(
                    "{name}: decision {n}'s recorded hash is not its own: it was edited"
                )));
            }
            for f in line.filed {
                if filed
                    .insert(f.fingerprint.clone(), (f.row_sha256, n))
                    .is_some()
                {
                    return Err(Error::check(format!(
                        "{name}: decision {n} files key {} a second time",
                        short_fp(&f.fingerprint)
                    )));
                }
            }
            decisions = n;
        }
    }
    if decisions == 0 {
        return Err(Error::check(format!(
            "{name}: the decision history is empty (a store begins with its creation)"
        )));
    }

    // The entries.
    let mut entries = 0u64;
    let mut keys_opened = 0u64;
    let sql = format!(
        "SELECT {COLUMNS}, sealed_key, set_pem, decision_seq FROM keys ORDER BY fingerprint"
    );
    let mut st = conn.prepare(&sql).map_err(q)?;
    let mut rows = st.query([]).map_err(q)?;
    let mut shares_st = conn
        .prepare("SELECT sealed FROM shares WHERE fingerprint = ?1 ORDER BY idx")
        .map_err(q)?;
    let mut signer_st = conn
        .prepare("SELECT 1 FROM signers WHERE spki = ?1")
        .map_err(q)?;
    while let Some(r) = rows.next().map_err(q)? {
        let meta = read_meta(r).map_err(q)?;
        let sealed_key: Option<Vec<u8>> = r.get(15).map_err(q)?;
        let set_pem: Option<String> = r.get(16).map_err(q)?;
        let seq = u64::try_from(r.get::<_, i64>(17).map_err(q)?).unwrap_or(0);
        let fp = meta.fingerprint.clone();
        let shares = shares_st
            .query_map(params![fp], |r| r.get::<_, Vec<u8>>(0))
            .map_err(q)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(q)?;
        let signer = hex::decode(&meta.signer_spki).unwrap_or_default();
        if !signer.is_empty() && !signer_st.exists(params![signer]).map_err(q)? {
            return Err(Error::check(format!(
                "{name}: the signer of key {} is missing from the signers table",
                short_fp(&fp)
            )));
        }
        let row = Row {
            meta,
            sealed_key,
            set_pem,
            shares,
        };
        let digest = row_digest(&row.image(seq));
        match filed.remove(&fp) {
            None => {
                return Err(Error::check(format!(
                    "{name}: key {} was not filed by any decision: it was added to the store",
                    short_fp(&fp)
                )))
            }
            Some((want, n)) if want != digest || n != seq => {
                return Err(Error::check(format!(
                    "{name}: key {} is not as decision {n} filed it: its entry was edited",
                    short_fp(&fp)
                )))
            }
            Some(_) => {}
        }
        if store.storage_key().is_some() {
            if let Some(sealed) = &row.sealed_key {
                store
                    .unseal_checked(&fp, sealed)
                    .map_err(|e| Error::check(format!("{name}: {}", e.reason())))?;
                keys_opened += 1;
            }
        }
        entries += 1;
    }
    if let Some((fp, (_, n))) = filed.iter().min_by_key(|(_, (_, n))| *n) {
        return Err(Error::check(format!(
            "{name}: key {} filed by decision {n} is missing: its entry was removed",
            short_fp(fp)
        )));
    }
    // The signers table holds only what the entries say: each signer once, with its own key
    // identifier and fingerprint, named by some entry.
    let mut st = conn
        .prepare(
            "SELECT s.spki, s.key_id, s.fingerprint,
                    EXISTS (SELECT 1 FROM keys k WHERE k.signer_fingerprint = s.fingerprint)
             FROM signers s",
        )
        .map_err(q)?;
    let mut rows = st.query([]).map_err(q)?;
    while let Some(r) = rows.next().map_err(q)? {
        let spki: Vec<u8> = r.get(0).map_err(q)?;
        let key_id: Vec<u8> = r.get(1).map_err(q)?;
        let fp: String = r.get(2).map_err(q)?;
        let named: bool = r.get(3).map_err(q)?;
        if spki_key_id(&spki).as_deref() != Some(key_id.as_slice())
            || spki_fingerprint(&spki) != fp
            || !named
        {
            return Err(Error::check(format!(
                "{name}: signer {} in the signers table is not one an entry names: it was added or edited",
                short_fp(&fp)
            )));
        }
    }
    if let Some(head) = expected_head {
        if !prev.eq_ignore_ascii_case(head.trim()) {
            return Err(Error::check(format!(
                "{name}: the head is {prev}, not {head}: the decision history was cut or its tail rewritten"
            )));
        }
    }
    Ok(Report {
        entries,
        decisions,
        head: prev,
        keys_opened,
    })
}
