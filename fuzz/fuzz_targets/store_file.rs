//! The escrow agent's key store as hostile input (issue 17): a store file anyone with access may
//! have edited. Built once per process: a store holding two sealed keys and one split entry,
//! with their decision lines. Each input then either
//! - mode 0: replaces the file's bytes from the input (byte fuzzing, SQLite's reader included), or
//! - mode 1: applies up to eight edits to a copy with SQL, each choosing a table, a column and a
//!   row and writing a value the input picks (0, 1, -1, 2^31, 2^32, 4e9, i64 extremes, text or
//!   bytes from the input, NULL), with the protective triggers dropped first (structure-aware:
//!   the numbers and values inside a well-formed store),
//!
//! and then every reader runs: open (writer and reader), list, show (entry by prefix, its
//! decisions), export-audit, find and load of every entry with the storage key and the trustees'
//! passphrases, and verify. Nothing may panic or run unbounded; errors are fine.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

use kmi::cmc::store::{DbStore, KeyStore, NewEntry, Openers, SplitConfig};
use kmi::cms::Recipient;
use kmi::keys::{PrivateKey, RsaPrivate};
use kmi::log::AgentDecision;
use kmi::rng::KmiRng;

struct Base {
    db: Vec<u8>,
    storage_key: RsaPrivate,
    storage_cert: x509_cert::Certificate,
    passphrases: Vec<Zeroizing<String>>,
    dir: PathBuf,
}

fn decision() -> AgentDecision {
    AgentDecision {
        request_sha256: "00".repeat(32),
        kind: Some("archive".into()),
        identity: Some("alice".into()),
        signers: Vec::new(),
        decision: "granted".into(),
        fail_info: None,
        reason: None,
        keys: Vec::new(),
        store_head: None,
    }
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut rng = KmiRng::new(Some("57073e")).expect("seed");
        let cfg = kmi::math::prime::SearchConfig { threads: 1 };
        let params = kmi::keys::rsa::RsaGenParams {
            bits: 1024,
            safe: false,
            e: 65537u32.into(),
        };
        let storage_key =
            kmi::keys::rsa::generate(&params, &mut rng, &cfg, &kmi::keys::Quiet).expect("rsa");
        let rsa = storage_key.to_rsa_crate().expect("rsa crate");
        let spec = kmi::keys::cert::build::CertSpec {
            subject: kmi::keys::cert::build::parse_subject("CN=storage").expect("name"),
            spki: kmi::keys::cert::build::rsa_spki(&rsa.to_public_key()).expect("spki"),
            usages: vec![kmi::keys::cert::build::Usage::Encrypt],
            days: 36500,
            path_len: None,
        };
        let storage_cert = kmi::keys::cert::build::issue(
            &spec,
            kmi::keys::cert::build::Issuer::SelfSigned(&rsa),
            &mut rng,
        )
        .expect("cert");
        let group = kmi::keys::elgamal::generate_group(
            kmi::keys::elgamal::GroupSpec::SafePrime { bits: 128 },
            &mut rng,
            &cfg,
            &kmi::keys::Quiet,
        )
        .expect("group");
        let dir = std::env::temp_dir().join(format!("kmi-fuzz-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("base.db");
        let _ = std::fs::remove_file(&path);
        DbStore::create(&path, Some(&storage_cert)).expect("create");
        let passphrases: Vec<Zeroizing<String>> = (1..=3)
            .map(|i| Zeroizing::new(format!("trustee {i}")))
            .collect();
        let mut file = |store: &mut DbStore, identity: &str, selection: Option<&[u8]>| {
            let key = PrivateKey::ElGamal(kmi::keys::elgamal::generate_key(group.clone(), &mut rng));
            store
                .put(
                    &NewEntry {
                        key: &key,
                        identity: identity.into(),
                        selection: selection.map(<[u8]>::to_vec),
                        subject: Some(format!("CN={identity}")),
                        source: "archive",
                        signer_spki: kmi::keys::encode_public_spki(&kmi::keys::PublicKey::Rsa(
                            storage_key.public.clone(),
                        ))
                        .expect("spki"),
                        archived: "2026-01-01T00:00:00Z".into(),
                        proved_identity: Some(identity.into()),
                        certificate_id: Some(vec![0x80, 0x01, 0x01]),
                    },
                    &mut rng,
                )
                .expect("put");
            store.commit(&decision()).expect("commit");
        };
        let mut store = DbStore::open(&path)
            .expect("open")
            .with_storage_cert(storage_cert.clone())
            .expect("storage");
        file(&mut store, "alice", Some(b"laptop"));
        file(&mut store, "alice", None);
        drop(store);
        let mut split = DbStore::open(&path)
            .expect("open")
            .with_split(SplitConfig {
                threshold: 2,
                total: 3,
                recipients: passphrases
                    .iter()
                    .map(|p| Recipient::Passphrase {
                        passphrase: p.clone(),
                        iterations: 1,
                    })
                    .collect(),
            })
            .expect("split");
        file(&mut split, "bob", None);
        drop(split);
        let db = std::fs::read(&path).expect("read");
        Base {
            db,
            storage_key,
            storage_cert,
            passphrases,
            dir,
        }
    })
}

