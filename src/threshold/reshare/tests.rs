//! Reshare through the library (rounds, CMS-enveloped sub-shares, accept, finish) on small
//! seeded keys: both schemes keep their key across random (k, n) -> (k2, n2) sequences (a
//! proptest), cheating dealers are named, and old and new shares never mix.

use std::str::FromStr;
use std::sync::OnceLock;

use der::{Decode, Encode};
use num_bigint::BigUint;
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::name::Name;
use x509_cert::Certificate;

use super::*;
use crate::keys::cert::build::{issue, CertSpec, Issuer, Usage};
use crate::keys::elgamal::{generate_group, generate_key, GroupSpec};
use crate::keys::rsa::{generate, RsaGenParams};
use crate::keys::{encode_public_spki, PrivateKey, PublicKey, Quiet};
use crate::math::prime::SearchConfig;
use crate::threshold::file::Purpose;
use crate::threshold::set::{split, SplitOptions};

const CFG: SearchConfig = SearchConfig { threads: 1 };
const MAX_N: usize = 6;

/// Trustee keys (1024-bit RSA, enough for RSA-OAEP-SHA256 key transport) with self-signed
/// certificates, made once.
fn trustees() -> &'static [(RsaPrivate, Certificate)] {
    static T: OnceLock<Vec<(RsaPrivate, Certificate)>> = OnceLock::new();
    T.get_or_init(|| {
        (0..MAX_N as u8)
            .map(|i| {
                let mut rng = ChaCha20Rng::from_seed([0x70 + i; 32]);
                let params = RsaGenParams {
                    bits: 1024,
                    safe: false,
                    e: BigUint::from(65537u32),
                };
                let key = generate(&params, &mut rng, &CFG, &Quiet).unwrap();
                let spki = SubjectPublicKeyInfoOwned::from_der(
                    &encode_public_spki(&PublicKey::Rsa(key.public.clone())).unwrap(),
                )
                .unwrap();
                let cert = issue(
                    &CertSpec {
                        subject: Name::from_str(&format!("CN=trustee {i}")).unwrap(),
                        spki,
                        usages: vec![Usage::Encrypt],
                        days: 30,
                        path_len: None,
                    },
                    Issuer::SelfSigned(&key.to_rsa_crate().unwrap()),
                    &mut rng,
                )
                .unwrap();
                (key, cert)
            })
            .collect()
    })
}

fn rsa_key() -> &'static PrivateKey {
    static K: OnceLock<PrivateKey> = OnceLock::new();
    K.get_or_init(|| {
        let mut rng = ChaCha20Rng::from_seed([0x51; 32]);
        let params = RsaGenParams {
            bits: 256,
            safe: true,
            e: BigUint::from(65537u32),
        };
        PrivateKey::Rsa(generate(&params, &mut rng, &CFG, &Quiet).unwrap())
    })
}

fn elgamal_key() -> &'static PrivateKey {
    static K: OnceLock<PrivateKey> = OnceLock::new();
    K.get_or_init(|| {
        let mut rng = ChaCha20Rng::from_seed([0x61; 32]);
        let group =
            generate_group(GroupSpec::SafePrime { bits: 128 }, &mut rng, &CFG, &Quiet).unwrap();
        PrivateKey::ElGamal(generate_key(group, &mut rng))
    })
}

/// A held set: the set and every trustee's opened share (trustee i holds share i).
struct Held {
    set: ShareSet,
    shares: Vec<SecretShare>,
}

fn deal_fresh(key: &PrivateKey, k: u32, n: u32, rng: &mut ChaCha20Rng) -> Held {
    let (set, files) = split(key, &SplitOptions::new(k, n, Purpose::Decrypt), rng).unwrap();
    let shares = files.iter().map(|f| set.open(f).unwrap()).collect();
    Held { set, shares }
}

/// One whole round: the given old trustees deal (through DER files), every new trustee accepts,
/// finish makes the same set.
fn reshare(old: &Held, dealers: &[u32], k2: u32, n2: u32, rng: &mut ChaCha20Rng) -> Held {
    let certs: Vec<Certificate> = trustees()[..n2 as usize]
        .iter()
        .map(|t| t.1.clone())
        .collect();
    let round_file = new_round(&old.set, k2, certs, None, rng).unwrap();
    let round_file = RoundFile::from_der_checked(&round_file.to_der().unwrap()).unwrap();
    let round = Round::open(&old.set, round_file).unwrap();
    let deals: Vec<(String, DealFile)> = dealers
        .iter()
        .map(|&j| {
            let d = round
                .deal(&old.set, &old.shares[j as usize - 1], rng)
                .unwrap();
            let d = DealFile::from_der_checked(&d.to_der().unwrap()).unwrap();
            (format!("from-{j}"), d)
        })
        .collect();
    let finished = round.finish(&old.set, &deals, &[]).unwrap();
    let mut shares = Vec::new();
    for i in 1..=n2 {
        let a = round
            .accept(&old.set, &deals, &trustees()[i as usize - 1].0, &[])
            .unwrap();
        assert_eq!(a.index, i);
        assert_eq!(
            a.set.id, finished.set.id,
            "accept and finish agree on the set"
        );
        shares.push(finished.set.open(&a.share).unwrap());
    }
    assert_ne!(finished.set.id, old.set.id);
    Held {
        set: finished.set,
        shares,
    }
}

