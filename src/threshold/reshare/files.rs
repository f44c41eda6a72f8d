//! The file formats of a reshare round (docs/reshare.md section 5), one Rust type per ASN.1
//! production, each decoded with its sizes and ranges checked before any arithmetic (every file
//! is hostile).
//!
//! ```text
//! ReshareRound ::= SEQUENCE {              -- PEM "KMI RESHARE ROUND": fixed before anyone deals
//!   version        INTEGER (1),
//!   roundId        OCTET STRING (SIZE(32)),   -- fresh random
//!   previousSetId  OCTET STRING (SIZE(32)),   -- the set being reshared
//!   threshold      INTEGER,                   -- k2
//!   total          INTEGER,                   -- n2
//!   trustees       SEQUENCE OF Certificate,   -- the new trustees, trustee i at position i
//!   label          UTF8String OPTIONAL }
//! ReshareDeal ::= SEQUENCE {               -- PEM "KMI RESHARE DEAL": one old trustee's dealing
//!   version        INTEGER (1),
//!   roundDigest    OCTET STRING (SIZE(32)),   -- SHA-256 of the ReshareRound DER
//!   roundId        OCTET STRING (SIZE(32)),
//!   previousSetId  OCTET STRING (SIZE(32)),
//!   dealer         INTEGER,                   -- the old share index j
//!   commitments    SEQUENCE OF INTEGER,       -- k2 values: g^(a_t) mod p, or v^(a_t) mod N
//!   subShares      SEQUENCE OF OCTET STRING } -- n2 CMS ContentInfo DERs, the i-th to trustee i
//! SubShare ::= SEQUENCE {                  -- inside the i-th envelope (id-kmi-ct-reshareSubShare)
//!   version INTEGER (1), roundDigest OCTET STRING, dealer INTEGER, recipient INTEGER,
//!   value INTEGER }
//! ```

use der::asn1::{OctetString, Uint};
use der::{Decode, Encode, Sequence};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::threshold::elgamal::MAX_SHARES;
use crate::{Error, Result};

pub const ROUND_PEM_LABEL: &str = "KMI RESHARE ROUND";
pub const DEAL_PEM_LABEL: &str = "KMI RESHARE DEAL";

/// `ReshareRound`: everything fixed before anyone deals.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct RoundFile {
    pub version: u8,
    pub round_id: OctetString,
    pub previous_set_id: OctetString,
    pub threshold: u32,
    pub total: u32,
    pub trustees: Vec<Certificate>,
    #[asn1(optional = "true")]
    pub label: Option<String>,
}

/// `ReshareDeal`: one old trustee's sub-dealing of its share to the new trustees.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct DealFile {
    pub version: u8,
    pub round_digest: OctetString,
    pub round_id: OctetString,
    pub previous_set_id: OctetString,
    pub dealer: u32,
    pub commitments: Vec<Uint>,
    pub sub_shares: Vec<OctetString>,
}

/// `SubShare`: the value one old trustee deals to one new trustee. Debug never shows the value.
#[derive(Clone, Eq, PartialEq, Sequence)]
pub struct SubShareFile {
    pub version: u8,
    pub round_digest: OctetString,
    pub dealer: u32,
    pub recipient: u32,
    pub value: Uint,
}

impl std::fmt::Debug for SubShareFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubShareFile")
            .field("dealer", &self.dealer)
            .field("recipient", &self.recipient)
            .field("value", &"[secret]")
            .finish()
    }
}

fn id32(o: &OctetString, what: &str) -> Result<()> {
    if o.as_bytes().len() != 32 {
        return Err(Error::format(format!("{what} must be 32 bytes")));
    }
    Ok(())
}

/// Threshold limits of a round (as `share split`'s): 1 <= k2 <= n2 <= 255.
pub fn check_threshold(k2: u32, n2: u32) -> Result<()> {
    if k2 < 1 || k2 > n2 || n2 > MAX_SHARES {
        return Err(Error::invalid(format!(
            "threshold {k2} of {n2} shares: need 1 <= threshold <= shares <= {MAX_SHARES}"
        )));
    }
    Ok(())
}

impl RoundFile {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let r = RoundFile::from_der(der)
            .map_err(|e| Error::format(format!("malformed reshare round: {e}")))?;
        if r.version != 1 {
            return Err(Error::format(format!(
                "reshare round version {} is not supported",
                r.version
            )));
        }
        id32(&r.round_id, "the round id")?;
        id32(&r.previous_set_id, "the round's previous set id")?;
        check_threshold(r.threshold, r.total).map_err(|e| Error::format(e.reason()))?;
        if r.trustees.len() != r.total as usize {
            return Err(Error::format(format!(
                "the round names {} trustees for {} shares",
                r.trustees.len(),
                r.total
            )));
        }
        Ok(r)
    }

    /// SHA-256 of the round's DER: what every deal and sub-share is bound to, so a deal for
    /// another round, another set, another threshold or a swapped trustee list is refused.
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
            .map_err(|e| Error::format(format!("malformed reshare deal: {e}")))?;
        if d.version != 1 {
            return Err(Error::format(format!(
                "reshare deal version {} is not supported",
                d.version
            )));
        }
        id32(&d.round_digest, "the deal's round digest")?;
        id32(&d.round_id, "the deal's round id")?;
        id32(&d.previous_set_id, "the deal's previous set id")?;
        if d.dealer < 1 || d.dealer > MAX_SHARES {
            return Err(Error::format(format!(
                "dealer index {} is outside 1..{MAX_SHARES}",
                d.dealer
            )));
        }
        if d.commitments.is_empty() || d.commitments.len() > MAX_SHARES as usize {
            return Err(Error::format("a deal has 1 to 255 commitments"));
        }
        if d.sub_shares.is_empty() || d.sub_shares.len() > MAX_SHARES as usize {
            return Err(Error::format("a deal has 1 to 255 sub-shares"));
        }
        Ok(d)
    }

    pub fn commitment_values(&self) -> Vec<BigUint> {
        self.commitments
            .iter()
            .map(crate::threshold::file::from_uint)
            .collect()
    }
}

impl SubShareFile {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let s = SubShareFile::from_der(der)
            .map_err(|e| Error::format(format!("malformed sub-share: {e}")))?;
        if s.version != 1 {
            return Err(Error::format(format!(
                "sub-share version {} is not supported",
                s.version
            )));
        }
        id32(&s.round_digest, "the sub-share's round digest")?;
        Ok(s)
    }
}

crate::impl_typed_file!(RoundFile, ROUND_PEM_LABEL, "a reshare round");
crate::impl_typed_file!(DealFile, DEAL_PEM_LABEL, "a reshare deal");
