//! The file formats of a DKG round (docs/dkg.md section 6), one Rust type per ASN.1 production,
//! each decoded with its counts and sizes checked before any arithmetic (every file is hostile).
//! Every file a party writes is a `body` plus an RSASSA-PKCS1-v1_5 SHA-256 signature over the
//! body's DER, made with the party's identity key (the key of its certificate in the round).
//!
//! ```text
//! DkgRound ::= SEQUENCE {                 -- PEM "KMI DKG ROUND": fixed before anyone deals
//!   version INTEGER (1), roundId OCTET STRING (SIZE(32)),
//!   p INTEGER, q INTEGER, g INTEGER,        -- the ElGamal group
//!   hDerivation UTF8String,                 -- "kmi dkg h v1" (docs/dkg.md section 2)
//!   hCounter INTEGER, h INTEGER,            -- re-derived and compared by every command
//!   threshold INTEGER, total INTEGER,
//!   parties SEQUENCE OF Certificate,        -- party i at position i (RSA keys)
//!   label UTF8String OPTIONAL }
//! DkgDeal ::= SEQUENCE { body SEQUENCE {  -- PEM "KMI DKG DEAL"
//!     version INTEGER (1), roundDigest OCTET STRING (SIZE(32)), dealer INTEGER,
//!     commitments SEQUENCE OF INTEGER,      -- k Pedersen commitments C_t = g^(a_t) h^(b_t)
//!     shares SEQUENCE OF OCTET STRING,      -- n CMS envelopes, the j-th to party j (DkgShare)
//!     own OCTET STRING },                   -- CMS envelope to the dealer itself (DkgPolynomial)
//!   signature OCTET STRING }
//! DkgShare ::= SEQUENCE { version, roundDigest, dealer, recipient, s INTEGER, blinding INTEGER }
//! DkgPolynomial ::= SEQUENCE { version, roundDigest, dealer, a SEQUENCE OF INTEGER,
//!   b SEQUENCE OF INTEGER }
//! DkgVerdict ::= SEQUENCE { body SEQUENCE {  -- PEM "KMI DKG VERDICT"
//!     version, roundDigest, party INTEGER,
//!     seen SEQUENCE OF SEQUENCE { dealer INTEGER, dealDigest OCTET STRING (SIZE(32)) },
//!     complaints SEQUENCE OF SEQUENCE { dealer INTEGER, reason UTF8String } },
//!   signature OCTET STRING }
//! DkgAnswer ::= SEQUENCE { body SEQUENCE {   -- PEM "KMI DKG ANSWER"
//!     version, roundDigest, dealer INTEGER,
//!     opened SEQUENCE OF SEQUENCE { recipient INTEGER, s INTEGER, blinding INTEGER } },
//!   signature OCTET STRING }
//! DkgReveal ::= SEQUENCE { body SEQUENCE {   -- PEM "KMI DKG REVEAL"
//!     version, roundDigest, dealer INTEGER,
//!     commitments SEQUENCE OF INTEGER,      -- k Feldman commitments A_t = g^(a_t)
//!     proof SEQUENCE { u SEQUENCE OF INTEGER, v SEQUENCE OF INTEGER,
//!                      z SEQUENCE OF INTEGER, zBlind SEQUENCE OF INTEGER } },
//!   signature OCTET STRING }
//! DkgDisclosure ::= SEQUENCE { body SEQUENCE {  -- PEM "KMI DKG DISCLOSURE"
//!     version, roundDigest, party INTEGER, dealer INTEGER, s INTEGER, blinding INTEGER },
//!   signature OCTET STRING }
//! ```

use der::asn1::{OctetString, Uint};
use der::{Decode, Encode, Sequence};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::threshold::elgamal::MAX_SHARES;
use crate::threshold::file::from_uint;
use crate::{Error, Result};