/// Every k-subset (up to a few) rebuilds the original key; k - 1 shares do not.
fn assert_keeps_key(held: &Held, key: &PrivateKey, rng: &mut ChaCha20Rng) {
    let k = held.set.public.threshold() as usize;
    let n = held.shares.len();
    for start in 0..n.min(3) {
        let subset: Vec<SecretShare> = (0..k)
            .map(|o| held.shares[(start + o) % n].clone())
            .collect();
        assert!(subset.iter().all(|s| held.set.verify_share(s)));
        let rebuilt = held.set.reconstruct(&subset, rng).unwrap();
        assert_eq!(rebuilt.public(), key.public());
    }
    assert!(held.set.reconstruct(&held.shares[..k - 1], rng).is_err());
    if held.set.test_messages(&held.shares, rng).unwrap() == Some(false) {
        panic!("test messages do not combine over the new shares");
    }
}

fn run_sequence(key: &PrivateKey, steps: &[(u32, u32)], seed: u64) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let (k, n) = steps[0];
    let mut held = deal_fresh(key, k, n, &mut rng);
    for &(k2, n2) in &steps[1..] {
        let k = held.set.public.threshold();
        let n = held.set.public.total();
        // The last k old trustees deal (not always 1..k).
        let dealers: Vec<u32> = ((n - k + 1)..=n).collect();
        held = reshare(&held, &dealers, k2, n2, &mut rng);
        assert_keeps_key(&held, key, &mut rng);
    }
}

fn steps() -> impl Strategy<Value = Vec<(u32, u32)>> {
    let kn = (1u32..=MAX_N as u32).prop_flat_map(|n| (1u32..=n, Just(n)));
    proptest::collection::vec(kn, 2..=4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn random_reshare_sequences_keep_the_rsa_key(steps in steps(), seed in any::<u64>()) {
        run_sequence(rsa_key(), &steps, seed);
    }

    #[test]
    fn random_reshare_sequences_keep_the_elgamal_key(steps in steps(), seed in any::<u64>()) {
        run_sequence(elgamal_key(), &steps, seed);
    }
}

#[test]
fn three_reshares_in_a_row_keep_both_keys() {
    run_sequence(rsa_key(), &[(3, 5), (2, 3), (4, 6), (3, 5)], 7);
    run_sequence(elgamal_key(), &[(3, 5), (2, 3), (4, 6), (3, 5)], 8);
}

#[test]
fn cheating_dealers_are_named_and_honest_ones_finish() {
    for key in [rsa_key(), elgamal_key()] {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let old = deal_fresh(key, 2, 4, &mut rng);
        let certs: Vec<Certificate> = trustees()[..3].iter().map(|t| t.1.clone()).collect();
        let round = Round::open(
            &old.set,
            new_round(&old.set, 2, certs.clone(), None, &mut rng).unwrap(),
        )
        .unwrap();
        let honest = |j: u32, rng: &mut ChaCha20Rng| {
            round
                .deal(&old.set, &old.shares[j as usize - 1], rng)
                .unwrap()
        };
        // Dealer 1 commits to another constant than its old share: publicly bad, skipped by
        // every party.
        let mut bad_commit = honest(1, &mut rng);
        bad_commit.commitments[0] = bad_commit.commitments[1].clone();
        // Dealer 2 deals for another round.
        let other = Round::open(
            &old.set,
            new_round(&old.set, 2, certs, None, &mut rng).unwrap(),
        )
        .unwrap();
        let other_round = other.deal(&old.set, &old.shares[1], &mut rng).unwrap();
        let deals = vec![
            ("from-1".to_string(), bad_commit),
            ("from-2".to_string(), other_round),
            ("from-3".to_string(), honest(3, &mut rng)),
            ("from-4".to_string(), honest(4, &mut rng)),
        ];
        let f = round.finish(&old.set, &deals, &[]).unwrap();
        let named: Vec<(u32, bool)> = f
            .verdicts
            .iter()
            .map(|v| (v.dealer, v.problem.is_some()))
            .collect();
        assert_eq!(named, vec![(1, true), (2, true), (3, false), (4, false)]);
        assert!(f.verdicts[1]
            .problem
            .as_ref()
            .unwrap()
            .contains("another round"));
        let a = round
            .accept(&old.set, &deals, &trustees()[0].0, &[])
            .unwrap();
        assert_eq!(a.set.id, f.set.id);
        // Dealer 3 sends trustee 2 a wrong sub-share: trustee 2 names it; with it excluded,
        // there are not enough dealers here, so add honest dealer 1 back.
        let mut wrong = honest(3, &mut rng);
        let other_env = honest(3, &mut rng).sub_shares[1].clone();
        wrong.sub_shares[1] = other_env;
        let deals = vec![
            ("from-1".to_string(), honest(1, &mut rng)),
            ("from-3".to_string(), wrong),
            ("from-4".to_string(), honest(4, &mut rng)),
        ];
        let err = round
            .accept(&old.set, &deals, &trustees()[1].0, &[])
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("dealer 3") && err.contains("--exclude 3"),
            "{err}"
        );
        let f = round.finish(&old.set, &deals, &[3]).unwrap();
        let mut shares = Vec::new();
        for t in &trustees()[..3] {
            let a = round.accept(&old.set, &deals, &t.0, &[3]).unwrap();
            assert_eq!(a.set.id, f.set.id);
            shares.push(f.set.open(&a.share).unwrap());
        }
        let rebuilt = f.set.reconstruct(&shares[1..], &mut rng).unwrap();
        assert_eq!(rebuilt.public(), key.public());
        // Old shares are not shares of the new set.
        let old_file = split_file_of(&old, 1);
        assert!(f.set.open(&old_file).is_err());
    }
}

fn split_file_of(held: &Held, index: u32) -> crate::threshold::file::ShareFile {
    crate::threshold::file::ShareFile {
        version: 1,
        set_id: der::asn1::OctetString::new(held.set.id.to_vec()).unwrap(),
        index,
        value: crate::threshold::file::to_uint(held.shares[index as usize - 1].value.expose())
            .unwrap(),
        set: held.set.file.clone(),
        blinding: None,
    }
}
