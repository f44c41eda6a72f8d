//! `kmi demo --dkg`: a key no machine ever held (issue 14, docs/dkg.md), narrated for a class.
//! Five parties make a 3-of-5 ElGamal key over ffdhe2048 in the rounds of GJKR: a round, five
//! Pedersen deals, checks, answers, reveals and finishes. Party 4 cheats (it sends party 2 a
//! share that does not match its commitments), party 2 complains, party 4 does not answer and is
//! disqualified by name; the key is made by the other four. A message encrypted to the new key
//! is decrypted by three parties together, and three shares rebuild a key whose public key is y.

use std::str::FromStr;

use der::{Decode, Encode};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use kmi::io::to_pem;
use kmi::keys::cert::build::{issue, CertSpec, Issuer, Usage};
use kmi::keys::elgamal::NamedGroup;
use kmi::keys::rsa::{generate, RsaGenParams, RsaPrivate};
use kmi::keys::{encode_private, encode_public_spki, PrivateKey, PublicKey};
use kmi::math::prime::SearchConfig;
use kmi::rng::KmiRng;
use kmi::threshold::dkg::{new_round, DealFile, Files, Round};
use kmi::threshold::set::{Operation, SetPublic};
use kmi::{Error, Result};

use super::{partials_of, Demo};

fn certificate(name: &str, key: &RsaPrivate, rng: &mut KmiRng) -> Result<Certificate> {
    let spki = SubjectPublicKeyInfoOwned::from_der(&encode_public_spki(&PublicKey::Rsa(
        key.public.clone(),
    ))?)
    .map_err(|e| Error::internal(format!("party public key: {e}")))?;
    issue(
        &CertSpec {
            subject: x509_cert::name::Name::from_str(&format!("CN={name}"))
                .map_err(|e| Error::internal(format!("subject: {e}")))?,
            spki,
            usages: vec![Usage::Encrypt],
            days: 365,
            path_len: None,
        },
        Issuer::SelfSigned(&key.to_rsa_crate()?),
        rng,
    )
}

