//! Client-side blinding, so the trustees who compute partial results never see what they work on.
//!
//! The escrow protocol's Omega blinding: the client who owns a ciphertext (or a file to sign)
//! multiplies the value by a random factor that only it knows, the trustees compute their partial
//! results on the blinded value (which is uniformly distributed, so it tells them nothing), and
//! the client removes the factor after combining.
//!
//! - RSA: x' = x * r^e mod N for a random unit r; combining gives x'^d = x^d * r, and the client
//!   multiplies by r^-1.
//! - ElGamal: alpha' = alpha^u for a random u in [1, q); combining gives alpha'^x = (alpha^x)^u,
//!   and the client raises it to u^-1 mod q.
//!
//! ```text
//! KmiBlindedInput ::= SEQUENCE {          -- PEM "KMI BLINDED INPUT", handed to the trustees
//!   version    INTEGER (1),
//!   setId      OCTET STRING,
//!   operation  INTEGER { rsaDecrypt(1), rsaSign(2), elgamalDecrypt(3) },
//!   value      INTEGER }                  -- x' or alpha'
//! KmiBlindingFactor ::= SEQUENCE {        -- PEM "KMI BLINDING FACTOR", secret, kept by the client
//!   version     INTEGER (1),
//!   setId       OCTET STRING,
//!   inputDigest OCTET STRING,             -- SHA-256 of the original input file
//!   operation   INTEGER,
//!   factor      INTEGER }                 -- r or u
//! ```
//! A partial on a blinded input carries inputDigest = SHA-256 of the DER of KmiBlindedInput, so
//! the client can recompute it from the original input and the factor.
//!
//! What blinding gives away: a trustee cannot see what it raises to d, so k trustees who work on
//! blinded inputs are an unrestricted x^d oracle on the set's key. On a key that signs, that is a
//! blind-signature oracle (anyone may obtain a signature on anything: the chosen-message attack of
//! the Omega paper, seed 002 section 3). kmi therefore offers blinding only on decrypt sets
//! (purpose decrypt, issue 10 item 3), whose key never signs: `kmi ccm sign` refuses them, and a
//! signature by a decrypt-only key is worth nothing to a verifier that checks key purpose.

use der::asn1::{OctetString, Uint};
use der::{Decode, Encode, Sequence};
use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::One;
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};

use super::file::{from_uint, to_uint};
use super::set::{Operation, Prepared, SetPublic, ShareSet};
use crate::math::modular::{mod_inverse, pow_mod, pow_mod_secret, random_range};
use crate::math::secret::SecretUint;
use crate::{Error, Result};

pub const BLINDED_PEM_LABEL: &str = "KMI BLINDED INPUT";
pub const FACTOR_PEM_LABEL: &str = "KMI BLINDING FACTOR";

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct KmiBlindedInput {
    pub version: u8,
    pub set_id: OctetString,
    pub operation: u8,
    pub value: Uint,
}

/// The client's secret, written 0600. Debug is not derived: the factor unblinds every partial
/// made on it. Arithmetic copies live in `SecretUint`, which is wiped on drop.
#[derive(Clone, Eq, PartialEq, Sequence)]
pub struct KmiBlindingFactor {
    pub version: u8,
    pub set_id: OctetString,
    pub input_digest: OctetString,
    pub operation: u8,
    pub factor: Uint,
}

crate::impl_typed_file!(KmiBlindedInput, BLINDED_PEM_LABEL, "a blinded input");
crate::impl_typed_file!(KmiBlindingFactor, FACTOR_PEM_LABEL, "a blinding factor");

/// The operation codes of KmiBlindedInput.
const OP_RSA_DECRYPT: u8 = 1;
const OP_RSA_SIGN: u8 = 2;
const OP_ELGAMAL_DECRYPT: u8 = 3;

impl KmiBlindedInput {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let b = KmiBlindedInput::from_der(der)
            .map_err(|e| Error::format(format!("malformed blinded input: {e}")))?;
        if b.version != 1 || !(1..=3).contains(&b.operation) || b.set_id.as_bytes().len() != 32 {
            return Err(Error::format(
                "unsupported blinded input version, operation or set id",
            ));
        }
        Ok(b)
    }

    /// What the trustee is asked to do, in words (it cannot check it: that is the point).
    pub fn operation_name(&self) -> &'static str {
        match self.operation {
            OP_RSA_SIGN => "blinded signature",
            _ => "blinded decryption",
        }
    }
}

impl KmiBlindingFactor {
    pub fn from_der_checked(der: &[u8]) -> Result<Self> {
        let f = KmiBlindingFactor::from_der(der)
            .map_err(|e| Error::format(format!("malformed blinding factor: {e}")))?;
        if f.version != 1 || !(1..=3).contains(&f.operation) {
            return Err(Error::format(
                "unsupported blinding factor version or operation",
            ));
        }
        Ok(f)
    }
}

