//! The escrow agent at scale (issue 17): `cargo bench --bench escrow_store`.
//!
//! Stores of 1,000, 10,000 and 100,000 archived ElGamal (ffdhe2048) keys are built through the
//! library (sealed to a storage key, one decision line each, as an agent would file them), then
//! the agent answers, through `kmi::cmc::agent::respond` exactly as `kmi cmc respond` does
//! (store opened, `BEGIN IMMEDIATE`, request, commit):
//! - a recovery request for one identity (two keys: found by the identity index, opened with the
//!   storage key, shrouded to the requester, response signed), and
//! - an archive request of a new key (decrypted, checked, sealed, filed with its decision line,
//!   committed with fsync).
//!
//! The same two requests run against kmi 0.1's directory store (`DirStore`) at 1,000 and 10,000
//! keys in the same run, as the baseline (the issue measured 0.06 s at 1k, 1.35 s at 10k, 659 s
//! at 100k for recovery on 0.1).
//!
//! Building is the slow part (sealing 100,000 keys takes minutes on 2 cores), so the database
//! stores are kept in `target/escrow-bench/` and reused by later runs. Sizes can be narrowed with
//! `KMI_BENCH_SIZES=1000,10000`. The filler keys are distinct valid ElGamal keys made cheaply
//! (x_i = x_0 + i, y_i = y_{i-1} g mod p): the store neither knows nor cares how they were made.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use num_bigint::BigUint;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use x509_cert::name::Name;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use kmi::cmc::agent::{self, Agent, Policy, PwriKek};
use kmi::cmc::build::{
    archive_request, recovery_request, ArchiveRequest, KeyUse, Placement, RecoveryRequest,
    RequestSigner, ShroudChoice,
};
use kmi::cmc::oids::CmcOids;
use kmi::cmc::store::{DbStore, DirStore, KeyStore, NewEntry};
use kmi::cmc::types::ShroudWithPublicKey;
use kmi::cms::ContentCipher;
use kmi::keys::cert::build::{issue, rsa_spki, CertSpec, Issuer, Usage};
use kmi::keys::elgamal::{generate_key, ElGamalPrivate, ElGamalPublic, NamedGroup};
use kmi::keys::{encode_public_spki, PrivateKey, PublicKey, RsaPrivate};
use kmi::math::prime::SearchConfig;
use kmi::math::secret::SecretUint;

/// The identity whose keys the recovery asks for: two keys, filed in the middle of the store.
const TARGET: &str = "bench-target";
/// Requests timed per size.
const RUNS: usize = 7;

struct Party {
    key: RsaPrivate,
    cert: Certificate,
}

fn party(seed: u64, cn: &str) -> Party {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let k = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("RSA key");
    let big = |x: &rsa::BigUint| BigUint::from_bytes_be(&x.to_bytes_be());
    let key =
        RsaPrivate::from_primes(big(&k.primes()[0]), big(&k.primes()[1]), big(k.e())).expect("key");
    let spec = CertSpec {
        subject: Name::from_str(&format!("CN={cn}")).expect("name"),
        spki: rsa_spki(&k.to_public_key()).expect("spki"),
        usages: vec![Usage::Encrypt, Usage::Sign],
        days: 30,
        path_len: None,
    };
    let cert = issue(&spec, Issuer::SelfSigned(&k), &mut rng).expect("certificate");
    Party { key, cert }
}

struct World {
    agent: Party,
    storage: Party,
    alice: Party,
    oids: CmcOids,
}

fn no_secret(_: &str) -> kmi::Result<Option<Zeroizing<String>>> {
    Ok(None)
}

