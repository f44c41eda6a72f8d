//! kmi 0.1's key store: a directory with one entry per archived key, named by the SHA-256
//! fingerprint (64 hex digits) of the key's SubjectPublicKeyInfo DER. Read by `kmi cmc store
//! migrate`; the agent now runs on the database store ([`super::db`]), which seals whole keys
//! instead of keeping them as plain PKCS#8 and does not scan every entry for every request.
//!
//! ```text
//! DIR/<fp>/meta.json     metadata (below), mode 0600
//! DIR/<fp>/key.pem       the private key, PKCS#8 PEM, mode 0600            (whole keys)
//! DIR/<fp>/shares/       set.pem + share-<i>.pem, each share CMS-encrypted (--split K/N --to ...)
//! DIR/.incomplete-<hex>/ an entry being written (ignored by readers)
//! ```
//! A split entry holds no copy of the key: its shares are EnvelopedData for the trustees'
//! certificates or public keys, exactly as `kmi share split --to` writes them, so `kmi share
//! reconstruct --set DIR/<fp>/shares/set.pem --identity ...` rebuilds the key without kmi's agent,
//! and the agent recovers it only when given k trustees' keys ([`DirStore::with_openers`]).
//!
//! An entry is committed as a whole (issue 18): its files are written (each fsynced) into a fresh
//! `.incomplete-<hex>` directory inside the store, the directory is fsynced and renamed to
//! `<fp>`, and the store directory is fsynced. A run that dies or fails half way (a full disk
//! between the key and the metadata) leaves only an incomplete temporary, which readers ignore
//! and the next archive of the key does not trip over: the key was not filed, and archiving it
//! again works. An existing entry is never overwritten: archiving the same key again is reported
//! as already held.

use std::path::{Path, PathBuf};

use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use super::files::{create_private_dir, sync_dir, write_err};
use super::{
    check_fingerprint, deal, is_fingerprint, spki_fingerprint, KeyStore, NewEntry, Openers,
    PutOutcome, SplitConfig, StoredMeta, MAX_SPLIT_SHARES,
};
use crate::io::{write_output, OutputSpec};
use crate::keys::{decode_key, encode_private, encode_public_spki, Key, PrivateKey, RsaPrivate};
use crate::log::AgentDecision;
use crate::{Error, Result};

/// The escrow directory.
pub struct DirStore {
    dir: PathBuf,
    split: Option<SplitConfig>,
    openers: Openers,
    /// Test hook: fail after writing the key, before the metadata.
    #[cfg(test)]
    fail_after_key: bool,
}

fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::Read {
        path: path.to_path_buf(),
        source: e,
    }
}