/// What the combining client does after the standard combination: remove its factor.
pub(super) struct Unblinding {
    kind: UnblindingKind,
    /// The value before blinding, which the unblinded result is checked against.
    original: BigUint,
}

/// Each kind carries the numbers of the set it was made for, so applying it needs nothing else
/// (and cannot meet another scheme's set).
enum UnblindingKind {
    /// Multiply y' by r^-1 mod N.
    Rsa { r_inv: SecretUint, n: BigUint },
    /// Raise alpha'^x to u^-1 mod q, in the group mod p.
    ElGamal {
        u_inv: SecretUint,
        p: BigUint,
        q_bits: u64,
    },
}

impl Unblinding {
    pub(super) fn original(&self) -> &BigUint {
        &self.original
    }

    pub(super) fn apply(&self, y: &BigUint) -> BigUint {
        match &self.kind {
            UnblindingKind::Rsa { r_inv, n } => y * r_inv.expose() % n,
            UnblindingKind::ElGamal { u_inv, p, q_bits } => {
                pow_mod_secret(y, u_inv.expose(), p, *q_bits)
            }
        }
    }
}

fn operation_code(op: &Operation<'_>) -> Result<u8> {
    match op {
        Operation::RsaDecrypt => Ok(OP_RSA_DECRYPT),
        Operation::RsaSign => Ok(OP_RSA_SIGN),
        Operation::ElGamalDecrypt(_) => Ok(OP_ELGAMAL_DECRYPT),
        Operation::Blinded => Err(Error::invalid("a blinded input cannot be blinded again")),
    }
}

impl ShareSet {
    /// Blind a prepared input: the value for the trustees and the factor the client keeps.
    pub fn blind(
        &self,
        input: &Prepared<'_>,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<(KmiBlindedInput, KmiBlindingFactor)> {
        self.check_purpose(&Operation::Blinded)?;
        let operation = operation_code(&input.op)?;
        let factor = SecretUint::new(match &self.public {
            SetPublic::Rsa(r) => loop {
                let candidate = random_range(rng, &BigUint::from(2u32), &r.key.n);
                if candidate.gcd(&r.key.n).is_one() {
                    break candidate;
                }
            },
            SetPublic::ElGamal { public, .. } => {
                random_range(rng, &BigUint::one(), &public.group.q)
            }
        });
        let octets = |b: &[u8]| OctetString::new(b).map_err(Error::encoding);
        let file = KmiBlindingFactor {
            version: 1,
            set_id: octets(&self.id)?,
            input_digest: octets(&input.digest)?,
            operation,
            factor: to_uint(factor.expose())?,
        };
        let (blinded, _) = self.blinded_pair(input, &file)?;
        Ok((blinded, file))
    }

