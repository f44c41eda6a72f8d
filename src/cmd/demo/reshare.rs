//! `kmi demo --reshare`: a trustee leaves and the key survives (issue 16, docs/reshare.md).
//! Trustee 5 leaves, a new trustee 6 joins; the decryption set is reshared 3-of-5 to trustees
//! 1, 2, 3, 4 and 6 by a round, three old trustees' deals, five acceptances and a finish, and the
//! new shares decrypt the message, rebuild the key, and refuse the leaver's old share.

use std::str::FromStr;

use der::Decode;
use num_bigint::BigUint;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use kmi::io::to_pem;
use kmi::keys::cert::build::{issue, CertSpec, Issuer, Usage};
use kmi::keys::rsa::{generate, RsaGenParams, RsaPrivate};
use kmi::keys::{encode_private, encode_public_spki, PrivateKey, PublicKey};
use kmi::math::prime::SearchConfig;
use kmi::rng::KmiRng;
use kmi::threshold::reshare::{new_round, DealFile, Round};
use kmi::threshold::set::{Operation, ShareSet};
use kmi::threshold::SecretShare;
use kmi::{Error, Result};

use super::{partials_of, Demo};

/// A self-signed encryption certificate for a trustee's key (the round names trustees by
/// certificate).
fn certificate(name: &str, key: &RsaPrivate, rng: &mut KmiRng) -> Result<Certificate> {
    let spki = SubjectPublicKeyInfoOwned::from_der(&encode_public_spki(&PublicKey::Rsa(
        key.public.clone(),
    ))?)
    .map_err(|e| Error::internal(format!("trustee public key: {e}")))?;
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

/// Run the reshare steps on the decryption set; `ct` is the message encrypted to its key.
pub(super) fn run(
    d: &mut Demo<'_>,
    set: &ShareSet,
    opened: &[SecretShare],
    trustees: &[(RsaPrivate, std::path::PathBuf)],
    ct: &[u8],
    message: &[u8],
    rng: &mut KmiRng,
) -> Result<()> {
    d.say(
        "Trustee 5 leaves and trustee 6 joins: the new trustees make certificates for their keys",
    )?;
    let tparams = RsaGenParams {
        bits: 2048,
        safe: false,
        e: BigUint::from(65537u32),
    };
    d.cmd("kmi key generate rsa --no-safe -o trustee-6-key.pem")?;
    for who in [1, 2, 3, 4, 6] {
        d.cmd(format!("kmi cert self-sign --key trustee-{who}-key.pem --subject 'CN=kmi demo trustee {who}' --usage encrypt --days 365 -o trustee-{who}.crt"))?;
    }
    let t6 = generate(&tparams, rng, &SearchConfig::default(), &kmi::keys::Quiet)?;
    d.write(
        "trustee-6-key.pem",
        &encode_private(&PrivateKey::Rsa(t6.clone()), false, None, rng)?,
        true,
    )?;
    let mut new_keys: Vec<(u32, RsaPrivate)> = trustees[..4]
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (i as u32 + 1, k.clone()))
        .collect();
    new_keys.push((6, t6));
    let mut certs = Vec::new();
    for (who, key) in &new_keys {
        let cert = certificate(&format!("kmi demo trustee {who}"), key, rng)?;
        d.write(
            &format!("trustee-{who}.crt"),
            kmi::io::encode_pem(
                "CERTIFICATE",
                &der::Encode::to_der(&cert).map_err(Error::encoding)?,
            )?
            .as_bytes(),
            false,
        )?;
        certs.push(cert);
    }

    d.say(
        "A reshare round fixes the set, the new threshold (3 of 5) and the new trustees in order",
    )?;
    d.cmd("kmi share reshare round --set set.pem -k 3 --to trustee-1.crt --to trustee-2.crt --to trustee-3.crt --to trustee-4.crt --to trustee-6.crt --label 'kmi demo after trustee 5 left' -o reshare-round.pem")?;
    let round_file = new_round(
        set,
        3,
        certs,
        Some("kmi demo after trustee 5 left".into()),
        rng,
    )?;
    d.write("reshare-round.pem", to_pem(&round_file)?.as_bytes(), false)?;
    let round = Round::open(set, round_file)?;
    d.detail(format!(
        "reshare-round.pem, round {}: new shares 1-4 go to trustees 1-4, share 5 to trustee 6",
        &round.id_hex()[..16]
    ))?;

    d.say("Old trustees 2, 4 and 5 deal: each sub-shares its own share to the new trustees")?;
    let mut deals: Vec<(String, DealFile)> = Vec::new();
    for j in [2u32, 4, 5] {
        d.cmd(format!("kmi share reshare deal --set set.pem --round reshare-round.pem --share share-{j}.pem --identity trustee-{j}-key.pem -o deals"))?;
        let deal = round.deal(set, &opened[j as usize - 1], rng)?;
        let name = format!("reshare-from-{j}.pem");
        d.write(&name, to_pem(&deal)?.as_bytes(), false)?;
        deals.push((name, deal));
    }
    d.detail("reshare-from-2,4,5.pem: commitments and one CMS envelope per new trustee")?;

    d.say("Each new trustee checks every deal against the old set and takes its new share")?;
    d.cmd("kmi share reshare finish --set set.pem --round reshare-round.pem deals/from-2.pem deals/from-4.pem deals/from-5.pem -o reshared-set.pem")?;
    let finished = round.finish(set, &deals, &[])?;
    let new_set = &finished.set;
    d.write("reshared-set.pem", to_pem(new_set)?.as_bytes(), false)?;
    let mut new_shares = Vec::new();
    for (who, key) in &new_keys {
        d.cmd(format!("kmi share reshare accept --set set.pem --round reshare-round.pem --identity trustee-{who}-key.pem deals/from-2.pem deals/from-4.pem deals/from-5.pem -o reshared-share-for-{who}.pem"))?;
        let a = round.accept(set, &deals, key, &[])?;
        d.ok(
            &format!(
                "trustee {who} checks every sub-share and holds share {} of the new set",
                a.index
            ),
            a.set.id == new_set.id && a.verdicts.iter().all(|v| v.problem.is_none()),
        )?;
        let share = new_set.open(&a.share)?;
        d.write(
            &format!("reshared-share-{}.pem", a.index),
            a.share
                .seal_for(
                    &kmi::cms::Recipient::Certificate(
                        round
                            .trustee_certificate(a.index)
                            .ok_or_else(|| Error::internal("trustee certificate"))?
                            .clone(),
                    ),
                    rng,
                )?
                .as_bytes(),
            true,
        )?;
        new_shares.push(share);
    }
    d.ok(
        "the new set has a new id and the same public key",
        new_set.id != set.id && new_set.public.public_key() == set.public.public_key(),
    )?;

    d.say(
        "New trustees 3, 4 and 6 (new shares 3, 4 and 5) decrypt the message with the reshared set",
    )?;
    let input = new_set.prepare(Operation::RsaDecrypt, ct)?;
    for (share, who) in [(3, 3), (4, 4), (5, 6)] {
        d.cmd(format!("kmi share partial --share reshared-share-{share}.pem --identity trustee-{who}-key.pem --decrypt message.bin -o reshared-partial-{share}.pem"))?;
    }
    let partials = partials_of(d, new_set, &new_shares, &[3, 4, 5], &input, "reshared", rng)?;
    let plain = new_set.combine(&partials, &input)?;
    d.ok("the plaintext is the message", plain.as_slice() == message)?;
    let leaver = set.partial(&opened[4], &set.prepare(Operation::RsaDecrypt, ct)?, rng)?;
    d.ok(
        "the leaver's old share is useless with the new set (its partial is refused)",
        new_set.check_partial(&leaver, &input)?.is_some(),
    )?;
    let rebuilt = new_set.reconstruct(&new_shares[..3], rng)?;
    d.ok(
        "new trustees 1, 2 and 3 rebuild the original key",
        rebuilt.public() == set.public.public_key(),
    )?;
    Ok(())
}