const TABLES: &[(&str, &[&str])] = &[
    (
        "keys",
        &[
            "fingerprint",
            "algorithm",
            "bits",
            "identity",
            "selection",
            "subject",
            "archived",
            "source",
            "signer_spki",
            "signer_fingerprint",
            "proved_identity",
            "certificate_id",
            "sealed_key",
            "split_threshold",
            "split_total",
            "set_id",
            "set_pem",
            "decision_seq",
        ],
    ),
    ("shares", &["fingerprint", "idx", "sealed"]),
    ("decisions", &["seq", "line", "hash"]),
    ("signers", &["spki", "key_id", "fingerprint"]),
    ("meta", &["name", "value"]),
    ("decision_keys", &["fingerprint", "seq"]),
];

/// A value for an edit, chosen by the input.
fn value(kind: u8, data: &mut &[u8]) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    let take = |data: &mut &[u8]| -> Vec<u8> {
        let n = (data.first().copied().unwrap_or(0) as usize).min(data.len().saturating_sub(1));
        let out = data.get(1..1 + n).unwrap_or_default().to_vec();
        *data = data.get(1 + n..).unwrap_or_default();
        out
    };
    match kind % 12 {
        0 => Value::Integer(0),
        1 => Value::Integer(1),
        2 => Value::Integer(-1),
        3 => Value::Integer(1 << 31),
        4 => Value::Integer(1 << 32),
        5 => Value::Integer(4_000_000_000),
        6 => Value::Integer(i64::MAX),
        7 => Value::Integer(i64::MIN),
        8 => Value::Null,
        9 => Value::Text(String::from_utf8_lossy(&take(data)).into_owned()),
        10 => Value::Blob(take(data)),
        _ => Value::Integer(i64::from(u16::from_le_bytes([
            take(data).first().copied().unwrap_or(0),
            0,
        ]))),
    }
}

fn edit(path: &std::path::Path, mut data: &[u8]) -> Option<()> {
    let conn = rusqlite::Connection::open(path).ok()?;
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS decisions_are_append_only; DROP TRIGGER IF EXISTS decisions_are_kept;
         DROP TRIGGER IF EXISTS keys_are_kept; DROP TRIGGER IF EXISTS keys_are_not_edited;
         DROP TRIGGER IF EXISTS signers_are_kept; DROP TRIGGER IF EXISTS signers_are_not_edited;",
    )
    .ok()?;
    for _ in 0..8 {
        let [t, c, r, k, rest @ ..] = data else {
            break;
        };
        data = rest;
        let (table, columns) = TABLES[*t as usize % TABLES.len()];
        let column = columns[*c as usize % columns.len()];
        let v = value(*k, &mut data);
        let sql = format!(
            "UPDATE {table} SET {column} = ?1 WHERE rowid IN (SELECT rowid FROM {table} LIMIT 1 OFFSET ?2)"
        );
        // WITHOUT ROWID tables have no rowid: edit every row of those instead.
        let every = format!("UPDATE {table} SET {column} = ?1");
        if conn.execute(&sql, rusqlite::params![v, *r as i64 % 4]).is_err() {
            let _ = conn.execute(&every, rusqlite::params![v]);
        }
    }
    Some(())
}

fn read_everything(b: &Base, path: &std::path::Path) {
    let mut rng = KmiRng::new(Some("0f")).expect("seed");
    if let Ok(store) = DbStore::open(path) {
        drop(store);
    }
    let Ok(store) = DbStore::open_read_only(path) else {
        return;
    };
    let store = match store.with_storage_key(b.storage_key.clone()) {
        Ok(s) => s,
        Err(_) => match DbStore::open_read_only(path) {
            Ok(s) => s,
            Err(_) => return,
        },
    };
    let store = store.with_openers(Openers {
        identities: Vec::new(),
        passphrases: b.passphrases.clone(),
    });
    let _ = store.counts();
    let _ = store.head();
    let _ = store.export_audit(&mut |_| Ok(()));
    if let Ok(list) = store.list(None) {
        for m in &list {
            let _ = store.entry(&m.fingerprint);
            let _ = store.decisions_about(&m.fingerprint);
            let _ = store.load(m, &mut rng);
        }
    }
    for who in ["alice", "bob"] {
        if let Ok(found) = store.find(who, None) {
            for m in &found {
                let _ = store.load(m, &mut rng);
            }
        }
    }
    let _ = store.signers_with_key_id(&[0u8; 20]);
    let _ = store.verify(None);
    let _ = b.storage_cert.tbs_certificate.serial_number.as_bytes();
}

fuzz_target!(|data: &[u8]| {
    let b = base();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let path = b.dir.join(format!("case-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    match mode % 2 {
        0 => {
            // Raw bytes, with the real header half the time so SQLite reads further.
            let mut bytes = if rest.first().is_some_and(|x| x & 1 == 1) {
                b.db[..100.min(b.db.len())].to_vec()
            } else {
                Vec::new()
            };
            bytes.extend_from_slice(rest);
            if std::fs::write(&path, &bytes).is_err() {
                return;
            }
        }
        _ => {
            if std::fs::write(&path, &b.db).is_err() || edit(&path, rest).is_none() {
                return;
            }
        }
    }
    read_everything(b, &path);
});
