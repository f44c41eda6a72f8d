//! The bridge between the threshold math (`rsa`, `elgamal`) and the share files (`share`): one
//! `ShareSet` for either scheme, splitting a key into files, opening and verifying shares, and
//! rebuilding the key.

use der::asn1::{GeneralizedTime, OctetString};
use der::{Decode, Encode};
use num_bigint::BigUint;
use num_traits::Zero;
use rand_core::CryptoRngCore;
use spki::SubjectPublicKeyInfoOwned;

use super::elgamal as feldman;
use super::file::{
    from_uint, to_uint, Commitments, Purpose, RsaVerificationKeys, ShareFile, ShareSetFile,
    SET_PEM_LABEL, SET_VERSION,
};
use super::rsa::{self as shoup, RsaSetPublic};
use super::validate;
use super::SecretShare;
use crate::keys::elgamal::{ElGamalPrivate, ElGamalPublic};
use crate::keys::{decode_key, encode_public_spki, Key, PrivateKey, PublicKey};
use crate::math::secret::SecretUint;
use crate::oids;
use crate::{Error, Result};

/// The public description of a set, decoded and ready for the math.
#[derive(Debug, Clone)]
pub enum SetPublic {
    Rsa(RsaSetPublic),
    ElGamal {
        public: ElGamalPublic,
        threshold: u32,
        total: u32,
        commitments: Vec<BigUint>,
    },
}

/// A decoded set together with its file form and identifier.
#[derive(Debug, Clone)]
pub struct ShareSet {
    pub file: ShareSetFile,
    pub id: [u8; 32],
    pub public: SetPublic,
}

impl SetPublic {
    pub fn threshold(&self) -> u32 {
        match self {
            SetPublic::Rsa(r) => r.threshold,
            SetPublic::ElGamal { threshold, .. } => *threshold,
        }
    }

    pub fn total(&self) -> u32 {
        match self {
            SetPublic::Rsa(r) => r.total,
            SetPublic::ElGamal { total, .. } => *total,
        }
    }

    pub fn public_key(&self) -> PublicKey {
        match self {
            SetPublic::Rsa(r) => PublicKey::Rsa(r.key.clone()),
            SetPublic::ElGamal { public, .. } => PublicKey::ElGamal(public.clone()),
        }
    }

    pub fn scheme_name(&self) -> &'static str {
        match self {
            SetPublic::Rsa(_) => "rsa-shoup",
            SetPublic::ElGamal { .. } => "elgamal-feldman",
        }
    }
}

impl ShareSet {
    /// Decode and check a ShareSetFile: scheme, public key and commitments must agree.
    pub fn from_file(file: ShareSetFile) -> Result<Self> {
        let spki = file
            .public_key
            .to_der()
            .map_err(|e| Error::format(format!("set public key: {e}")))?;
        let no_pass = || Err(Error::format("unexpected encrypted key in a share set"));
        let key = decode_key(&spki, std::path::Path::new("set"), &no_pass)?;
        let public = match (key, &file.commitments) {
            (Key::Public(PublicKey::Rsa(k)), Commitments::Rsa(rv))
                if file.scheme == oids::KMI_SCHEME_RSA_SHOUP =>
            {
                let integer = file.lineage.as_ref().and_then(|l| l.rsa.as_ref());
                SetPublic::Rsa(RsaSetPublic {
                    share_bits: integer.map_or(k.n.bits(), |r| u64::from(r.share_bits)),
                    offset: integer.map_or_else(BigUint::default, |r| from_uint(&r.offset)),
                    key: k,
                    threshold: file.threshold,
                    total: file.total,
                    v: from_uint(&rv.v),
                    verification_keys: rv.verification_keys.iter().map(from_uint).collect(),
                })
            }
            (Key::Public(PublicKey::ElGamal(k)), Commitments::ElGamal(c))
                if file.scheme == oids::KMI_SCHEME_ELGAMAL_FELDMAN =>
            {
                SetPublic::ElGamal {
                    public: k,
                    threshold: file.threshold,
                    total: file.total,
                    commitments: c.iter().map(from_uint).collect(),
                }
            }
            _ => {
                return Err(Error::format(
                    "share set scheme, public key and commitments do not agree",
                ))
            }
        };
        // Every number is validated before any arithmetic (issue 18; issue 10 item 9 for v).
        match &public {
            SetPublic::Rsa(r) => validate::rsa_set(r)?,
            SetPublic::ElGamal {
                public,
                total,
                commitments,
                ..
            } => {
                if file.purpose() != Purpose::Decrypt {
                    return Err(Error::format(
                        "an ElGamal share set can only decrypt (purpose sign is for RSA sets)",
                    ));
                }
                validate::elgamal_set(public, *total, commitments)?
            }
        }
        let id = file.set_id()?;
        Ok(ShareSet { file, id, public })
    }