    /// The trustee's view of a blinded input: the value to work on, tied to the blinded file.
    pub fn prepare_blinded(&self, blinded: &KmiBlindedInput) -> Result<Prepared<'static>> {
        if blinded.set_id.as_bytes() != self.id {
            return Err(Error::check(
                "the blinded input was made for another share set (setId mismatch)",
            ));
        }
        self.check_purpose(&Operation::Blinded)?;
        if blinded.operation == OP_RSA_SIGN {
            return Err(Error::check(
                "refusing a blinded signature request: blinded work is only done on decrypt sets, which never sign",
            ));
        }
        let x = from_uint(&blinded.value);
        self.check_blinded_value(&x)?;
        Ok(Prepared {
            op: Operation::Blinded,
            x,
            digest: blinded_digest(blinded)?,
            unblind: None,
        })
    }

    /// The client's view at combine time: the original input, blinded again with the kept factor,
    /// so partials made on the blinded input check out and the result is unblinded.
    pub fn blinded_view<'a>(
        &self,
        original: Prepared<'a>,
        factor: &KmiBlindingFactor,
    ) -> Result<Prepared<'a>> {
        self.check_purpose(&Operation::Blinded)?;
        if factor.set_id.as_bytes() != self.id {
            return Err(Error::check(
                "the blinding factor belongs to another share set (setId mismatch)",
            ));
        }
        if factor.input_digest.as_bytes() != original.digest
            || factor.operation != operation_code(&original.op)?
        {
            return Err(Error::check(
                "the blinding factor was made for another input or operation",
            ));
        }
        let (blinded, unblind) = self.blinded_pair(&original, factor)?;
        Ok(Prepared {
            op: original.op,
            x: from_uint(&blinded.value),
            digest: blinded_digest(&blinded)?,
            unblind: Some(unblind),
        })
    }

    fn blinded_pair(
        &self,
        input: &Prepared<'_>,
        factor: &KmiBlindingFactor,
    ) -> Result<(KmiBlindedInput, Unblinding)> {
        let f = SecretUint::new(from_uint(&factor.factor));
        let (value, unblind) = match &self.public {
            SetPublic::Rsa(r) => {
                let n = &r.key.n;
                let inv = mod_inverse(f.expose(), n)
                    .ok_or_else(|| Error::format("the blinding factor is not a unit mod N"))?;
                let value = &input.x * pow_mod_secret(f.expose(), &r.key.e, n, r.key.e.bits()) % n;
                (
                    value,
                    UnblindingKind::Rsa {
                        r_inv: SecretUint::new(inv),
                        n: n.clone(),
                    },
                )
            }
            SetPublic::ElGamal { public, .. } => {
                let g = &public.group;
                let inv = (f.expose() < &g.q)
                    .then(|| mod_inverse(f.expose(), &g.q))
                    .flatten()
                    .ok_or_else(|| Error::format("the blinding factor is not a unit mod q"))?;
                let value = pow_mod_secret(&input.x, f.expose(), &g.p, g.q.bits());
                (
                    value,
                    UnblindingKind::ElGamal {
                        u_inv: SecretUint::new(inv),
                        p: g.p.clone(),
                        q_bits: g.q.bits(),
                    },
                )
            }
        };
        let blinded = KmiBlindedInput {
            version: 1,
            set_id: OctetString::new(self.id.to_vec()).map_err(Error::encoding)?,
            operation: factor.operation,
            value: to_uint(&value)?,
        };
        let unblind = Unblinding {
            kind: unblind,
            original: input.x.clone(),
        };
        Ok((blinded, unblind))
    }

    fn check_blinded_value(&self, x: &BigUint) -> Result<()> {
        let ok = match &self.public {
            SetPublic::Rsa(r) => x > &BigUint::one() && x < &r.key.n,
            SetPublic::ElGamal { public, .. } => {
                let g = &public.group;
                x > &BigUint::one() && x < &g.p && pow_mod(x, &g.q, &g.p).is_one()
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::format(
                "the blinded value is out of range for this share set",
            ))
        }
    }
}

