//! The DKG's files under attack (issue 14): byte fuzzing of every file type (round, deal,
//! verdict, answer, reveal, disclosure) through its checked reader and `Round::open`, and
//! structure-aware fuzzing as an insider. A real 2-of-3 round over a small safe-prime group is
//! run once per process (seeded party keys); then one number of one file (the round's group, h,
//! k, n; a deal's commitments or dealer; an answer's opened share; a reveal's commitments or
//! proof; a verdict's party or complaint) is replaced by 0, 1, 2, p - 1, p, p + 1, q, a huge
//! value or bytes from the input, the body is re-signed with that party's own key (a cheating
//! party signs whatever it likes), and the round's checks run over the files: check, qualify,
//! reveal and finish. Nothing may panic or run unbounded; a cheater may only be refused.
#![no_main]

use std::str::FromStr;
use std::sync::OnceLock;

use der::asn1::Uint;
use der::{Decode, Encode};
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;

use kmi::keys::cert::build::{issue, CertSpec, Issuer, Usage};
use kmi::keys::elgamal::ElGamalGroup;
use kmi::keys::rsa::{generate, RsaGenParams, RsaPrivate};
use kmi::keys::{encode_public_spki, PublicKey, Quiet};
use kmi::math::prime::SearchConfig;
use kmi::rng::KmiRng;
use kmi::threshold::dkg::files::{
    AnswerFile, DealFile, DisclosureFile, RevealFile, RoundFile, VerdictFile,
};
use kmi::threshold::dkg::{new_round, sign, Files, Round};

struct Base {
    keys: Vec<RsaPrivate>,
    round: RoundFile,
    files: FilesDer,
}

/// The honest run's files as DER (Files is not Clone).
struct FilesDer {
    deals: Vec<Vec<u8>>,
    verdicts: Vec<Vec<u8>>,
    answers: Vec<Vec<u8>>,
    reveals: Vec<Vec<u8>>,
}

/// A 64-bit safe-prime group (q prime, p = 2q + 1, g = 4 of order q).
fn group() -> ElGamalGroup {
    let q = BigUint::from(9_223_372_036_854_777_359u64);
    ElGamalGroup {
        p: (&q << 1usize) + 1u32,
        q,
        g: BigUint::from(4u32),
    }
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut rng = KmiRng::new(Some("d1c6")).expect("seed");
        let cfg = SearchConfig { threads: 1 };
        let mut keys = Vec::new();
        let mut certs = Vec::new();
        for i in 1..=3 {
            let params = RsaGenParams {
                bits: 1024,
                safe: false,
                e: BigUint::from(65537u32),
            };
            let key = generate(&params, &mut rng, &cfg, &Quiet).expect("party key");
            let spki = spki::SubjectPublicKeyInfoOwned::from_der(
                &encode_public_spki(&PublicKey::Rsa(key.public.clone())).expect("spki"),
            )
            .expect("spki der");
            let cert = issue(
                &CertSpec {
                    subject: x509_cert::name::Name::from_str(&format!("CN=party {i}"))
                        .expect("name"),
                    spki,
                    usages: vec![Usage::Encrypt],
                    days: 30,
                    path_len: None,
                },
                Issuer::SelfSigned(&key.to_rsa_crate().expect("rsa")),
                &mut rng,
            )
            .expect("cert");
            keys.push(key);
            certs.push(cert);
        }
        let round = new_round(&group(), 2, certs, None, &mut rng).expect("round");
        let r = Round::open(round.clone()).expect("open");
        let mut files = Files::default();
        for (i, key) in keys.iter().enumerate() {
            files
                .deals
                .push((format!("deal-{}", i + 1), r.deal(key, &mut rng).expect("deal")));
        }
        for (i, key) in keys.iter().enumerate() {
            let (v, _) = r.check(&files, key).expect("check");
            files.verdicts.push((format!("verdict-{}", i + 1), v));
        }
        for (i, key) in keys.iter().enumerate() {
            let (a, _) = r.answer(&files, key).expect("answer");
            files.answers.push((format!("answer-{}", i + 1), a));
        }
        for (i, key) in keys.iter().enumerate() {
            let (v, _) = r.reveal(&files, key, &mut rng).expect("reveal");
            files.reveals.push((format!("reveal-{}", i + 1), v));
        }
        r.finish(&files, None, &mut rng).expect("the honest run finishes");
        let files = FilesDer {
            deals: der_all(&files.deals),
            verdicts: der_all(&files.verdicts),
            answers: der_all(&files.answers),
            reveals: der_all(&files.reveals),
        };
        Base { keys, round, files }
    })
}

