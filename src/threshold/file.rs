//! The share file formats of formats.md section 3, one Rust type per ASN.1 production: the
//! production `ShareSetFile` is `ShareSetFile`, `ShareFile` is `ShareFile`, `PartialFile` is
//! `PartialFile` (the checked, decoded forms are `set::ShareSet` and `SecretShare`).
//!
//! ```text
//! ShareFile ::= SEQUENCE {
//!   version      INTEGER (1),
//!   setId        OCTET STRING (SIZE(32)),  -- SHA-256 of the DER of ShareSetFile
//!   index        INTEGER (1..n),
//!   value        INTEGER,                  -- s_i
//!   set          ShareSetFile,
//!   blinding     [0] IMPLICIT INTEGER OPTIONAL }   -- r_i = b(i), exactly when the set is Pedersen
//! ShareSetFile ::= SEQUENCE {
//!   version      INTEGER (2),
//!   scheme       OBJECT IDENTIFIER,        -- id-kmi-scheme-rsaShoup | -elgamalFeldman
//!   threshold    INTEGER,                  -- 1 <= k <= n
//!   total        INTEGER,                  -- n <= 255
//!   purpose      INTEGER { decrypt(1), sign(2) },
//!   seeded       BOOLEAN,                  -- TRUE: dealt from --seed (a fixture, not a secret)
//!   publicKey    SubjectPublicKeyInfo,
//!   commitments  CHOICE {
//!      rsa     [0] IMPLICIT SEQUENCE { v INTEGER, verificationKeys SEQUENCE OF INTEGER },
//!      elgamal [1] IMPLICIT SEQUENCE OF INTEGER },
//!   label        UTF8String OPTIONAL,
//!   created      GeneralizedTime OPTIONAL,
//!   lineage      [0] IMPLICIT Lineage OPTIONAL,    -- present on sets made by a reshare
//!   pedersen     [1] IMPLICIT PedersenCommitments OPTIONAL }  -- share split --vss pedersen
//! PedersenCommitments ::= SEQUENCE {               -- docs/dkg.md section 8
//!   hDerivation  UTF8String,                       -- "kmi dkg h v1" (docs/dkg.md section 2)
//!   hCounter     INTEGER, h INTEGER,               -- derived again by every reader
//!   commitments  SEQUENCE OF INTEGER }             -- k values g^(a_t) h^(b_t)
//! Lineage ::= SEQUENCE {                           -- docs/reshare.md
//!   previousSetId OCTET STRING (SIZE(32)),         -- the set the round started from
//!   roundId       OCTET STRING (SIZE(32)),         -- the reshare round that made this set
//!   generation    INTEGER (1..MAX),                -- reshares since the original dealing
//!   rsa           [0] IMPLICIT SEQUENCE {          -- Shoup sets only:
//!      offset    INTEGER,                         --   the shares interpolate to d + offset
//!      shareBits INTEGER } OPTIONAL }             --   every share value is below 2^shareBits
//! -- version 2 added purpose and seeded (issue 10 items 3 and 4); version 1 sets are refused.
//! -- Both sit inside the set, so the setId (its SHA-256) and every share, which carries the set,
//! -- bind them: changing either changes the set id and orphans every share and partial.
//! PartialFile ::= SEQUENCE {
//!   version INTEGER (1), setId OCTET STRING, index INTEGER, inputDigest OCTET STRING,
//!   value INTEGER, proof SEQUENCE { c INTEGER, z INTEGER } }
//! ```

use der::asn1::{GeneralizedTime, ObjectIdentifier, OctetString, Uint};
use der::{Choice, Decode, Encode, Sequence};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoOwned;

use crate::{Error, Result};

pub const SHARE_PEM_LABEL: &str = "KMI SHARE";
pub const SET_PEM_LABEL: &str = "KMI SHARE SET";
pub const PARTIAL_PEM_LABEL: &str = "KMI PARTIAL";

/// The ShareSetFile version this kmi writes and reads.
pub const SET_VERSION: u8 = 2;

/// What a set's key is for: key separation, as PKI separates signing and encryption keys
/// (issue 10 item 3). A decrypt set's partials never make a signature that kmi combines, and a
/// sign set never decrypts, so trustees asked to "decrypt" cannot be made to sign.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Purpose {
    Decrypt = 1,
    Sign = 2,
}

