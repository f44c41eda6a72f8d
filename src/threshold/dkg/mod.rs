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
mod phase1;
mod phase2;
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
}