impl DirStore {
    /// Open (creating it, mode 0700, when missing) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.exists() {
            create_private_dir(dir)?;
        } else if !dir.is_dir() {
            return Err(Error::invalid(format!(
                "{}: the key store must be a directory",
                dir.display()
            )));
        }
        Ok(DirStore {
            dir: dir.to_path_buf(),
            split: None,
            openers: Openers::default(),
            #[cfg(test)]
            fail_after_key: false,
        })
    }

    /// File new keys as threshold shares only.
    pub fn with_split(mut self, split: SplitConfig) -> Result<Self> {
        self.split = Some(split.checked()?);
        Ok(self)
    }

    /// Trustees' keys and passphrases that open split entries' shares, for recovery.
    pub fn with_openers(
        mut self,
        identities: Vec<RsaPrivate>,
        passphrases: Vec<Zeroizing<String>>,
    ) -> Self {
        self.openers = Openers {
            identities,
            passphrases,
        };
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory of the entry `fp`.
    pub fn entry_dir(&self, fp: &str) -> PathBuf {
        self.dir.join(fp)
    }

    fn meta_path(&self, fp: &str) -> PathBuf {
        self.entry_dir(fp).join(META_FILE)
    }

    fn key_path(&self, fp: &str) -> PathBuf {
        self.entry_dir(fp).join(KEY_FILE)
    }

    fn shares_dir(&self, fp: &str) -> PathBuf {
        self.entry_dir(fp).join(SHARES_DIR)
    }

    /// Every entry's metadata, in fingerprint order. Only directories named by a fingerprint
    /// are entries (incomplete temporaries and anything else are ignored); an entry whose
    /// metadata does not parse or does not match its name is an error naming it (a store is not
    /// silently partial).
    pub fn entries(&self) -> Result<Vec<StoredMeta>> {
        let mut out = Vec::new();
        let rd = std::fs::read_dir(&self.dir).map_err(|e| io_err(&self.dir, e))?;
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| is_fingerprint(n))
            .collect();
        names.sort();
        for name in names {
            let p = self.meta_path(&name);
            let text = std::fs::read_to_string(&p).map_err(|e| io_err(&p, e))?;
            let bad = |what: String| Error::malformed(p.clone(), what);
            let meta: StoredMeta = serde_json::from_str(&text)
                .map_err(|e| bad(format!("not a key store entry: {e}")))?;
            if meta.fingerprint != name {
                return Err(bad(format!(
                    "the entry says fingerprint {:?}, but is filed as {name}",
                    meta.fingerprint
                )));
            }
            if let Some(s) = &meta.split {
                if s.threshold < 1 || s.threshold > s.total || s.total > MAX_SPLIT_SHARES {
                    return Err(bad(format!(
                        "split {}/{}: need 1 <= K <= N <= {MAX_SPLIT_SHARES}",
                        s.threshold, s.total
                    )));
                }
            }
            out.push(meta);
        }
        Ok(out)
    }

    /// Write an entry's files into `tmp` (not yet an entry).
    fn write_entry(
        &self,
        tmp: &Path,
        fp: &str,
        entry: &NewEntry<'_>,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<()> {
        let mut meta = entry.meta(fp);
        match &self.split {
            None => {
                let pem = encode_private(entry.key, false, None, rng)?;
                write_output(&OutputSpec::new(&tmp.join(KEY_FILE), false, true), &pem)?;
                #[cfg(test)]
                if self.fail_after_key {
                    return Err(write_err(&tmp.join(META_FILE), "injected failure (test)"));
                }
            }
            Some(cfg) => {
                // Every share is encrypted before anything is written.
                let dealt = deal(entry.key, &entry.identity, cfg, rng)?;
                let sd = tmp.join(SHARES_DIR);
                create_private_dir(&sd)?;
                for (i, pem) in dealt.shares.iter().enumerate() {
                    let p = sd.join(format!("share-{}.pem", i + 1));
                    write_output(&OutputSpec::new(&p, false, true), pem.as_bytes())?;
                }
                write_output(
                    &OutputSpec::new(&sd.join("set.pem"), false, false),
                    dealt.set_pem.as_bytes(),
                )?;
                sync_dir(&sd)?;
                meta.split = Some(dealt.meta);
            }
        }
        let json = serde_json::to_string_pretty(&meta)
            .map_err(|e| Error::internal(format!("metadata: {e}")))?;
        write_output(
            &OutputSpec::new(&tmp.join(META_FILE), false, true),
            format!("{json}\n").as_bytes(),
        )?;
        Ok(())
    }
}

/// The metadata file of an entry.
pub const META_FILE: &str = "meta.json";
/// The whole private key of an entry.
pub const KEY_FILE: &str = "key.pem";
/// The shares of a split entry.
pub const SHARES_DIR: &str = "shares";
/// The prefix of an entry being written.
const INCOMPLETE_PREFIX: &str = ".incomplete-";

impl KeyStore for DirStore {
    fn put(&mut self, entry: &NewEntry<'_>, rng: &mut dyn CryptoRngCore) -> Result<PutOutcome> {
        let public = entry.key.public();
        let fp = spki_fingerprint(&encode_public_spki(&public)?);
        if self.entry_dir(&fp).exists() {
            return Ok(PutOutcome::AlreadyHeld { fingerprint: fp });
        }
        let mut tag = [0u8; 8];
        rng.fill_bytes(&mut tag);
        let tmp = self
            .dir
            .join(format!("{INCOMPLETE_PREFIX}{}", hex::encode(tag)));
        create_private_dir(&tmp)?;
        let result = self.write_entry(&tmp, &fp, entry, rng).and_then(|()| {
            sync_dir(&tmp)?;
            let target = self.entry_dir(&fp);
            if target.exists() {
                return Ok(PutOutcome::AlreadyHeld {
                    fingerprint: fp.clone(),
                });
            }
            match std::fs::rename(&tmp, &target) {
                Ok(()) => {}
                // Filed by someone else meanwhile (a non-empty target refuses the rename).
                Err(_) if target.join(META_FILE).exists() => {
                    return Ok(PutOutcome::AlreadyHeld {
                        fingerprint: fp.clone(),
                    })
                }
                Err(e) => return Err(write_err(&target, e)),
            }
            sync_dir(&self.dir)?;
            Ok(PutOutcome::Stored {
                fingerprint: fp.clone(),
            })
        });
        if tmp.exists() {
            // Best effort: a leftover is ignored by readers anyway.
            let _ = std::fs::remove_dir_all(&tmp);
        }
        result
    }

