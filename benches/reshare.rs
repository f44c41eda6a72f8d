//! A whole reshare in one process (`cargo bench --bench reshare`, issue 16): a 3-of-5 RSA-2048
//! set reshared 3-of-5 to five new trustees (round, three deals, five accepts, finish), each
//! step timed; the issue asks for under 2 s in all on 2 cores. The new set is then checked
//! (reconstruct from three new shares gives the original public key), so the timing is of work
//! that verifies. The RSA key is built from the two 1024-bit safe primes of tests/cli/reshare.rs
//! (no safe-prime search), the trustees' 2048-bit RSA certificates are made in-process.

use std::str::FromStr;
use std::time::Instant;

use der::Decode;
use num_bigint::BigUint;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::name::Name;
use x509_cert::Certificate;

use kmi::keys::cert::build::{issue, CertSpec, Issuer, Usage};
use kmi::keys::rsa::{generate, RsaGenParams, RsaPrivate};
use kmi::keys::{encode_public_spki, PrivateKey, PublicKey, Quiet};
use kmi::math::prime::SearchConfig;
use kmi::threshold::file::Purpose;
use kmi::threshold::reshare::{new_round, DealFile, Round};
use kmi::threshold::set::{split, SplitOptions};

const P1024: &str = "D33FD6D1CA9E3CD642BE43820D4106F12C24D79EC3E0CA721D7346555A5578DBD29569222B6371B8F1B9006BCF4129D9C86601355E499F9014ED948017F60412D20AEE05E035CE321E644C340320A158E3E2BDAA9CD3EDE3DC474DC5FEA4EE4EACD5D31E32D034F5A2593D3D04B9FB281DA6DBA4934EB6AE859C66606CFD0A07";
const Q1024: &str = "F649B66210EBB1D4CF730254521EBE9EBC08EA5CC166109E65B9C3C2CB2D1205AA1D555526BA95EDA43817812D210565CF6D810CDEB76DDB74A1EE604C8C759DFAA3E091472DF3EF83260494351218A40FE70FA3FF5C7FFDFEBFD9060A8A08A6D0C7C892EBBE862B741BB90C0319344469AE26FB576A9839925DF38D569FAD6B";

fn trustee(i: u8) -> (RsaPrivate, Certificate) {
    let mut rng = ChaCha20Rng::from_seed([0x90 + i; 32]);
    let params = RsaGenParams {
        bits: 2048,
        safe: false,
        e: BigUint::from(65537u32),
    };
    let key = generate(&params, &mut rng, &SearchConfig::default(), &Quiet).expect("trustee key");
    let spki = SubjectPublicKeyInfoOwned::from_der(
        &encode_public_spki(&PublicKey::Rsa(key.public.clone())).expect("spki"),
    )
    .expect("spki");
    let cert = issue(
        &CertSpec {
            subject: Name::from_str(&format!("CN=trustee {i}")).expect("name"),
            spki,
            usages: vec![Usage::Encrypt],
            days: 30,
            path_len: None,
        },
        Issuer::SelfSigned(&key.to_rsa_crate().expect("rsa")),
        &mut rng,
    )
    .expect("certificate");
    (key, cert)
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let mut rng = ChaCha20Rng::from_seed([16; 32]);
    let hex = |s: &str| BigUint::parse_bytes(s.as_bytes(), 16).expect("hex");
    let key =
        RsaPrivate::from_primes(hex(P1024), hex(Q1024), BigUint::from(65537u32)).expect("RSA key");
    let key = PrivateKey::Rsa(key);
    let (old, files) =
        split(&key, &SplitOptions::new(3, 5, Purpose::Decrypt), &mut rng).expect("split");
    let shares: Vec<_> = files.iter().map(|f| old.open(f).expect("open")).collect();
    let trustees: Vec<(RsaPrivate, Certificate)> = (1..=5).map(trustee).collect();
    let certs: Vec<Certificate> = trustees.iter().map(|t| t.1.clone()).collect();

    let total = Instant::now();
    let t = Instant::now();
    let round_file = new_round(&old, 3, certs, None, &mut rng).expect("round");
    let round = Round::open(&old, round_file).expect("open round");
    let round_ms = ms(t);

    let mut deal_ms = Vec::new();
    let mut deals: Vec<(String, DealFile)> = Vec::new();
    for j in [1u32, 3, 5] {
        let t = Instant::now();
        let d = round
            .deal(&old, &shares[j as usize - 1], &mut rng)
            .expect("deal");
        deal_ms.push(ms(t));
        deals.push((format!("from-{j}"), d));
    }

    let mut accept_ms = Vec::new();
    let mut accepted = Vec::new();
    for (k, _) in &trustees {
        let t = Instant::now();
        let a = round.accept(&old, &deals, k, &[]).expect("accept");
        accept_ms.push(ms(t));
        accepted.push(a);
    }

    let t = Instant::now();
    let finished = round.finish(&old, &deals, &[]).expect("finish");
    let finish_ms = ms(t);
    let total_ms = ms(total);

    let new_shares: Vec<_> = accepted
        .iter()
        .map(|a| finished.set.open(&a.share).expect("new share"))
        .collect();
    let rebuilt = finished
        .set
        .reconstruct(&new_shares[2..], &mut rng)
        .expect("reconstruct");
    assert_eq!(rebuilt.public(), key.public(), "the key survived");

    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.0}"))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    println!("RSA-2048 reshare 3-of-5 -> 3-of-5, in process:");
    println!("  round   {round_ms:8.1} ms");
    println!(
        "  deal    {:8.1} ms  (3 old trustees: {} ms)",
        deal_ms.iter().sum::<f64>(),
        list(&deal_ms)
    );
    println!(
        "  accept  {:8.1} ms  (5 new trustees: {} ms)",
        accept_ms.iter().sum::<f64>(),
        list(&accept_ms)
    );
    println!("  finish  {finish_ms:8.1} ms");
    println!(
        "  total   {total_ms:8.1} ms  (target: under 2000 ms on 2 cores) {}",
        if total_ms < 2000.0 { "ok" } else { "SLOW" }
    );
}