pub const ROUND_PEM_LABEL: &str = "KMI DKG ROUND";
pub const DEAL_PEM_LABEL: &str = "KMI DKG DEAL";
pub const VERDICT_PEM_LABEL: &str = "KMI DKG VERDICT";
pub const ANSWER_PEM_LABEL: &str = "KMI DKG ANSWER";
pub const REVEAL_PEM_LABEL: &str = "KMI DKG REVEAL";
pub const DISCLOSURE_PEM_LABEL: &str = "KMI DKG DISCLOSURE";

/// The h derivation this kmi writes and re-derives (docs/dkg.md section 2).
pub const H_DERIVATION: &str = "kmi dkg h v1";

/// `DkgRound`: everything fixed before anyone deals.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct RoundFile {
    pub version: u8,
    pub round_id: OctetString,
    pub p: Uint,
    pub q: Uint,
    pub g: Uint,
    pub h_derivation: String,
    pub h_counter: u32,
    pub h: Uint,
    pub threshold: u32,
    pub total: u32,
    pub parties: Vec<Certificate>,
    #[asn1(optional = "true")]
    pub label: Option<String>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct DealBody {
    pub version: u8,
    pub round_digest: OctetString,
    pub dealer: u32,
    pub commitments: Vec<Uint>,
    pub shares: Vec<OctetString>,
    pub own: OctetString,
}

/// `DkgDeal`: one party's Pedersen dealing.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct DealFile {
    pub body: DealBody,
    pub signature: OctetString,
}

/// `DkgShare`: what dealer i sends party j, inside the j-th envelope. Debug hides the values.
#[derive(Clone, Eq, PartialEq, Sequence)]
pub struct ShareMessage {
    pub version: u8,
    pub round_digest: OctetString,
    pub dealer: u32,
    pub recipient: u32,
    pub s: Uint,
    pub blinding: Uint,
}

/// `DkgPolynomial`: the dealer's own coefficients, enveloped to itself so that `answer` and
/// `reveal` need no other secret file. Debug hides the values.
#[derive(Clone, Eq, PartialEq, Sequence)]
pub struct PolynomialMessage {
    pub version: u8,
    pub round_digest: OctetString,
    pub dealer: u32,
    pub a: Vec<Uint>,
    pub b: Vec<Uint>,
}

impl std::fmt::Debug for ShareMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareMessage")
            .field("dealer", &self.dealer)
            .field("recipient", &self.recipient)
            .field("s", &"[secret]")
            .field("blinding", &"[secret]")
            .finish()
    }
}

impl std::fmt::Debug for PolynomialMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolynomialMessage")
            .field("dealer", &self.dealer)
            .field("a", &"[secret]")
            .field("b", &"[secret]")
            .finish()
    }
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct Seen {
    pub dealer: u32,
    pub deal_digest: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct Complaint {
    pub dealer: u32,
    pub reason: String,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct VerdictBody {
    pub version: u8,
    pub round_digest: OctetString,
    pub party: u32,
    pub seen: Vec<Seen>,
    pub complaints: Vec<Complaint>,
}

/// `DkgVerdict`: one party's complaints (or none) and the deals it saw.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct VerdictFile {
    pub body: VerdictBody,
    pub signature: OctetString,
}

/// One share opened in public by its dealer (the complainer's s_ij, s'_ij).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OpenedShare {
    pub recipient: u32,
    pub s: Uint,
    pub blinding: Uint,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct AnswerBody {
    pub version: u8,
    pub round_digest: OctetString,
    pub dealer: u32,
    pub opened: Vec<OpenedShare>,
}

/// `DkgAnswer`: a dealer opens the shares it was complained about.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct AnswerFile {
    pub body: AnswerBody,
    pub signature: OctetString,
}

/// The proof that A_t = g^(a_t) and C_t / A_t = h^(b_t) for known (a_t, b_t): Schnorr proofs of
/// both logarithms for every t under one Fiat-Shamir challenge (docs/dkg.md section 4).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct RevealProof {
    pub u: Vec<Uint>,
    pub v: Vec<Uint>,
    pub z: Vec<Uint>,
    pub z_blind: Vec<Uint>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct RevealBody {
    pub version: u8,
    pub round_digest: OctetString,
    pub dealer: u32,
    pub commitments: Vec<Uint>,
    pub proof: RevealProof,
}