    fn find(&self, identity: &str, selection: Option<&[u8]>) -> Result<Vec<StoredMeta>> {
        let want = selection.map(hex::encode);
        Ok(self
            .entries()?
            .into_iter()
            .filter(|m| m.identity == identity)
            .filter(|m| want.is_none() || m.selection_hex == want)
            .collect())
    }

    fn load(&self, meta: &StoredMeta, rng: &mut dyn CryptoRngCore) -> Result<PrivateKey> {
        let fp = &meta.fingerprint;
        let key = match &meta.split {
            None => {
                let p = self.key_path(fp);
                let bytes = Zeroizing::new(std::fs::read(&p).map_err(|e| io_err(&p, e))?);
                match decode_key(&bytes, &p, &|| {
                    Err(Error::format("stored keys are not encrypted"))
                })? {
                    Key::Private(k) => k,
                    Key::Public(_) => {
                        return Err(Error::malformed(p, "holds a public key, not a private key"))
                    }
                }
            }
            Some(s) => {
                let sd = self.shares_dir(fp);
                let read = |p: PathBuf| std::fs::read(&p).map_err(|e| io_err(&p, e));
                let set = read(sd.join("set.pem"))?;
                let mut shares = Vec::new();
                for i in 1..=s.total {
                    // A missing share is one fewer to combine, not an error.
                    if let Ok(b) = read(sd.join(format!("share-{i}.pem"))) {
                        shares.push(b);
                    }
                }
                self.openers.reconstruct(s, &set, &shares, rng)?
            }
        };
        check_fingerprint(fp, &key)?;
        Ok(key)
    }
    fn signers_with_key_id(&self, key_id: &[u8]) -> Result<Vec<Vec<u8>>> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for m in self.entries()? {
            let Ok(d) = hex::decode(&m.signer_spki) else {
                continue;
            };
            // An entry archived by a proved identity without a signer has none.
            if d.is_empty() || !seen.insert(m.signer_spki_sha256.clone()) {
                continue;
            }
            if super::db::spki_key_id(&d).as_deref() == Some(key_id) {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// A directory store keeps no decision history: each entry is durable when `put` returns.
    fn commit(&mut self, _decision: &AgentDecision) -> Result<Option<String>> {
        Ok(None)
    }

    fn rollback(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms::Recipient;
    use crate::keys::elgamal::{generate_key, NamedGroup};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn entry<'a>(key: &'a PrivateKey, identity: &str, selection: Option<&str>) -> NewEntry<'a> {
        NewEntry {
            key,
            identity: identity.into(),
            selection: selection.map(|s| s.as_bytes().to_vec()),
            subject: Some(format!("CN={identity}")),
            source: "archive",
            signer_spki: vec![0x30, 0x00],
            archived: "2024-01-01T00:00:00Z".into(),
            proved_identity: None,
            certificate_id: None,
        }
    }

    #[test]
    fn whole_keys_are_filed_found_and_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let key = PrivateKey::ElGamal(generate_key(NamedGroup::Ffdhe2048.group(), &mut rng));
        let mut store = DirStore::open(&dir.path().join("escrow")).unwrap();
        let fp = match store
            .put(&entry(&key, "alice", Some("laptop")), &mut rng)
            .unwrap()
        {
            PutOutcome::Stored { fingerprint } => fingerprint,
            other => panic!("{other:?}"),
        };
        assert_eq!(fp.len(), 64);
        assert_eq!(
            store.put(&entry(&key, "alice", None), &mut rng).unwrap(),
            PutOutcome::AlreadyHeld {
                fingerprint: fp.clone()
            }
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.path().join("escrow")), 0o700);
            assert_eq!(mode(&store.key_path(&fp)), 0o600);
            assert_eq!(mode(&store.meta_path(&fp)), 0o600);
        }
        let found = store.find("alice", Some(b"laptop")).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].selection.as_deref(), Some("laptop"));
        assert!(store.find("alice", Some(b"desktop")).unwrap().is_empty());
        assert!(store.find("bob", None).unwrap().is_empty());
        let back = store.load(&found[0], &mut rng).unwrap();
        assert_eq!(back.public(), key.public());
        assert!(store.signers_with_key_id(&[0; 20]).unwrap().is_empty());
    }

    #[test]
    fn a_failure_between_the_files_files_nothing_and_archive_can_be_retried() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let key = PrivateKey::ElGamal(generate_key(NamedGroup::Ffdhe2048.group(), &mut rng));
        let fp = spki_fingerprint(&encode_public_spki(&key.public()).unwrap());
        let mut store = DirStore::open(dir.path()).unwrap();
        store.fail_after_key = true;
        let e = store
            .put(&entry(&key, "alice", None), &mut rng)
            .unwrap_err();
        assert!(matches!(e, Error::Write { .. }), "{e:?}");
        assert!(
            !store.entry_dir(&fp).exists(),
            "no entry after a failed write"
        );
        assert!(store.find("alice", None).unwrap().is_empty());
        // What a kill half way leaves: an incomplete temporary holding only the key.
        let stale = dir
            .path()
            .join(format!("{INCOMPLETE_PREFIX}0123456789abcdef"));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join(KEY_FILE), b"half").unwrap();
        assert!(
            store.entries().unwrap().is_empty(),
            "temporaries are ignored"
        );
        store.fail_after_key = false;
        assert_eq!(
            store.put(&entry(&key, "alice", None), &mut rng).unwrap(),
            PutOutcome::Stored {
                fingerprint: fp.clone()
            }
        );
        let found = store.find("alice", None).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            store.load(&found[0], &mut rng).unwrap().public(),
            key.public()
        );
    }

    #[test]
    fn entries_that_lie_about_their_name_or_split_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let key = PrivateKey::ElGamal(generate_key(NamedGroup::Ffdhe2048.group(), &mut rng));
        let mut store = DirStore::open(dir.path()).unwrap();
        let PutOutcome::Stored { fingerprint: fp } =
            store.put(&entry(&key, "alice", None), &mut rng).unwrap()
        else {
            panic!()
        };
        let meta_path = store.meta_path(&fp);
        let text = std::fs::read_to_string(&meta_path).unwrap();
        for (from, to) in [
            (format!("\"fingerprint\": \"{fp}\""), "\"fingerprint\": \"ab\"".to_string()),
            (
                "\"source\": \"archive\",".to_string(),
                "\"source\": \"archive\", \"split\": {\"threshold\": 1, \"total\": 4000000000, \"set_id\": \"x\"},".to_string(),
            ),
        ] {
            assert!(text.contains(&from), "{text}");
            std::fs::write(&meta_path, text.replace(&from, &to)).unwrap();
            assert!(matches!(store.entries(), Err(Error::InFile { .. })));
        }
    }

    #[test]
    fn split_entries_hold_only_shares_and_need_k_trustees() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let key = PrivateKey::ElGamal(generate_key(NamedGroup::Ffdhe2048.group(), &mut rng));
        let trustees: Vec<Zeroizing<String>> = (1..=3)
            .map(|i| Zeroizing::new(format!("trustee {i}")))
            .collect();
        let recipients = trustees
            .iter()
            .map(|p| Recipient::Passphrase {
                passphrase: p.clone(),
                iterations: 10,
            })
            .collect();
        let mut store = DirStore::open(dir.path())
            .unwrap()
            .with_split(SplitConfig {
                threshold: 2,
                total: 3,
                recipients,
            })
            .unwrap();
        let PutOutcome::Stored { fingerprint: fp } =
            store.put(&entry(&key, "alice", None), &mut rng).unwrap()
        else {
            panic!()
        };
        assert!(!store.key_path(&fp).exists(), "no whole key on disk");
        assert!(store.shares_dir(&fp).join("share-3.pem").exists());
        let meta = store.find("alice", None).unwrap().remove(0);
        assert_eq!(meta.split.as_ref().unwrap().threshold, 2);

        let no_openers = DirStore::open(dir.path()).unwrap();
        assert!(matches!(
            no_openers.load(&meta, &mut rng),
            Err(Error::Invalid(_))
        ));
        let one = DirStore::open(dir.path())
            .unwrap()
            .with_openers(Vec::new(), vec![trustees[0].clone()]);
        assert!(one.load(&meta, &mut rng).is_err(), "one share of two");
        let two = DirStore::open(dir.path())
            .unwrap()
            .with_openers(Vec::new(), vec![trustees[0].clone(), trustees[2].clone()]);
        assert_eq!(two.load(&meta, &mut rng).unwrap().public(), key.public());
    }
}