    pub fn from_der(der: &[u8]) -> Result<Self> {
        Self::from_file(ShareSetFile::from_der_checked(der)?)
    }

    /// The set's file, DER-encoded.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        use der::Encode;
        self.file.to_der().map_err(Error::encoding)
    }

    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }

    /// What the set's key is for (decrypt or sign), bound in the set id.
    pub fn purpose(&self) -> Purpose {
        self.file.purpose()
    }

    /// Whether the set was dealt from a `--seed` (a fixture: the seed rebuilds every share).
    pub fn seeded(&self) -> bool {
        self.file.seeded
    }

    /// Check a share file's value and index belong to this set (setId match).
    pub fn open(&self, share: &ShareFile) -> Result<SecretShare> {
        if share.set_id.as_bytes() != self.id {
            return Err(Error::check(format!(
                "share {} belongs to another set (setId {} is not {})",
                share.index,
                short_hex(share.set_id.as_bytes()),
                short_hex(&self.id)
            )));
        }
        let value = SecretUint::new(from_uint(&share.value));
        // Shoup shares are reduced mod p'q' < N (a reshared set's integer shares lie below the
        // 2^shareBits it records), Feldman shares mod q: anything larger is not a share of this
        // set (and would only buy an attacker longer exponentiations).
        let out_of_range = match &self.public {
            SetPublic::Rsa(r) if r.offset.is_zero() => value.expose() >= &r.key.n,
            SetPublic::Rsa(r) => value.expose().bits() > r.share_bits,
            SetPublic::ElGamal { public, .. } => value.expose() >= &public.group.q,
        };
        if out_of_range {
            return Err(Error::check(format!(
                "share {} has a value out of range for its set",
                share.index
            )));
        }
        Ok(SecretShare {
            index: share.index,
            value,
        })
    }

    /// The public checks on the set alone: commitments in the subgroup (ElGamal) or the
    /// verification keys consistent with each other and the public key (RSA).
    pub fn check_public(&self) -> Result<()> {
        let ok = match &self.public {
            SetPublic::Rsa(r) => shoup::verification_keys_consistent(r),
            SetPublic::ElGamal {
                public,
                commitments,
                ..
            } => {
                feldman::commitments_in_subgroup(&public.group, commitments)
                    && commitments.first() == Some(&public.y)
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::check(
                "the share set's public commitments are inconsistent",
            ))
        }
    }

    /// Check one opened share against the public commitments.
    pub fn verify_share(&self, share: &SecretShare) -> bool {
        match &self.public {
            SetPublic::Rsa(r) => shoup::verify_share(r, share),
            SetPublic::ElGamal {
                public,
                commitments,
                ..
            } => feldman::verify_share(&public.group, commitments, share),
        }
    }

    /// Batch check of shares already checked one by one: ElGamal's one combined equation; None
    /// for RSA, where every v_i differs and the one-by-one check is all there is (repeating it,
    /// as before, doubled the cost of verifying a large set).
    pub fn batch_verify(
        &self,
        shares: &[SecretShare],
        rng: &mut dyn CryptoRngCore,
    ) -> Option<bool> {
        match &self.public {
            SetPublic::Rsa(_) => None,
            SetPublic::ElGamal {
                public,
                commitments,
                ..
            } => Some(feldman::batch_verify(
                &public.group,
                commitments,
                shares,
                rng,
            )),
        }
    }

    /// The RSA escrow test-message check over at least k shares; None for ElGamal sets (whose
    /// Feldman commitments already bind every share to the one polynomial).
    pub fn test_messages(
        &self,
        shares: &[SecretShare],
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Option<bool>> {
        match &self.public {
            SetPublic::Rsa(r) => shoup::test_messages_combine(r, &self.id, shares, rng).map(Some),
            SetPublic::ElGamal { .. } => Ok(None),
        }
    }

    /// Rebuild the whole private key from at least k good shares.
    pub fn reconstruct(
        &self,
        shares: &[SecretShare],
        rng: &mut dyn CryptoRngCore,
    ) -> Result<PrivateKey> {
        let k = self.public.threshold() as usize;
        if shares.len() < k {
            return Err(Error::check(format!(
                "{} good shares of the {k} needed: {} missing",
                shares.len(),
                k - shares.len()
            )));
        }
        match &self.public {
            SetPublic::Rsa(r) => shoup::reconstruct(r, shares, rng).map(PrivateKey::Rsa),
            SetPublic::ElGamal { public, .. } => {
                let x = feldman::reconstruct(&public.group, &public.y, &shares[..k])?;
                Ok(PrivateKey::ElGamal(ElGamalPrivate {
                    public: public.clone(),
                    x,
                }))
            }
        }
    }
}

