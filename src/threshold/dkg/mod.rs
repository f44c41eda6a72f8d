//! Distributed key generation (issue 14, docs/dkg.md): an ElGamal key no machine ever held,
//! made by n parties in file rounds with the protocol of Gennaro, Jarecki, Krawczyk and Rabin,
//! "Secure Distributed Key Generation for Discrete-Log Based Cryptosystems" (J. Cryptology
//! 20(1), 2007; GJKR below), Fig. 2: Pedersen VSS dealing, complaints and answers, the
//! qualified set QUAL, then Feldman commitments of the qualified dealers to extract y.
//!
//! 1. `new_round` fixes the group, h (derived, `pedersen::derive_h`), k, the parties'
//!    certificates in order and a random round id (`files::RoundFile`).
//! 2. Every party `deal`s (GJKR 1(a)): Pedersen commitments to two random polynomials and the
//!    pair (s_ij, s'_ij) enveloped (CMS) to each party j.
//! 3. Every party `check`s (1(b)): each deal's public part and its own pair; a signed verdict
//!    lists the deals seen (by digest) and complaints.
//! 4. A dealer complained about `answer`s (1(c)): it opens the complained pairs in public.
//! 5. `qualify` is the public decision (1(d)): a dealer is disqualified for a publicly bad or
//!    doubled deal, complaints from more than k - 1 parties, or a complaint not answered with a
//!    pair that verifies. A false complaint is rejected and the complainer uses the opened pair.
//! 6. Every qualified dealer `reveal`s (step 4): A_t = g^(a_t) with a proof tying them to C_t.
//!    A dealer whose reveal is bad or missing stays in QUAL: the parties `disclose` their pairs
//!    from it and everyone rebuilds its A_t (GJKR 4(c)), so it cannot bias y by withdrawing.
//! 7. `finish`: y = prod A_i0, the set's Feldman commitments prod A_it, and with an identity,
//!    the party's share x_j = sum s_ij over QUAL, checked against the set.
//!
//! Every file a party writes is signed with its identity key and bound to the round digest;
//! `admit` refuses another round's file, a bad signature or a party writing twice, by name.

pub mod files;
pub mod pedersen;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use der::asn1::{OctetString, Uint};
use der::{Decode, Encode};
use num_bigint::BigUint;
use num_traits::One;
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use files::{
    AnswerBody, Complaint, DealBody, DisclosureBody, OpenedShare, PolynomialMessage, RevealBody,
    RevealProof, Seen, ShareMessage, VerdictBody,
};
pub use files::{
    AnswerFile, DealFile, DisclosureFile, RevealFile, RoundFile, VerdictFile, H_DERIVATION,
};

use super::file::{from_uint, to_uint, Commitments, Purpose, ShareFile, ShareSetFile, SET_VERSION};
use super::set::ShareSet;
use crate::keys::elgamal::{ElGamalGroup, ElGamalPublic};
use crate::keys::rsa::SigHash;
use crate::keys::{encode_public_spki, PublicKey, RsaPrivate};
use crate::math::modular::pow_mod;
use crate::math::secret::SecretUint;
use crate::{Error, Result};
use der::asn1::ObjectIdentifier as Oid;

/// id-kmi-ct-dkgShare: the content type of the envelopes of a DKG deal (the pair to party j
/// and the dealer's own polynomial, told apart by their DER), under kmi's content-type arc.
pub const KMI_CT_DKG_SHARE: Oid = Oid::new_unwrap("1.3.6.1.4.1.32473.1.1.30");

/// The smallest group a round accepts (as `key generate elgamal`).
const MIN_GROUP_BITS: u64 = crate::keys::elgamal::MIN_GENERATE_BITS as u64;

/// Make a round: the group, the threshold and the parties (certificates with RSA keys, party i
/// at position i). h is derived here and recorded with its counter.
pub fn new_round(
    group: &ElGamalGroup,
    threshold: u32,
    parties: Vec<Certificate>,
    label: Option<String>,
    rng: &mut dyn CryptoRngCore,
) -> Result<RoundFile> {
    let total = u32::try_from(parties.len()).unwrap_or(u32::MAX);
    files::check_threshold(threshold, total)?;
    check_group(group, total)?;
    let (h, counter) = pedersen::derive_h(group)?;
    let mut id = [0u8; 32];
    rng.fill_bytes(&mut id);
    let file = RoundFile {
        version: 1,
        round_id: OctetString::new(id.to_vec()).map_err(Error::encoding)?,
        p: to_uint(&group.p)?,
        q: to_uint(&group.q)?,
        g: to_uint(&group.g)?,
        h_derivation: H_DERIVATION.to_string(),
        h_counter: counter,
        h: to_uint(&h)?,
        threshold,
        total,
        parties,
        label,
    };
    Round::open(file.clone())?;
    Ok(file)
}

