//! The DKG through the library on a small safe-prime group and seeded 1024-bit party keys: the
//! honest 3-of-5 run (every party's finish writes the same set; any 3 shares rebuild a key
//! whose public key is y, 2 do not), and every cheat of docs/dkg.md section 7: a bad share to
//! one party, inconsistent commitments, a false complaint, a bad reveal (rebuilt from
//! disclosures, same key), a party that never deals, too few dealers, and hostile files (another
//! round, a bad signature, a party twice).

use std::str::FromStr;
use std::sync::OnceLock;

use der::{Decode, Encode};
use num_bigint::BigUint;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::name::Name;
use x509_cert::Certificate;

use super::*;
use crate::keys::cert::build::{issue, CertSpec, Issuer, Usage};
use crate::keys::rsa::{generate, RsaGenParams};
use crate::keys::{PrivateKey, Quiet};
use crate::math::prime::SearchConfig;
use crate::threshold::SecretShare;

const CFG: SearchConfig = SearchConfig { threads: 1 };

fn parties() -> &'static [(RsaPrivate, Certificate)] {
    static T: OnceLock<Vec<(RsaPrivate, Certificate)>> = OnceLock::new();
    T.get_or_init(|| {
        (0..5u8)
            .map(|i| {
                let mut rng = ChaCha20Rng::from_seed([0xd0 + i; 32]);
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
                        subject: Name::from_str(&format!("CN=party {}", i + 1)).unwrap(),
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

fn key(i: u32) -> &'static RsaPrivate {
    &parties()[i as usize - 1].0
}

/// A 64-bit safe-prime group (as threshold::elgamal's tests): fast, and q > n.
fn group() -> ElGamalGroup {
    let q = BigUint::from(9_223_372_036_854_777_359u64);
    let p = (&q << 1usize) + 1u32;
    ElGamalGroup {
        p,
        q,
        g: BigUint::from(4u32),
    }
}

fn round(k: u32, rng: &mut ChaCha20Rng) -> Round {
    let certs = parties().iter().map(|p| p.1.clone()).collect();
    let file = new_round(&group(), k, certs, Some("t".into()), rng).unwrap();
    let file = RoundFile::from_der_checked(&file.to_der().unwrap()).unwrap();
    Round::open(file).unwrap()
}

fn named<T>(prefix: &str, list: Vec<(u32, T)>) -> Vec<(String, T)> {
    list.into_iter()
        .map(|(i, f)| (format!("{prefix}-{i}"), f))
        .collect()
}

fn deals(r: &Round, dealers: &[u32], rng: &mut ChaCha20Rng) -> Vec<(String, DealFile)> {
    named(
        "deal",
        dealers
            .iter()
            .map(|&i| {
                let d = r.deal(key(i), rng).unwrap();
                (i, DealFile::from_der_checked(&d.to_der().unwrap()).unwrap())
            })
            .collect(),
    )
}

fn verdicts(r: &Round, files: &Files) -> Vec<(String, VerdictFile)> {
    named(
        "verdict",
        (1..=5)
            .map(|j| (j, r.check(files, key(j)).unwrap().0))
            .collect(),
    )
}

/// Answers of the given dealers (each with its own deal and every verdict).
fn answers(r: &Round, files: &Files, dealers: &[u32]) -> Vec<(String, AnswerFile)> {
    named(
        "answer",
        dealers
            .iter()
            .map(|&i| (i, r.answer(files, key(i)).unwrap().0))
            .collect(),
    )
}

fn reveals(r: &Round, files: &Files, rng: &mut ChaCha20Rng) -> Vec<(String, RevealFile)> {
    let q = r.qualify(files).unwrap();
    named(
        "reveal",
        q.qual
            .iter()
            .map(|&i| (i, r.reveal(files, key(i), rng).unwrap().0))
            .collect(),
    )
}

/// Deal, check, answer and reveal with the given dealers; no cheating.
fn run(r: &Round, dealers: &[u32], rng: &mut ChaCha20Rng) -> Files {
    let mut f = Files {
        deals: deals(r, dealers, rng),
        ..Files::default()
    };
    f.verdicts = verdicts(r, &f);
    f.answers = answers(r, &f, dealers);
    f.reveals = reveals(r, &f, rng);
    f
}

fn resign_deal(d: &mut DealFile) {
    d.signature = sign(key(d.body.dealer), &d.body.to_der().unwrap()).unwrap();
}

/// Every party's share, checked against the set by finish.
fn shares(r: &Round, f: &Files, rng: &mut ChaCha20Rng) -> (ShareSet, Vec<SecretShare>) {
    let public = r.finish(f, None, rng).unwrap();
    let mut out = Vec::new();
    for j in 1..=5 {
        let done = r.finish(f, Some(key(j)), rng).unwrap();
        assert_eq!(done.set.id, public.set.id, "party {j} finished another set");
        let (index, file) = done.share.unwrap();
        assert_eq!(index, j);
        out.push(done.set.open(&file).unwrap());
    }
    (public.set, out)
}

fn rebuilds(set: &ShareSet, shares: &[SecretShare], rng: &mut ChaCha20Rng) {
    let y = match &set.public {
        crate::threshold::set::SetPublic::ElGamal { public, .. } => public.y.clone(),
        _ => unreachable!(),
    };
    for pick in [[0usize, 1, 2], [2, 3, 4], [0, 2, 4]] {
        let three: Vec<SecretShare> = pick.iter().map(|&i| shares[i].clone()).collect();
        let PrivateKey::ElGamal(k) = set.reconstruct(&three, rng).unwrap() else {
            unreachable!()
        };
        assert_eq!(k.public.y, y);
    }
    assert!(set.reconstruct(&shares[..2], rng).is_err());
    let two = crate::threshold::elgamal::reconstruct(&r_group(set), &y, &shares[..2]);
    assert!(two.is_err());
}

fn r_group(set: &ShareSet) -> ElGamalGroup {
    match &set.public {
        crate::threshold::set::SetPublic::ElGamal { public, .. } => public.group.clone(),
        _ => unreachable!(),
    }
}

#[test]
fn honest_three_of_five_makes_an_ordinary_set() {
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let r = round(3, &mut rng);
    let f = run(&r, &[1, 2, 3, 4, 5], &mut rng);
    assert!(f.answers.iter().all(|(_, a)| a.body.opened.is_empty()));
    let q = r.qualify(&f).unwrap();
    assert_eq!(q.qual, vec![1, 2, 3, 4, 5]);
    let (set, shares) = shares(&r, &f, &mut rng);
    assert_eq!(set.public.threshold(), 3);
    assert_eq!(set.public.total(), 5);
    rebuilds(&set, &shares, &mut rng);
    // The set survives a round trip through its file.
    let again = ShareSet::from_der(&set.to_der().unwrap()).unwrap();
    assert_eq!(again.id, set.id);
}

#[test]
fn a_bad_share_to_one_party_disqualifies_its_dealer_by_name() {
    let mut rng = ChaCha20Rng::from_seed([2; 32]);
    let r = round(3, &mut rng);
    let mut f = Files {
        deals: deals(&r, &[1, 2, 3, 4, 5], &mut rng),
        ..Files::default()
    };
    // Dealer 2 sends party 4 the envelope of another dealing.
    let other = r.deal(key(2), &mut rng).unwrap();
    f.deals[1].1.body.shares[3] = other.body.shares[3].clone();
    resign_deal(&mut f.deals[1].1);
    let (v4, findings) = r.check(&f, key(4)).unwrap();
    assert_eq!(v4.body.complaints.len(), 1);
    assert_eq!(v4.body.complaints[0].dealer, 2);
    assert!(findings.iter().any(|x| x.party == 2));
    f.verdicts = verdicts(&r, &f);
    // The cheater does not answer; the honest ones do (with nothing to open).
    f.answers = answers(&r, &f, &[1, 3, 4, 5]);
    let q = r.qualify(&f).unwrap();
    assert_eq!(q.qual, vec![1, 3, 4, 5]);
    let out = &q.disqualified[0];
    assert_eq!(out.party, 2);
    assert!(out.text.contains("did not answer party 4"), "{out}");
    f.reveals = reveals(&r, &f, &mut rng);
    let (set, shares) = shares(&r, &f, &mut rng);
    rebuilds(&set, &shares, &mut rng);
}

#[test]
fn inconsistent_commitments_disqualify_and_a_false_complaint_is_rejected() {
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let r = round(3, &mut rng);
    let mut f = Files {
        deals: deals(&r, &[1, 2, 3, 4, 5], &mut rng),
        ..Files::default()
    };
    // Dealer 3 changes a commitment (still in the subgroup): every pair fails.
    let g = to_uint(&r.group.g).unwrap();
    f.deals[2].1.body.commitments[1] = g;
    resign_deal(&mut f.deals[2].1);
    f.verdicts = verdicts(&r, &f);
    // Party 5 falsely complains about honest dealer 1.
    let v5 = &mut f.verdicts[4].1;
    v5.body.complaints.push(Complaint {
        dealer: 1,
        reason: "made up".into(),
    });
    v5.signature = sign(key(5), &v5.body.to_der().unwrap()).unwrap();
    // The cheater cannot even build an answer: its own polynomial no longer fits its deal.
    assert!(r.answer(&f, key(3)).is_err());
    f.answers = answers(&r, &f, &[1, 2, 4, 5]);
    let q = r.qualify(&f).unwrap();
    assert_eq!(q.qual, vec![1, 2, 4, 5]);
    assert_eq!(q.disqualified[0].party, 3);
    assert!(q.disqualified[0].text.contains("complaints from 5 parties"));
    assert!(q
        .notes
        .iter()
        .any(|n| n.party == 5 && n.text.contains("complaint against dealer 1 rejected")));
    f.reveals = reveals(&r, &f, &mut rng);
    let (set, shares) = shares(&r, &f, &mut rng);
    rebuilds(&set, &shares, &mut rng);
}

#[test]
fn a_bad_reveal_is_rebuilt_from_disclosures_and_the_key_is_the_same() {
    let mut rng = ChaCha20Rng::from_seed([4; 32]);
    let r = round(3, &mut rng);
    let mut f = run(&r, &[1, 2, 3, 4, 5], &mut rng);
    let honest = r.finish(&f, None, &mut rng).unwrap().set;
    // Dealer 4 reveals A_0 * g: refused by the proof.
    let rv = &mut f.reveals[3].1;
    assert_eq!(rv.body.dealer, 4);
    let a0 = from_uint(&rv.body.commitments[0]) * &r.group.g % &r.group.p;
    rv.body.commitments[0] = to_uint(&a0).unwrap();
    rv.signature = sign(key(4), &rv.body.to_der().unwrap()).unwrap();
    let err = r.finish(&f, None, &mut rng).err().unwrap().reason();
    assert!(
        err.contains("dealer 4") && err.contains("disclose --dealer 4"),
        "{err}"
    );
    // Dealer 4 cannot disclose-proof its way out; the others disclose.
    for j in [1u32, 2, 5] {
        let d = r.disclose(&f, key(j), 4, &mut rng).unwrap();
        f.disclosures.push((format!("disclose-{j}"), d));
    }
    // Disclosing about a dealer whose reveal is good is refused.
    assert!(r.disclose(&f, key(1), 2, &mut rng).is_err());
    let done = r.finish(&f, None, &mut rng).unwrap();
    assert_eq!(done.rebuilt[0].party, 4);
    assert_eq!(done.set.id, honest.id);
    let (set, shares) = shares(&r, &f, &mut rng);
    rebuilds(&set, &shares, &mut rng);
}

#[test]
fn a_party_that_never_deals_is_left_out_and_too_few_dealers_stop() {
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    let r = round(3, &mut rng);
    let f = run(&r, &[1, 2, 4, 5], &mut rng);
    let q = r.qualify(&f).unwrap();
    assert_eq!(q.qual, vec![1, 2, 4, 5]);
    assert!(q
        .notes
        .iter()
        .any(|n| n.party == 3 && n.text.contains("never dealt")));
    let (set, shares) = shares(&r, &f, &mut rng);
    rebuilds(&set, &shares, &mut rng);

    let mut f = Files {
        deals: deals(&r, &[1, 2], &mut rng),
        ..Files::default()
    };
    f.verdicts = verdicts(&r, &f);
    let err = r.finish(&f, None, &mut rng).err().unwrap().reason();
    assert!(
        err.contains("only 2 qualified dealer(s) of the 3 needed"),
        "{err}"
    );
}

#[test]
fn hostile_files_are_refused_by_name() {
    let mut rng = ChaCha20Rng::from_seed([6; 32]);
    let r = round(2, &mut rng);
    let other = round(2, &mut rng);
    let mut f = Files {
        deals: deals(&r, &[1, 2, 3], &mut rng),
        ..Files::default()
    };
    // Another round's deal.
    let mut g = Files {
        deals: deals(&other, &[1], &mut rng),
        ..Files::default()
    };
    let err = r.check(&g, key(1)).err().unwrap().reason();
    assert!(
        err.contains("deal-1") && err.contains("another round"),
        "{err}"
    );
    // A deal altered after signing.
    g.deals = f.deals.clone();
    g.deals[1].1.body.commitments.pop();
    let err = r.check(&g, key(1)).err().unwrap().reason();
    assert!(err.contains("not signed by party 2"), "{err}");
    // Two verdicts of one party.
    f.verdicts = verdicts(&r, &f);
    let mut again = r.check(&f, key(3)).unwrap().0;
    again.body.complaints.push(Complaint {
        dealer: 1,
        reason: "second thoughts".into(),
    });
    again.signature = sign(key(3), &again.body.to_der().unwrap()).unwrap();
    f.verdicts.push(("verdict-3b".into(), again));
    let err = r.qualify(&f).err().unwrap().reason();
    assert!(err.contains("two verdicts of party 3"), "{err}");
    // A round whose h was replaced.
    let mut file = r.file.clone();
    file.h = to_uint(&(from_uint(&file.h) * &r.group.g % &r.group.p)).unwrap();
    assert!(Round::open(file).is_err());
    // A round whose g is outside the subgroup.
    let mut file = r.file.clone();
    file.g = to_uint(&(&r.group.p - 1u32)).unwrap();
    assert!(Round::open(file).is_err());
    // Debug never shows a share.
    let msg = files::ShareMessage {
        version: 1,
        round_digest: octets(&[0; 32]).unwrap(),
        dealer: 1,
        recipient: 2,
        s: to_uint(&BigUint::from(777_777u32)).unwrap(),
        blinding: to_uint(&BigUint::from(1u32)).unwrap(),
    };
    assert!(!format!("{msg:?}").contains("777777"));
}