impl World {
    fn agent(&self) -> Agent<'_> {
        Agent {
            key: &self.agent.key,
            cert: &self.agent.cert,
            response_signer: None,
            oids: &self.oids,
            shared_secret: &no_secret,
            pwri_kek: PwriKek::AesKw,
            pwri_iterations: 1000,
            policy: Policy::default(),
            search: SearchConfig { threads: 1 },
            now: "2026-12-01T00:00:00Z".into(),
            identity_secrets: None,
            ca: None,
        }
    }

    fn signer(&self) -> RequestSigner {
        RequestSigner {
            key: self.alice.key.clone(),
            cert: Some(self.alice.cert.clone()),
        }
    }

    fn archive_req(&self, key: &PrivateKey, identity: &str, rng: &mut ChaCha20Rng) -> Vec<u8> {
        archive_request(
            &ArchiveRequest {
                key,
                agent: &self.agent.cert,
                subject: Name::from_str(&format!("CN={identity}")).expect("name"),
                identity: identity.into(),
                placement: Placement::Unsigned,
                selection: None,
                key_use: KeyUse::Encipherment,
                signer: Some(self.signer()),
                cipher: ContentCipher::Aes256Gcm,
                certificate: None,
            },
            &self.oids,
            rng,
        )
        .expect("archive request")
    }

    fn recovery_req(&self, rng: &mut ChaCha20Rng) -> Vec<u8> {
        recovery_request(
            &RecoveryRequest {
                identity: TARGET.into(),
                shroud: ShroudChoice::PublicKey(ShroudWithPublicKey::Certificate(Box::new(
                    self.alice.cert.clone(),
                ))),
                selection: None,
                signer: self.signer(),
            },
            &self.oids,
            rng,
        )
        .expect("recovery request")
    }
}

/// Distinct valid ElGamal keys in ffdhe2048: x_i = x_0 + i, y_i = y_0 g^i.
struct Filler {
    group: kmi::keys::ElGamalGroup,
    x: BigUint,
    y: BigUint,
}

impl Filler {
    fn new(rng: &mut ChaCha20Rng) -> Self {
        let first = generate_key(NamedGroup::Ffdhe2048.group(), rng);
        Filler {
            x: first.x.expose().clone(),
            y: first.public.y.clone(),
            group: first.public.group,
        }
    }

    fn next_key(&mut self) -> PrivateKey {
        self.x += 1u32;
        self.y = (&self.y * &self.group.g) % &self.group.p;
        PrivateKey::ElGamal(ElGamalPrivate {
            public: ElGamalPublic {
                group: self.group.clone(),
                y: self.y.clone(),
            },
            x: SecretUint::new(self.x.clone()),
        })
    }
}

fn alice_spki(w: &World) -> Vec<u8> {
    encode_public_spki(&PublicKey::Rsa(w.alice.key.public.clone())).expect("spki")
}