/// A group fit for a round: sizes first (before any exponentiation), then the registration
/// checks of `key check` (p and q prime unless named, q | p - 1, g of order q), and q larger
/// than the number of parties.
pub fn check_group(group: &ElGamalGroup, total: u32) -> Result<()> {
    let max = crate::keys::encoding::MAX_KEY_BITS;
    let (p, q, g) = (&group.p, &group.q, &group.g);
    if p.bits() > max || p.bits() < MIN_GROUP_BITS {
        return Err(Error::check(format!(
            "the group prime p has {} bits; a round needs {MIN_GROUP_BITS} to {max}",
            p.bits()
        )));
    }
    if q.bits() < 2 || q >= p || g >= p || (p % 2u32) != BigUint::one() {
        return Err(Error::check(
            "the group's p, q and g are not a group (q or g not below an odd p)",
        ));
    }
    if q <= &BigUint::from(total) {
        return Err(Error::check(format!(
            "the group order q is not larger than the number of parties ({total})"
        )));
    }
    let report = crate::keys::check::check_group(group);
    if let Some(failure) = report.first_failure() {
        return Err(Error::check(format!(
            "the round's group fails its check: {failure}"
        )));
    }
    Ok(())
}

/// A round file, checked: group, h, parties.
pub struct Round {
    pub file: RoundFile,
    pub digest: [u8; 32],
    pub group: ElGamalGroup,
    pub h: BigUint,
    keys: Vec<rsa::RsaPublicKey>,
}

/// Why a party was left out, or what was decided about it: every line names the party and the
/// file.
#[derive(Debug, Clone)]
pub struct Finding {
    pub party: u32,
    pub file: String,
    pub text: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.file.is_empty() {
            write!(f, "party {}: {}", self.party, self.text)
        } else {
            write!(f, "party {} ({}): {}", self.party, self.file, self.text)
        }
    }
}

/// The files of a round as read from disk, each with the name it is reported under.
#[derive(Default)]
pub struct Files {
    pub deals: Vec<(String, DealFile)>,
    pub verdicts: Vec<(String, VerdictFile)>,
    pub answers: Vec<(String, AnswerFile)>,
    pub reveals: Vec<(String, RevealFile)>,
    pub disclosures: Vec<(String, DisclosureFile)>,
}

/// The files admitted to a round, by party.
struct Admitted<'a> {
    deals: BTreeMap<u32, (&'a str, &'a DealFile)>,
    /// A dealer with two different signed deals (proof of equivocation).
    doubled: BTreeMap<u32, String>,
    verdicts: BTreeMap<u32, (&'a str, &'a VerdictFile)>,
    answers: BTreeMap<u32, (&'a str, &'a AnswerFile)>,
    reveals: BTreeMap<u32, (&'a str, &'a RevealFile)>,
    disclosures: Vec<(&'a str, &'a DisclosureFile)>,
}

/// The public decision of phase 1: QUAL and why the others are out.
pub struct Qualified {
    pub qual: Vec<u32>,
    pub disqualified: Vec<Finding>,
    pub notes: Vec<Finding>,
    /// The Pedersen commitments of every dealer in QUAL.
    pedersen: BTreeMap<u32, Vec<BigUint>>,
    /// Pairs opened in public by their dealers: (dealer, recipient) -> (s, s').
    opened: BTreeMap<(u32, u32), (BigUint, BigUint)>,
}

/// `finish`'s result.
pub struct Finished {
    pub set: ShareSet,
    pub qualified: Qualified,
    /// Dealers whose Feldman commitments were rebuilt from disclosures (their reveal was bad).
    pub rebuilt: Vec<Finding>,
    /// With an identity: the party's index and its share file.
    pub share: Option<(u32, ShareFile)>,
}

fn rsa_key_of(cert: &Certificate) -> Result<rsa::RsaPublicKey> {
    use der::referenced::OwnedToRef;
    let spki = cert.tbs_certificate.subject_public_key_info.owned_to_ref();
    crate::cms::ktri::rsa_public_from_spki(spki)
}

fn octets(b: &[u8]) -> Result<OctetString> {
    OctetString::new(b.to_vec()).map_err(Error::encoding)
}

fn uints(list: &[BigUint]) -> Result<Vec<Uint>> {
    list.iter().map(to_uint).collect()
}

/// A party's signature on a file body (RSASSA-PKCS1-v1_5, SHA-256). Public so that the fuzz
/// target can play an insider: a party who signs whatever numbers it likes.
pub fn sign(key: &RsaPrivate, body: &[u8]) -> Result<OctetString> {
    let sig = key
        .to_rsa_crate()?
        .sign(SigHash::Sha256.padding(), &Sha256::digest(body))
        .map_err(|e| Error::internal(format!("RSA signature: {e}")))?;
    octets(&sig)
}

fn short(b: &[u8]) -> String {
    hex::encode(&b[..b.len().min(8)])
}