fn der_all<T: Encode>(list: &[(String, T)]) -> Vec<Vec<u8>> {
    list.iter().map(|(_, x)| x.to_der().expect("der")).collect()
}

/// The replacement value `kind` picks, as a DER INTEGER (None: keep the value).
fn replacement(kind: u8, rest: &[u8]) -> Option<Uint> {
    let g = group();
    let value = match kind % 10 {
        0 => BigUint::from(0u32),
        1 => BigUint::from(1u32),
        2 => BigUint::from(2u32),
        3 => &g.p - 1u32,
        4 => g.p.clone(),
        5 => &g.p + 1u32,
        6 => g.q.clone(),
        7 => (BigUint::from(1u32) << 8192usize) - 1u32,
        8 => BigUint::from_bytes_be(rest),
        _ => return None,
    };
    Uint::new(&value.to_bytes_be()).ok()
}

fn small(kind: u8, rest: &[u8]) -> u32 {
    match kind % 6 {
        0 => 0,
        1 => 1,
        2 => 4,
        3 => u32::MAX,
        4 => 255,
        _ => rest.first().copied().map_or(2, u32::from),
    }
}

/// Replace the `index`-th element of a list of numbers (or truncate / grow it).
fn edit_list(list: &mut Vec<Uint>, index: u8, kind: u8, rest: &[u8]) {
    match index % 8 {
        6 => {
            list.pop();
        }
        7 => {
            if let Some(u) = replacement(kind, rest) {
                list.push(u);
            }
        }
        i => {
            if let (Some(slot), Some(u)) = (list.get_mut(i as usize), replacement(kind, rest)) {
                *slot = u;
            }
        }
    }
}

fn files_of(base: &Base) -> Files {
    let named = |prefix: &str, i: usize| format!("{prefix}-{}", i + 1);
    let mut f = Files::default();
    for (i, d) in base.files.deals.iter().enumerate() {
        f.deals.push((named("deal", i), DealFile::from_der(d).expect("deal")));
    }
    for (i, d) in base.files.verdicts.iter().enumerate() {
        f.verdicts.push((named("verdict", i), VerdictFile::from_der(d).expect("verdict")));
    }
    for (i, d) in base.files.answers.iter().enumerate() {
        f.answers.push((named("answer", i), AnswerFile::from_der(d).expect("answer")));
    }
    for (i, d) in base.files.reveals.iter().enumerate() {
        f.reveals.push((named("reveal", i), RevealFile::from_der(d).expect("reveal")));
    }
    f
}

/// Every check a party runs over the files.
fn run_checks(round: &Round, files: &Files, keys: &[RsaPrivate]) {
    let mut rng = KmiRng::new(Some("f022")).expect("seed");
    for key in keys {
        let _ = round.check(files, key);
        let _ = round.answer(files, key);
    }
    let _ = round.qualify(files);
    let _ = round.reveal(files, &keys[0], &mut rng);
    let _ = round.finish(files, None, &mut rng);
    let _ = round.finish(files, Some(&keys[1]), &mut rng);
}

fn bytes_mode(data: &[u8]) {
    if let Ok(file) = RoundFile::from_der_checked(data) {
        if let Ok(round) = Round::open(file) {
            let base = base();
            let mut rng = KmiRng::new(Some("f022")).expect("seed");
            let _ = round.deal(&base.keys[0], &mut rng);
        }
    }
    let _ = DealFile::from_der_checked(data);
    let _ = VerdictFile::from_der_checked(data);
    let _ = AnswerFile::from_der_checked(data);
    let _ = RevealFile::from_der_checked(data);
    let _ = DisclosureFile::from_der_checked(data);
}

