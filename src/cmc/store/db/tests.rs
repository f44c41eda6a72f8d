//! Unit tests of the database store: filing, finding and opening keys, transactions, the
//! decision chain's checks against edited files, hostile values, and the 0.1 migration.

use std::str::FromStr;

use der::asn1::BitString;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::pkcs8::EncodePublicKey;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;
use x509_cert::TbsCertificate;

use super::*;
use crate::cmc::store::migrate::migrate;
use crate::cmc::store::DirStore;
use crate::keys::elgamal::{generate_key, NamedGroup};
use crate::log::KeyRecord;

fn rsa_key(seed: u64) -> RsaPrivate {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let k = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let big = |x: &rsa::BigUint| num_bigint::BigUint::from_bytes_be(&x.to_bytes_be());
    RsaPrivate::from_primes(big(&k.primes()[0]), big(&k.primes()[1]), big(k.e())).unwrap()
}

/// A certificate for `key` (CMS never checks a certificate's own signature: a dummy one).
fn cert_for(key: &RsaPrivate, cn: &str) -> Certificate {
    let spki = key
        .to_rsa_crate()
        .unwrap()
        .to_public_key()
        .to_public_key_der()
        .unwrap();
    let name = Name::from_str(&format!("CN={cn}")).unwrap();
    let alg = spki::AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
        parameters: None,
    };
    Certificate {
        tbs_certificate: TbsCertificate {
            version: x509_cert::Version::V3,
            serial_number: SerialNumber::new(&[7]).unwrap(),
            signature: alg.clone(),
            issuer: name.clone(),
            validity: Validity::from_now(Duration::from_secs(3600)).unwrap(),
            subject: name,
            subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(spki.as_bytes()).unwrap(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: None,
        },
        signature_algorithm: alg,
        signature: BitString::from_bytes(&[0u8; 8]).unwrap(),
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    storage_key: RsaPrivate,
    storage_cert: Certificate,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escrow.db");
    let storage_key = rsa_key(41);
    let storage_cert = cert_for(&storage_key, "storage");
    DbStore::create(&path, Some(&storage_cert)).unwrap();
    Fixture {
        _dir: dir,
        path,
        storage_key,
        storage_cert,
    }
}

impl Fixture {
    fn writer(&self) -> DbStore {
        DbStore::open(&self.path)
            .unwrap()
            .with_storage_cert(self.storage_cert.clone())
            .unwrap()
    }
    fn reader(&self) -> DbStore {
        DbStore::open_read_only(&self.path)
            .unwrap()
            .with_storage_cert(self.storage_cert.clone())
            .unwrap()
            .with_storage_key(self.storage_key.clone())
            .unwrap()
    }
}

fn elgamal(seed: u64) -> PrivateKey {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    PrivateKey::ElGamal(generate_key(NamedGroup::Ffdhe2048.group(), &mut rng))
}

fn signer_spki() -> Vec<u8> {
    encode_public_spki(&crate::keys::PublicKey::Rsa(rsa_key(42).public)).unwrap()
}

fn entry<'a>(key: &'a PrivateKey, identity: &str, selection: Option<&str>) -> NewEntry<'a> {
    NewEntry {
        key,
        identity: identity.into(),
        selection: selection.map(|s| s.as_bytes().to_vec()),
        subject: Some(format!("CN={identity}")),
        source: "archive",
        signer_spki: signer_spki(),
        archived: "2026-01-01T00:00:00Z".into(),
        proved_identity: None,
        certificate_id: None,
    }
}

fn decision(fp: &str) -> AgentDecision {
    AgentDecision {
        request_sha256: "00".repeat(32),
        kind: Some("archive".into()),
        identity: Some("alice".into()),
        signers: Vec::new(),
        decision: "granted".into(),
        fail_info: None,
        reason: None,
        keys: vec![KeyRecord {
            fingerprint: fp.into(),
            action: "stored".into(),
        }],
        store_head: None,
    }
}

