//! The escrow agent's database store (issue 17): one SQLite file (rusqlite, SQLite compiled in).
//!
//! ```text
//! meta       (name, value)          format, version, storage_key (SHA-256 of its SPKI), created
//! keys       one row per entry      fingerprint PRIMARY KEY; indexes on (identity, selection)
//!                                   and signer_fingerprint; sealed_key (whole keys)
//!                                   or split_* + set_pem (split entries); decision_seq
//! shares     (fingerprint, idx)     a split entry's shares, each encrypted for its trustee
//! signers    (spki, key_id, fp)     every request signer the entries name, once each, indexed by
//!                                   key identifier (a signer named by key identifier is found in
//!                                   one lookup however many entries it signed)
//! decisions  (seq, line, hash)      the hash-chained decision history (`audit`), append-only
//! decision_keys (fingerprint, seq)  which decisions handled which key (for `store show`)
//! ```
//!
//! **Transactions.** A decision runs inside one `BEGIN IMMEDIATE` transaction ([`DbStore::begin`],
//! taken before the request is read): the keys it files and its line in the decision history are
//! committed together by [`KeyStore::commit`], with the WAL journal and `synchronous=FULL`, so a
//! full disk or a kill at any moment leaves the store as it was before the decision or as it is
//! after it, never in between. The immediate lock also serialises agents: a second agent on the
//! same store waits (up to [`BUSY_WAIT`]) and then fails with a clean error, having changed
//! nothing. Readers (`store list`, `verify`, ...) do not block and are not blocked (WAL).
//!
//! **Encryption at rest.** A whole key is stored as CMS AuthEnvelopedData (AES-256-GCM, RFC 5083
//! and 5084; content id-data holding the PKCS#8 DER) with one KeyTransRecipientInfo (RSA-OAEP
//! SHA-256) for the *storage* key, fixed when the store is created (`store init --storage-cert`)
//! and distinct from the transport key clients encrypt to (the agent's `--agent-key`), as
//! Dogtag's KRA separates its storage and transport keys. Archiving needs only the storage
//! certificate; recovering needs the storage private key (`respond --storage-key`), which can
//! stay offline between recoveries. A store without a storage key refuses whole keys: it holds
//! only split entries (`--split K/N --to ...`), whose shares are encrypted for the trustees. So a
//! copy of the database file holds no key material anyone can read without the storage key or
//! k trustees. A sealed key is accepted only if it opens to the key its row is filed under (its
//! fingerprint), so rows cannot swap sealed keys; rows cannot be edited unnoticed because the
//! decision chain covers them (`audit`).
//!
//! **Hostile files.** The store is a file anyone with access may have edited: it is opened with
//! `trusted_schema=OFF`, every value length is capped ([`MAX_VALUE_BYTES`]), split parameters and
//! fingerprints are checked before use, and the keys it yields are checked against their
//! fingerprints.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rand_core::{CryptoRngCore, RngCore};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use x509_cert::Certificate;

use super::audit::{row_digest, DecisionLine, Filed, GENESIS};
use super::{
    check_fingerprint, deal, is_fingerprint, short_fp, spki_fingerprint, KeyStore, NewEntry,
    Openers, PutOutcome, SplitConfig, StoredMeta, META_VERSION,
};
use crate::keys::{encode_public_spki, PrivateKey, RsaPrivate};
use crate::log::AgentDecision;
use crate::{Error, Result};

/// The `format` row of a kmi store's meta table.
pub const FORMAT: &str = "kmi escrow store";
/// The schema version this code writes and reads.
pub const SCHEMA_VERSION: u32 = 1;
/// How long an agent waits for another to finish with the store.
pub const BUSY_WAIT: Duration = Duration::from_secs(30);
/// The largest value (text or blob) read from or written to a store: a sealed key or a share is
/// a few KiB, a decision line less than one; a store that says otherwise is refused.
pub const MAX_VALUE_BYTES: i32 = 4 << 20;

/// The decision being made: the write transaction is open.
struct Pending {
    seq: u64,
    prev: String,
    filed: Vec<Filed>,
}