impl Purpose {
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Purpose::Decrypt),
            2 => Some(Purpose::Sign),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Purpose::Decrypt => "decrypt",
            Purpose::Sign => "sign",
        }
    }
}

/// `rsa [0] IMPLICIT SEQUENCE { v INTEGER, verificationKeys SEQUENCE OF INTEGER }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct RsaVerificationKeys {
    pub v: Uint,
    pub verification_keys: Vec<Uint>,
}

/// The public commitments of a set: Shoup verification keys or Feldman commitments.
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
pub enum Commitments {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", constructed = "true")]
    Rsa(RsaVerificationKeys),
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    ElGamal(Vec<Uint>),
}

/// `ShareSetFile`: the public description of a dealt set.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ShareSetFile {
    pub version: u8,
    pub scheme: ObjectIdentifier,
    pub threshold: u32,
    pub total: u32,
    /// `Purpose` code: 1 decrypt, 2 sign.
    pub purpose: u8,
    /// Dealt from a `--seed`: the seed alone rebuilds every share, so readers warn.
    pub seeded: bool,
    pub public_key: SubjectPublicKeyInfoOwned,
    pub commitments: Commitments,
    #[asn1(optional = "true")]
    pub label: Option<String>,
    #[asn1(optional = "true")]
    pub created: Option<GeneralizedTime>,
    /// Where a reshared set came from (absent on a dealt set, so older set ids are unchanged).
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub lineage: Option<Lineage>,
    /// A Pedersen-dealt set's second commitments (absent on Feldman sets, so their ids are
    /// unchanged); the Feldman `commitments` are published too, as GJKR's extraction phase
    /// does, because partial results are checked against g^(s_i).
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub pedersen: Option<PedersenCommitments>,
}

/// `PedersenCommitments`: C_t = g^(a_t) h^(b_t) of a set dealt with `share split --vss
/// pedersen` (docs/dkg.md section 8), with h's derivation so every reader derives it again.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PedersenCommitments {
    pub h_derivation: String,
    pub h_counter: u32,
    pub h: Uint,
    pub commitments: Vec<Uint>,
}

/// `Lineage`: how a reshared set descends from the set its round started from.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct Lineage {
    pub previous_set_id: OctetString,
    pub round_id: OctetString,
    pub generation: u32,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub rsa: Option<RsaIntegerShares>,
}

/// `rsa [0] IMPLICIT SEQUENCE { offset INTEGER, shareBits INTEGER }`: a reshared Shoup set's
/// shares are integers (the trustees never knew p'q'), interpolating to d + offset, each below
/// 2^shareBits (docs/reshare.md section 3).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct RsaIntegerShares {
    pub offset: Uint,
    pub share_bits: u32,
}

/// `ShareFile`: one trustee's share with the set it belongs to. Debug prints the value as
/// "\[secret\]" (issue 10 item 11). der's `Uint` cannot be wiped in place: the arithmetic copy
/// (`SecretShare::value`, a `SecretUint`) is what lives long.
#[derive(Clone, Eq, PartialEq, Sequence)]
pub struct ShareFile {
    pub version: u8,
    pub set_id: OctetString,
    pub index: u32,
    pub value: Uint,
    pub set: ShareSetFile,
    /// r_i = b(i) of a Pedersen-dealt set (present exactly when the set has `pedersen`).
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub blinding: Option<Uint>,
}

impl std::fmt::Debug for ShareFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareFile")
            .field("version", &self.version)
            .field("set_id", &self.set_id)
            .field("index", &self.index)
            .field("value", &"[secret]")
            .field("set", &self.set)
            .field("blinding", &self.blinding.as_ref().map(|_| "[secret]"))
            .finish()
    }
}

/// `proof SEQUENCE { c INTEGER, z INTEGER }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ProofFile {
    pub c: Uint,
    pub z: Uint,
}

/// `PartialFile`: one trustee's partial result with its proof of correctness.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PartialFile {
    pub version: u8,
    pub set_id: OctetString,
    pub index: u32,
    pub input_digest: OctetString,
    pub value: Uint,
    pub proof: ProofFile,
}