/// `DkgReveal`: a qualified dealer's Feldman commitments (GJKR's extraction phase).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct RevealFile {
    pub body: RevealBody,
    pub signature: OctetString,
}

#[derive(Clone, Eq, PartialEq, Sequence)]
pub struct DisclosureBody {
    pub version: u8,
    pub round_digest: OctetString,
    pub party: u32,
    pub dealer: u32,
    pub s: Uint,
    pub blinding: Uint,
}

impl std::fmt::Debug for DisclosureBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Public once written (it exposes only the bad dealer's polynomial), but no need to print.
        f.debug_struct("DisclosureBody")
            .field("party", &self.party)
            .field("dealer", &self.dealer)
            .finish()
    }
}

/// `DkgDisclosure`: a party publishes its share of a dealer whose reveal is bad or missing, so
/// everyone rebuilds that dealer's Feldman commitments (GJKR's reconstruction).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct DisclosureFile {
    pub body: DisclosureBody,
    pub signature: OctetString,
}

pub(super) fn id32(o: &OctetString, what: &str) -> Result<()> {
    if o.as_bytes().len() != 32 {
        return Err(Error::format(format!("{what} must be 32 bytes")));
    }
    Ok(())
}

fn version(v: u8, what: &str) -> Result<()> {
    if v != 1 {
        return Err(Error::format(format!(
            "{what} version {v} is not supported"
        )));
    }
    Ok(())
}

fn index(i: u32, what: &str) -> Result<()> {
    if !(1..=MAX_SHARES).contains(&i) {
        return Err(Error::format(format!(
            "{what} index {i} is outside 1..{MAX_SHARES}"
        )));
    }
    Ok(())
}

fn count(len: usize, what: &str) -> Result<()> {
    if len > MAX_SHARES as usize {
        return Err(Error::format(format!(
            "{what}: {len} entries, at most {MAX_SHARES}"
        )));
    }
    Ok(())
}

/// 1 <= k <= n <= 255, as `share split`.
pub fn check_threshold(k: u32, n: u32) -> Result<()> {
    if k < 1 || k > n || n > MAX_SHARES {
        return Err(Error::invalid(format!(
            "threshold {k} of {n} parties: need 1 <= threshold <= parties <= {MAX_SHARES}"
        )));
    }
    Ok(())
}

/// Integers as BigUint.
pub fn values(list: &[Uint]) -> Vec<BigUint> {
    list.iter().map(from_uint).collect()
}

impl RoundFile {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let r = RoundFile::from_der(der)
            .map_err(|e| Error::format(format!("malformed DKG round: {e}")))?;
        version(r.version, "DKG round")?;
        id32(&r.round_id, "the round id")?;
        check_threshold(r.threshold, r.total).map_err(|e| Error::format(e.reason()))?;
        if r.parties.len() != r.total as usize {
            return Err(Error::format(format!(
                "the round names {} parties for {} shares",
                r.parties.len(),
                r.total
            )));
        }
        Ok(r)
    }

    /// SHA-256 of the round's DER: every file of the round is bound to it.
    pub fn digest(&self) -> Result<[u8; 32]> {
        let der = self.to_der().map_err(Error::encoding)?;
        Ok(Sha256::digest(der).into())
    }

    pub fn id_hex(&self) -> String {
        hex::encode(self.round_id.as_bytes())
    }
}

impl DealFile {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let d = DealFile::from_der(der)
            .map_err(|e| Error::format(format!("malformed DKG deal: {e}")))?;
        let b = &d.body;
        version(b.version, "DKG deal")?;
        id32(&b.round_digest, "the deal's round digest")?;
        index(b.dealer, "dealer")?;
        count(b.commitments.len(), "the deal's commitments")?;
        count(b.shares.len(), "the deal's shares")?;
        Ok(d)
    }

    /// SHA-256 of the whole file's DER: what a verdict records as seen.
    pub fn digest(&self) -> Result<[u8; 32]> {
        Ok(Sha256::digest(self.to_der().map_err(Error::encoding)?).into())
    }
}