/// Make `n` keys as the agent would file them (two of them under [`TARGET`] in the middle) and
/// hand each to `file` with its index.
fn each_entry(
    w: &World,
    n: usize,
    rng: &mut ChaCha20Rng,
    file: &mut dyn FnMut(&NewEntry<'_>, &mut ChaCha20Rng, usize),
) {
    let mut filler = Filler::new(rng);
    let signer = alice_spki(w);
    let started = Instant::now();
    for i in 0..n {
        let key = filler.next_key();
        let identity = if i == n / 2 || i == n / 2 + 1 {
            TARGET.to_string()
        } else {
            format!("user-{}", i % (n / 3).max(1))
        };
        let entry = NewEntry {
            key: &key,
            identity,
            selection: None,
            subject: None,
            source: "archive",
            signer_spki: signer.clone(),
            archived: "2026-12-01T00:00:00Z".into(),
            proved_identity: None,
            certificate_id: None,
        };
        file(&entry, rng, i);
        if (i + 1) % 10_000 == 0 {
            eprintln!(
                "  filed {} of {n} ({:.0} s)",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
}

fn fill_db(w: &World, path: &Path, n: usize) {
    if path.exists() {
        let store = DbStore::open_read_only(path).expect("store");
        if store.counts().expect("counts").0 >= n as u64 {
            return;
        }
        drop(store);
        std::fs::remove_file(path).expect("remove a partial store");
    }
    eprintln!("building a store of {n} keys in {}", path.display());
    DbStore::create(path, Some(&w.storage.cert)).expect("create");
    let mut store = DbStore::open(path)
        .expect("open")
        .with_storage_cert(w.storage.cert.clone())
        .expect("storage");
    // Each entry its own decision line, as the agent files them; committed 5,000 at a time.
    each_entry(
        w,
        n,
        &mut ChaCha20Rng::seed_from_u64(n as u64),
        &mut |e, rng, i| {
            store.put(e, rng).expect("put");
            store.record("bench", None, None).expect("record");
            if (i + 1) % 5_000 == 0 || i + 1 == n {
                store.finish().expect("commit");
            }
        },
    );
}

fn fill_dir(w: &World, dir: &Path, n: usize) {
    if dir.join(".complete").exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    eprintln!(
        "building a 0.1 directory store of {n} keys in {}",
        dir.display()
    );
    let mut store = DirStore::open(dir).expect("dir store");
    each_entry(
        w,
        n,
        &mut ChaCha20Rng::seed_from_u64(n as u64),
        &mut |e, rng, _| {
            store.put(e, rng).expect("put");
        },
    );
    std::fs::write(dir.join(".complete"), b"").expect("mark");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Median milliseconds of a recovery and of an archive against the store `open` gives.
fn measure(w: &World, open: &dyn Fn() -> Box<dyn KeyStore>, seed: u64) -> (f64, f64) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let agent = w.agent();
    let rec = w.recovery_req(&mut rng);
    let mut recovery = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let mut store = open();
        let (_, outcome) = agent::respond(&agent, &rec, store.as_mut(), &mut rng).expect("respond");
        assert!(outcome.ok(), "recovery: {:?}", outcome.failure);
        assert_eq!(outcome.keys.len(), 2, "the target's two keys");
        recovery.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut archive = Vec::new();
    for i in 0..RUNS {
        let key = PrivateKey::ElGamal(generate_key(NamedGroup::Ffdhe2048.group(), &mut rng));
        let req = w.archive_req(&key, &format!("new-{seed}-{i}"), &mut rng);
        let t = Instant::now();
        let mut store = open();
        let (_, outcome) = agent::respond(&agent, &req, store.as_mut(), &mut rng).expect("respond");
        assert!(outcome.ok(), "archive: {:?}", outcome.failure);
        archive.push(t.elapsed().as_secs_f64() * 1e3);
    }
    (median(recovery), median(archive))
}

fn main() {
    let sizes: Vec<usize> = std::env::var("KMI_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
    let w = World {
        agent: party(1, "bench agent"),
        storage: party(2, "bench storage"),
        alice: party(3, "alice"),
        oids: CmcOids::default(),
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/escrow-bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    println!("escrow store: median of {RUNS} requests, ms (through agent::respond, store opened each time)");
    println!(
        "{:>8} {:>14} {:>14} {:>14} {:>14}",
        "keys", "db recovery", "db archive", "0.1 recovery", "0.1 archive"
    );
    for &n in &sizes {
        let path = dir.join(format!("store-{n}.db"));
        fill_db(&w, &path, n);
        let storage_key = w.storage.key.clone();
        let storage_cert = w.storage.cert.clone();
        let open = move || -> Box<dyn KeyStore> {
            let mut s = DbStore::open(&path)
                .expect("open")
                .with_storage_cert(storage_cert.clone())
                .expect("cert")
                .with_storage_key(storage_key.clone())
                .expect("key");
            s.begin().expect("begin");
            Box::new(s)
        };
        let (rec, arc) = measure(&w, &open, n as u64);
        // The 0.1 baseline, where it finishes in reasonable time.
        let old = if n <= 10_000 {
            let old_dir = dir.join(format!("dirstore-{n}"));
            fill_dir(&w, &old_dir, n);
            let open_dir = move || -> Box<dyn KeyStore> {
                Box::new(DirStore::open(&old_dir).expect("dir store"))
            };
            Some(measure(&w, &open_dir, n as u64 + 1))
        } else {
            None
        };
        let (orec, oarc) = match old {
            Some((r, a)) => (format!("{r:.1}"), format!("{a:.1}")),
            None => ("-".into(), "-".into()),
        };
        println!("{n:>8} {rec:>14.1} {arc:>14.1} {orec:>14} {oarc:>14}");
        if let Some((r, _)) = old {
            println!("{:>8} recovery {:.1}x faster than 0.1", "", r / rec);
        }
    }
}