fn stored(p: PutOutcome) -> String {
    match p {
        PutOutcome::Stored { fingerprint } => fingerprint,
        other => panic!("{other:?}"),
    }
}

#[test]
fn whole_keys_are_sealed_found_by_index_and_opened_only_with_the_storage_key() {
    let f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let key = elgamal(1);
    let mut store = f.writer();
    let fp = stored(
        store
            .put(&entry(&key, "alice", Some("laptop")), &mut rng)
            .unwrap(),
    );
    let head = store.commit(&decision(&fp)).unwrap().unwrap();
    assert_eq!(
        store.put(&entry(&key, "alice", None), &mut rng).unwrap(),
        PutOutcome::AlreadyHeld {
            fingerprint: fp.clone()
        }
    );
    store.rollback();
    drop(store);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&f.path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let r = f.reader();
    let found = r.find("alice", Some(b"laptop")).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].selection.as_deref(), Some("laptop"));
    assert!(r.find("alice", Some(b"desktop")).unwrap().is_empty());
    assert_eq!(r.find("alice", None).unwrap().len(), 1);
    assert!(r.find("bob", None).unwrap().is_empty());
    assert_eq!(r.load(&found[0], &mut rng).unwrap().public(), key.public());
    let kid = spki_key_id(&signer_spki()).unwrap();
    assert_eq!(r.signers_with_key_id(&kid).unwrap(), vec![signer_spki()]);
    assert!(r.signers_with_key_id(&[0; 20]).unwrap().is_empty());
    let report = r.verify(Some(&head)).unwrap();
    assert_eq!(
        (report.entries, report.decisions, report.keys_opened),
        (1, 2, 1)
    );

    // Without the storage key the key does not open; with another key the store refuses it.
    let no_key = DbStore::open_read_only(&f.path).unwrap();
    assert!(matches!(
        no_key.load(&found[0], &mut rng),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        DbStore::open_read_only(&f.path)
            .unwrap()
            .with_storage_key(rsa_key(43)),
        Err(Error::Invalid(_))
    ));
    // No byte of the file holds the private key.
    let bytes = std::fs::read(&f.path).unwrap();
    let PrivateKey::ElGamal(k) = &key else {
        unreachable!()
    };
    let x = k.x.expose().to_bytes_be();
    assert!(!bytes.windows(x.len()).any(|w| w == x.as_slice()));
}