/// A big integer as a DER INTEGER.
pub fn to_uint(n: &BigUint) -> Result<Uint> {
    Uint::new(&n.to_bytes_be()).map_err(|e| Error::internal(format!("INTEGER encoding: {e}")))
}

pub fn from_uint(u: &Uint) -> BigUint {
    BigUint::from_bytes_be(u.as_bytes())
}

impl ShareSetFile {
    /// The set's purpose (checked on read, so a decoded set always has one).
    pub fn purpose(&self) -> Purpose {
        Purpose::from_code(self.purpose).unwrap_or(Purpose::Decrypt)
    }

    /// setId: SHA-256 of the set's DER, which ties every share and partial to exactly this set.
    pub fn set_id(&self) -> Result<[u8; 32]> {
        let der = self
            .to_der()
            .map_err(|e| Error::internal(format!("share set encoding: {e}")))?;
        Ok(Sha256::digest(der).into())
    }

    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let set = ShareSetFile::from_der(der)
            .map_err(|e| Error::format(format!("malformed share set: {e}")))?;
        set.validate()?;
        Ok(set)
    }

    fn validate(&self) -> Result<()> {
        if self.version != SET_VERSION {
            return Err(Error::format(format!(
                "share set version {} is not supported (kmi reads version {SET_VERSION}, which records the set's purpose; deal the key again)",
                self.version
            )));
        }
        if Purpose::from_code(self.purpose).is_none() {
            return Err(Error::format(format!(
                "share set purpose {} is neither decrypt (1) nor sign (2)",
                self.purpose
            )));
        }
        if self.threshold < 1 || self.threshold > self.total || self.total > 255 {
            return Err(Error::format(format!(
                "share set threshold {} of {} is impossible",
                self.threshold, self.total
            )));
        }
        if let Some(l) = &self.lineage {
            if l.previous_set_id.as_bytes().len() != 32 || l.round_id.as_bytes().len() != 32 {
                return Err(Error::format(
                    "share set lineage: previousSetId and roundId must be 32 bytes",
                ));
            }
            if l.generation < 1 {
                return Err(Error::format(
                    "share set lineage: generation must be at least 1",
                ));
            }
            let rsa_scheme = matches!(self.commitments, Commitments::Rsa(_));
            if l.rsa.is_some() != rsa_scheme {
                return Err(Error::format(
                    "share set lineage: integer share bounds belong to RSA sets, and only to them",
                ));
            }
        }
        if let Some(pd) = &self.pedersen {
            if !matches!(self.commitments, Commitments::ElGamal(_))
                || pd.commitments.len() != self.threshold as usize
            {
                return Err(Error::format(
                    "share set Pedersen commitments: ElGamal sets only, k of them",
                ));
            }
        }
        match &self.commitments {
            Commitments::Rsa(r) if r.verification_keys.len() != self.total as usize => Err(
                Error::format("share set has the wrong number of verification keys"),
            ),
            Commitments::ElGamal(c) if c.len() != self.threshold as usize => Err(Error::format(
                "share set has the wrong number of commitments",
            )),
            _ => Ok(()),
        }
    }
}

crate::impl_typed_file!(ShareSetFile, SET_PEM_LABEL, "a share set");
crate::impl_typed_file!(ShareFile, SHARE_PEM_LABEL, "a share");
crate::impl_typed_file!(PartialFile, PARTIAL_PEM_LABEL, "a partial result");

impl ShareFile {
    /// This share enveloped for one trustee: CMS EnvelopedData with content type
    /// id-kmi-ct-share (formats.md section 3), PEM "CMS", the form `share split --to` writes.
    /// The plaintext DER is wiped once sealed.
    pub fn seal_for(
        &self,
        recipient: &crate::cms::Recipient,
        rng: &mut dyn rand_core::CryptoRngCore,
    ) -> Result<zeroize::Zeroizing<String>> {
        let der = zeroize::Zeroizing::new(self.to_der().map_err(Error::encoding)?);
        let env = crate::cms::envelope(
            &der,
            crate::oids::KMI_CT_SHARE,
            std::slice::from_ref(recipient),
            rng,
        )?;
        crate::io::encode_pem("CMS", &env).map(zeroize::Zeroizing::new)
    }

    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let share =
            ShareFile::from_der(der).map_err(|e| Error::format(format!("malformed share: {e}")))?;
        if share.version != 1 {
            return Err(Error::format(format!(
                "share version {} is not supported",
                share.version
            )));
        }
        share.set.validate()?;
        if share.index < 1 || share.index > share.set.total {
            return Err(Error::format(format!(
                "share index {} is outside 1..{}",
                share.index, share.set.total
            )));
        }
        if share.blinding.is_some() != share.set.pedersen.is_some() {
            return Err(Error::format(
                "a share carries a blinding value exactly when its set is Pedersen-dealt",
            ));
        }
        if share.set_id.as_bytes() != share.set.set_id()? {
            return Err(Error::format(
                "share's setId does not match the set it carries",
            ));
        }
        Ok(share)
    }
}