/// The database store.
pub struct DbStore {
    conn: Connection,
    path: PathBuf,
    pending: Option<Pending>,
    /// SHA-256 of the storage key's SPKI, as the store was created with (None: split only).
    storage_fp: Option<String>,
    storage_cert: Option<Certificate>,
    storage_key: Option<RsaPrivate>,
    split: Option<SplitConfig>,
    openers: Openers,
}

fn now() -> String {
    crate::log::now_rfc3339()
}

impl DbStore {
    /// Create a new, empty store at `path` (it must not exist), its whole keys to be sealed to
    /// `storage` (None: a store for split entries only); the storage key's fingerprint. The file
    /// appears whole or not at all:
    /// it is built under a temporary name in the same directory, closed, fsynced and then linked
    /// into place; mode 0600 whatever the umask (and a created parent directory 0700).
    pub fn create(path: &Path, storage: Option<&Certificate>) -> Result<Option<String>> {
        if path.symlink_metadata().is_ok() {
            return Err(Error::Exists {
                path: path.to_path_buf(),
            });
        }
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.exists() {
            create_private_dir(&parent)?;
        }
        let storage_fp = match storage {
            Some(c) => Some(storage_fingerprint(c)?),
            None => None,
        };
        // A kmi temporary (`.kmi-<pid>-<random>.tmp`): one a killed run left here is removed by
        // the next write into the directory, its SQLite journals (`-wal`, `-shm`) with it.
        crate::io::cleanup::remove_stale_temporaries(&parent);
        let mut tag = [0u8; 6];
        rand_core::OsRng.fill_bytes(&mut tag);
        let tmp = parent.join(format!(
            "{}{}.tmp",
            crate::io::cleanup::temp_prefix(),
            hex::encode(tag)
        ));
        let journals: Vec<PathBuf> = ["", "-wal", "-shm"]
            .iter()
            .map(|suffix| {
                let mut p = tmp.clone().into_os_string();
                p.push(suffix);
                PathBuf::from(p)
            })
            .collect();
        let _watch = crate::io::cleanup::watch_dir(&parent);
        for j in &journals {
            crate::io::cleanup::register(j);
        }
        let result = (|| {
            create_private_file(&tmp)?;
            let conn = Connection::open(&tmp).map_err(|e| db_err(&tmp, e))?;
            let q = |e| db_err(&tmp, e);
            conn.pragma_update(None, "journal_mode", "WAL").map_err(q)?;
            conn.execute_batch("BEGIN;").map_err(q)?;
            conn.execute_batch(SCHEMA).map_err(q)?;
            let created = now();
            for (k, v) in [
                ("format", FORMAT.to_string()),
                ("version", SCHEMA_VERSION.to_string()),
                ("storage_key", storage_fp.clone().unwrap_or_default()),
                ("created", created.clone()),
            ] {
                conn.execute(
                    "INSERT INTO meta (name, value) VALUES (?1, ?2)",
                    params![k, v],
                )
                .map_err(q)?;
            }
            let line = DecisionLine {
                prev: GENESIS.to_string(),
                seq: 1,
                time: created,
                event: "created".into(),
                agent: None,
                filed: Vec::new(),
                note: Some(match &storage_fp {
                    Some(fp) => format!("whole keys are sealed to storage key {fp}"),
                    None => "no storage key: only split entries are held".into(),
                }),
            };
            insert_line(&conn, &line).map_err(q)?;
            conn.execute_batch("COMMIT;").map_err(q)?;
            conn.close().map_err(|(_, e)| db_err(&tmp, e))?;
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(|e| write_err(&tmp, e))?;
            // A link does not replace: a store created meanwhile by someone else is kept.
            std::fs::hard_link(&tmp, path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::Exists {
                        path: path.to_path_buf(),
                    }
                } else {
                    write_err(path, e)
                }
            })?;
            sync_dir(&parent)
        })();
        for j in &journals {
            let _ = std::fs::remove_file(j);
            crate::io::cleanup::deregister(j);
        }
        result.map(|()| storage_fp)
    }

    /// Open an existing store for an agent or a migration (read and write).
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, false)
    }

    /// Open an existing store to read it (list, show, export, verify): changes nothing.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        Self::open_with(path, true)
    }

    fn open_with(path: &Path, read_only: bool) -> Result<Self> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                return Err(Error::invalid(format!(
                    "{}: is a directory (a kmi 0.1 key store?): import it into a database store with `kmi cmc store migrate {} --store FILE`",
                    path.display(),
                    path.display()
                )))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::invalid(format!(
                    "{}: no key store here: create one with `kmi cmc store init {}`",
                    path.display(),
                    path.display()
                )))
            }
            Err(e) => {
                return Err(Error::Read {
                    path: path.to_path_buf(),
                    source: e,
                })
            }
        }
        let q = |e| db_err(path, e);
        // Readers open read-write too, with query_only on: the last connection to close then
        // checkpoints the journal and removes the -wal and -shm files, which a read-only
        // connection would leave behind. A file the user may only read is opened read-only.
        let rw = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match Connection::open_with_flags(path, rw) {
            Ok(c) => c,
            Err(_) if read_only => Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(q)?,
            Err(e) => return Err(q(e)),
        };
        if read_only {
            conn.pragma_update(None, "query_only", "ON").map_err(q)?;
        }
        conn.set_limit(
            rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH,
            MAX_VALUE_BYTES,
        );
        conn.busy_timeout(BUSY_WAIT).map_err(q)?;
        conn.pragma_update(None, "trusted_schema", "OFF")
            .map_err(q)?;
        conn.pragma_update(None, "cell_size_check", "ON")
            .map_err(q)?;
        if !read_only {
            conn.pragma_update(None, "synchronous", "FULL").map_err(q)?;
            conn.pragma_update(None, "foreign_keys", "ON").map_err(q)?;
        }
        let meta = |name: &str| -> Result<Option<String>> {
            conn.query_row(
                "SELECT value FROM meta WHERE name = ?1",
                params![name],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(q)
        };
        let not_store = || Error::malformed(path.to_path_buf(), "not a kmi key store");
        if meta("format").map_err(|_| not_store())?.as_deref() != Some(FORMAT) {
            return Err(not_store());
        }
        let version = meta("version")?.unwrap_or_default();
        if version != SCHEMA_VERSION.to_string() {
            return Err(Error::malformed(
                path.to_path_buf(),
                format!("key store version {version:?}: this kmi reads version {SCHEMA_VERSION}"),
            ));
        }
        let storage_fp = meta("storage_key")?.filter(|s| !s.is_empty());
        if let Some(fp) = &storage_fp {
            if !is_fingerprint(fp) {
                return Err(Error::malformed(
                    path.to_path_buf(),
                    "its storage key fingerprint is not a SHA-256",
                ));
            }
        }
        Ok(DbStore {
            conn,
            path: path.to_path_buf(),
            pending: None,
            storage_fp,
            storage_cert: None,
            storage_key: None,
            split: None,
            openers: Openers::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SHA-256 of the storage key's SPKI, or None for a split-only store.
    pub fn storage_fingerprint(&self) -> Option<&str> {
        self.storage_fp.as_deref()
    }

    /// The certificate whole keys are sealed to: it must be the store's storage key.
    pub fn with_storage_cert(mut self, cert: Certificate) -> Result<Self> {
        let fp = storage_fingerprint(&cert)?;
        self.check_storage(&fp, "--storage-cert")?;
        self.storage_cert = Some(cert);
        Ok(self)
    }

    /// The private storage key that opens sealed keys: it must be the store's storage key.
    pub fn with_storage_key(mut self, key: RsaPrivate) -> Result<Self> {
        let spki = encode_public_spki(&crate::keys::PublicKey::Rsa(key.public.clone()))?;
        self.check_storage(&spki_fingerprint(&spki), "--storage-key")?;
        self.storage_key = Some(key);
        Ok(self)
    }

    fn check_storage(&self, fp: &str, flag: &str) -> Result<()> {
        match &self.storage_fp {
            Some(want) if want == fp => Ok(()),
            Some(want) => Err(Error::invalid(format!(
                "{flag}: not the storage key of {} (its storage key is {}, this one {})",
                self.path.display(),
                short_fp(want),
                short_fp(fp)
            ))),
            None => Err(Error::invalid(format!(
                "{flag}: {} was created without a storage key and holds split entries only",
                self.path.display()
            ))),
        }
    }

    /// File new keys as threshold shares only.
    pub fn with_split(mut self, split: SplitConfig) -> Result<Self> {
        self.split = Some(split.checked()?);
        Ok(self)
    }

    /// Wait at most `wait` for another agent to finish with the store (default [`BUSY_WAIT`]).
    pub fn with_busy_wait(self, wait: Duration) -> Result<Self> {
        self.conn
            .busy_timeout(wait)
            .map_err(|e| db_err(&self.path, e))?;
        Ok(self)
    }

    /// Trustees' keys and passphrases that open split entries' shares, for recovery.
    pub fn with_openers(mut self, openers: Openers) -> Self {
        self.openers = openers;
        self
    }

    /// Take the store for one decision (`BEGIN IMMEDIATE`): a second agent waits here, up to
    /// [`BUSY_WAIT`], and fails cleanly after that. Idempotent.
    pub fn begin(&mut self) -> Result<()> {
        if self.pending.is_some() {
            return Ok(());
        }
        let q = |e| db_err(&self.path, e);
        self.conn.execute_batch("BEGIN IMMEDIATE;").map_err(q)?;
        let last: Option<(u64, String)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()
            .map_err(q)?;
        let (seq, prev) = match last {
            Some((s, h)) => (s + 1, h),
            None => (1, GENESIS.to_string()),
        };
        self.pending = Some(Pending {
            seq,
            prev,
            filed: Vec::new(),
        });
        Ok(())
    }

    /// Append a decision line for what was filed since the last line, inside the open
    /// transaction (nothing is durable before [`DbStore::finish`]); the new head.
    pub fn record(
        &mut self,
        event: &str,
        agent: Option<&AgentDecision>,
        note: Option<String>,
    ) -> Result<String> {
        self.begin()?;
        let path = self.path.clone();
        let Some(p) = self.pending.as_mut() else {
            return Err(Error::internal("no open transaction"));
        };
        let line = DecisionLine {
            prev: p.prev.clone(),
            seq: p.seq,
            time: now(),
            event: event.into(),
            agent: agent.cloned(),
            filed: std::mem::take(&mut p.filed),
            note,
        };
        let hash = insert_line(&self.conn, &line).map_err(|e| db_err(&path, e))?;
        let mut about: Vec<&str> = line.filed.iter().map(|f| f.fingerprint.as_str()).collect();
        if let Some(a) = agent {
            about.extend(a.keys.iter().map(|k| k.fingerprint.as_str()));
        }
        about.sort_unstable();
        about.dedup();
        for fp in about {
            self.conn
                .execute(
                    "INSERT OR IGNORE INTO decision_keys (fingerprint, seq) VALUES (?1, ?2)",
                    params![fp, line.seq as i64],
                )
                .map_err(|e| db_err(&path, e))?;
        }
        p.seq += 1;
        p.prev = hash.clone();
        Ok(hash)
    }

    /// Commit the open transaction: everything recorded becomes durable at once.
    pub fn finish(&mut self) -> Result<()> {
        if self.pending.take().is_some() {
            self.conn
                .execute_batch("COMMIT;")
                .map_err(|e| db_err(&self.path, e))?;
        }
        Ok(())
    }

    /// Insert an entry row (and its shares) in the open transaction, as filed by the decision
    /// being made; `AlreadyHeld` when the fingerprint is filed.
    fn insert(&mut self, row: &Row) -> Result<PutOutcome> {
        self.begin()?;
        let path = self.path.clone();
        let q = |e| db_err(&path, e);
        let fp = row.meta.fingerprint.clone();
        if self.contains(&fp)? {
            return Ok(PutOutcome::AlreadyHeld { fingerprint: fp });
        }
        let Some(p) = self.pending.as_mut() else {
            return Err(Error::internal("no open transaction"));
        };
        let m = &row.meta;
        let signer = hex::decode(&m.signer_spki).map_err(|_| Error::internal("signer hex"))?;
        let selection = match &m.selection_hex {
            Some(h) => Some(hex::decode(h).map_err(|_| Error::internal("selection hex"))?),
            None => None,
        };
        let certificate_id = match &m.certificate_id {
            Some(h) => Some(hex::decode(h).map_err(|_| Error::internal("certificateId hex"))?),
            None => None,
        };
        let image = row.image(p.seq);
        self.conn
            .execute(
                "INSERT INTO keys (fingerprint, algorithm, bits, identity, selection, subject, archived, source,
                    signer_spki, signer_fingerprint, proved_identity, certificate_id,
                    sealed_key, split_threshold, split_total, set_id, set_pem, decision_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                params![
                    fp,
                    m.algorithm,
                    m.bits as i64,
                    m.identity,
                    selection,
                    m.subject,
                    m.archived,
                    m.source,
                    signer,
                    m.signer_spki_sha256,
                    m.proved_identity,
                    certificate_id,
                    row.sealed_key,
                    m.split.as_ref().map(|s| s.threshold),
                    m.split.as_ref().map(|s| s.total),
                    m.split.as_ref().map(|s| s.set_id.clone()),
                    row.set_pem,
                    p.seq as i64,
                ],
            )
            .map_err(q)?;
        if let Some(key_id) = spki_key_id(&signer) {
            self.conn
                .execute(
                    "INSERT OR IGNORE INTO signers (spki, key_id, fingerprint) VALUES (?1, ?2, ?3)",
                    params![signer, key_id, m.signer_spki_sha256],
                )
                .map_err(q)?;
        }
        for (i, share) in row.shares.iter().enumerate() {
            self.conn
                .execute(
                    "INSERT INTO shares (fingerprint, idx, sealed) VALUES (?1, ?2, ?3)",
                    params![fp, (i + 1) as i64, share],
                )
                .map_err(q)?;
        }
        p.filed.push(Filed {
            fingerprint: fp.clone(),
            row_sha256: row_digest(&image),
        });
        Ok(PutOutcome::Stored { fingerprint: fp })
    }

    fn contains(&self, fp: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT 1 FROM keys WHERE fingerprint = ?1",
                params![fp],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(|e| db_err(&self.path, e))
    }

    /// File an entry read from a kmi 0.1 directory store as it is (its key sealed now, or its
    /// shares and set copied), in the open transaction.
    pub(super) fn import(
        &mut self,
        meta: &StoredMeta,
        whole: Option<&PrivateKey>,
        split: Option<(&[u8], Vec<Vec<u8>>)>,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<PutOutcome> {
        let mut meta = meta.clone();
        meta.version = META_VERSION;
        let row = match (whole, split) {
            (Some(key), None) => {
                meta.split = None;
                Row {
                    sealed_key: Some(self.seal(key, rng)?),
                    set_pem: None,
                    shares: Vec::new(),
                    meta,
                }
            }
            (None, Some((set_pem, shares))) => Row {
                sealed_key: None,
                set_pem: Some(
                    String::from_utf8(set_pem.to_vec())
                        .map_err(|_| Error::format("the share set is not PEM"))?,
                ),
                shares,
                meta,
            },
            _ => return Err(Error::internal("an entry is whole or split")),
        };
        self.insert(&row)
    }
}

impl KeyStore for DbStore {
    fn put(&mut self, entry: &NewEntry<'_>, rng: &mut dyn CryptoRngCore) -> Result<PutOutcome> {
        let public = entry.key.public();
        let fp = spki_fingerprint(&encode_public_spki(&public)?);
        self.begin()?;
        if self.contains(&fp)? {
            return Ok(PutOutcome::AlreadyHeld { fingerprint: fp });
        }
        let mut meta = entry.meta(&fp);
        let row = match &self.split {
            Some(cfg) => {
                let dealt = deal(entry.key, &entry.identity, cfg, rng)?;
                meta.split = Some(dealt.meta);
                Row {
                    meta,
                    sealed_key: None,
                    set_pem: Some(dealt.set_pem),
                    shares: dealt.shares.into_iter().map(String::into_bytes).collect(),
                }
            }
            None => Row {
                sealed_key: Some(self.seal(entry.key, rng)?),
                meta,
                set_pem: None,
                shares: Vec::new(),
            },
        };
        self.insert(&row)
    }

    fn find(&self, identity: &str, selection: Option<&[u8]>) -> Result<Vec<StoredMeta>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM keys WHERE identity = ?1 AND (?2 IS NULL OR selection = ?2) ORDER BY fingerprint"
        );
        let q = |e| db_err(&self.path, e);
        let mut st = self.conn.prepare_cached(&sql).map_err(q)?;
        let rows = st
            .query_map(params![identity, selection], read_meta)
            .map_err(q)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.checked(r.map_err(q)?)?);
        }
        Ok(out)
    }

    fn load(&self, meta: &StoredMeta, rng: &mut dyn CryptoRngCore) -> Result<PrivateKey> {
        let fp = &meta.fingerprint;
        let read::Secrets {
            sealed,
            set,
            shares,
        } = self.secrets_of(fp)?;
        let key = match (&meta.split, sealed, set) {
            (None, Some(sealed), _) => self.unseal(fp, &sealed)?,
            (Some(s), None, Some(set)) => {
                self.openers.reconstruct(s, set.as_bytes(), &shares, rng)?
            }
            _ => {
                return Err(Error::malformed(
                    self.path.clone(),
                    format!(
                        "entry {} holds neither a sealed key nor a share set",
                        short_fp(fp)
                    ),
                ))
            }
        };
        check_fingerprint(fp, &key)?;
        Ok(key)
    }

    fn signers_with_key_id(&self, key_id: &[u8]) -> Result<Vec<Vec<u8>>> {
        let q = |e| db_err(&self.path, e);
        let mut st = self
            .conn
            .prepare_cached("SELECT spki FROM signers WHERE key_id = ?1 LIMIT 16")
            .map_err(q)?;
        let rows = st
            .query_map(params![key_id], |r| r.get::<_, Vec<u8>>(0))
            .map_err(q)?;
        let mut out = Vec::new();
        for r in rows {
            let spki = r.map_err(q)?;
            // The index is only a hint: the key identifier is recomputed from the key itself.
            if spki_key_id(&spki).as_deref() == Some(key_id) {
                out.push(spki);
            }
        }
        Ok(out)
    }

    fn commit(&mut self, decision: &AgentDecision) -> Result<Option<String>> {
        let head = self.record("respond", Some(decision), None)?;
        self.finish()?;
        Ok(Some(head))
    }

    fn ready_to_file(&self) -> Result<()> {
        if self.split.is_some() || self.storage_cert.is_some() {
            return Ok(());
        }
        Err(Error::invalid(match &self.storage_fp {
            Some(_) => "whole keys are sealed to the store's storage key: run the agent with --storage-cert (or with --split K/N --to ... to keep shares only)".to_string(),
            None => format!(
                "{} has no storage key and holds no whole keys: run the agent with --split K/N --to ...",
                self.path.display()
            ),
        }))
    }

    fn rollback(&mut self) {
        if self.pending.take().is_some() {
            // A failed rollback leaves the transaction to SQLite, which rolls it back when the
            // connection closes: nothing of it is durable either way.
            let _ = self.conn.execute_batch("ROLLBACK;");
        }
    }
}

impl Drop for DbStore {
    fn drop(&mut self) {
        self.rollback();
    }
}

mod read;
mod schema;
mod seal;
#[cfg(test)]
mod tests;

use super::files::{create_private_dir, create_private_file, sync_dir, write_err};
pub use schema::spki_key_id;
use schema::{db_err, insert_line, SCHEMA};
pub(crate) use schema::{read_meta, Row, COLUMNS};
use seal::storage_fingerprint;