fn short_hex(b: &[u8]) -> String {
    hex::encode(&b[..b.len().min(8)])
}

/// How a key is dealt: the set's parameters besides the key.
#[derive(Debug, Clone)]
pub struct SplitOptions {
    pub threshold: u32,
    pub total: u32,
    pub label: Option<String>,
    pub created: Option<GeneralizedTime>,
    /// What the set may do: decrypt (the default) or sign, never both (issue 10 item 3).
    pub purpose: Purpose,
    /// The dealing's randomness came from a seed: recorded in the set so readers warn.
    pub seeded: bool,
}

impl SplitOptions {
    pub fn new(threshold: u32, total: u32, purpose: Purpose) -> Self {
        SplitOptions {
            threshold,
            total,
            label: None,
            created: None,
            purpose,
            seeded: false,
        }
    }
}

/// Split a private key into a set and n share files. The key is checked in full first (the
/// registration checks of `key check` with its private part; safe primes for RSA), and the dealing
/// is checked before it is returned (set consistency, every share against its commitments, the
/// test messages over all shares), so nothing unusable is ever written while the dealer is told
/// the key may be forgotten (issue 18).
pub fn split(
    key: &PrivateKey,
    options: &SplitOptions,
    rng: &mut dyn CryptoRngCore,
) -> Result<(ShareSet, Vec<ShareFile>)> {
    let SplitOptions {
        threshold,
        total,
        ref label,
        ref created,
        purpose,
        seeded,
    } = *options;
    if threshold < 1 || threshold > total || total > 255 {
        return Err(Error::invalid(format!(
            "threshold {threshold} of {total} shares: need 1 <= threshold <= shares <= 255"
        )));
    }
    if matches!(key, PrivateKey::ElGamal(_)) && purpose == Purpose::Sign {
        return Err(Error::invalid(
            "an ElGamal key can only be split to decrypt (--purpose sign needs an RSA key)",
        ));
    }
    let full = Key::Private(key.clone());
    // Safe primes are judged by the dealing itself (`rsa::unsuitable`), with advice.
    let report = crate::keys::check::check_key(&full, false);
    if let Some(failure) = report.first_failure() {
        let check = report
            .results
            .iter()
            .find(|r| r.failure.is_some())
            .map(|r| r.check.as_str())
            .unwrap_or_default();
        return Err(Error::check(format!(
            "the key fails the check \"{check}\" ({failure}); it cannot be split"
        )));
    }
    let spki_der = encode_public_spki(&key.public())?;
    let public_key = SubjectPublicKeyInfoOwned::from_der(&spki_der)
        .map_err(|e| Error::internal(format!("SubjectPublicKeyInfo: {e}")))?;
    let (scheme, commitments, values): (_, _, Vec<(u32, SecretUint)>) = match key {
        PrivateKey::Rsa(k) => {
            let d = shoup::deal(k, threshold, total, rng)?;
            let commitments = Commitments::Rsa(RsaVerificationKeys {
                v: to_uint(&d.public.v)?,
                verification_keys: d
                    .public
                    .verification_keys
                    .iter()
                    .map(to_uint)
                    .collect::<Result<_>>()?,
            });
            (
                oids::KMI_SCHEME_RSA_SHOUP,
                commitments,
                d.shares.into_iter().map(|s| (s.index, s.value)).collect(),
            )
        }
        PrivateKey::ElGamal(k) => {
            let d = feldman::deal(k, threshold, total, rng)?;
            let commitments =
                Commitments::ElGamal(d.commitments.iter().map(to_uint).collect::<Result<_>>()?);
            (
                oids::KMI_SCHEME_ELGAMAL_FELDMAN,
                commitments,
                d.shares.into_iter().map(|s| (s.index, s.value)).collect(),
            )
        }
    };
    let file = ShareSetFile {
        version: SET_VERSION,
        scheme,
        threshold,
        total,
        purpose: purpose.code(),
        seeded,
        public_key,
        commitments,
        label: label.clone(),
        created: *created,
        lineage: None,
    };
    let set = ShareSet::from_file(file)?;
    // Check the dealing as a trustee would before anything is written.
    let opened: Vec<SecretShare> = values
        .iter()
        .map(|(index, value)| SecretShare {
            index: *index,
            value: value.clone(),
        })
        .collect();
    let dealt_ok = set.check_public().is_ok()
        && opened.iter().all(|s| set.verify_share(s))
        && set.test_messages(&opened, rng)? != Some(false);
    if !dealt_ok {
        return Err(Error::internal(
            "the dealing does not verify (commitments, shares or test messages); nothing was written",
        ));
    }
    let set_id = OctetString::new(set.id.to_vec()).map_err(Error::encoding)?;
    let shares = values
        .iter()
        .map(|(index, value)| {
            Ok(ShareFile {
                version: 1,
                set_id: set_id.clone(),
                index: *index,
                value: to_uint(value.expose())?,
                set: set.file.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((set, shares))
}

/// What a set is asked to do without rebuilding the key.
pub enum Operation<'a> {
    /// Decrypt an RSA-OAEP (SHA-256) ciphertext: the input is the raw k-byte block.
    RsaDecrypt,
    /// Sign a file: PKCS#1 v1.5 with SHA-256 over the input's bytes.
    RsaSign,
    /// Decrypt a kmi ElGamal hybrid message.
    ElGamalDecrypt(&'a crate::crypt::elgamal::KmiElGamalMessage),
    /// A trustee's work on a client's blinded input: it cannot tell what the value is.
    Blinded,
}

/// An operation with its input read once: the value the partial results are computed on, and
/// the SHA-256 of the input file that ties every partial to it.
pub struct Prepared<'a> {
    pub(super) op: Operation<'a>,
    pub(super) x: BigUint,
    pub(super) digest: [u8; 32],
    /// Set on the client's side of a blinded operation: how to remove its factor.
    pub(super) unblind: Option<super::blind::Unblinding>,
}

impl ShareSet {
    /// Check that `op` fits this set and compute its input value once. `input_bytes` are the
    /// bytes of the input file (the ciphertext, the file to sign, or the ElGamal message file).
    pub fn prepare<'a>(&self, op: Operation<'a>, input_bytes: &[u8]) -> Result<Prepared<'a>> {
        use sha2::{Digest, Sha256};
        let digest: [u8; 32] = Sha256::digest(input_bytes).into();
        self.check_purpose(&op)?;
        let x = match (&self.public, &op) {
            (SetPublic::Rsa(r), Operation::RsaDecrypt) => {
                let k = (r.key.n.bits() as usize).div_ceil(8);
                if input_bytes.len() != k {
                    return Err(Error::format(format!(
                        "an RSA ciphertext for this {}-bit key has {k} bytes, not {}",
                        r.key.n.bits(),
                        input_bytes.len()
                    )));
                }
                BigUint::from_bytes_be(input_bytes)
            }
            (SetPublic::Rsa(r), Operation::RsaSign) => {
                let k = (r.key.n.bits() as usize).div_ceil(8);
                let em = crate::crypt::rsa_pad::emsa_pkcs1_v15_sha256(&digest, k)?;
                BigUint::from_bytes_be(&em)
            }
            (SetPublic::ElGamal { .. }, Operation::ElGamalDecrypt(m)) => m.alpha(),
            (SetPublic::ElGamal { .. }, Operation::RsaSign) => {
                return Err(Error::invalid(
                    "threshold signing needs an RSA share set (ElGamal sets can only decrypt)",
                ))
            }
            _ => {
                return Err(Error::invalid(
                    "this input does not fit the share set's scheme",
                ))
            }
        };
        Ok(Prepared {
            op,
            x,
            digest,
            unblind: None,
        })
    }
}

impl ShareSet {
    /// Key separation (issue 10 item 3): a decrypt set never signs and a sign set never decrypts;
    /// blinded work (an unrestricted x^d oracle) only on decrypt sets.
    pub(super) fn check_purpose(&self, op: &Operation<'_>) -> Result<()> {
        let refuse = |what: &str| {
            Err(Error::check(format!(
                "this share set's purpose is {}: it does not {what} (deal a separate key with --purpose {} for that)",
                self.purpose().name(),
                if self.purpose() == Purpose::Sign { "decrypt" } else { "sign" },
            )))
        };
        match (self.purpose(), op) {
            (Purpose::Decrypt, Operation::RsaSign) => refuse("sign"),
            (Purpose::Sign, Operation::RsaDecrypt | Operation::ElGamalDecrypt(_)) => {
                refuse("decrypt")
            }
            (Purpose::Sign, Operation::Blinded) => refuse("work on blinded inputs"),
            _ => Ok(()),
        }
    }

    /// One trustee's partial result with its proof, tied to this set and this input.
    pub fn partial(
        &self,
        share: &SecretShare,
        input: &Prepared<'_>,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<super::file::PartialFile> {
        use super::file::{PartialFile, ProofFile};
        if !self.verify_share(share) {
            return Err(Error::check(format!(
                "share {} does not match the set's commitments",
                share.index
            )));
        }
        let (x, digest) = (&input.x, input.digest);
        if let (SetPublic::Rsa(r), Operation::RsaDecrypt) = (&self.public, &input.op) {
            // c^d of an encoded message is a signature on it: a trustee asked to decrypt a block
            // that is a signature encoding is asked to sign in disguise (Omega, seed 002 section
            // 3). Only the trustee's unblinded work is refused: a client may still blind such a
            // block (blinded work is the documented x^d oracle of decrypt sets).
            let k = (r.key.n.bits() as usize).div_ceil(8);
            let block = crate::crypt::rsa_pad::i2osp(x, k)?;
            if let Some(encoding) =
                crate::crypt::emsa::signature_encoding(&block, r.key.n.bits() as usize)
            {
                return Err(Error::check(format!(
                    "refusing to decrypt: the block parses as a signature encoding ({encoding}), so its decryption would be a signature by this key; a genuine ciphertext that happens to parse so can be decrypted blinded (kmi share blind)"
                )));
            }
        }
        let (value, c, z) = match &self.public {
            SetPublic::Rsa(r) => {
                let (xi, proof) = shoup::partial(r, share, x, rng)?;
                (xi, proof.c, proof.z)
            }
            SetPublic::ElGamal { public, .. } => {
                let (ri, proof) = feldman::partial_decrypt(&public.group, share, x, rng)?;
                (ri, proof.c, proof.z)
            }
        };
        let octets = |b: Vec<u8>| OctetString::new(b).map_err(Error::encoding);
        Ok(PartialFile {
            version: 1,
            set_id: octets(self.id.to_vec())?,
            index: share.index,
            input_digest: octets(digest.to_vec())?,
            value: to_uint(&value)?,
            proof: ProofFile {
                c: to_uint(&c)?,
                z: to_uint(&z)?,
            },
        })
    }

    /// Why a partial cannot be used for this input, or None when its proof checks out.
    pub fn check_partial(
        &self,
        p: &super::file::PartialFile,
        input: &Prepared<'_>,
    ) -> Result<Option<String>> {
        let (x, digest) = (&input.x, input.digest);
        if p.set_id.as_bytes() != self.id {
            return Ok(Some("belongs to another set (setId mismatch)".into()));
        }
        if p.input_digest.as_bytes() != digest {
            return Ok(Some(
                "was made for another input (inputDigest mismatch)".into(),
            ));
        }
        if p.index < 1 || p.index > self.public.total() {
            return Ok(Some(format!(
                "index {} is outside 1..{}",
                p.index,
                self.public.total()
            )));
        }
        let value = from_uint(&p.value);
        let (c, z) = (from_uint(&p.proof.c), from_uint(&p.proof.z));
        let ok = match &self.public {
            SetPublic::Rsa(r) => {
                shoup::verify_partial(r, p.index, x, &value, &super::Proof { c, z })
            }
            SetPublic::ElGamal {
                public,
                commitments,
                ..
            } => feldman::verify_partial(
                &public.group,
                commitments,
                p.index,
                x,
                &value,
                &super::Proof { c, z },
            ),
        };
        Ok((!ok).then(|| {
            "its proof of correctness does not verify (wrong value or forged proof)".into()
        }))
    }

    /// Combine k verified partials into the standard result: the OAEP plaintext, the PKCS#1 v1.5
    /// signature, or the ElGamal payload.
    pub fn combine(
        &self,
        partials: &[super::file::PartialFile],
        input: &Prepared<'_>,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let k = self.public.threshold() as usize;
        if partials.len() < k {
            return Err(Error::check(format!(
                "only {} good partial result(s) of the {k} needed: {} missing",
                partials.len(),
                k - partials.len()
            )));
        }
        let x = &input.x;
        let values: Vec<(u32, BigUint)> = partials[..k]
            .iter()
            .map(|p| (p.index, from_uint(&p.value)))
            .collect();
        let unblind = |y: BigUint| match &input.unblind {
            Some(u) => u.apply(&y),
            None => y,
        };
        match (&self.public, &input.op) {
            (SetPublic::Rsa(r), Operation::RsaDecrypt) => {
                let y = unblind(shoup::combine(r, x, &values)?);
                let len = (r.key.n.bits() as usize).div_ceil(8);
                let em = zeroize::Zeroizing::new(crate::crypt::rsa_pad::i2osp(&y, len)?);
                crate::crypt::rsa_pad::eme_oaep_sha256_decode(&em)
            }
            (SetPublic::Rsa(r), Operation::RsaSign) => {
                let y = unblind(shoup::combine(r, x, &values)?);
                // A signature that does not verify is never written (a wrong factor, or a fault).
                let signed_value = input.unblind.as_ref().map_or(x, |u| u.original());
                let k = (r.key.n.bits() as usize).div_ceil(8);
                if &crate::math::modular::pow_mod(&y, &r.key.e, &r.key.n) != signed_value {
                    return Err(Error::check(
                        "the combined signature does not verify (wrong blinding factor?)",
                    ));
                }
                Ok(zeroize::Zeroizing::new(crate::crypt::rsa_pad::i2osp(
                    &y, k,
                )?))
            }
            (SetPublic::ElGamal { public, .. }, Operation::ElGamalDecrypt(m)) => {
                let shared = unblind(feldman::combine(&public.group, &values)?);
                crate::crypt::elgamal::decrypt_with_shared(&public.group, m, &shared)
            }
            (_, Operation::Blinded) => Err(Error::invalid(
                "partials on a blinded input are combined by the client that blinded it (kmi share combine --factor FILE)",
            )),
            _ => Err(Error::invalid(
                "this input does not fit the share set's scheme",
            )),
        }
    }
}

/// A set file read as a `ShareSet` is decoded and checked (its public part validated) in one go.
impl der::pem::PemLabel for ShareSet {
    const PEM_LABEL: &'static str = SET_PEM_LABEL;
}

impl crate::io::typed::TypedFile for ShareSet {
    const WHAT: &'static str = "a share set";
    fn from_der_checked(der: &[u8]) -> Result<Self> {
        ShareSet::from_der(der)
    }
    fn to_der_checked(&self) -> Result<Vec<u8>> {
        self.to_der()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::elgamal::{generate_key, NamedGroup};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn split_verify_reconstruct_elgamal_through_files() {
        let mut rng = ChaCha20Rng::from_seed([21; 32]);
        let key = PrivateKey::ElGamal(generate_key(NamedGroup::Ffdhe2048.group(), &mut rng));
        let options = SplitOptions {
            label: Some("t".into()),
            ..SplitOptions::new(2, 3, Purpose::Decrypt)
        };
        let (set, shares) = split(&key, &options, &mut rng).unwrap();
        set.check_public().unwrap();
        let reparsed = ShareSet::from_der(&set.file.to_der().unwrap()).unwrap();
        assert_eq!(reparsed.id, set.id);
        let opened: Vec<SecretShare> = shares
            .iter()
            .map(|s| ShareFile::from_der_checked(&s.to_der().unwrap()).unwrap())
            .map(|s| reparsed.open(&s).unwrap())
            .collect();
        assert!(opened.iter().all(|s| reparsed.verify_share(s)));
        assert_eq!(reparsed.batch_verify(&opened, &mut rng), Some(true));
        let rebuilt = reparsed.reconstruct(&opened[1..], &mut rng).unwrap();
        assert_eq!(rebuilt.public(), key.public());
    }
}
