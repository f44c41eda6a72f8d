//! The escrow agent's database store (issue 17): one SQLite file (rusqlite, SQLite compiled in).
//!
//! ```text
//! meta       (name, value)          format, version, storage_key (SHA-256 of its SPKI), created
//! keys       one row per entry      fingerprint PRIMARY KEY; indexes on (identity, selection),
//!                                   signer_key_id and signer_fingerprint; sealed_key (whole keys)
//!                                   or split_* + set_pem (split entries); decision_seq
//! shares     (fingerprint, idx)     a split entry's shares, each encrypted for its trustee
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

use der::{Decode, Encode};
use rand_core::CryptoRngCore;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension};
use spki::SubjectPublicKeyInfoRef;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::audit::{line_hash, row_digest, sha256_hex, DecisionLine, Filed, RowImage, GENESIS};
use super::{
    algorithm_name, check_fingerprint, deal, is_fingerprint, short_fp, spki_fingerprint, KeyStore,
    NewEntry, Openers, PutOutcome, SplitConfig, SplitMeta, StoredMeta, MAX_SPLIT_SHARES,
    META_VERSION,
};
use crate::cms::{ContentCipher, Recipient};
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

const SCHEMA: &str = "
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
    signer_key_id BLOB,
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
CREATE INDEX keys_by_signer_key_id ON keys (signer_key_id);
CREATE INDEX keys_by_signer ON keys (signer_fingerprint);
CREATE TABLE shares (
    fingerprint TEXT NOT NULL REFERENCES keys (fingerprint),
    idx INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (fingerprint, idx)
) WITHOUT ROWID;
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
";

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

/// The key identifier (SHA-1 of the subjectPublicKey bits) of an SPKI DER, if it parses.
pub fn spki_key_id(spki_der: &[u8]) -> Option<Vec<u8>> {
    SubjectPublicKeyInfoRef::from_der(spki_der)
        .ok()
        .map(|s| crate::cms::ktri::key_identifier(&s))
}