impl Round {
    /// Check a round file: threshold, group (sizes, then primality and structure), h (derived
    /// again and compared), and the parties' certificates (RSA keys, none twice).
    pub fn open(file: RoundFile) -> Result<Round> {
        files::check_threshold(file.threshold, file.total)?;
        let group = ElGamalGroup {
            p: from_uint(&file.p),
            q: from_uint(&file.q),
            g: from_uint(&file.g),
        };
        check_group(&group, file.total)?;
        if file.h_derivation != H_DERIVATION {
            return Err(Error::check(format!(
                "the round's h derivation is \"{}\"; this kmi knows \"{H_DERIVATION}\"",
                file.h_derivation
            )));
        }
        let (h, counter) = pedersen::derive_h(&group)?;
        if h != from_uint(&file.h) || counter != file.h_counter {
            return Err(Error::check(
                "the round's h is not the one derived from its group (\"kmi dkg h v1\"): someone may know log_g h",
            ));
        }
        let mut keys: Vec<rsa::RsaPublicKey> = Vec::with_capacity(file.parties.len());
        for (i, cert) in file.parties.iter().enumerate() {
            let key = rsa_key_of(cert).map_err(|e| {
                Error::check(format!("party {}'s certificate: {}", i + 1, e.reason()))
            })?;
            if let Some(j) = keys.iter().position(|k| k == &key) {
                return Err(Error::check(format!(
                    "parties {} and {} have the same key",
                    j + 1,
                    i + 1
                )));
            }
            keys.push(key);
        }
        Ok(Round {
            digest: file.digest()?,
            file,
            group,
            h,
            keys,
        })
    }

    pub fn id_hex(&self) -> String {
        self.file.id_hex()
    }

    fn k(&self) -> u32 {
        self.file.threshold
    }

    fn n(&self) -> u32 {
        self.file.total
    }

    /// Which party holds `key` (1-based), by the RSA key of its certificate.
    pub fn party_index(&self, key: &RsaPrivate) -> Result<u32> {
        use rsa::traits::PublicKeyParts;
        for (i, k) in self.keys.iter().enumerate() {
            if BigUint::from_bytes_be(&k.n().to_bytes_be()) == key.public.n
                && BigUint::from_bytes_be(&k.e().to_bytes_be()) == key.public.e
            {
                return Ok(i as u32 + 1);
            }
        }
        Err(Error::check("this identity is none of the round's parties"))
    }

    pub fn party_certificate(&self, index: u32) -> Option<&Certificate> {
        self.file.parties.get((index as usize).checked_sub(1)?)
    }

    /// A file's binding and signature: this round, a party of it, signed by that party.
    fn check_file(
        &self,
        name: &str,
        what: &str,
        party: u32,
        digest: &OctetString,
        body: &[u8],
        signature: &OctetString,
    ) -> Result<()> {
        if party < 1 || party > self.n() {
            return Err(Error::check(format!(
                "{name}: {what} names party {party}, outside the round's 1..{}",
                self.n()
            )));
        }
        if digest.as_bytes() != self.digest {
            return Err(Error::check(format!(
                "{name}: {what} of party {party} belongs to another round (not round {})",
                short(self.file.round_id.as_bytes())
            )));
        }
        let key = &self.keys[party as usize - 1];
        if !SigHash::Sha256.verify(key, body, signature.as_bytes()) {
            return Err(Error::check(format!(
                "{name}: {what} of party {party} is not signed by party {party}'s key"
            )));
        }
        Ok(())
    }