impl ShareMessage {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let s = ShareMessage::from_der(der)
            .map_err(|e| Error::format(format!("malformed DKG share: {e}")))?;
        version(s.version, "DKG share")?;
        id32(&s.round_digest, "the share's round digest")?;
        Ok(s)
    }
}

impl PolynomialMessage {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let s = PolynomialMessage::from_der(der)
            .map_err(|e| Error::format(format!("malformed DKG polynomial: {e}")))?;
        version(s.version, "DKG polynomial")?;
        id32(&s.round_digest, "the polynomial's round digest")?;
        count(s.a.len(), "the polynomial")?;
        if s.a.len() != s.b.len() {
            return Err(Error::format(
                "the polynomial's two halves differ in length",
            ));
        }
        Ok(s)
    }
}

impl VerdictFile {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let v = VerdictFile::from_der(der)
            .map_err(|e| Error::format(format!("malformed DKG verdict: {e}")))?;
        let b = &v.body;
        version(b.version, "DKG verdict")?;
        id32(&b.round_digest, "the verdict's round digest")?;
        index(b.party, "party")?;
        count(b.seen.len(), "the verdict's deals seen")?;
        count(b.complaints.len(), "the verdict's complaints")?;
        for s in &b.seen {
            index(s.dealer, "dealer")?;
            id32(&s.deal_digest, "a deal digest")?;
        }
        for c in &b.complaints {
            index(c.dealer, "dealer")?;
            if c.reason.len() > 1024 {
                return Err(Error::format(
                    "a complaint's reason is longer than 1024 bytes",
                ));
            }
        }
        Ok(v)
    }
}

impl AnswerFile {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let a = AnswerFile::from_der(der)
            .map_err(|e| Error::format(format!("malformed DKG answer: {e}")))?;
        let b = &a.body;
        version(b.version, "DKG answer")?;
        id32(&b.round_digest, "the answer's round digest")?;
        index(b.dealer, "dealer")?;
        count(b.opened.len(), "the answer's opened shares")?;
        for o in &b.opened {
            index(o.recipient, "recipient")?;
        }
        Ok(a)
    }
}

impl RevealFile {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let r = RevealFile::from_der(der)
            .map_err(|e| Error::format(format!("malformed DKG reveal: {e}")))?;
        let b = &r.body;
        version(b.version, "DKG reveal")?;
        id32(&b.round_digest, "the reveal's round digest")?;
        index(b.dealer, "dealer")?;
        count(b.commitments.len(), "the reveal's commitments")?;
        let k = b.commitments.len();
        let p = &b.proof;
        if p.u.len() != k || p.v.len() != k || p.z.len() != k || p.z_blind.len() != k {
            return Err(Error::format(
                "the reveal's proof does not have one entry per commitment",
            ));
        }
        Ok(r)
    }
}

impl DisclosureFile {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let d = DisclosureFile::from_der(der)
            .map_err(|e| Error::format(format!("malformed DKG disclosure: {e}")))?;
        let b = &d.body;
        version(b.version, "DKG disclosure")?;
        id32(&b.round_digest, "the disclosure's round digest")?;
        index(b.party, "party")?;
        index(b.dealer, "dealer")?;
        Ok(d)
    }
}

crate::impl_typed_file!(RoundFile, ROUND_PEM_LABEL, "a DKG round");
crate::impl_typed_file!(DealFile, DEAL_PEM_LABEL, "a DKG deal");
crate::impl_typed_file!(VerdictFile, VERDICT_PEM_LABEL, "a DKG verdict");
crate::impl_typed_file!(AnswerFile, ANSWER_PEM_LABEL, "a DKG answer");
crate::impl_typed_file!(RevealFile, REVEAL_PEM_LABEL, "a DKG reveal");
crate::impl_typed_file!(DisclosureFile, DISCLOSURE_PEM_LABEL, "a DKG disclosure");