fn blinded_digest(blinded: &KmiBlindedInput) -> Result<[u8; 32]> {
    let der = blinded
        .to_der()
        .map_err(|e| Error::internal(format!("blinded input encoding: {e}")))?;
    Ok(Sha256::digest(der).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::elgamal::{generate_key, NamedGroup};
    use crate::keys::rsa::{generate, RsaGenParams};
    use crate::keys::{PrivateKey, Quiet};
    use crate::math::prime::SearchConfig;
    use crate::threshold::file::PartialFile;
    use crate::threshold::file::Purpose;
    use crate::threshold::set::{split, SplitOptions};
    use crate::threshold::SecretShare;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn rsa_set(
        rng: &mut ChaCha20Rng,
    ) -> (crate::keys::rsa::RsaPrivate, ShareSet, Vec<SecretShare>) {
        let params = RsaGenParams {
            bits: 768,
            safe: true,
            e: BigUint::from(65537u32),
        };
        let key = generate(&params, rng, &SearchConfig { threads: 1 }, &Quiet).unwrap();
        let options = SplitOptions::new(2, 3, Purpose::Decrypt);
        let (set, shares) = split(&PrivateKey::Rsa(key.clone()), &options, rng).unwrap();
        let opened = shares.iter().map(|s| set.open(s).unwrap()).collect();
        (key, set, opened)
    }

    /// What the trustees do: read the blinded file and compute partials on it.
    fn trustee_partials(
        set: &ShareSet,
        blinded: &KmiBlindedInput,
        shares: &[SecretShare],
        rng: &mut ChaCha20Rng,
    ) -> Vec<PartialFile> {
        let reread = KmiBlindedInput::from_der_checked(&blinded.to_der().unwrap()).unwrap();
        let prepared = set.prepare_blinded(&reread).unwrap();
        shares
            .iter()
            .map(|s| set.partial(s, &prepared, rng).unwrap())
            .collect()
    }

    #[test]
    fn blinded_rsa_decryption_and_signature_match_the_key() {
        let mut rng = ChaCha20Rng::from_seed([31; 32]);
        let (key, set, shares) = rsa_set(&mut rng);
        let public = key.public.to_rsa_crate().unwrap();
        let ciphertext = public
            .encrypt(
                &mut rng,
                rsa::Oaep::new::<sha2::Sha256>(),
                b"escrowed secret",
            )
            .unwrap();

        let original = set.prepare(Operation::RsaDecrypt, &ciphertext).unwrap();
        let (blinded, factor) = set.blind(&original, &mut rng).unwrap();
        assert_ne!(
            from_uint(&blinded.value),
            BigUint::from_bytes_be(&ciphertext)
        );
        let partials = trustee_partials(&set, &blinded, &shares[1..], &mut rng);
        let client = set.blinded_view(original, &factor).unwrap();
        for p in &partials {
            assert_eq!(set.check_partial(p, &client).unwrap(), None);
        }
        assert_eq!(
            &set.combine(&partials, &client).unwrap()[..],
            b"escrowed secret"
        );

        // A decrypt set refuses to sign, blinded or not; a sign set refuses blinding.
        assert!(set.prepare(Operation::RsaSign, b"policy").is_err());
        let sign_set = {
            let options = SplitOptions::new(2, 3, Purpose::Sign);
            split(&PrivateKey::Rsa(key.clone()), &options, &mut rng)
                .unwrap()
                .0
        };
        let original = sign_set.prepare(Operation::RsaSign, b"policy").unwrap();
        assert!(sign_set.blind(&original, &mut rng).is_err());
        let forged = KmiBlindedInput {
            set_id: OctetString::new(sign_set.id.to_vec()).unwrap(),
            ..blinded.clone()
        };
        assert!(sign_set.prepare_blinded(&forged).is_err());
        // A blinded input claiming to be a signature request is refused by a decrypt set.
        let claimed_sign = KmiBlindedInput {
            operation: OP_RSA_SIGN,
            ..blinded
        };
        assert!(set.prepare_blinded(&claimed_sign).is_err());
    }

    #[test]
    fn a_factor_for_another_input_or_set_is_refused() {
        let mut rng = ChaCha20Rng::from_seed([32; 32]);
        let (key, set, shares) = rsa_set(&mut rng);
        let public = key.public.to_rsa_crate().unwrap();
        let oaep = |m: &[u8], rng: &mut ChaCha20Rng| {
            public
                .encrypt(rng, rsa::Oaep::new::<sha2::Sha256>(), m)
                .unwrap()
        };
        let (one, two) = (oaep(b"one", &mut rng), oaep(b"two", &mut rng));
        let original = set.prepare(Operation::RsaDecrypt, &one).unwrap();
        let (blinded, factor) = set.blind(&original, &mut rng).unwrap();
        let other = set.prepare(Operation::RsaDecrypt, &two).unwrap();
        assert!(set.blinded_view(other, &factor).is_err());
        // Partials made on the blinded input do not fit the unblinded input.
        let partials = trustee_partials(&set, &blinded, &shares[..2], &mut rng);
        let plain = set.prepare(Operation::RsaDecrypt, &one).unwrap();
        assert!(set.check_partial(&partials[0], &plain).unwrap().is_some());
        // A changed factor makes the partials' input digest disagree.
        let mut wrong = factor.clone();
        wrong.factor = to_uint(&(from_uint(&factor.factor) + 1u32)).unwrap();
        let client = set.blinded_view(set.prepare(Operation::RsaDecrypt, &one).unwrap(), &wrong);
        if let Ok(client) = client {
            assert!(set.check_partial(&partials[0], &client).unwrap().is_some());
        }
        // Trustees of another set refuse the blinded input.
        let (_, other_set, _) = rsa_set(&mut rng);
        assert!(other_set.prepare_blinded(&blinded).is_err());
    }

    #[test]
    fn blinded_elgamal_decryption_recovers_the_payload() {
        let mut rng = ChaCha20Rng::from_seed([33; 32]);
        let key = generate_key(NamedGroup::Ffdhe2048.group(), &mut rng);
        let options = SplitOptions::new(3, 4, Purpose::Decrypt);
        let (set, shares) = split(&PrivateKey::ElGamal(key.clone()), &options, &mut rng).unwrap();
        let opened: Vec<SecretShare> = shares.iter().map(|s| set.open(s).unwrap()).collect();
        let msg = crate::crypt::elgamal::encrypt(&key.public, b"payload", &mut rng).unwrap();
        let original = set
            .prepare(Operation::ElGamalDecrypt(&msg), b"file bytes")
            .unwrap();
        let (blinded, factor) = set.blind(&original, &mut rng).unwrap();
        assert_ne!(from_uint(&blinded.value), msg.alpha());
        let partials = trustee_partials(&set, &blinded, &opened[1..], &mut rng);
        let client = set.blinded_view(original, &factor).unwrap();
        assert_eq!(&set.combine(&partials, &client).unwrap()[..], b"payload");
        // Combining on the trustees' own view is refused: only the client can unblind.
        let trustee = set.prepare_blinded(&blinded).unwrap();
        assert!(set.combine(&partials, &trustee).is_err());
    }
}
