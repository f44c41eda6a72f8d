//! What the `kmi cmc store` commands read: entries (never key material), one entry's decisions,
//! the decision history, counts and head; and the checked reads the agent's lookups share.

use rusqlite::{params, Connection, OptionalExtension};

use super::schema::{db_err, read_meta, COLUMNS};
use super::DbStore;
use crate::cmc::store::audit::{DecisionLine, GENESIS};
use crate::cmc::store::{is_fingerprint, short_fp, StoredMeta, MAX_SPLIT_SHARES};
use crate::keys::{PrivateKey, RsaPrivate};
use crate::{Error, Result};

/// What a row holds beside its metadata: a sealed key, or a split entry's set and shares.
pub(super) struct Secrets {
    pub sealed: Option<Vec<u8>>,
    pub set: Option<String>,
    pub shares: Vec<Vec<u8>>,
}

impl DbStore {
    /// Every entry (optionally of one identity), oldest first. Never key material.
    pub fn list(&self, identity: Option<&str>) -> Result<Vec<StoredMeta>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM keys WHERE ?1 IS NULL OR identity = ?1 ORDER BY archived, fingerprint"
        );
        let q = |e| db_err(&self.path, e);
        let mut st = self.conn.prepare(&sql).map_err(q)?;
        let rows = st.query_map(params![identity], read_meta).map_err(q)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.checked(r.map_err(q)?)?);
        }
        Ok(out)
    }

    /// The entry whose fingerprint starts with `prefix` (at least 8 hex digits).
    pub fn entry(&self, prefix: &str) -> Result<StoredMeta> {
        let prefix = prefix.trim().to_ascii_lowercase();
        if prefix.len() < 8 || prefix.len() > 64 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid(format!(
                "{prefix:?}: give a key fingerprint (at least 8 of its 64 hex digits)"
            )));
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM keys WHERE fingerprint >= ?1 AND fingerprint < ?2 ORDER BY fingerprint LIMIT 2"
        );
        let q = |e| db_err(&self.path, e);
        let mut st = self.conn.prepare(&sql).map_err(q)?;
        let upper = format!("{prefix}g");
        let found: Vec<_> = st
            .query_map(params![prefix, upper], read_meta)
            .map_err(q)?
            .collect::<std::result::Result<_, _>>()
            .map_err(q)?;
        match found.len() {
            0 => Err(Error::check(format!(
                "no key {prefix} in {}",
                self.path.display()
            ))),
            1 => self.checked(
                found
                    .into_iter()
                    .next()
                    .ok_or_else(|| Error::internal("one"))?,
            ),
            _ => Err(Error::invalid(format!(
                "{prefix} names more than one key: give more digits"
            ))),
        }
    }

    /// The decision lines about key `fp`, in order.
    pub fn decisions_about(&self, fp: &str) -> Result<Vec<DecisionLine>> {
        let q = |e| db_err(&self.path, e);
        let mut st = self
            .conn
            .prepare(
                "SELECT d.line FROM decision_keys k JOIN decisions d ON d.seq = k.seq
                 WHERE k.fingerprint = ?1 ORDER BY d.seq",
            )
            .map_err(q)?;
        let lines = st
            .query_map(params![fp], |r| r.get::<_, String>(0))
            .map_err(q)?;
        let mut out = Vec::new();
        for l in lines {
            let l = l.map_err(q)?;
            out.push(serde_json::from_str(&l).map_err(|e| {
                Error::malformed(
                    self.path.clone(),
                    format!("a decision line does not parse: {e}"),
                )
            })?);
        }
        Ok(out)
    }

    /// Each decision line as stored, in order, to `each`.
    pub fn export_audit(&self, each: &mut dyn FnMut(&str) -> Result<()>) -> Result<()> {
        let q = |e| db_err(&self.path, e);
        let mut st = self
            .conn
            .prepare("SELECT line FROM decisions ORDER BY seq")
            .map_err(q)?;
        let mut rows = st.query([]).map_err(q)?;
        while let Some(r) = rows.next().map_err(q)? {
            let line: String = r.get(0).map_err(q)?;
            each(&line)?;
        }
        Ok(())
    }

    /// The hash of the last decision line.
    pub fn head(&self) -> Result<String> {
        self.conn
            .query_row(
                "SELECT hash FROM decisions ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map(|h| h.unwrap_or_else(|| GENESIS.to_string()))
            .map_err(|e| db_err(&self.path, e))
    }

    /// How many entries and decisions the store holds.
    pub fn counts(&self) -> Result<(u64, u64)> {
        let q = |e| db_err(&self.path, e);
        let n = |sql: &str| -> Result<u64> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|v| v.max(0) as u64)
                .map_err(q)
        };
        Ok((
            n("SELECT count(*) FROM keys")?,
            n("SELECT count(*) FROM decisions")?,
        ))
    }

    /// Check the whole store (`kmi cmc store verify`); see [`crate::cmc::store::verify`].
    pub fn verify(&self, expected_head: Option<&str>) -> Result<crate::cmc::store::verify::Report> {
        crate::cmc::store::verify::verify(self, expected_head)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn storage_key(&self) -> Option<&RsaPrivate> {
        self.storage_key.as_ref()
    }

    pub(crate) fn unseal_checked(&self, fp: &str, sealed: &[u8]) -> Result<PrivateKey> {
        self.unseal(fp, sealed)
    }

    /// Check what a row says before it is used: a fingerprint that is one, a split that
    /// `share split` could have made.
    pub(super) fn checked(&self, meta: StoredMeta) -> Result<StoredMeta> {
        let bad = |what: String| Error::malformed(self.path.clone(), what);
        if !is_fingerprint(&meta.fingerprint) {
            return Err(bad(format!(
                "an entry's fingerprint {:?} is not a SHA-256",
                meta.fingerprint
            )));
        }
        if let Some(s) = &meta.split {
            if s.threshold < 1 || s.threshold > s.total || s.total > MAX_SPLIT_SHARES {
                return Err(bad(format!(
                    "entry {}: split {}/{}: need 1 <= K <= N <= {MAX_SPLIT_SHARES}",
                    short_fp(&meta.fingerprint),
                    s.threshold,
                    s.total
                )));
            }
        }
        Ok(meta)
    }

    /// The row of `fp`: sealed key, set and shares.
    pub(super) fn secrets_of(&self, fp: &str) -> Result<Secrets> {
        let q = |e| db_err(&self.path, e);
        let (sealed, set): (Option<Vec<u8>>, Option<String>) = self
            .conn
            .query_row(
                "SELECT sealed_key, set_pem FROM keys WHERE fingerprint = ?1",
                params![fp],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(q)?
            .ok_or_else(|| {
                Error::check(format!(
                    "no key {} in {}",
                    short_fp(fp),
                    self.path.display()
                ))
            })?;
        let mut st = self
            .conn
            .prepare("SELECT sealed FROM shares WHERE fingerprint = ?1 ORDER BY idx LIMIT 256")
            .map_err(q)?;
        let shares = st
            .query_map(params![fp], |r| r.get::<_, Vec<u8>>(0))
            .map_err(q)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(q)?;
        Ok(Secrets {
            sealed,
            set,
            shares,
        })
    }
}