/// Run the DKG story in the demo's directory.
pub(super) fn run(d: &mut Demo<'_>, rng: &mut KmiRng) -> Result<()> {
    d.say(
        "Five parties make their own RSA identity keys and certificates (each on its own machine)",
    )?;
    let mut parties: Vec<(RsaPrivate, Certificate)> = Vec::new();
    for i in 1..=5 {
        let params = RsaGenParams {
            bits: 2048,
            safe: false,
            e: BigUint::from(65537u32),
        };
        let key = generate(&params, rng, &SearchConfig::default(), &kmi::keys::Quiet)?;
        let cert = certificate(&format!("party {i}"), &key, rng)?;
        d.write(
            &format!("party-{i}-key.pem"),
            &encode_private(&PrivateKey::Rsa(key.clone()), false, None, rng)?,
            true,
        )?;
        parties.push((key, cert));
    }
    d.detail(
        "party-1..5-key.pem: each party signs its files with it and receives shares under it",
    )?;

    d.say("A coordinator fixes the round: group ffdhe2048, any 3 of the 5, the parties in order")?;
    let certs = parties.iter().map(|p| p.1.clone()).collect();
    let file = new_round(
        &NamedGroup::Ffdhe2048.group(),
        3,
        certs,
        Some("demo".into()),
        rng,
    )?;
    d.write("round.pem", to_pem(&file)?.as_bytes(), false)?;
    let round = Round::open(file)?;
    d.detail(format!(
        "round {}: h is derived from the group by hashing (\"{}\", counter {}), so nobody knows log_g h",
        &round.id_hex()[..16],
        round.file.h_derivation,
        round.file.h_counter
    ))?;

    d.say("Every party deals: two secret polynomials, Pedersen commitments g^a h^b, a share for each party")?;
    let mut files = Files::default();
    for (i, (key, _)) in parties.iter().enumerate() {
        let deal = round.deal(key, rng)?;
        files.deals.push((format!("deal-{}.pem", i + 1), deal));
    }
    d.detail("each party's contribution z_i is the constant of its polynomial; the key will be x = sum z_i, which nobody computes")?;
    // Party 4 cheats: party 2's envelope comes from another dealing, and party 4 signs it.
    let other = round.deal(&parties[3].0, rng)?;
    let cheat: &mut DealFile = &mut files.deals[3].1;
    cheat.body.shares[1] = other.body.shares[1].clone();
    let body = cheat.body.to_der().map_err(Error::encoding)?;
    let sig = parties[3]
        .0
        .to_rsa_crate()?
        .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&body))
        .map_err(|e| Error::internal(format!("RSA signature: {e}")))?;
    cheat.signature = der::asn1::OctetString::new(sig).map_err(Error::encoding)?;
    for (name, deal) in &files.deals {
        d.write(name, to_pem(deal)?.as_bytes(), false)?;
    }
    d.detail("party 4 is dishonest: the share it sent party 2 does not fit its commitments")?;

    d.say("Every party checks every deal and its own share against the commitments")?;
    for (i, (key, _)) in parties.iter().enumerate() {
        let (verdict, _) = round.check(&files, key)?;
        for c in &verdict.body.complaints {
            d.detail(format!(
                "party {} complains about dealer {}: {}",
                i + 1,
                c.dealer,
                c.reason
            ))?;
        }
        d.write(
            &format!("verdict-{}.pem", i + 1),
            to_pem(&verdict)?.as_bytes(),
            false,
        )?;
        files
            .verdicts
            .push((format!("verdict-{}.pem", i + 1), verdict));
    }

    d.say(
        "Dealers answer complaints by opening the disputed shares in public; party 4 stays silent",
    )?;
    for (i, (key, _)) in parties.iter().enumerate() {
        if i == 3 {
            continue;
        }
        let (answer, _) = round.answer(&files, key)?;
        files
            .answers
            .push((format!("answer-{}.pem", i + 1), answer));
    }
    let qualified = round.qualify(&files)?;
    for f in &qualified.disqualified {
        d.detail(format!("disqualified: {f}"))?;
    }
    d.ok(
        "QUAL = {1, 2, 3, 5}: party 4 is out, named, and the key does not need it",
        qualified.qual == [1, 2, 3, 5],
    )?;

    d.say("Only now, with QUAL fixed, the qualified dealers reveal g^a (Feldman) with a proof")?;
    for &i in &qualified.qual {
        let (reveal, _) = round.reveal(&files, &parties[i as usize - 1].0, rng)?;
        files.reveals.push((format!("reveal-{i}.pem"), reveal));
    }
    d.detail("revealing earlier would let a cheater see y's parts and choose whom to get disqualified (GJKR)")?;

    d.say("Every party finishes: the same share set for all, and its own share")?;
    let mut shares = Vec::new();
    let mut set = None;
    for (i, (key, _)) in parties.iter().enumerate() {
        let done = round.finish(&files, Some(key), rng)?;
        let (_, share) = done
            .share
            .ok_or_else(|| Error::internal("finish with an identity gives a share"))?;
        shares.push(done.set.open(&share)?);
        d.write(
            &format!("share-{}.pem", i + 1),
            to_pem(&share)?.as_bytes(),
            true,
        )?;
        if let Some(prev) = &set {
            let prev: &kmi::threshold::set::ShareSet = prev;
            d.ok(
                &format!("party {}'s set is the same", i + 1),
                prev.id == done.set.id,
            )?;
        }
        set = Some(done.set);
    }
    let set = set.ok_or_else(|| Error::internal("no set"))?;
    d.write("set.pem", to_pem(&set)?.as_bytes(), false)?;
    let SetPublic::ElGamal { public, .. } = &set.public else {
        return Err(Error::internal("a DKG set is ElGamal"));
    };
    d.detail(format!(
        "set {}: public key y = prod g^(z_i) over QUAL, an ordinary X9.42 key (kmi key public {}/set.pem)",
        &set.id_hex()[..16],
        d.dir.display()
    ))?;

    d.say("Someone encrypts a message to y; parties 1, 3 and 5 decrypt it together")?;
    let message = b"Nobody ever held this key.";
    let m = kmi::crypt::elgamal::encrypt(public, message, rng)?;
    let input = set.prepare(
        Operation::ElGamalDecrypt(&m),
        &m.to_der().map_err(Error::encoding)?,
    )?;
    let partials = partials_of(d, &set, &shares, &[1, 3, 5], &input, "dkg-decrypt", rng)?;
    let plain = set.combine(&partials, &input)?;
    d.ok(
        "the combined plaintext is the message",
        plain.as_slice() == message,
    )?;

    d.say("Three shares rebuild a key whose public key is y; two do not")?;
    let rebuilt = set.reconstruct(
        &[shares[1].clone(), shares[2].clone(), shares[4].clone()],
        rng,
    )?;
    d.ok(
        "3 shares give y's private key",
        rebuilt.public() == set.public.public_key(),
    )?;
    d.ok(
        "2 shares are refused",
        set.reconstruct(&shares[..2], rng).is_err(),
    )?;
    Ok(())
}