#[test]
fn a_rolled_back_decision_files_nothing_and_a_split_only_store_refuses_whole_keys() {
    let f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let key = elgamal(2);
    let mut store = f.writer();
    store.put(&entry(&key, "alice", None), &mut rng).unwrap();
    store.rollback();
    drop(store);
    assert!(f.reader().list(None).unwrap().is_empty());
    assert_eq!(f.reader().verify(None).unwrap().decisions, 1);

    let dir = tempfile::tempdir().unwrap();
    let split_only = dir.path().join("s.db");
    assert_eq!(DbStore::create(&split_only, None).unwrap(), None);
    assert!(matches!(
        DbStore::create(&split_only, None),
        Err(Error::Exists { .. })
    ));
    let mut s = DbStore::open(&split_only).unwrap();
    assert!(matches!(
        s.put(&entry(&key, "alice", None), &mut rng),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        DbStore::open(&split_only)
            .unwrap()
            .with_storage_cert(f.storage_cert.clone()),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn a_second_agent_waits_and_then_fails_cleanly() {
    let f = fixture();
    let mut first = f.writer();
    first.begin().unwrap();
    let mut second = f
        .writer()
        .with_busy_wait(Duration::from_millis(100))
        .unwrap();
    let e = second.begin().unwrap_err();
    assert!(e.to_string().contains("in use by another agent"), "{e}");
    // Readers are not blocked by the writer.
    assert!(f.reader().list(None).unwrap().is_empty());
    first.rollback();
    second.begin().unwrap();
}

/// Run `sql` on the store with its protective triggers dropped (what someone editing the file
/// can do), then expect `verify` to fail saying `why`.
fn tampered(f: &Fixture, sql: &str, why: &str) {
    let copy = f.path.with_extension("copy.db");
    std::fs::copy(&f.path, &copy).unwrap();
    let conn = Connection::open(&copy).unwrap();
    conn.execute_batch(
        "DROP TRIGGER decisions_are_append_only; DROP TRIGGER decisions_are_kept;
         DROP TRIGGER keys_are_kept; DROP TRIGGER keys_are_not_edited;",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    let e = DbStore::open_read_only(&copy)
        .unwrap()
        .verify(None)
        .unwrap_err();
    assert!(matches!(e, Error::CheckFailed(_)), "{sql}: {e:?}");
    assert!(e.to_string().contains(why), "{sql}: {e}");
    std::fs::remove_file(&copy).unwrap();
}

#[test]
fn verify_finds_edited_added_removed_and_reordered_rows() {
    let f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut store = f.writer();
    for (i, who) in ["alice", "bob"].iter().enumerate() {
        let key = elgamal(10 + i as u64);
        let fp = stored(store.put(&entry(&key, who, None), &mut rng).unwrap());
        store.commit(&decision(&fp)).unwrap();
    }
    drop(store);
    let head = f.reader().verify(None).unwrap().head;
    tampered(
        &f,
        "UPDATE keys SET identity = 'mallory' WHERE identity = 'alice'",
        "its entry was edited",
    );
    tampered(
        &f,
        "UPDATE keys SET sealed_key = x'00' WHERE identity = 'bob'",
        "its entry was edited",
    );
    tampered(
        &f,
        "DELETE FROM keys WHERE identity = 'bob'",
        "its entry was removed",
    );
    tampered(
        &f,
        "DELETE FROM decisions WHERE seq = 2",
        "decision 2 is missing",
    );
    tampered(
        &f,
        "DELETE FROM decisions WHERE seq = 3",
        "was not filed by any decision",
    );
    tampered(
        &f,
        "UPDATE decisions SET line = replace(line, 'granted', 'refused') WHERE seq = 2",
        "decision 2's recorded hash is not its own",
    );
    // An editor who also rewrites the stored hash breaks the next line's link instead.
    let edited = r#"{"prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"time":"2020-01-01T00:00:00Z","event":"created","filed":[]}"#;
    tampered(
        &f,
        &format!(
            "UPDATE decisions SET line = '{edited}', hash = '{}' WHERE seq = 1",
            crate::cmc::store::audit::line_hash(edited)
        ),
        "decision 2 does not follow decision 1",
    );
    tampered(
        &f,
        "INSERT INTO keys SELECT 'ff' || substr(fingerprint, 3), algorithm, bits, identity, selection, subject, archived, source, signer_spki, signer_fingerprint, signer_key_id, proved_identity, certificate_id, sealed_key, split_threshold, split_total, set_id, set_pem, decision_seq FROM keys WHERE identity = 'bob'",
        "was not filed by any decision",
    );
    // A cut tail is found against the head recorded elsewhere.
    let copy = f.path.with_extension("cut.db");
    std::fs::copy(&f.path, &copy).unwrap();
    {
        let conn = Connection::open(&copy).unwrap();
        conn.execute_batch(
            "DROP TRIGGER decisions_are_kept; DROP TRIGGER keys_are_kept;
             DELETE FROM keys WHERE decision_seq = 3; DELETE FROM decisions WHERE seq = 3;",
        )
        .unwrap();
    }
    let cut = DbStore::open_read_only(&copy).unwrap();
    assert!(cut.verify(None).is_ok());
    let e = cut.verify(Some(&head)).unwrap_err();
    assert!(e.to_string().contains("cut or its tail rewritten"), "{e}");
}

#[test]
fn hostile_values_are_refused_before_use() {
    let f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let key = elgamal(4);
    let mut store = f.writer();
    let fp = stored(store.put(&entry(&key, "alice", None), &mut rng).unwrap());
    store.commit(&decision(&fp)).unwrap();
    drop(store);
    let conn = Connection::open(&f.path).unwrap();
    conn.execute_batch(
        "DROP TRIGGER keys_are_not_edited;
         UPDATE keys SET split_threshold = 1, split_total = 4000000000, set_pem = 'x', sealed_key = NULL;",
    )
    .unwrap();
    drop(conn);
    let r = f.reader();
    assert!(matches!(r.find("alice", None), Err(Error::InFile { .. })));
    assert!(matches!(r.list(None), Err(Error::InFile { .. })));
    // Not a store at all.
    let junk = f.path.with_extension("junk");
    std::fs::write(&junk, b"SQLite format 3\0 but not really").unwrap();
    assert!(matches!(DbStore::open(&junk), Err(Error::InFile { .. })));
    let empty_sqlite = f.path.with_extension("other.db");
    Connection::open(&empty_sqlite)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let e = DbStore::open(&empty_sqlite).err().unwrap();
    assert!(e.to_string().contains("not a kmi key store"), "{e}");
}

#[test]
fn a_directory_store_migrates_with_its_metadata_and_split_entries() {
    let f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let old = tempfile::tempdir().unwrap();
    let whole = elgamal(20);
    let split_key = elgamal(21);
    let mut dir = DirStore::open(old.path()).unwrap();
    let whole_fp = stored(
        dir.put(&entry(&whole, "alice", Some("laptop")), &mut rng)
            .unwrap(),
    );
    let passphrases: Vec<Zeroizing<String>> = (1..=3)
        .map(|i| Zeroizing::new(format!("trustee {i}")))
        .collect();
    let mut splitting = DirStore::open(old.path())
        .unwrap()
        .with_split(SplitConfig {
            threshold: 2,
            total: 3,
            recipients: passphrases
                .iter()
                .map(|p| Recipient::Passphrase {
                    passphrase: p.clone(),
                    iterations: 10,
                })
                .collect(),
        })
        .unwrap();
    let split_fp = stored(
        splitting
            .put(&entry(&split_key, "bob", None), &mut rng)
            .unwrap(),
    );

    let mut db = f.writer();
    let report = migrate(&dir, &mut db, &mut rng).unwrap();
    assert_eq!(
        (report.sealed, report.split, report.already_held),
        (1, 1, 0)
    );
    drop(db);
    // Again: everything is already held, nothing changes.
    let again = migrate(&dir, &mut f.writer(), &mut rng).unwrap();
    assert_eq!((again.sealed, again.split, again.already_held), (0, 0, 2));
    assert_eq!(again.head, report.head);

    let r = f.reader().with_openers(Openers {
        identities: Vec::new(),
        passphrases: vec![passphrases[0].clone(), passphrases[2].clone()],
    });
    let a = r.find("alice", Some(b"laptop")).unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].fingerprint, whole_fp);
    assert_eq!(a[0].archived, "2026-01-01T00:00:00Z");
    assert_eq!(a[0].signer_spki_sha256, spki_fingerprint(&signer_spki()));
    assert_eq!(r.load(&a[0], &mut rng).unwrap().public(), whole.public());
    let b = r.find("bob", None).unwrap();
    assert_eq!(b[0].fingerprint, split_fp);
    assert_eq!(b[0].split.as_ref().unwrap().threshold, 2);
    assert_eq!(
        r.load(&b[0], &mut rng).unwrap().public(),
        split_key.public()
    );
    let v = r.verify(Some(&report.head)).unwrap();
    assert_eq!((v.entries, v.decisions, v.keys_opened), (2, 3, 1));
}