impl PartialFile {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let p = PartialFile::from_der(der)
            .map_err(|e| Error::format(format!("malformed partial: {e}")))?;
        if p.version != 1 {
            return Err(Error::format(format!(
                "partial version {} is not supported",
                p.version
            )));
        }
        if p.set_id.as_bytes().len() != 32 || p.input_digest.as_bytes().len() != 32 {
            return Err(Error::format(
                "partial's setId or inputDigest is not 32 bytes",
            ));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::elgamal::NamedGroup;
    use crate::keys::{encode_public_spki, PublicKey};

    fn sample_set() -> ShareSetFile {
        let mut rng = rand_chacha::ChaCha20Rng::from_seed([5; 32]);
        use rand_core::SeedableRng;
        let key = crate::keys::elgamal::generate_key(NamedGroup::Ffdhe2048.group(), &mut rng);
        let spki = encode_public_spki(&PublicKey::ElGamal(key.public.clone())).unwrap();
        ShareSetFile {
            version: SET_VERSION,
            scheme: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.1.2.2"),
            threshold: 2,
            total: 3,
            purpose: 1,
            seeded: false,
            public_key: SubjectPublicKeyInfoOwned::from_der(&spki).unwrap(),
            commitments: Commitments::ElGamal(vec![
                to_uint(&key.public.y).unwrap(),
                to_uint(&BigUint::from(4u32)).unwrap(),
            ]),
            label: Some("test set".into()),
            created: None,
            lineage: None,
            pedersen: None,
        }
    }

    #[test]
    fn share_round_trips_and_set_id_binds() {
        let set = sample_set();
        let share = ShareFile {
            version: 1,
            set_id: OctetString::new(set.set_id().unwrap().to_vec()).unwrap(),
            index: 2,
            value: to_uint(&BigUint::from(12345u32)).unwrap(),
            set: set.clone(),
            blinding: None,
        };
        let der = share.to_der().unwrap();
        let back = ShareFile::from_der_checked(&der).unwrap();
        assert_eq!(back, share);
        // Debug never shows the share value (12345 = 0x3039).
        let debug = format!("{share:?}");
        assert!(
            debug.contains("[secret]") && !debug.contains("12345") && !debug.contains("48, 57")
        );
        // The elgamal arm is [1] IMPLICIT, constructed: tag 0xA1; the rsa arm would be 0xA0.
        assert_eq!(set.commitments.to_der().unwrap()[0], 0xa1);
        let mut other = share.clone();
        other.set.label = Some("another set".into());
        assert!(ShareFile::from_der_checked(&other.to_der().unwrap()).is_err());
    }

    #[test]
    fn impossible_sets_are_refused() {
        let mut set = sample_set();
        set.threshold = 4;
        assert!(ShareSetFile::from_der_checked(&set.to_der().unwrap()).is_err());
        let mut set = sample_set();
        set.purpose = 3;
        assert!(ShareSetFile::from_der_checked(&set.to_der().unwrap()).is_err());
        let mut set = sample_set();
        set.version = 1;
        assert!(ShareSetFile::from_der_checked(&set.to_der().unwrap()).is_err());
    }

    #[test]
    fn purpose_and_seeded_change_the_set_id() {
        let set = sample_set();
        let mut sign = set.clone();
        sign.purpose = Purpose::Sign.code();
        let mut seeded = set.clone();
        seeded.seeded = true;
        let id = set.set_id().unwrap();
        assert_ne!(id, sign.set_id().unwrap());
        assert_ne!(id, seeded.set_id().unwrap());
    }
}
