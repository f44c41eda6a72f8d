//! `kmi cmc store migrate DIR`: import a kmi 0.1 directory store ([`DirStore`]) into a database
//! store ([`DbStore`]), as one transaction (all entries or none). A whole key is read, checked
//! against its fingerprint and sealed to the storage key; a split entry's set and encrypted
//! shares are copied as they are (the agent never held those keys and cannot open the shares),
//! after checking that the set's public key is the one the entry is filed under. Every entry keeps
//! its metadata (identity, selection, signer, archival time, certificateId) and becomes one line
//! of the decision history ("migrate"), so it recovers exactly as before.

use rand_core::CryptoRngCore;
use serde::Serialize;

use super::{short_fp, spki_fingerprint, DbStore, DirStore, KeyStore, PutOutcome};
use crate::keys::encode_public_spki;
use crate::threshold::set::ShareSet;
use crate::{Error, Result};

/// What a migration did.
#[derive(Debug, Default, Serialize)]
pub struct Migrated {
    /// Whole keys, now sealed to the storage key.
    pub sealed: u64,
    /// Split entries, copied.
    pub split: u64,
    /// Entries the database already held (the same fingerprint): left as they were.
    pub already_held: u64,
    /// The head of the decision history after the migration.
    pub head: String,
}

/// Import every entry of `dir` into `db` and commit.
pub fn migrate(dir: &DirStore, db: &mut DbStore, rng: &mut dyn CryptoRngCore) -> Result<Migrated> {
    let entries = dir.entries()?;
    db.begin()?;
    let mut report = Migrated::default();
    let note = format!(
        "imported from the kmi 0.1 directory store {}",
        dir.dir().display()
    );
    for meta in &entries {
        let put = match &meta.split {
            None => {
                let key = dir.load(meta, rng)?;
                let p = db.import(meta, Some(&key), None, rng)?;
                if matches!(p, PutOutcome::Stored { .. }) {
                    report.sealed += 1;
                }
                p
            }
            Some(s) => {
                let sd = dir
                    .entry_dir(&meta.fingerprint)
                    .join(super::dir::SHARES_DIR);
                let read = |p: std::path::PathBuf| {
                    std::fs::read(&p).map_err(|e| Error::Read { path: p, source: e })
                };
                let set_path = sd.join("set.pem");
                let set_pem = read(set_path.clone())?;
                let armored =
                    crate::io::armor::decode_armor(&set_pem).map_err(|e| e.in_file(&set_path))?;
                let set = ShareSet::from_der(&armored.der).map_err(|e| e.in_file(&set_path))?;
                let fp = spki_fingerprint(&encode_public_spki(&set.public.public_key())?);
                if fp != meta.fingerprint || set.id_hex() != s.set_id {
                    return Err(Error::malformed(
                        set_path,
                        format!(
                            "is not the share set of key {} (set {})",
                            short_fp(&meta.fingerprint),
                            s.set_id
                        ),
                    ));
                }
                let mut shares = Vec::new();
                for i in 1..=s.total {
                    let p = sd.join(format!("share-{i}.pem"));
                    // A share lost from the old store stays lost; the others still count.
                    if p.exists() {
                        shares.push(read(p)?);
                    }
                }
                let p = db.import(meta, None, Some((&set_pem, shares)), rng)?;
                if matches!(p, PutOutcome::Stored { .. }) {
                    report.split += 1;
                }
                p
            }
        };
        if matches!(put, PutOutcome::AlreadyHeld { .. }) {
            report.already_held += 1;
            continue;
        }
        report.head = db.record("migrate", None, Some(note.clone()))?;
    }
    db.finish()?;
    if report.head.is_empty() {
        // Nothing new: the head is the store's current one.
        report.head = db.head()?;
    }
    Ok(report)
}