    /// Admit every file: bound to this round, signed by the party it names, one per party and
    /// kind (two different signed deals by one dealer are kept as proof that it equivocated).
    fn admit<'a>(&self, f: &'a Files) -> Result<Admitted<'a>> {
        fn once<'a, T: PartialEq>(
            map: &mut BTreeMap<u32, (&'a str, &'a T)>,
            party: u32,
            name: &'a str,
            file: &'a T,
            what: &str,
        ) -> Result<()> {
            if let Some((other, prev)) = map.get(&party) {
                if *prev != file {
                    return Err(Error::check(format!(
                        "two {what}s of party {party}: {other} and {name}; give one"
                    )));
                }
                return Ok(());
            }
            map.insert(party, (name, file));
            Ok(())
        }
        let mut a = Admitted {
            deals: BTreeMap::new(),
            doubled: BTreeMap::new(),
            verdicts: BTreeMap::new(),
            answers: BTreeMap::new(),
            reveals: BTreeMap::new(),
            disclosures: Vec::new(),
        };
        for (name, d) in &f.deals {
            let body = d.body.to_der().map_err(Error::encoding)?;
            let b = &d.body;
            self.check_file(
                name,
                "the deal",
                b.dealer,
                &b.round_digest,
                &body,
                &d.signature,
            )?;
            match a.deals.get(&b.dealer) {
                Some((other, prev)) if *prev != d => {
                    a.doubled.insert(
                        b.dealer,
                        format!("dealt twice ({other} and {name}, both signed)"),
                    );
                }
                Some(_) => {}
                None => {
                    a.deals.insert(b.dealer, (name, d));
                }
            }
        }
        for (name, v) in &f.verdicts {
            let body = v.body.to_der().map_err(Error::encoding)?;
            let b = &v.body;
            self.check_file(
                name,
                "the verdict",
                b.party,
                &b.round_digest,
                &body,
                &v.signature,
            )?;
            once(&mut a.verdicts, b.party, name, v, "verdict")?;
        }
        for (name, x) in &f.answers {
            let body = x.body.to_der().map_err(Error::encoding)?;
            let b = &x.body;
            self.check_file(
                name,
                "the answer",
                b.dealer,
                &b.round_digest,
                &body,
                &x.signature,
            )?;
            once(&mut a.answers, b.dealer, name, x, "answer")?;
        }
        for (name, r) in &f.reveals {
            let body = r.body.to_der().map_err(Error::encoding)?;
            let b = &r.body;
            self.check_file(
                name,
                "the reveal",
                b.dealer,
                &b.round_digest,
                &body,
                &r.signature,
            )?;
            once(&mut a.reveals, b.dealer, name, r, "reveal")?;
        }
        for (name, x) in &f.disclosures {
            let body = x.body.to_der().map_err(Error::encoding)?;
            let b = &x.body;
            self.check_file(
                name,
                "the disclosure",
                b.party,
                &b.round_digest,
                &body,
                &x.signature,
            )?;
            if b.dealer < 1 || b.dealer > self.n() {
                return Err(Error::check(format!(
                    "{name}: the disclosure names dealer {}, outside 1..{}",
                    b.dealer,
                    self.n()
                )));
            }
            if a.disclosures
                .iter()
                .any(|(_, o)| o.body.party == b.party && o.body.dealer == b.dealer && *o != x)
            {
                return Err(Error::check(format!(
                    "two disclosures of party {} about dealer {}; give one",
                    b.party, b.dealer
                )));
            }
            a.disclosures.push((name, x));
        }
        Ok(a)
    }

    /// Phase 1(a): this party's dealing, signed with its identity key.
    pub fn deal(&self, key: &RsaPrivate, rng: &mut dyn CryptoRngCore) -> Result<DealFile> {
        let me = self.party_index(key)?;
        let d = pedersen::deal(&self.group, &self.h, self.k(), rng);
        let digest = octets(&self.digest)?;
        let mut shares = Vec::with_capacity(self.n() as usize);
        for j in 1..=self.n() {
            let s = pedersen::evaluate(&d.a, j, &self.group.q);
            let r = pedersen::evaluate(&d.b, j, &self.group.q);
            let msg = ShareMessage {
                version: 1,
                round_digest: digest.clone(),
                dealer: me,
                recipient: j,
                s: to_uint(s.expose())?,
                blinding: to_uint(r.expose())?,
            };
            let der = Zeroizing::new(msg.to_der().map_err(Error::encoding)?);
            shares.push(octets(&self.seal(j, &der, rng)?)?);
        }
        let poly = PolynomialMessage {
            version: 1,
            round_digest: digest.clone(),
            dealer: me,
            a: d.a
                .iter()
                .map(|x| to_uint(x.expose()))
                .collect::<Result<_>>()?,
            b: d.b
                .iter()
                .map(|x| to_uint(x.expose()))
                .collect::<Result<_>>()?,
        };
        let der = Zeroizing::new(poly.to_der().map_err(Error::encoding)?);
        let own = octets(&self.seal(me, &der, rng)?)?;
        let body = DealBody {
            version: 1,
            round_digest: digest,
            dealer: me,
            commitments: uints(&d.commitments)?,
            shares,
            own,
        };
        let signature = sign(key, &body.to_der().map_err(Error::encoding)?)?;
        Ok(DealFile { body, signature })
    }

    fn seal(&self, party: u32, der: &[u8], rng: &mut dyn CryptoRngCore) -> Result<Vec<u8>> {
        let cert = self
            .party_certificate(party)
            .ok_or_else(|| Error::internal("party index out of range"))?;
        crate::cms::envelope(
            der,
            KMI_CT_DKG_SHARE,
            &[crate::cms::Recipient::Certificate(cert.clone())],
            rng,
        )
    }

    fn open_envelope(
        &self,
        env: &[u8],
        me: u32,
        key: &RsaPrivate,
    ) -> std::result::Result<Zeroizing<Vec<u8>>, String> {
        let opened = crate::cms::open_with_key(env, key, self.party_certificate(me))
            .map_err(|e| format!("its envelope to party {me} does not open: {}", e.reason()))?;
        if opened.content_type != KMI_CT_DKG_SHARE {
            return Err("its envelope holds something else".into());
        }
        Ok(opened.content)
    }

    /// The public checks of a deal (the same for every party): n envelopes, k commitments in
    /// the order-q subgroup. Returns the commitments.
    fn deal_public(&self, d: &DealFile) -> std::result::Result<Vec<BigUint>, String> {
        let b = &d.body;
        if b.shares.len() != self.n() as usize {
            return Err(format!(
                "has {} envelopes for {} parties",
                b.shares.len(),
                self.n()
            ));
        }
        if b.commitments.len() != self.k() as usize {
            return Err(format!(
                "has {} commitments for a threshold of {}",
                b.commitments.len(),
                self.k()
            ));
        }
        let c = files::values(&b.commitments);
        if c.iter().any(|x| x >= &self.group.p) {
            return Err("has a commitment larger than p".into());
        }
        pedersen::check_commitments(&self.group, &c, self.k())?;
        Ok(c)
    }

    /// Party `me`'s pair from a deal: opened, bound to this round, dealer and party, and checked
    /// against the dealer's commitments (GJKR Eq. 4).
    fn own_pair(
        &self,
        d: &DealFile,
        commitments: &[BigUint],
        me: u32,
        key: &RsaPrivate,
    ) -> std::result::Result<(SecretUint, SecretUint), String> {
        let env = d
            .body
            .shares
            .get(me as usize - 1)
            .ok_or_else(|| "has no envelope for this party".to_string())?;
        let der = self.open_envelope(env.as_bytes(), me, key)?;
        let msg = ShareMessage::from_der_checked(&der).map_err(|e| e.reason())?;
        if msg.round_digest.as_bytes() != self.digest
            || msg.dealer != d.body.dealer
            || msg.recipient != me
        {
            return Err(format!(
                "sent party {me} a share bound to another round, dealer or party (dealer {}, party {})",
                msg.dealer, msg.recipient
            ));
        }
        let s = SecretUint::new(from_uint(&msg.s));
        let r = SecretUint::new(from_uint(&msg.blinding));
        if !pedersen::verify_pair(
            &self.group,
            &self.h,
            commitments,
            me,
            s.expose(),
            r.expose(),
        ) {
            return Err(format!(
                "sent party {me} a share that does not match its commitments"
            ));
        }
        Ok((s, r))
    }

    /// The dealer's own polynomials, from the envelope it sealed to itself in its deal.
    fn own_polynomial(&self, d: &DealFile, me: u32, key: &RsaPrivate) -> Result<pedersen::Dealing> {
        let der = self
            .open_envelope(d.body.own.as_bytes(), me, key)
            .map_err(|e| Error::check(format!("your own deal: {e}")))?;
        let poly = PolynomialMessage::from_der_checked(&der)?;
        if poly.round_digest.as_bytes() != self.digest
            || poly.dealer != me
            || poly.a.len() != self.k() as usize
        {
            return Err(Error::check(
                "your own deal's polynomial is bound to another round or dealer",
            ));
        }
        let a: Vec<SecretUint> = poly
            .a
            .iter()
            .map(|x| SecretUint::new(from_uint(x)))
            .collect();
        let b: Vec<SecretUint> = poly
            .b
            .iter()
            .map(|x| SecretUint::new(from_uint(x)))
            .collect();
        let commitments = files::values(&d.body.commitments);
        let ok = a.iter().zip(&b).zip(&commitments).all(|((a, b), c)| {
            a.expose() < &self.group.q
                && b.expose() < &self.group.q
                && &pedersen::pedersen(&self.group, &self.h, a.expose(), b.expose()) == c
        });
        if !ok {
            return Err(Error::check(
                "your own deal's polynomial does not match its commitments",
            ));
        }
        Ok(pedersen::Dealing { a, b, commitments })
    }

    /// Phase 1(b): check every deal, publicly and this party's own pair. The verdict lists every
    /// deal seen (dealer and digest) and a complaint for each bad own pair. The findings say
    /// what was wrong, publicly bad deals included (every party disqualifies those itself).
    pub fn check(&self, files: &Files, key: &RsaPrivate) -> Result<(VerdictFile, Vec<Finding>)> {
        let me = self.party_index(key)?;
        let a = self.admit(files)?;
        let mut seen = Vec::new();
        let mut complaints = Vec::new();
        let mut findings = Vec::new();
        for (&dealer, (name, d)) in &a.deals {
            seen.push(Seen {
                dealer,
                deal_digest: octets(&d.digest()?)?,
            });
            let result = self
                .deal_public(d)
                .and_then(|c| self.own_pair(d, &c, me, key).map(|_| ()));
            if let Some(why) = a.doubled.get(&dealer) {
                findings.push(Finding {
                    party: dealer,
                    file: name.to_string(),
                    text: why.clone(),
                });
            }
            match (result, self.deal_public(d).is_ok()) {
                (Ok(()), _) => {}
                (Err(why), true) => {
                    findings.push(Finding {
                        party: dealer,
                        file: name.to_string(),
                        text: format!("{why}: complaint"),
                    });
                    complaints.push(Complaint {
                        dealer,
                        reason: why,
                    });
                }
                (Err(why), false) => findings.push(Finding {
                    party: dealer,
                    file: name.to_string(),
                    text: format!("{why}: disqualified by everyone"),
                }),
            }
        }
        let body = VerdictBody {
            version: 1,
            round_digest: octets(&self.digest)?,
            party: me,
            seen,
            complaints,
        };
        let signature = sign(key, &body.to_der().map_err(Error::encoding)?)?;
        Ok((VerdictFile { body, signature }, findings))
    }

    /// Who complains about `dealer`: an explicit complaint, or a verdict that did not see its
    /// deal, or saw a different one (GJKR's broadcast channel, checked after the fact).
    fn complainers(
        &self,
        a: &Admitted<'_>,
        dealer: u32,
        deal: &DealFile,
    ) -> Result<Vec<(u32, String)>> {
        let digest = deal.digest()?;
        let mut out = Vec::new();
        for (&j, (_, v)) in &a.verdicts {
            let b = &v.body;
            if let Some(c) = b.complaints.iter().find(|c| c.dealer == dealer) {
                out.push((j, c.reason.clone()));
            } else {
                match b.seen.iter().find(|s| s.dealer == dealer) {
                    None => out.push((j, "did not receive its deal".into())),
                    Some(s) if s.deal_digest.as_bytes() != digest => {
                        out.push((j, "received a different deal".into()))
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(out)
    }

    /// Phase 1(c): a dealer opens, in public, the pairs of every party that complained about it.
    pub fn answer(
        &self,
        files: &Files,
        key: &RsaPrivate,
    ) -> Result<(AnswerFile, Vec<(u32, String)>)> {
        let me = self.party_index(key)?;
        let a = self.admit(files)?;
        let (_, deal) = a.deals.get(&me).ok_or_else(|| {
            Error::invalid(format!("give your own deal (party {me}) with the verdicts"))
        })?;
        let dealing = self.own_polynomial(deal, me, key)?;
        let complaints = self.complainers(&a, me, deal)?;
        let mut opened = Vec::new();
        for (j, _) in &complaints {
            let s = pedersen::evaluate(&dealing.a, *j, &self.group.q);
            let r = pedersen::evaluate(&dealing.b, *j, &self.group.q);
            opened.push(OpenedShare {
                recipient: *j,
                s: to_uint(s.expose())?,
                blinding: to_uint(r.expose())?,
            });
        }
        let body = AnswerBody {
            version: 1,
            round_digest: octets(&self.digest)?,
            dealer: me,
            opened,
        };
        let signature = sign(key, &body.to_der().map_err(Error::encoding)?)?;
        Ok((AnswerFile { body, signature }, complaints))
    }

    fn qualify_admitted(&self, a: &Admitted<'_>) -> Result<Qualified> {
        let t = self.k() - 1;
        let mut q = Qualified {
            qual: Vec::new(),
            disqualified: Vec::new(),
            notes: Vec::new(),
            pedersen: BTreeMap::new(),
            opened: BTreeMap::new(),
        };
        for i in 1..=self.n() {
            let Some((name, deal)) = a.deals.get(&i) else {
                q.notes.push(Finding {
                    party: i,
                    file: String::new(),
                    text: "never dealt: left out".into(),
                });
                continue;
            };
            let dq = |text: String| Finding {
                party: i,
                file: name.to_string(),
                text,
            };
            if let Some(why) = a.doubled.get(&i) {
                q.disqualified.push(dq(why.clone()));
                continue;
            }
            let c = match self.deal_public(deal) {
                Ok(c) => c,
                Err(why) => {
                    q.disqualified.push(dq(format!("its deal {why}")));
                    continue;
                }
            };
            let complaints = self.complainers(a, i, deal)?;
            if complaints.len() as u32 > t {
                let who: Vec<String> = complaints.iter().map(|(j, _)| j.to_string()).collect();
                q.disqualified.push(dq(format!(
                    "complaints from {} parties ({}), more than k - 1 = {t}",
                    complaints.len(),
                    who.join(", ")
                )));
                continue;
            }
            let answer = a.answers.get(&i);
            let mut bad = None;
            let mut opened = Vec::new();
            for (j, reason) in &complaints {
                let pair =
                    answer.and_then(|(_, ans)| ans.body.opened.iter().find(|o| o.recipient == *j));
                match pair {
                    None => {
                        bad = Some(format!("did not answer party {j}'s complaint ({reason})"));
                        break;
                    }
                    Some(o) => {
                        let (s, r) = (from_uint(&o.s), from_uint(&o.blinding));
                        if !pedersen::verify_pair(&self.group, &self.h, &c, *j, &s, &r) {
                            bad = Some(format!(
                                "answered party {j}'s complaint with a share that does not match its commitments"
                            ));
                            break;
                        }
                        opened.push((*j, reason.clone(), s, r));
                    }
                }
            }
            if let Some(why) = bad {
                q.disqualified.push(dq(why));
                continue;
            }
            for (j, reason, s, r) in opened {
                q.notes.push(Finding {
                    party: j,
                    file: a.verdicts.get(&j).map(|(n, _)| n.to_string()).unwrap_or_default(),
                    text: format!(
                        "complaint against dealer {i} rejected: the dealer opened a share that matches its commitments (\"{reason}\"); party {j} uses the opened share"
                    ),
                });
                q.opened.insert((i, j), (s, r));
            }
            q.pedersen.insert(i, c);
            q.qual.push(i);
        }
        if (q.qual.len() as u32) < self.k() {
            let why: Vec<String> = q
                .disqualified
                .iter()
                .chain(&q.notes)
                .map(|f| f.to_string())
                .collect();
            return Err(Error::check(format!(
                "only {} qualified dealer(s) of the {} needed{}; no key was made",
                q.qual.len(),
                self.k(),
                if why.is_empty() {
                    String::new()
                } else {
                    format!(": {}", why.join("; "))
                }
            )));
        }
        Ok(q)
    }

    /// Phase 1(d), public: QUAL from the deals, verdicts and answers.
    pub fn qualify(&self, files: &Files) -> Result<Qualified> {
        let a = self.admit(files)?;
        self.qualify_admitted(&a)
    }

    fn reveal_context(&self, dealer: u32) -> Vec<u8> {
        let mut c = self.digest.to_vec();
        c.extend_from_slice(&dealer.to_be_bytes());
        c
    }

    /// Phase 2 (GJKR step 4(a)): a qualified dealer reveals A_t = g^(a_t) with its proof.
    pub fn reveal(
        &self,
        files: &Files,
        key: &RsaPrivate,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<(RevealFile, Qualified)> {
        let me = self.party_index(key)?;
        let a = self.admit(files)?;
        let q = self.qualify_admitted(&a)?;
        if !q.qual.contains(&me) {
            let why = q
                .disqualified
                .iter()
                .chain(&q.notes)
                .find(|f| f.party == me)
                .map(|f| f.text.clone())
                .unwrap_or_else(|| "not qualified".into());
            return Err(Error::check(format!(
                "party {me} is not a qualified dealer ({why}): it has nothing to reveal"
            )));
        }
        let (_, deal) = a
            .deals
            .get(&me)
            .ok_or_else(|| Error::internal("qualified dealer without a deal"))?;
        let dealing = self.own_polynomial(deal, me, key)?;
        let r = pedersen::reveal(
            &self.group,
            &self.h,
            &dealing,
            &self.reveal_context(me),
            rng,
        );
        let body = RevealBody {
            version: 1,
            round_digest: octets(&self.digest)?,
            dealer: me,
            commitments: uints(&r.commitments)?,
            proof: RevealProof {
                u: uints(&r.u)?,
                v: uints(&r.v)?,
                z: uints(&r.z)?,
                z_blind: uints(&r.z_blind)?,
            },
        };
        let signature = sign(key, &body.to_der().map_err(Error::encoding)?)?;
        Ok((RevealFile { body, signature }, q))
    }

    /// A reveal checked against the dealer's Pedersen commitments (publicly).
    fn check_reveal(
        &self,
        dealer: u32,
        pedersen_c: &[BigUint],
        r: &RevealFile,
        rng: &mut dyn CryptoRngCore,
    ) -> std::result::Result<Vec<BigUint>, String> {
        let b = &r.body;
        let too_big = |l: &[Uint]| files::values(l).iter().any(|x| x >= &self.group.p);
        if too_big(&b.commitments) || too_big(&b.proof.u) || too_big(&b.proof.v) {
            return Err("reveals a value larger than p".into());
        }
        let rv = pedersen::Reveal {
            commitments: files::values(&b.commitments),
            u: files::values(&b.proof.u),
            v: files::values(&b.proof.v),
            z: files::values(&b.proof.z),
            z_blind: files::values(&b.proof.z_blind),
        };
        pedersen::verify_reveal(
            &self.group,
            &self.h,
            pedersen_c,
            &rv,
            &self.reveal_context(dealer),
            rng,
        )?;
        Ok(rv.commitments)
    }

    /// This party's pair from a qualified dealer: the pair the dealer opened in public after
    /// a complaint, or else the one in its envelope (which must verify: a party that did not
    /// complain about a bad pair cannot get its share).
    fn pair_from(
        &self,
        a: &Admitted<'_>,
        q: &Qualified,
        dealer: u32,
        me: u32,
        key: &RsaPrivate,
    ) -> Result<(SecretUint, SecretUint)> {
        if let Some((s, r)) = q.opened.get(&(dealer, me)) {
            return Ok((SecretUint::new(s.clone()), SecretUint::new(r.clone())));
        }
        let (name, deal) = a
            .deals
            .get(&dealer)
            .ok_or_else(|| Error::internal("qualified dealer without a deal"))?;
        let c = q
            .pedersen
            .get(&dealer)
            .ok_or_else(|| Error::internal("qualified dealer without commitments"))?;
        self.own_pair(deal, c, me, key).map_err(|why| {
            Error::check(format!(
                "dealer {dealer} ({name}) {why}, and party {me}'s verdict did not complain: party {me} cannot compute its share"
            ))
        })
    }

    /// GJKR step 4(c): party `me` discloses its pair from `dealer`, a qualified dealer whose
    /// reveal is missing or does not verify, so that everyone can rebuild its commitments.
    pub fn disclose(
        &self,
        files: &Files,
        key: &RsaPrivate,
        dealer: u32,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<DisclosureFile> {
        let me = self.party_index(key)?;
        let a = self.admit(files)?;
        let q = self.qualify_admitted(&a)?;
        let Some(c) = q.pedersen.get(&dealer) else {
            return Err(Error::check(format!(
                "dealer {dealer} is not qualified: nothing to disclose"
            )));
        };
        if let Some((name, r)) = a.reveals.get(&dealer) {
            if self.check_reveal(dealer, c, r, rng).is_ok() {
                return Err(Error::check(format!(
                    "dealer {dealer}'s reveal ({name}) verifies: its shares stay secret"
                )));
            }
        }
        let (s, r) = self.pair_from(&a, &q, dealer, me, key)?;
        let body = DisclosureBody {
            version: 1,
            round_digest: octets(&self.digest)?,
            party: me,
            dealer,
            s: to_uint(s.expose())?,
            blinding: to_uint(r.expose())?,
        };
        let signature = sign(key, &body.to_der().map_err(Error::encoding)?)?;
        Ok(DisclosureFile { body, signature })
    }

    /// The set from the qualified dealers' Feldman commitments (public data only), and with an
    /// identity this party's share of it.
    pub fn finish(
        &self,
        files: &Files,
        key: Option<&RsaPrivate>,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Finished> {
        let me = key.map(|k| self.party_index(k)).transpose()?;
        let a = self.admit(files)?;
        let q = self.qualify_admitted(&a)?;
        let mut feldman: Vec<Vec<BigUint>> = Vec::new();
        let mut rebuilt = Vec::new();
        for &i in &q.qual {
            let c = &q.pedersen[&i];
            let problem = match a.reveals.get(&i) {
                None => "did not reveal".to_string(),
                Some((name, r)) => match self.check_reveal(i, c, r, rng) {
                    Ok(v) => {
                        feldman.push(v);
                        continue;
                    }
                    Err(why) => format!("{why} ({name})"),
                },
            };
            // GJKR 4(c): rebuild a_i(X) from k disclosed pairs that match C_i.
            let mut points: Vec<(u32, BigUint)> = Vec::new();
            for (_, d) in a.disclosures.iter().filter(|(_, d)| d.body.dealer == i) {
                let (s, r) = (from_uint(&d.body.s), from_uint(&d.body.blinding));
                if points.iter().all(|(j, _)| *j != d.body.party)
                    && pedersen::verify_pair(&self.group, &self.h, c, d.body.party, &s, &r)
                {
                    points.push((d.body.party, s));
                }
            }
            if points.len() < self.k() as usize {
                return Err(Error::check(format!(
                    "qualified dealer {i} {problem}: it stays in the key, so its commitments are rebuilt from its shares: every party runs kmi share dkg disclose --dealer {i} and finish runs again with the disclosures ({} good of the {} needed so far)",
                    points.len(),
                    self.k()
                )));
            }
            points.truncate(self.k() as usize);
            let coef = pedersen::interpolate(&points, &self.group.q)?;
            feldman.push(
                coef.iter()
                    .map(|x| pow_mod(&self.group.g, x, &self.group.p))
                    .collect(),
            );
            rebuilt.push(Finding {
                party: i,
                file: String::new(),
                text: format!(
                    "{problem}: its commitments were rebuilt from {} disclosed shares",
                    points.len()
                ),
            });
        }
        let p = &self.group.p;
        let mut combined = vec![BigUint::one(); self.k() as usize];
        for list in &feldman {
            for (acc, x) in combined.iter_mut().zip(list) {
                *acc = &*acc * x % p;
            }
        }
        let y = combined[0].clone();
        if y <= BigUint::one() {
            return Err(Error::check(
                "the qualified dealers' contributions sum to 0: no key",
            ));
        }
        let public = ElGamalPublic {
            group: self.group.clone(),
            y,
        };
        let spki =
            SubjectPublicKeyInfoOwned::from_der(&encode_public_spki(&PublicKey::ElGamal(public))?)
                .map_err(|e| Error::internal(format!("SubjectPublicKeyInfo: {e}")))?;
        // Deterministic: every party's finish writes the very same set.
        let file = ShareSetFile {
            version: SET_VERSION,
            scheme: crate::oids::KMI_SCHEME_ELGAMAL_FELDMAN,
            threshold: self.k(),
            total: self.n(),
            purpose: Purpose::Decrypt.code(),
            seeded: false,
            public_key: spki,
            commitments: Commitments::ElGamal(uints(&combined)?),
            label: self.file.label.clone(),
            created: None,
            lineage: None,
            pedersen: None,
        };
        let set = ShareSet::from_file(file)?;
        set.check_public()
            .map_err(|e| Error::check(format!("the new set does not verify: {}", e.reason())))?;
        let share = match (me, key) {
            (Some(me), Some(key)) => {
                let mut x = BigUint::default();
                for &i in &q.qual {
                    let (s, _) = self.pair_from(&a, &q, i, me, key)?;
                    x = (x + s.expose()) % &self.group.q;
                }
                let x = SecretUint::new(x);
                let opened = super::SecretShare {
                    index: me,
                    value: x,
                };
                if !set.verify_share(&opened) {
                    return Err(Error::check(format!(
                        "party {me}'s share does not match the set's commitments (a qualified dealer's reveal and shares disagree)"
                    )));
                }
                Some((
                    me,
                    ShareFile {
                        version: 1,
                        set_id: octets(&set.id)?,
                        index: me,
                        value: to_uint(opened.value.expose())?,
                        set: set.file.clone(),
                        blinding: None,
                    },
                ))
            }
            _ => None,
        };
        Ok(Finished {
            set,
            qualified: q,
            rebuilt,
            share,
        })
    }
}