/// A SQLite error as kmi's: a busy store, a full disk, a file that is not a store.
fn db_err(path: &Path, e: rusqlite::Error) -> Error {
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
                what: format!("the key store could not be written: {e}"),
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
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "store".into());
        let tmp = parent.join(format!(".{name}.kmi-{}.tmp", std::process::id()));
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
        for suffix in ["", "-wal", "-shm"] {
            let mut p = tmp.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
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
                    signer_spki, signer_fingerprint, signer_key_id, proved_identity, certificate_id,
                    sealed_key, split_threshold, split_total, set_id, set_pem, decision_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
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
                    spki_key_id(&signer),
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

    /// Seal a whole key to the storage key.
    fn seal(&self, key: &PrivateKey, rng: &mut dyn CryptoRngCore) -> Result<Vec<u8>> {
        let Some(cert) = &self.storage_cert else {
            return Err(Error::invalid(match &self.storage_fp {
                Some(_) => "whole keys are sealed to the store's storage key: give --storage-cert (or hold keys as shares with --split K/N --to ...)".to_string(),
                None => format!(
                    "{} has no storage key and holds no whole keys: run the agent with --split K/N --to ... (or create a store with --storage-cert)",
                    self.path.display()
                ),
            }));
        };
        let pkcs8 = crate::keys::encoding::encode_private_pkcs8(key)?;
        crate::cms::envelope_with(
            &pkcs8,
            const_oid::db::rfc5911::ID_DATA,
            &[Recipient::Certificate(cert.clone())],
            ContentCipher::Aes256Gcm,
            rng,
        )
    }

    /// Open a sealed key with the storage key.
    fn unseal(&self, fp: &str, sealed: &[u8]) -> Result<PrivateKey> {
        let Some(key) = &self.storage_key else {
            return Err(Error::invalid(
                "it is sealed to the store's storage key: give --storage-key to recover it",
            ));
        };
        let opened = crate::cms::open_with_key(sealed, key, self.storage_cert.as_ref())
            .map_err(|_| Error::check("its sealed copy does not open with the storage key"))?;
        let der = Zeroizing::new(opened.content.to_vec());
        let key = crate::keys::encoding::decode_pkcs8(&der)
            .map_err(|e| Error::check(format!("its sealed copy is not a key: {e}")))?;
        check_fingerprint(fp, &key)?;
        Ok(key)
    }

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

    /// Check the whole store (`kmi cmc store verify`); see [`super::verify`].
    pub fn verify(&self, expected_head: Option<&str>) -> Result<super::verify::Report> {
        super::verify::verify(self, expected_head)
    }

    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(super) fn storage_key(&self) -> Option<&RsaPrivate> {
        self.storage_key.as_ref()
    }

    pub(super) fn unseal_checked(&self, fp: &str, sealed: &[u8]) -> Result<PrivateKey> {
        self.unseal(fp, sealed)
    }

    /// Check what a row says before it is used: a fingerprint that is one, a split that
    /// `share split` could have made.
    fn checked(&self, meta: StoredMeta) -> Result<StoredMeta> {
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
    pub(super) fn secrets_of(
        &self,
        fp: &str,
    ) -> Result<(Option<Vec<u8>>, Option<String>, Vec<Vec<u8>>)> {
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
        Ok((sealed, set, shares))
    }
}

/// The columns [`read_meta`] reads, in its order.
pub(super) const COLUMNS: &str = "fingerprint, algorithm, bits, identity, selection, subject, archived, source, \
     signer_spki, signer_fingerprint, proved_identity, certificate_id, split_threshold, split_total, set_id";

pub(super) fn read_meta(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMeta> {
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
pub(super) struct Row {
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
fn insert_line(conn: &Connection, line: &DecisionLine) -> rusqlite::Result<String> {
    // A line of strings, numbers and lists of them always serializes.
    let text = serde_json::to_string(line).unwrap_or_default();
    let hash = line_hash(&text);
    conn.execute(
        "INSERT INTO decisions (seq, line, hash) VALUES (?1, ?2, ?3)",
        params![line.seq as i64, text, hash],
    )?;
    Ok(hash)
}

/// SHA-256 of a storage certificate's SPKI.
fn storage_fingerprint(cert: &Certificate) -> Result<String> {
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(Error::encoding)?;
    if crate::cms::ktri::rsa_public_from_spki(
        SubjectPublicKeyInfoRef::from_der(&spki).map_err(Error::encoding)?,
    )
    .is_err()
    {
        return Err(Error::invalid(
            "the storage key must be an RSA key (keys are sealed to it with RSA-OAEP)",
        ));
    }
    Ok(spki_fingerprint(&spki))
}

fn write_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        what: e.to_string(),
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| write_err(dir, e))
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|e| write_err(path, e))?;
    // The mode is also set explicitly: create(2) applies the umask, which may leave less.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| write_err(path, e))
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map(drop)
        .map_err(|e| write_err(path, e))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| write_err(dir, e))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))
}

impl KeyStore for DbStore {
    fn put(&mut self, entry: &NewEntry<'_>, rng: &mut dyn CryptoRngCore) -> Result<PutOutcome> {
        let public = entry.key.public();
        let fp = spki_fingerprint(&encode_public_spki(&public)?);
        self.begin()?;
        if self.contains(&fp)? {
            return Ok(PutOutcome::AlreadyHeld { fingerprint: fp });
        }
        let mut meta = StoredMeta {
            version: META_VERSION,
            fingerprint: fp,
            algorithm: algorithm_name(entry.key).into(),
            bits: public.bits(),
            identity: entry.identity.clone(),
            selection_hex: entry.selection.as_ref().map(hex::encode),
            selection: entry
                .selection
                .as_ref()
                .and_then(|s| std::str::from_utf8(s).ok().map(str::to_string)),
            subject: entry.subject.clone(),
            archived: entry.archived.clone(),
            source: entry.source.into(),
            signer_spki: hex::encode(&entry.signer_spki),
            signer_spki_sha256: spki_fingerprint(&entry.signer_spki),
            proved_identity: entry.proved_identity.clone(),
            split: None,
            certificate_id: entry.certificate_id.as_ref().map(hex::encode),
        };
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
        let (sealed, set, shares) = self.secrets_of(fp)?;
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
            .prepare_cached(
                "SELECT DISTINCT signer_spki FROM keys WHERE signer_key_id = ?1 LIMIT 16",
            )
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

#[cfg(test)]
mod tests;