fuzz_target!(|data: &[u8]| {
    let [mode, which, index, kind, rest @ ..] = data else {
        return;
    };
    if mode % 6 == 0 {
        return bytes_mode(&data[1..]);
    }
    let base = base();
    let honest = || Round::open(base.round.clone()).expect("the base round opens");
    let mut files = files_of(base);
    let party = (*which % 3) as usize;
    let key = &base.keys[party];
    match mode % 6 {
        // The round itself: a hostile group, h, k or n (the organiser is the attacker).
        1 => {
            let mut round = base.round.clone();
            match index % 7 {
                0 => round.p = replacement(*kind, rest).unwrap_or(round.p),
                1 => round.q = replacement(*kind, rest).unwrap_or(round.q),
                2 => round.g = replacement(*kind, rest).unwrap_or(round.g),
                3 => round.h = replacement(*kind, rest).unwrap_or(round.h),
                4 => round.threshold = small(*kind, rest),
                5 => round.total = small(*kind, rest),
                _ => round.h_counter = small(*kind, rest),
            }
            let Ok(der) = round.to_der() else { return };
            let Ok(round) = RoundFile::from_der_checked(&der) else {
                return;
            };
            if let Ok(r) = Round::open(round) {
                let mut rng = KmiRng::new(Some("f022")).expect("seed");
                let _ = r.deal(key, &mut rng);
                run_checks(&r, &files, &base.keys);
            }
        }
        // A dealer's deal: commitments, the dealer number, the share envelopes.
        2 => {
            let (_, deal) = &mut files.deals[party];
            match index % 10 {
                8 => deal.body.dealer = small(*kind, rest),
                9 => {
                    deal.body.shares.truncate(usize::from(*kind % 3));
                }
                i => edit_list(&mut deal.body.commitments, i, *kind, rest),
            }
            let Ok(body) = deal.body.to_der() else { return };
            deal.signature = sign(key, &body).expect("sign");
            run_checks(&honest(), &files, &base.keys);
        }
        // A party's verdict: a false complaint, another party's number.
        3 => {
            let (_, verdict) = &mut files.verdicts[party];
            match index % 3 {
                0 => verdict.body.party = small(*kind, rest),
                1 => verdict.body.complaints.push(kmi::threshold::dkg::files::Complaint {
                    dealer: small(*kind, rest),
                    reason: String::from_utf8_lossy(rest).into_owned(),
                }),
                _ => verdict.body.seen.truncate(usize::from(*kind % 3)),
            }
            let Ok(body) = verdict.body.to_der() else { return };
            verdict.signature = sign(key, &body).expect("sign");
            run_checks(&honest(), &files, &base.keys);
        }
        // A dealer's answer opening a share in public.
        4 => {
            let (_, answer) = &mut files.answers[party];
            let mut opened = answer.body.opened.pop().unwrap_or(
                kmi::threshold::dkg::files::OpenedShare {
                    recipient: 1,
                    s: Uint::new(&[1]).expect("uint"),
                    blinding: Uint::new(&[1]).expect("uint"),
                },
            );
            match index % 3 {
                0 => opened.recipient = small(*kind, rest),
                1 => opened.s = replacement(*kind, rest).unwrap_or(opened.s),
                _ => opened.blinding = replacement(*kind, rest).unwrap_or(opened.blinding),
            }
            answer.body.opened.push(opened);
            let Ok(body) = answer.body.to_der() else { return };
            answer.signature = sign(key, &body).expect("sign");
            run_checks(&honest(), &files, &base.keys);
        }
        // A qualified dealer's reveal: Feldman commitments and their proof.
        _ => {
            let (_, reveal) = &mut files.reveals[party];
            let proof = &mut reveal.body.proof;
            match index % 5 {
                0 => edit_list(&mut reveal.body.commitments, *kind >> 4, *kind, rest),
                1 => edit_list(&mut proof.u, *kind >> 4, *kind, rest),
                2 => edit_list(&mut proof.v, *kind >> 4, *kind, rest),
                3 => edit_list(&mut proof.z, *kind >> 4, *kind, rest),
                _ => edit_list(&mut proof.z_blind, *kind >> 4, *kind, rest),
            }
            let Ok(body) = reveal.body.to_der() else { return };
            reveal.signature = sign(key, &body).expect("sign");
            run_checks(&honest(), &files, &base.keys);
        }
    }
});
